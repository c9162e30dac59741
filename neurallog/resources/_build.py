"""Turn the SDK's inputs into httpx request arguments, for the sync and async resources alike.

Every check of the caller's input happens here, before any request is sent: a wrong Python
type raises ``TypeError`` and an unusable value ``ValueError``, each naming the argument and
what is accepted. Whatever is well-formed but breaks the API's rules (an unknown condition
type, a regular expression the server refuses) is left to the server,
whose 400/422 answer becomes a :class:`neurallog.exceptions.ValidationError` with details.

Paths, methods and query-string encoding come from the generated endpoints' ``_get_kwargs``,
so a contract change reaches the overlay on regeneration. Request bodies are the caller's
dicts sent verbatim (serialized with orjson): the generated request models would reject
them client-side with bare ``KeyError``/``ValueError`` instead of the server's details.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from functools import partial
from typing import Any, Generic, TypeVar, cast

import attrs
import httpx
import orjson
from neurallog_api.api.actions import (
    create_action,
    delete_action,
    execute_action,
    get_action,
    list_action_executions,
    list_actions,
    update_action,
)
from neurallog_api.api.logs import (
    delete_logs,
    get_log,
    ingest_logs,
    list_logs,
    search_logs,
    stream_logs,
)
from neurallog_api.api.rules import (
    create_rule,
    delete_rule,
    disable_rule,
    enable_rule,
    get_rule,
    list_rules,
    test_rule,
    update_rule,
)
from neurallog_api.models.action_type import ActionType
from neurallog_api.models.execution_status import ExecutionStatus
from neurallog_api.types import UNSET, Unset

from neurallog._levels import level_name
from neurallog.resources import _parse
from neurallog.types import NotGiven

T = TypeVar("T")

MAX_LIMIT = 1000
MAX_INGEST = 1000
_ACTION_TYPES = tuple(t.value for t in ActionType)
_EXECUTION_STATUSES = tuple(s.value for s in ExecutionStatus)


@attrs.frozen
class Call(Generic[T]):
    """One request and how to read its response."""

    kwargs: dict[str, Any]
    parse: Callable[[httpx.Response], T]


@attrs.frozen
class ListCall:
    """A paged request: ``at(offset)`` gives the request for the page at that offset."""

    at: Callable[[int], dict[str, Any]]
    offset: int


# -- generic input checks ----------------------------------------------------------------


def require_id(name: str, value: object) -> str:
    """A non-empty resource id."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string id, got {type(value).__name__}")
    if not value.strip():
        raise ValueError(f"{name} must not be empty")
    return value


def _mapping(name: str, value: object) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise TypeError(f"{name} must be a dict, got {type(value).__name__}")
    for key in value:
        if not isinstance(key, str):
            raise TypeError(f"{name} keys must be strings, got {key!r}")
    return dict(value)


def _optional_mapping(name: str, value: object) -> dict[str, Any] | None:
    return None if value is None else _mapping(name, value)


