"""A loguru sink that sends records to NeuralLog.

::

    from loguru import logger
    from neurallog.integrations.loguru import NeuralLogSink

    logger.add(NeuralLogSink(api_key="...", endpoint="https://api.<tenant>.neurallog.com/v1"),
               level="INFO")

What a record becomes: ``level`` from the level number (SUCCESS is INFO, TRACE is DEBUG,
WARNING is WARN, CRITICAL is FATAL), ``message`` the record's message (the sink's
``format`` is not applied), ``source`` the module name (``record["name"]``) unless
``source=`` is given, ``timestamp`` the record's time, and ``metadata`` with the bound
``extra`` fields (``logger.bind``, ``logger.contextualize``), ``origin`` and ``exception``
(type, message, traceback).

Do not add the sink with ``enqueue=True``: the sink already only enqueues, and loguru's own
queue would run it on another thread, where the request context and the active
OpenTelemetry span of the logging call are no longer visible.
"""

from __future__ import annotations

import contextlib
import time
import traceback
from typing import TYPE_CHECKING, Any

try:
    import loguru  # noqa: F401 (only checks that the extra is installed)
except ImportError as _exc:  # pragma: no cover - depends on the environment
    from neurallog.integrations._common import missing_extra

    raise ImportError(missing_extra("loguru", "loguru")) from _exc

from neurallog._guard import is_internal, is_internal_logger
from neurallog._timestamps import rfc3339
from neurallog.integrations._common import (
    LEVELS,
    STALE_AFTER,
    exception_fields,
    level_of,
    resolve_client,
    was_reported,
)

if TYPE_CHECKING:
    from loguru import Message

    from neurallog.client import NeuralLog

__all__ = ["NeuralLogSink"]


_time = time.time


class NeuralLogSink:
    """A loguru sink that enqueues each record to NeuralLog (``logger.add(sink)``).

    Args:
        client: An existing client (:class:`~neurallog.NeuralLog`,
            :class:`~neurallog.async_client.AsyncNeuralLog`, or a framework integration
            object).
        source: ``source`` of every record; defaults to the record's module name.
        flush_timeout: Seconds :meth:`stop` waits for delivery.
        **client_kwargs: Without ``client``, the :class:`~neurallog.NeuralLog` constructor
            arguments; the sink then owns the client and closes it when loguru stops the
            sink (``logger.remove()``).
    """

    def __init__(
        self,
        client: Any = None,
        *,
        source: str | None = None,
        flush_timeout: float = 5.0,
        **client_kwargs: Any,
    ) -> None:
        self.client: NeuralLog
        self.client, self._owns_client = resolve_client(client, client_kwargs, what="NeuralLogSink")
        self.source = source
        self.flush_timeout = flush_timeout
        self.name = "NeuralLogSink"  # how loguru names the sink

    def write(self, message: Message) -> None:
        """Called by loguru with each formatted message; sends its ``record``."""
        self(message)

    def __call__(self, message: Message) -> None:
        if is_internal():
            return
        try:
            record = message.record
            name = record["name"] or ""
            if is_internal_logger(name):
                return
            exception = record["exception"]
            if exception is not None and was_reported(exception.value, self.client):
                return
            metadata: dict[str, Any] = dict(record["extra"])
            metadata["origin"] = {
                "file": record["file"].path,
                "line": record["line"],
                "function": record["function"],
                "thread": record["thread"].name,
                "process": record["process"].id,
            }
            if exception is not None and exception.value is not None:
                text = "".join(
                    traceback.format_exception(exception.type, exception.value, exception.traceback)
                )
                metadata["exception"] = exception_fields(exception.value, text)
            client = self.client
            levelno = record["level"].no
            level = LEVELS.get(levelno)
            if level is None:
                level = level_of(levelno)
            if level >= client._min_level:
                # Straight to the client's put (what ``client.log`` ends in). A fresh record
                # is stamped when enqueued, as the stdlib handler's are: converting loguru's
                # local-time datetime costs more than the rest of the sink.
                moment = record["time"]
                client._put(
                    level,
                    record["message"],
                    metadata,
                    self.source or name or None,
                    None,
                    rfc3339("timestamp", moment)
                    if _time() - moment.timestamp() > STALE_AFTER
                    else None,
                )
        except Exception:  # noqa: S110 - a sink must never break the logging call
            pass

    # No ``flush`` method: loguru would call it after every record. Use ``sink.client.flush()``.

    def stop(self) -> None:
        """Called by loguru on ``logger.remove()`` (and at exit): deliver what is pending.

        Closes the client if the sink created it; bounded by ``flush_timeout``.
        """
        with contextlib.suppress(Exception):
            if self._owns_client:
                self.client.close(timeout=self.flush_timeout)
            else:
                self.client.flush(timeout=self.flush_timeout)
