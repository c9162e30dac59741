"""Timestamps on the wire: RFC 3339 in UTC with microseconds, e.g. ``2026-01-02T03:04:05.678901Z``.

The one place where the SDK turns times into text: the capture time of a record, a
``timestamp=`` given to ``log()``, and datetimes inside API requests (``time_range``, filters,
ingested entries). A naive datetime is refused everywhere, since its zone would be a guess.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

__all__ = ["aware_utc", "format_timestamp", "normalize_timestamp", "rfc3339"]

_second_cache: tuple[int, str] = (-1, "")


def format_timestamp(time_ns: int) -> str:
    """A ``time.time_ns()`` value as wire text (the hot path: no datetime object is made)."""
    global _second_cache
    seconds, nanos = divmod(time_ns, 1_000_000_000)
    cached_second, layout = _second_cache
    if cached_second != seconds:
        # Records arrive in bursts within the same second: format the date part once.
        layout = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + ".%06dZ"
        _second_cache = (seconds, layout)
    return layout % (nanos // 1000)


def aware_utc(name: str, value: datetime) -> datetime:
    """``value`` in UTC; a naive datetime raises ``ValueError`` naming ``name``."""
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        raise ValueError(
            f"{name} must be timezone-aware, got a naive datetime ({value.isoformat()}); "
            "give it a timezone, "
            "e.g. datetime.now(timezone.utc) or dt.replace(tzinfo=timezone.utc)"
        )
    return value.astimezone(UTC)


def rfc3339(name: str, value: datetime) -> str:
    """An aware datetime as wire text."""
    # isoformat is C code (and writes a year before 1000 with four digits, as RFC 3339
    # needs); strftime costs several times as much for the same text.
    moment = aware_utc(name, value).replace(tzinfo=None)
    return moment.isoformat(timespec="microseconds") + "Z"


def normalize_timestamp(value: object, name: str = "timestamp") -> str | None:
    """A caller-supplied timestamp as wire text (``None`` stays ``None``).

    Accepts a timezone-aware :class:`datetime` or an RFC 3339 string with a date, a time
    and an offset (``2026-01-02T03:04:05Z``, ``...+02:00``).

    Raises:
        ValueError: for a naive datetime or a string that is not RFC 3339.
        TypeError: for any other type.
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        return rfc3339(name, value)
    if not isinstance(value, str):
        raise TypeError(
            f"{name} must be None, a timezone-aware datetime or an RFC 3339 string, "
            f"got {type(value).__name__}"
        )
    text = value.strip()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"{name} {value!r} is not RFC 3339; use e.g. '2026-01-02T03:04:05Z'"
        ) from None
    if len(text) < 16 or text[10] not in "Tt " or moment.tzinfo is None:
        raise ValueError(
            f"{name} {value!r} needs a date, a time and an offset, e.g. '2026-01-02T03:04:05Z'"
        )
    return rfc3339(name, moment)
