"""Identifiers: UUIDv7 for log entries, prefixed ones for rules, actions and executions."""

from __future__ import annotations

import os
import threading
import time
import uuid

_lock = threading.Lock()
_last = 0


def uuid7() -> str:
    """A UUIDv7 string: time-ordered, and strictly increasing within this process."""
    global _last
    with _lock:
        # 48 bits of milliseconds then 12 bits of sub-millisecond counter keep the order
        # even when many ids are made within one millisecond.
        now = (time.time_ns() // 1_000_000) << 12
        _last = max(now, _last + 1)
        stamp = _last
    rand = int.from_bytes(os.urandom(8), "big") & ((1 << 62) - 1)
    value = (stamp >> 12) << 80 | 0x7 << 76 | (stamp & 0xFFF) << 64 | 0b10 << 62 | rand
    return str(uuid.UUID(int=value))


def new_id(prefix: str) -> str:
    """A unique, time-ordered id such as ``rule_0190a4c7e0b87c3e9a1d5b2f3c4d5e6f``."""
    return f"{prefix}_{uuid7().replace('-', '')}"
