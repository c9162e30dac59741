"""Client-generated log entry ids: UUIDv7, time-ordered and monotonic within a process.

The server ignores an entry whose id it already stored, so an id fixed before the first
attempt makes every retry of a batch safe. Ids are made off the hot path (in the worker,
or by ``batch_log``), a batch at a time.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from typing import Final

__all__ = ["VARIANT", "VERSION_BITS", "new_id", "new_ids"]

_lock = threading.Lock()
_last = (0, 0)
#: In the high half of a UUIDv7: 48 bits of milliseconds, the version (7), 12 bits rand_a.
VERSION_BITS: Final = 0x7000
#: In the low half: the variant (0b10), then 62 bits rand_b.
VARIANT: Final = 0x8000_0000_0000_0000
_LOW48: Final = (1 << 48) - 1
_RAND_HIGH: Final = ((1 << 62) - 1) & ~_LOW48  # the random bits of rand_b above the count
_HEADROOM: Final = 1 << 40  # ids a batch may take before its counter would carry
_COUNT_MARK: Final = 1 << 48


def _reset_after_fork() -> None:
    global _lock, _last
    _lock = threading.Lock()
    _last = (0, 0)


os.register_at_fork(after_in_child=_reset_after_fork)


def new_ids(times_ns: Sequence[int]) -> list[str]:
    """One UUIDv7 string per record of a batch, strictly increasing (``times_ns``: when each
    record was captured, nanoseconds since the epoch, in the batch's order).

    Layout (RFC 9562, "monotonic random" method): 48 bits of Unix milliseconds and 12 bits
    of sub-millisecond fraction of the batch's first record, the version and variant, then
    62 bits whose low 48 count up through the batch from a random start. So a batch's ids
    differ only in their last group and cost one formatting each; a batch that falls in
    the same instant as the previous one (or after a clock step back) continues the
    previous count, so ids issued by one process sort in issue order.
    """
    global _last
    count = len(times_ns)
    if not count:
        return []
    if count >= _HEADROOM:
        raise ValueError(f"at most {_HEADROOM - 1} ids per batch, got {count}")
    millis, sub = divmod(times_ns[0], 1_000_000)
    hi = ((millis & _LOW48) << 16) | VERSION_BITS | (sub * 4096 // 1_000_000)
    noise = int.from_bytes(os.urandom(8))
    with _lock:
        last_hi, last_lo = _last
        if hi > last_hi:
            # A random start low enough that the count never carries out of the last group.
            lo = VARIANT | (noise & _RAND_HIGH) | (noise % (_LOW48 - _HEADROOM))
        else:
            hi, lo = last_hi, last_lo + 1
            if (lo & _LOW48) + count > _LOW48:
                hi, lo = hi + 1, VARIANT | (noise & _RAND_HIGH)
        _last = (hi, lo + count - 1)
    high = f"{hi:016x}{lo >> 48:04x}"
    prefix = f"{high[:8]}-{high[8:12]}-{high[12:16]}-{high[16:]}-"
    # hex() of the count with a bit set just above its 48 bits is "0x1" and then exactly
    # the 12 digits wanted: the cheapest formatting of the lot (the worker makes one id per
    # record).
    first = _COUNT_MARK | (lo & _LOW48)
    return [prefix + hex(n)[3:] for n in range(first, first + count)]


def new_id(time_ns: int) -> str:
    """One UUIDv7 string for a capture time in nanoseconds."""
    return new_ids((time_ns,))[0]
