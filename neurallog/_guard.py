"""Recursion guard: records produced while the SDK delivers logs are never logged again.

The worker thread, and any thread running delivery code inline (``close()`` at exit, a
flush with no worker), is marked *internal*. Everything the SDK's HTTP stack logs there
(httpx, httpcore, the SDK's own diagnostics) would otherwise be forwarded by a stdlib
handler on the root logger back into the queue, and so on forever.

Integrations call :func:`is_internal` before forwarding a record, and ignore the loggers
named in :data:`INTERNAL_LOGGERS`. The client itself also refuses records produced on an
internal thread, so a hand-written handler cannot loop either.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Final

__all__ = ["INTERNAL_LOGGERS", "internal", "is_internal", "is_internal_logger"]

#: Loggers of the SDK and its HTTP stack. Forwarding their records to NeuralLog is at best
#: noise and at worst a feedback loop, so handlers skip them (and their children).
INTERNAL_LOGGERS: Final[frozenset[str]] = frozenset(
    {
        "neurallog",
        "httpx",
        "httpcore",
        "hpack",
        "h2",
        "h11",
        "anyio",
        "urllib3",
        "requests",
        "charset_normalizer",
    }
)


class _State(threading.local):
    # A class attribute is the default for every thread: reading it needs no getattr default.
    internal = False


_state: Final = _State()


def is_internal() -> bool:
    """True on the SDK's worker thread and inside SDK delivery code on any thread."""
    return _state.internal


def is_internal_logger(name: str) -> bool:
    """True for a logger in :data:`INTERNAL_LOGGERS` or a child of one (``httpcore.http11``)."""
    head, _, _ = name.partition(".")
    return head in INTERNAL_LOGGERS


@contextmanager
def internal() -> Iterator[None]:
    """Mark the current thread as running SDK delivery code for the ``with`` block."""
    previous = _state.internal
    _state.internal = True
    try:
        yield
    finally:
        _state.internal = previous


def mark_thread_internal() -> None:
    """Mark the current thread internal for good (the worker thread)."""
    _state.internal = True
