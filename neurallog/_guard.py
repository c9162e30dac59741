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

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Final

__all__ = [
    "INTERNAL_LOGGERS",
    "internal",
    "is_internal",
    "is_internal_logger",
    "quiet_http_loggers",
    "sdk_http",
]

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


# -- the SDK's own HTTP traffic stays out of the application's logs ---------------------------

#: Loggers the HTTP libraries write to while the SDK's transports run (each needs its own
#: filter: a logger's filters do not apply to its children's records).
_HTTP_LOGGERS: Final = (
    "httpx",
    "httpcore.connection",
    "httpcore.connection_pool",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
    "httpcore.socks",
    "urllib3.connectionpool",
    "urllib3.connection",
    "urllib3.util.retry",
)

_in_sdk_http: Final[ContextVar[bool]] = ContextVar("neurallog_in_sdk_http", default=False)
# The URL object of the last request the SDK's transport handled in this context: httpx logs
# "HTTP Request: <method> <url> ..." with that very object once the transport has returned.
_last_url: Final[ContextVar[object]] = ContextVar("neurallog_last_url", default=None)


@contextmanager
def sdk_http(url: object = None) -> Iterator[None]:
    """Mark the block as the SDK's own HTTP work (its records are not the application's)."""
    if url is not None:
        _last_url.set(url)
    token = _in_sdk_http.set(True)
    try:
        yield
    finally:
        _in_sdk_http.reset(token)


class _SdkHttpFilter(logging.Filter):
    """Drops the records of the SDK's own requests; an application's own clients log as usual."""

    def filter(self, record: logging.LogRecord) -> bool:
        if _in_sdk_http.get():
            return False
        args = record.args
        last = _last_url.get()
        return not (
            last is not None and isinstance(args, tuple) and len(args) > 1 and args[1] is last
        )


_FILTER: Final = _SdkHttpFilter()


def quiet_http_loggers() -> None:
    """Install the filter on the HTTP libraries' loggers (idempotent)."""
    for name in _HTTP_LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
