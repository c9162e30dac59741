"""Client-generated log entry ids: UUIDv7, time-ordered and monotonic within a process.

The server ignores an entry whose id it already stored, so an id fixed before the first
attempt makes every retry of a batch safe. Ids are made off the hot path (in the worker,
or by ``batch_log``), from the time each record was captured.
"""

from __future__ import annotations

import os
import struct
import threading
from collections.abc import Sequence

__all__ = ["new_id", "new_ids"]

_lock = threading.Lock()
_last = (0, 0)
_VERSION = 0x7000  # in the high half: 48 bits of milliseconds, version 7, 12 bits rand_a
_VARIANT = 0x8000_0000_0000_0000  # in the low half: variant 0b10, then 62 bits rand_b
_RAND_B = (1 << 61) - 1  # one spare bit so the monotonic +1 never reaches the variant


def _reset_after_fork() -> None:
    global _lock, _last
    _lock = threading.Lock()
    _last = (0, 0)


os.register_at_fork(after_in_child=_reset_after_fork)


def new_ids(times_ns: Sequence[int]) -> list[str]:
    """One UUIDv7 string per capture time (nanoseconds since the epoch), strictly increasing.

    Layout (RFC 9562): 48 bits of Unix milliseconds, version 7, 12 bits of sub-millisecond
    fraction, the variant, then random bits. When an id would not increase on the previous
    one (same instant, or a clock step back) the previous one plus one is used instead, so
    ids issued by one process sort in issue order.
    """
    global _last
    count = len(times_ns)
    if not count:
        return []
    # One system call per batch: urandom per id would cost more than the rest of the id.
    raw = os.urandom(8 * count)
    noise = struct.unpack(f">{count}Q", raw)
    noise_hex = raw.hex()
    prefixes: dict[int, str] = {}
    out: list[str] = []
    append = out.append
    with _lock:
        last_hi, last_lo = _last
        for i, t in enumerate(times_ns):
            millis, sub = divmod(t, 1_000_000)
            millis &= 0xFFFF_FFFF_FFFF
            rand_a = sub * 4096 // 1_000_000
            hi = (millis << 16) | _VERSION | rand_a
            lo = _VARIANT | (noise[i] & _RAND_B)
            if hi < last_hi or (hi == last_hi and lo <= last_lo):
                hi, lo = last_hi, last_lo + 1
                append(_format(hi, lo))
            else:
                # String building dominates the cost of an id: the millisecond prefix is
                # shared by a burst, and the low half's hex is the random bytes' hex except
                # for its first digit (the variant bits).
                prefix = prefixes.get(millis)
                if prefix is None:
                    text = f"{millis:012x}"
                    prefix = prefixes[millis] = f"{text[:8]}-{text[8:]}-7"
                tail = noise_hex[16 * i + 1 : 16 * i + 16]
                append(f"{prefix}{_RAND_A[rand_a]}-{_FIRST[lo >> 60]}{tail[:3]}-{tail[3:]}")
            last_hi, last_lo = hi, lo
        _last = (last_hi, last_lo)
    return out


_RAND_A = [f"{n:03x}" for n in range(4096)]
_FIRST = "0123456789abcdef"


def _format(hi: int, lo: int) -> str:
    high = f"{hi:016x}"
    low = f"{lo:016x}"
    return f"{high[:8]}-{high[8:12]}-{high[12:]}-{low[:4]}-{low[4:]}"


def new_id(time_ns: int) -> str:
    """One UUIDv7 string for a capture time in nanoseconds."""
    return new_ids((time_ns,))[0]
