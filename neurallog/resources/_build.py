"""Turn the SDK's inputs into httpx request arguments, for the sync and async resources alike.

Arguments are checked by :mod:`neurallog._checks` (``TypeError`` for a wrong type, ``ValueError``
for an unusable value, each naming the argument and what is accepted) before any request is
sent. Whatever is well-formed but breaks the API's rules (an unknown condition type, a regular
expression the server refuses) is left to the server, whose 400/422 answer becomes a
:class:`neurallog.exceptions.ValidationError` with details.

Paths, methods and query-string encoding come from the generated endpoints' ``_get_kwargs``
(called by the request functions of ``logs``, ``rules`` and ``actions``), so a contract
change reaches the overlay on regeneration. Request bodies are the caller's dicts sent
verbatim (serialized with orjson): the generated request models would reject them
client-side with bare ``KeyError``/``ValueError`` instead of the server's details.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any, Generic, TypeVar

import attrs
import httpx
import orjson
from neurallog_api.types import UNSET, Unset

from neurallog._checks import integer, mapping, optional_mapping, require_id, string
from neurallog._levels import level_name
from neurallog._timestamps import aware_utc, rfc3339
from neurallog.resources import _parse
from neurallog.types import NotGiven

T = TypeVar("T")

MAX_LIMIT = 1000


@attrs.frozen
class Call(Generic[T]):
    """One request and how to read its response."""

    kwargs: dict[str, Any]
    parse: Callable[[httpx.Response], T]


@attrs.frozen
class ListCall(Generic[T]):
    """A paged request of ``T`` items: ``at(offset)`` gives the request for that page."""

    at: Callable[[int], dict[str, Any]]
    offset: int


# -- paging ----------------------------------------------------------------------------------


def check_limit(limit: object) -> int:
    """``limit`` as the API accepts it (1..1000)."""
    return integer("limit", limit, minimum=1, maximum=MAX_LIMIT)


def check_offset(offset: object) -> int:
    """``offset`` as the API accepts it (0 or more)."""
    return integer("offset", offset, minimum=0)


def by_id(
    name: str,
    value: object,
    get_kwargs: Callable[[str], dict[str, Any]],
    parse: Callable[[httpx.Response], Any] = _parse.data,
) -> Call[Any]:
    """The request about one resource, by its id (``name`` is the argument, e.g. ``rule_id``)."""
    return Call(get_kwargs(require_id(name, value)), parse)


def one_filter(method: str, key: str, filter: object, value: object) -> object:
    """The one key a list ``method`` filters on, given as ``filter={key: ...}`` or ``key=...``."""
    fields = optional_mapping("filter", filter) or {}
    unknown = set(fields) - {key}
    if unknown:
        raise ValueError(f"{method}() filter accepts {key}; got unknown key(s) {sorted(unknown)}")
    if value is not None and key in fields and fields[key] != value:
        raise ValueError(f"{method}(): {key}= and filter[{key!r}] disagree")
    return value if value is not None else fields.get(key)


def changed_fields(method: str, changes: Mapping[str, object]) -> dict[str, Any]:
    """The fields an update ``method`` was given (``name`` and ``description`` checked)."""
    payload = {k: v for k, v in changes.items() if not isinstance(v, NotGiven)}
    if not payload:
        raise ValueError(f"{method}() needs at least one field to change: " + ", ".join(changes))
    if "name" in payload:
        string("name", payload["name"])
    if payload.get("description") is not None:
        string("description", payload["description"])
    return payload


def list_call(at: Callable[..., dict[str, Any]], offset: object) -> ListCall[Any]:
    """The paged request whose page at ``o`` is ``at(offset=o)``."""
    return ListCall(at=lambda o: at(offset=o), offset=check_offset(offset))


# -- JSON ------------------------------------------------------------------------------------


def _json_default(value: object) -> object:
    if isinstance(value, datetime):
        return rfc3339("a datetime in the request", value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, set | frozenset):
        return list(value)
    raise TypeError(f"{type(value).__name__} is not JSON-serializable")


def dumps(name: str, value: object) -> bytes:
    """Compact JSON; datetimes become RFC 3339 UTC (naive ones are refused)."""
    try:
        return orjson.dumps(value, default=_json_default, option=orjson.OPT_PASSTHROUGH_DATETIME)
    except orjson.JSONEncodeError as error:
        cause = error.__cause__
        if isinstance(cause, ValueError):
            raise ValueError(f"{name}: {cause}") from None
        raise TypeError(f"{name} cannot be sent as JSON: {cause or error}") from None


class _Verbatim:
    """Stands in for a generated request model so ``_get_kwargs`` sends the caller's dict."""

    __slots__ = ("_payload",)

    def __init__(self, payload: dict[str, Any]) -> None:
        self._payload = payload

    def to_dict(self) -> dict[str, Any]:
        return self._payload


