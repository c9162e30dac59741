"""kombu's filesystem transport, with messages that appear whole.

kombu's own ``_put`` creates a message file, then locks it and writes it, while a worker
polling the folder takes any ``*.msg`` file it lists and reads it without a lock: now and
then the worker read a file that was still empty and died on the JSON error. Here a
message is written under a name the worker skips, then renamed into place, which is atomic.
"""

from __future__ import annotations

import os
import uuid
from time import monotonic
from typing import Any

from kombu.transport import filesystem
from kombu.utils.json import dumps


class Channel(filesystem.Channel):
    def _put(self, queue: str, payload: Any, **kwargs: Any) -> None:
        name = f"{round(monotonic() * 1000)}_{uuid.uuid4()}.{queue}.msg"
        # A leading dot: the poller only takes names whose part after the first dot is
        # "<queue>.msg".
        partial = os.path.join(self.data_folder_out, f".{name}.partial")
        with open(partial, "wb") as file:
            file.write(dumps(payload).encode())
        os.replace(partial, os.path.join(self.data_folder_out, name))


class Transport(filesystem.Transport):
    Channel = Channel
