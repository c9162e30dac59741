"""Test helpers: see what your code logs, with or without a server.

:func:`capture` records the entries a client would send, as they would be encoded
(context, bound fields, ``before_send`` and redaction applied), and sends nothing::

    from neurallog.testing import capture

    def test_login_is_logged():
        with capture(app.neurallog) as logs:
            app.login("ada")
        assert logs.entries[0]["message"] == "User logged in"
        assert logs.entries[0]["metadata"]["user"] == "ada"

The pytest fixtures ``neurallog_client`` and ``assert_logged`` (a NeuralLog connected to
NeuralLog Local, and a check of what reached it) are in :mod:`neurallog.testing.pytest_plugin`,
registered with pytest when ``neurallog`` is installed; see docs/testing.md.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from neurallog._levels import LEVEL_NAMES, parse_level

if TYPE_CHECKING:
    from neurallog._sender import Sender
    from neurallog.client import NeuralLog

__all__ = ["Captured", "capture", "describe", "matches"]

# Captures are of tests, never of production: a client with an address nothing listens on
# makes sure a capture without a client of its own cannot reach anything.
_NOWHERE = "http://127.0.0.1:9/v1"


class Captured:
    """What a client sent during a :func:`capture` block (read ``entries``)."""

    def __init__(self, client: NeuralLog) -> None:
        #: The client whose records are captured.
        self.client = client
        self._entries: list[dict[str, Any]] = []

    @property
    def entries(self) -> list[dict[str, Any]]:
        """The entries so far, oldest first, each a dict as sent on the wire.

        Reading it flushes the client first (the records pending in its queue are
        delivered into this list, which takes no network).
        """
        self.client.flush()
        return list(self._entries)

    @property
    def messages(self) -> list[str]:
        """The messages of :attr:`entries`."""
        return [entry["message"] for entry in self.entries]

    def find(
        self, message: str | None = None, level: str | int | None = None, **fields: Any
    ) -> list[dict[str, Any]]:
        """The entries with this message, level and metadata fields (all optional)."""
        return [e for e in self.entries if matches(e, message=message, level=level, **fields)]

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.entries)

    def __getitem__(self, index: int) -> dict[str, Any]:
        return self.entries[index]

    def __repr__(self) -> str:
        return f"<Captured {len(self._entries)} entries of {self.client!r}>"


@contextlib.contextmanager
def capture(client: object = None) -> Iterator[Captured]:
    """Record the entries ``client`` sends in the block instead of sending them.

    ``client`` is a :class:`~neurallog.client.NeuralLog`, an
    :class:`~neurallog.async_client.AsyncNeuralLog` or an integration object wrapping one
    (``NeuralLogFlask``, ``NeuralLogFastAPI``); everything logged through it (its
    ``bind()`` views, ``batch()``, a ``NeuralLogHandler`` on it) is captured and counted
    as sent in ``stats``. Without ``client`` a client of the capture's own is made
    (``captured.client``), closed after the block. Records still queued when the block
    starts are captured too. The client works as usual after the block.
    """
    from neurallog.client import NeuralLog
    from neurallog.integrations._common import sync_client_of

    owned = client is None
    if client is None:
        target = NeuralLog(api_key="capture", endpoint=_NOWHERE, log_level="DEBUG")
    else:
        found = sync_client_of(client)
        if found is None:
            raise TypeError(
                "capture() takes a NeuralLog or AsyncNeuralLog client (or an integration "
                f"object wrapping one), got {type(client).__name__}"
            )
        target = found
    captured = Captured(target)
    sender: Sender = target._pipeline.sender
    account = target._pipeline.account

    def send(entries: list[dict[str, Any]], body: bytes, control: object) -> None:
        captured._entries.extend(entries)
        # Settled as a stored request would be, so a buffer keeping records until then
        # lets them go.
        account.sent(len(entries))
        acknowledged = sender.acknowledged
        if acknowledged is not None:
            acknowledged([entry["id"] for entry in entries])

    # The worker encodes each batch as usual and hands it to the sender's request step,
    # which this replaces: every way of logging through the client ends up here.
    # A capture inside another capture of the same client hands the entries back after.
    outer = sender.__dict__.get("_send")
    sender._send = send  # type: ignore[method-assign]
    try:
        yield captured
        target.flush()
    finally:
        if outer is None:
            del sender._send
        else:
            sender._send = outer  # type: ignore[method-assign]
        if owned:
            target.close()


def matches(
    entry: Mapping[str, Any],
    message: str | None = None,
    level: str | int | None = None,
    **fields: Any,
) -> bool:
    """Whether a wire entry has this message, level and metadata fields (None: any)."""
    if message is not None and entry.get("message") != message:
        return False
    if level is not None and entry.get("level") != LEVEL_NAMES[parse_level(level)]:
        return False
    metadata = entry.get("metadata") or {}
    return all(key in metadata and metadata[key] == value for key, value in fields.items())


def describe(entries: Sequence[Mapping[str, Any]], limit: int = 20) -> str:
    """The entries as readable lines, for an assertion message."""
    if not entries:
        return "nothing was logged"
    lines = [f"{len(entries)} entr{'y was' if len(entries) == 1 else 'ies were'} logged:"]
    for entry in entries[:limit]:
        metadata = entry.get("metadata")
        extra = f" {dict(metadata)!r}" if metadata else ""
        lines.append(f"  {entry.get('level')} {entry.get('message')!r}{extra}")
    if len(entries) > limit:
        lines.append(f"  ... and {len(entries) - limit} more")
    return "\n".join(lines)