def verbatim(payload: dict[str, Any]) -> Any:
    return _Verbatim(payload)


def encode_json(name: str, kwargs: dict[str, Any]) -> dict[str, Any]:
    # httpx's json= uses the stdlib encoder; orjson is faster and handles datetimes.
    if "json" in kwargs:
        kwargs["content"] = dumps(name, kwargs.pop("json"))
    return kwargs


# -- filters, time ranges, sorting -----------------------------------------------------------

_DURATION_UNITS = {
    "ms": timedelta(milliseconds=1),
    "s": timedelta(seconds=1),
    "m": timedelta(minutes=1),
    "h": timedelta(hours=1),
    "d": timedelta(days=1),
    "w": timedelta(weeks=1),
}
_DURATION = re.compile(r"(?:\d+(?:\.\d+)?(?:ms|s|m|h|d|w))+")
_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d|w)")
_TIME_RANGE_HELP = (
    'time_range takes {"start": ..., "end": ...} (either may be left out), a duration such as '
    '"15m", "2h", "7d" or "1h30m" meaning "the last ...", or a timedelta; each bound is an '
    "RFC 3339 string with a timezone, a timezone-aware datetime, or a duration/timedelta "
    "before now"
)


def parse_duration(text: str) -> timedelta | None:
    """``"15m"``, ``"2h"``, ``"1h30m"``... as a timedelta; None if ``text`` is not one."""
    compact = text.strip().lower()
    if not _DURATION.fullmatch(compact):
        return None
    total = timedelta()
    for amount, unit in _DURATION_PART.findall(compact):
        total += float(amount) * _DURATION_UNITS[unit]
    return total


def _instant(name: str, value: object, now: datetime) -> datetime:
    if isinstance(value, datetime):
        return aware_utc(name, value)
    if isinstance(value, timedelta):
        return now - value
    if isinstance(value, str):
        ago = parse_duration(value)
        if ago is not None:
            return now - ago
        try:
            parsed = datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(
                f"{name}={value!r} is neither an RFC 3339 time such as "
                "'2023-04-01T00:00:00Z' nor a duration such as '15m', '2h' or '7d'"
            ) from None
        return aware_utc(f"{name}={value!r}", parsed)
    raise TypeError(
        f"{name} must be an RFC 3339 string, a timezone-aware datetime, a duration string "
        f"or a timedelta; got {type(value).__name__}"
    )


def time_bounds(
    time_range: object, *, now: datetime | None = None
) -> tuple[datetime | Unset, datetime | Unset]:
    """``time_range`` as the ``from``/``to`` query parameters."""
    if time_range is None:
        return UNSET, UNSET
    current = now if now is not None else datetime.now(UTC)
    if isinstance(time_range, str | timedelta):
        return _instant("time_range", time_range, current), UNSET
    if not isinstance(time_range, Mapping):
        raise TypeError(f"{_TIME_RANGE_HELP}; got {type(time_range).__name__}")
    unknown = set(time_range) - {"start", "end"}
    if unknown:
        raise ValueError(
            f"unknown time_range key(s) {sorted(map(str, unknown))}; {_TIME_RANGE_HELP}"
        )
    start_value, end_value = time_range.get("start"), time_range.get("end")
    start = UNSET if start_value is None else _instant("time_range['start']", start_value, current)
    end = UNSET if end_value is None else _instant("time_range['end']", end_value, current)
    if isinstance(start, datetime) and isinstance(end, datetime) and start > end:
        raise ValueError(
            f"time_range starts after it ends ({start.isoformat()} > {end.isoformat()})"
        )
    return start, end


