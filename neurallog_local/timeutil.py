"""RFC 3339 timestamps as integer epoch microseconds, which is how they are stored."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_MIN_US = (datetime(1, 1, 1, tzinfo=UTC) - _EPOCH) // _MICROSECOND
_MAX_US = (datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC) - _EPOCH) // _MICROSECOND
_RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})")


def now_us() -> int:
    """The current time in epoch microseconds."""
    return time.time_ns() // 1000


def parse_rfc3339(value: str) -> int:
    """Parse an RFC 3339 date-time into epoch microseconds; ``ValueError`` when it is not one
    or when it falls outside the years 1 to 9999 in UTC.

    Fractions finer than a microsecond are truncated rather than rejected, since clients
    such as Go and Java send nanoseconds.
    """
    if _RFC3339.fullmatch(value) is None:
        raise ValueError(f"{value!r} is not an RFC 3339 date-time")
    try:
        # The pattern fixed the shape; fromisoformat (in C) does the arithmetic.
        moment = datetime.fromisoformat(value.upper())
    except ValueError as exc:
        raise ValueError(f"{value!r} is not a valid date-time: {exc}") from None
    since = moment - _EPOCH  # the fields, not `// _MICROSECOND`: a third of the cost
    us = (since.days * 86_400 + since.seconds) * 1_000_000 + since.microseconds
    if not _MIN_US <= us <= _MAX_US:
        raise ValueError(f"{value!r} is outside the years 1 to 9999 in UTC")
    return us


def format_us(us: int) -> str:
    """Format epoch microseconds as RFC 3339 UTC with a ``Z``, microseconds only when set."""
    moment = _EPOCH + timedelta(microseconds=us)
    # Not strftime: its %Y does not pad years before 1000 on every platform.
    text = (
        f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}"
        f"T{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}"
    )
    if moment.microsecond:
        text += f".{moment.microsecond:06d}"
    return text + "Z"


def datetime_to_us(moment: datetime) -> int:
    """Epoch microseconds of an aware datetime (naive ones are taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return (moment - _EPOCH) // timedelta(microseconds=1)
