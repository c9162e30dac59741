"""Client-generated log entry ids: UUIDv7, time-ordered and monotonic within a process.

The server ignores an entry whose id it already stored, so an id fixed before the first
attempt makes every retry of a batch safe. Ids are made off the hot path (in the worker,
or by ``batch_log``), from the time each record was captured.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence

__all__ = ["new_id", "new_ids"]

_lock = threading.Lock()
_last = 0
_RAND_B_MASK = (1 << 61) - 1  # one spare bit so the monotonic +1 never reaches the variant


def _reset_after_fork() -> None:
    global _lock, _last
    _lock = threading.Lock()
    _last = 0


os.register_at_fork(after_in_child=_reset_after_fork)


def new_ids(times_ns: Sequence[int]) -> list[str]:
    """One UUIDv7 string per capture time (nanoseconds since the epoch), strictly increasing.

    Layout (RFC 9562): 48 bits of Unix milliseconds, version 7, 12 bits of sub-millisecond
    fraction, the variant, then 62 random bits. When two ids would not increase (same
    instant, or a clock step back) the previous one plus one is used instead, so ids issued
    by one process sort in issue order.
    """
    global _last
    count = len(times_ns)
    if not count:
        return []
    # One system call per batch: urandom per id would cost more than the rest of the id.
    noise = os.urandom(8 * count)
    values: list[int] = []
    with _lock:
        last = _last
        for i, t in enumerate(times_ns):
            millis, sub = divmod(t, 1_000_000)
            rand_b = int.from_bytes(noise[8 * i : 8 * i + 8], "big") & _RAND_B_MASK
            value = (
                ((millis & 0xFFFF_FFFF_FFFF) << 80)
                | (0x7 << 76)
                | ((sub * 4096 // 1_000_000) << 64)
                | (0b10 << 62)
                | rand_b
            )
            if value <= last:
                value = last + 1
            last = value
            values.append(value)
        _last = last
    out = []
    for value in values:
        h = f"{value:032x}"
        out.append(f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}")
    return out


def new_id(time_ns: int) -> str:
    """One UUIDv7 string for a capture time in nanoseconds."""
    return new_ids((time_ns,))[0]