def _normalize_levels(value: object) -> object:
    # A level, a list of levels ("any of"), or operators over them ({"gte": "warning"});
    # anything else (None, exists' True/False) is the server's to judge.
    if isinstance(value, Mapping):
        return {op: _normalize_levels(operand) for op, operand in value.items()}
    if isinstance(value, list | tuple):
        return [_normalize_levels(item) for item in value]
    if isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool)):
        return level_name(value)
    return value


def filter_json(filter: object) -> str | Unset:
    """``filter`` as the compact JSON of the ``filter`` query parameter.

    Level names are normalized (``"warning"`` becomes ``"WARN"``), so a typo fails here
    rather than silently matching nothing.
    """
    if filter is None:
        return UNSET
    fields = mapping("filter", filter)
    if not fields:
        return UNSET
    if "level" in fields:
        try:
            fields["level"] = _normalize_levels(fields["level"])
        except ValueError as error:
            raise ValueError(f"filter['level']: {error}") from None
    return dumps("filter", fields).decode()


_SORT_FIELD = re.compile(r"[A-Za-z0-9_.\-]+")


def _sort_item(field: object, order: object) -> str:
    if not isinstance(field, str) or not _SORT_FIELD.fullmatch(field):
        raise ValueError(
            f"sort field must be a field name such as 'timestamp', 'level' or "
            f"'metadata.user_id'; got {field!r}"
        )
    if order is None:
        return field
    if not isinstance(order, str) or order.lower() not in ("asc", "desc"):
        raise ValueError(f"sort order of {field!r} must be 'asc' or 'desc'; got {order!r}")
    return f"{field}:{order.lower()}"


def sort_param(sort: object) -> str | Unset:
    """``sort`` as ``timestamp:desc,level:asc``.

    Accepts that string, a list of ``{"field": ..., "order": ...}`` dicts, a list of
    ``"field:order"`` strings, or ``(field, order)`` pairs.
    """
    if sort is None:
        return UNSET
    items: Sequence[object]
    if isinstance(sort, str):
        items = [part.strip() for part in sort.split(",") if part.strip()]
    elif isinstance(sort, Mapping):
        items = [sort]
    elif isinstance(sort, Sequence):
        items = sort
    else:
        raise TypeError(
            'sort must be a list such as [{"field": "timestamp", "order": "desc"}] or a '
            f"string such as 'timestamp:desc,level:asc'; got {type(sort).__name__}"
        )
    parts: list[str] = []
    for item in items:
        if isinstance(item, Mapping):
            unknown = set(item) - {"field", "order"}
            if unknown or "field" not in item:
                raise ValueError(
                    'each sort item is {"field": ..., "order": "asc" | "desc"}; '
                    f"got {dict(item)!r}"
                )
            parts.append(_sort_item(item["field"], item.get("order")))
        elif isinstance(item, str):
            field, _, order = item.partition(":")
            parts.append(_sort_item(field.strip(), order.strip() or None))
        elif isinstance(item, tuple) and len(item) == 2:
            parts.append(_sort_item(item[0], item[1]))
        else:
            raise TypeError(
                'each sort item is {"field": ..., "order": ...}, "field:order" or '
                f"(field, order); got {item!r}"
            )
    return ",".join(parts) if parts else UNSET


def fields_param(fields: object) -> str | Unset:
    """``fields`` as a comma-separated list."""
    if fields is None:
        return UNSET
    if isinstance(fields, str):
        return fields
    if isinstance(fields, Sequence) and all(isinstance(f, str) for f in fields):
        return ",".join(fields)
    raise TypeError(
        f"fields must be a list of field names or a comma-separated string; got {fields!r}"
    )


def query_param(query: object) -> str | Unset:
    """``query`` as the full-text query parameter."""
    if query is None:
        return UNSET
    return string("query", query)
