"""A limit on the whole of one HTTP attempt, not only on each read.

httpx's ``read`` timeout bounds each read from the socket: a server sending one byte every
half second never trips it, and a call can last as long as the server likes. The retry
transport therefore gives every attempt a deadline (``timeout`` seconds from its start) and
the SDK's own httpx transports read and write through a network backend that shortens each
socket operation to the time left and fails once none is left. The deadline lives in a
context variable, so it applies to whatever connection (new or pooled) the attempt uses,
and not to the body of a live stream read after the attempt returned.

Transports the SDK does not build (``transport=`` an instance, ``transport="requests"``)
are bounded while the body is read (see ``_http``), but not while headers arrive. The
backends live in ``_deadline_backends`` (httpcore is imported only when a transport is built).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Final

_deadline: Final[ContextVar[float | None]] = ContextVar("neurallog_deadline", default=None)


@contextmanager
def attempt_deadline(seconds: float | None) -> Iterator[None]:
    """Everything in the block must be done within ``seconds`` (None: no limit)."""
    token = _deadline.set(None if seconds is None else time.monotonic() + seconds)
    try:
        yield
    finally:
        _deadline.reset(token)


def expired() -> bool:
    """Whether the current attempt has used up its time."""
    deadline = _deadline.get()
    return deadline is not None and time.monotonic() >= deadline


def clamp(timeout: float | None, error: type[Exception]) -> float | None:
    """``timeout`` shortened to what the current attempt has left; ``error`` if nothing."""
    deadline = _deadline.get()
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise error("the whole response took longer than the timeout")
    return left if timeout is None else min(timeout, left)