def _str(name: str, value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string, got {type(value).__name__}")
    return value


def _bool(name: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False, got {value!r}")
    return value


def _int(name: str, value: object, *, minimum: int, maximum: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if value < minimum or (maximum is not None and value > maximum):
        bounds = f"from {minimum} to {maximum}" if maximum is not None else f"{minimum} or more"
        raise ValueError(f"{name} must be {bounds}, got {value}")
    return value


def check_heartbeat_timeout(value: object) -> float:
    """``heartbeat_timeout`` as a finite, positive number of seconds."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(
            f"heartbeat_timeout must be a number of seconds, got {type(value).__name__}"
        )
    if not 0 < value < math.inf:  # also refuses NaN; no socket takes an infinite timeout
        raise ValueError(
            f"heartbeat_timeout must be a finite number of seconds above 0, got {value!r}"
        )
    return float(value)


def check_limit(limit: object) -> int:
    """``limit`` as the API accepts it (1..1000)."""
    return _int("limit", limit, minimum=1, maximum=MAX_LIMIT)


def check_offset(offset: object) -> int:
    """``offset`` as the API accepts it (0 or more)."""
    return _int("offset", offset, minimum=0)


def _choice(name: str, value: object, accepted: Sequence[str]) -> str:
    if value not in accepted:
        raise ValueError(f"{name} must be one of {', '.join(accepted)}; got {value!r}")
    return cast(str, value)


# -- JSON ------------------------------------------------------------------------------------


def aware_utc(name: str, value: datetime) -> datetime:
    """``value`` in UTC; a naive datetime is refused, since its zone would be a guess."""
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        raise ValueError(
            f"{name} is a naive datetime ({value.isoformat()}); give it a timezone, "
            "e.g. datetime.now(timezone.utc) or dt.replace(tzinfo=timezone.utc)"
        )
    return value.astimezone(UTC)


def rfc3339(name: str, value: datetime) -> str:
    """An aware datetime as RFC 3339 in UTC with a ``Z`` suffix."""
    text = aware_utc(name, value).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


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


def _body(payload: dict[str, Any]) -> Any:
    return _Verbatim(payload)


def _encode_json(name: str, kwargs: dict[str, Any]) -> dict[str, Any]:
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
    fields = _mapping("filter", filter)
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


def _query(query: object) -> str | Unset:
    if query is None:
        return UNSET
    return _str("query", query)


# -- logs ------------------------------------------------------------------------------------


def search_logs_call(
    *,
    query: object,
    filter: object,
    time_range: object,
    sort: object,
    fields: object,
    limit: object,
    offset: object,
) -> ListCall:
    start, end = time_bounds(time_range)
    at = partial(
        search_logs._get_kwargs,
        query=_query(query),
        filter_=filter_json(filter),
        from_=start,
        to=end,
        sort=sort_param(sort),
        fields=fields_param(fields),
        limit=check_limit(limit),
    )
    return ListCall(at=lambda o: at(offset=o), offset=check_offset(offset))


def list_logs_call(
    *,
    filter: object,
    time_range: object,
    sort: object,
    fields: object,
    limit: object,
    offset: object,
) -> ListCall:
    start, end = time_bounds(time_range)
    at = partial(
        list_logs._get_kwargs,
        filter_=filter_json(filter),
        from_=start,
        to=end,
        sort=sort_param(sort),
        fields=fields_param(fields),
        limit=check_limit(limit),
    )
    return ListCall(at=lambda o: at(offset=o), offset=check_offset(offset))


def get_log_call(log_id: object) -> Call[Any]:
    return Call(get_log._get_kwargs(require_id("log_id", log_id)), _parse.data)


def delete_logs_call(
    *,
    filter: object,
    query: object,
    time_range: object,
    all: object,
) -> Call[Any]:
    everything = _bool("all", all)
    filter_ = filter_json(filter)
    query_ = _query(query)
    start, end = time_bounds(time_range)
    narrowed = any(not isinstance(v, Unset) for v in (filter_, query_, start, end))
    if not narrowed and not everything:
        raise ValueError(
            "logs.delete() needs a filter, query or time_range saying what to delete; "
            "pass all=True to delete every entry of the tenant"
        )
    if narrowed and everything:
        raise ValueError(
            "logs.delete(): all=True deletes everything; do not combine it with a filter"
        )
    kwargs = delete_logs._get_kwargs(
        query=query_, filter_=filter_, from_=start, to=end, all_=everything or UNSET
    )
    return Call(kwargs, _parse.data)


def normalize_log_input(index: int, entry: object) -> dict[str, Any]:
    """One entry for ``POST /logs``: level names and datetimes made wire-ready."""
    if not isinstance(entry, Mapping):
        raise TypeError(f"entries[{index}] must be a dict, got {type(entry).__name__}")
    out = dict(entry)
    if "level" not in out or "message" not in out:
        raise ValueError(f"entries[{index}] needs 'level' and 'message'")
    try:
        out["level"] = level_name(out["level"])
    except ValueError as error:
        raise ValueError(f"entries[{index}]['level']: {error}") from None
    if not isinstance(out["message"], str):
        raise TypeError(
            f"entries[{index}]['message'] must be a string, got {type(out['message']).__name__}"
        )
    timestamp = out.get("timestamp")
    if isinstance(timestamp, datetime):
        out["timestamp"] = rfc3339(f"entries[{index}]['timestamp']", timestamp)
    elif timestamp is None:
        out.pop("timestamp", None)
    return out


def ingest_calls(entries: object) -> list[Call[Any]]:
    """``POST /logs`` requests for ``entries``, at most 1000 per request."""
    if isinstance(entries, Mapping) or not isinstance(entries, Sequence):
        raise TypeError(f"entries must be a list of dicts, got {type(entries).__name__}")
    if not entries:
        raise ValueError("entries is empty")
    logs = [normalize_log_input(i, e) for i, e in enumerate(entries)]
    calls = []
    for start in range(0, len(logs), MAX_INGEST):
        chunk = {"logs": logs[start : start + MAX_INGEST]}
        kwargs = ingest_logs._get_kwargs(body=_body(chunk))
        calls.append(Call(_encode_json("entries", kwargs), _parse.ingest_result))
    return calls


def merge_ingest_results(results: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """One ``IngestResult`` for a request split into chunks of 1000."""
    merged: dict[str, Any] = {"accepted": 0, "duplicates": 0, "rejected": [], "ids": []}
    for chunk, result in enumerate(results):
        merged["accepted"] += result["accepted"]
        merged["duplicates"] += result["duplicates"]
        for rejected in result["rejected"]:
            merged["rejected"].append({**rejected, "index": rejected["index"] + chunk * MAX_INGEST})
        merged["ids"].extend(result["ids"])
    return merged


_MAX_CURSOR = 128


def check_last_event_id(value: object) -> str | None:
    """``last_event_id``: a cursor a stream handed out, sent as the ``Last-Event-ID`` header."""
    if value is None:
        return None
    cursor = _str("last_event_id", value)
    if not (0 < len(cursor) <= _MAX_CURSOR and cursor.isascii() and cursor.isprintable()):
        raise ValueError(
            "last_event_id must be a cursor a stream handed out (stream.last_event_id): "
            f"1 to {_MAX_CURSOR} printable ASCII characters; got {cursor!r}"
        )
    return cursor


def stream_request(
    *,
    query: object,
    filter: object,
    follow: object,
    history: object,
) -> Callable[[str | None], dict[str, Any]]:
    """``GET /logs/stream`` arguments, given the resume cursor (``Last-Event-ID``)."""
    at = partial(
        stream_logs._get_kwargs,
        query=_query(query),
        filter_=filter_json(filter),
        follow=_bool("follow", follow),
        history=UNSET if history is None else _int("history", history, minimum=0, maximum=1000),
    )

    def build(last_event_id: str | None) -> dict[str, Any]:
        kwargs = at(last_event_id=UNSET if last_event_id is None else last_event_id)
        kwargs["headers"].update({"Accept": "text/event-stream", "Cache-Control": "no-store"})
        return kwargs

    return build


# -- rules -----------------------------------------------------------------------------------

_RULE_FILTER_KEYS = ("enabled",)


def _rule_actions(actions: object) -> list[Any]:
    if isinstance(actions, Mapping) or not isinstance(actions, Sequence):
        raise TypeError(
            'actions must be a list such as [{"action_id": "...", "parameters": {...}}]; '
            f"got {type(actions).__name__}"
        )
    return list(actions)


def create_rule_call(
    *,
    name: object,
    condition: object,
    description: object,
    actions: object,
    enabled: object,
    cooldown_seconds: object,
) -> Call[Any]:
    payload: dict[str, Any] = {
        "name": _str("name", name),
        "condition": _mapping("condition", condition),
        "enabled": _bool("enabled", enabled),
    }
    if description is not None:
        payload["description"] = _str("description", description)
    if actions is not None:
        payload["actions"] = _rule_actions(actions)
    if cooldown_seconds is not None:
        payload["cooldown_seconds"] = _int("cooldown_seconds", cooldown_seconds, minimum=0)
    kwargs = create_rule._get_kwargs(body=_body(payload))
    return Call(_encode_json("rule", kwargs), _parse.data)


def get_rule_call(rule_id: object) -> Call[Any]:
    return Call(get_rule._get_kwargs(require_id("rule_id", rule_id)), _parse.data)


def list_rules_call(*, filter: object, enabled: object, limit: object, offset: object) -> ListCall:
    fields = _optional_mapping("filter", filter) or {}
    unknown = set(fields) - set(_RULE_FILTER_KEYS)
    if unknown:
        raise ValueError(
            f"rules.list() filter accepts {', '.join(_RULE_FILTER_KEYS)}; "
            f"got unknown key(s) {sorted(unknown)}"
        )
    if enabled is not None and "enabled" in fields and fields["enabled"] != enabled:
        raise ValueError("rules.list(): enabled= and filter['enabled'] disagree")
    wanted = enabled if enabled is not None else fields.get("enabled")
    at = partial(
        list_rules._get_kwargs,
        enabled=UNSET if wanted is None else _bool("enabled", wanted),
        limit=check_limit(limit),
    )
    return ListCall(at=lambda o: at(offset=o), offset=check_offset(offset))


def update_rule_call(rule_id: object, changes: Mapping[str, object]) -> Call[Any]:
    payload = {k: v for k, v in changes.items() if not isinstance(v, NotGiven)}
    if not payload:
        raise ValueError("rules.update() needs at least one field to change: " + ", ".join(changes))
    if "name" in payload:
        _str("name", payload["name"])
    if payload.get("description") is not None:
        _str("description", payload["description"])
    if "condition" in payload:
        payload["condition"] = _mapping("condition", payload["condition"])
    if "actions" in payload:
        payload["actions"] = _rule_actions(payload["actions"])
    if "enabled" in payload:
        _bool("enabled", payload["enabled"])
    if "cooldown_seconds" in payload:
        _int("cooldown_seconds", payload["cooldown_seconds"], minimum=0)
    kwargs = update_rule._get_kwargs(require_id("rule_id", rule_id), body=_body(payload))
    return Call(_encode_json("rule", kwargs), _parse.data)


def delete_rule_call(rule_id: object) -> Call[None]:
    return Call(delete_rule._get_kwargs(require_id("rule_id", rule_id)), _parse.nothing)


def rule_test_call(rule_id: object, sample_data: object) -> Call[Any]:
    sample = _mapping("sample_data", sample_data)
    if "level" in sample:
        try:
            sample["level"] = level_name(sample["level"])
        except ValueError as error:
            raise ValueError(f"sample_data['level']: {error}") from None
    kwargs = test_rule._get_kwargs(
        require_id("rule_id", rule_id), body=_body({"sample_data": sample})
    )
    return Call(_encode_json("sample_data", kwargs), _parse.data)


def enable_rule_call(rule_id: object) -> Call[Any]:
    return Call(enable_rule._get_kwargs(require_id("rule_id", rule_id)), _parse.data)


def disable_rule_call(rule_id: object) -> Call[Any]:
    return Call(disable_rule._get_kwargs(require_id("rule_id", rule_id)), _parse.data)


# -- actions ---------------------------------------------------------------------------------

_ACTION_FILTER_KEYS = ("type",)


def create_action_call(
    *,
    name: object,
    type: object,
    parameters: object,
    description: object,
) -> Call[Any]:
    payload: dict[str, Any] = {"name": _str("name", name), "type": _str("type", type)}
    if parameters is not None:
        payload["parameters"] = _mapping("parameters", parameters)
    if description is not None:
        payload["description"] = _str("description", description)
    kwargs = create_action._get_kwargs(body=_body(payload))
    return Call(_encode_json("action", kwargs), _parse.data)


def get_action_call(action_id: object) -> Call[Any]:
    return Call(get_action._get_kwargs(require_id("action_id", action_id)), _parse.data)


def list_actions_call(
    *,
    filter: object,
    type: object,
    limit: object,
    offset: object,
) -> ListCall:
    fields = _optional_mapping("filter", filter) or {}
    unknown = set(fields) - set(_ACTION_FILTER_KEYS)
    if unknown:
        raise ValueError(
            f"actions.list() filter accepts {', '.join(_ACTION_FILTER_KEYS)}; "
            f"got unknown key(s) {sorted(unknown)}"
        )
    if type is not None and "type" in fields and fields["type"] != type:
        raise ValueError("actions.list(): type= and filter['type'] disagree")
    wanted = type if type is not None else fields.get("type")
    at = partial(
        list_actions._get_kwargs,
        type_=UNSET if wanted is None else ActionType(_choice("type", wanted, _ACTION_TYPES)),
        limit=check_limit(limit),
    )
    return ListCall(at=lambda o: at(offset=o), offset=check_offset(offset))


def update_action_call(action_id: object, changes: Mapping[str, object]) -> Call[Any]:
    payload = {k: v for k, v in changes.items() if not isinstance(v, NotGiven)}
    if not payload:
        raise ValueError(
            "actions.update() needs at least one field to change: " + ", ".join(changes)
        )
    if "name" in payload:
        _str("name", payload["name"])
    if payload.get("description") is not None:
        _str("description", payload["description"])
    if "type" in payload:
        _str("type", payload["type"])
    if "parameters" in payload:
        payload["parameters"] = _mapping("parameters", payload["parameters"])
    kwargs = update_action._get_kwargs(require_id("action_id", action_id), body=_body(payload))
    return Call(_encode_json("action", kwargs), _parse.data)


def delete_action_call(action_id: object) -> Call[None]:
    return Call(delete_action._get_kwargs(require_id("action_id", action_id)), _parse.nothing)


def execute_action_call(action_id: object, parameters: object, context: object) -> Call[Any]:
    payload: dict[str, Any] = {}
    if parameters is not None:
        payload["parameters"] = _mapping("parameters", parameters)
    if context is not None:
        payload["context"] = _mapping("context", context)
    kwargs = execute_action._get_kwargs(require_id("action_id", action_id), body=_body(payload))
    return Call(_encode_json("execute", kwargs), _parse.data)


def list_executions_call(
    action_id: object, *, status: object, rule_id: object, limit: object, offset: object
) -> ListCall:
    at = partial(
        list_action_executions._get_kwargs,
        require_id("action_id", action_id),
        status=UNSET
        if status is None
        else ExecutionStatus(_choice("status", status, _EXECUTION_STATUSES)),
        rule_id=UNSET if rule_id is None else require_id("rule_id", rule_id),
        limit=check_limit(limit),
    )
    return ListCall(at=lambda o: at(offset=o), offset=check_offset(offset))
