"""Log filters, sort orders and field selections, compiled to parameterised SQL.

Values always travel as bound parameters; the only text built into SQL comes from fixed
tables in this module. Metadata paths are bound too (``json_extract(metadata, ?)``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson

from .errors import ApiError, bad_request, issue
from .fts import compile_query, value_phrase
from .timeutil import parse_rfc3339

LEVELS: tuple[str, ...] = ("DEBUG", "INFO", "WARN", "ERROR", "FATAL")
SEVERITY = {name: index for index, name in enumerate(LEVELS)}
FIELDS: tuple[str, ...] = (
    "id",
    "timestamp",
    "received_at",
    "level",
    "message",
    "source",
    "metadata",
    "tags",
)
_COLUMNS = {
    "id": "logs.id",
    "timestamp": "logs.ts",
    "received_at": "logs.received_at",
    "level": "logs.level",
    "message": "logs.message",
    "source": "logs.source",
}
_OPERATORS = ("eq", "ne", "gt", "gte", "lt", "lte", "in", "contains", "exists")
_COMPARE = {"gt": ">", "gte": ">=", "lt": "<", "lte": "<="}
_MAX_SORT_KEYS = 8


@dataclass
class LogFilter:
    """What selects log entries: query-string filters, the JSON ``filter`` and full text."""

    levels: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    since_us: int | None = None
    until_us: int | None = None
    filter: dict[str, Any] = field(default_factory=dict)
    match: str | None = None  # a compiled FTS5 expression

    def is_empty(self) -> bool:
        """True when nothing narrows the selection."""
        return not (
            self.levels
            or self.sources
            or self.tags
            or self.since_us is not None
            or self.until_us is not None
            or self.filter
            or self.match
        )


def parse_text_query(text: str | None, where: str = "query.query") -> str | None:
    """Compile the ``query`` parameter, or ``None`` when it is absent or blank."""
    if text is None or not text.strip():
        return None
    try:
        return compile_query(text)
    except ValueError as exc:
        raise bad_request(f"malformed search query: {exc}", [issue(where, str(exc))]) from None


def parse_filter_param(text: str | None) -> dict[str, Any]:
    """Parse the ``filter`` parameter (a JSON object) and check it compiles."""
    if text is None or not text.strip():
        return {}
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        raise bad_request(
            "the filter is not valid JSON", [issue("query.filter", str(exc))]
        ) from None
    if not isinstance(value, dict):
        raise bad_request(
            "the filter must be a JSON object", [issue("query.filter", "must be an object")]
        )
    _compile_filter(value, [])  # reports every problem now, before any SQL runs
    return value


def metadata_path(key: str, where: str) -> str:
    """The SQLite JSON path of a dotted ``metadata.a.b`` key (``$."a"."b"``)."""
    segments = key.split(".")[1:]
    # SQLite's JSON paths cannot quote '"', '\\' or control characters inside a key.
    if not segments or any(not s or '"' in s or "\\" in s or not s.isprintable() for s in segments):
        raise bad_request(f"invalid metadata path {key!r}", [issue(where, "invalid metadata path")])
    return "$" + "".join(f'."{segment}"' for segment in segments)


def _fail(key: str, message: str) -> ApiError:
    return bad_request(
        f"invalid filter on {key!r}: {message}", [issue(f"query.filter.{key}", message)]
    )


def _column_value(key: str, value: Any) -> Any:
    if value is None:
        return None
    if key == "level":
        # A list or an object is no level either (and `in` on a dict would raise for them).
        if not isinstance(value, str) or value not in SEVERITY:
            raise _fail(key, f"{value!r} is not a level ({', '.join(LEVELS)})")
        return SEVERITY[value]
    if key in ("timestamp", "received_at"):
        if not isinstance(value, str):
            raise _fail(key, "expects an RFC 3339 date-time string")
        try:
            return parse_rfc3339(value)
        except ValueError as exc:
            raise _fail(key, str(exc)) from None
    if not isinstance(value, str):
        raise _fail(key, "expects a string")
    return value


def _compile_column(key: str, op: str, value: Any, params: list[Any]) -> str:
    column = _COLUMNS[key]
    if op == "exists":
        if not isinstance(value, bool):
            raise _fail(key, "exists expects true or false")
        if key == "source":
            return f"{column} IS {'NOT ' if value else ''}NULL"
        return "1" if value else "0"
    if op == "in":
        if not isinstance(value, list):
            raise _fail(key, "in expects an array")
        values = [_column_value(key, v) for v in value]
        parts = []
        present = [v for v in values if v is not None]
        if present:
            parts.append(f"{column} IN ({', '.join('?' * len(present))})")
            params.extend(present)
        if len(present) < len(values):
            parts.append(f"{column} IS NULL")
        return "(" + " OR ".join(parts) + ")" if parts else "0"
    if op == "contains":
        if key in ("level", "timestamp", "received_at") or not isinstance(value, str):
            raise _fail(key, "contains expects a string and a text field")
        params.append(value)
        return f"instr({column}, ?) > 0"
    converted = _column_value(key, value)
    if op == "eq":
        if converted is None:
            return f"{column} IS NULL"
        params.append(converted)
        return f"{column} = ?"
    if op == "ne":
        params.append(converted)
        return f"{column} IS NOT ?"
    if converted is None:
        raise _fail(key, f"{op} needs a value")
    params.append(converted)
    return f"{column} {_COMPARE[op]} ?"


def _has_tag(params: list[Any], tag: Any, key: str) -> str:
    if not isinstance(tag, str):
        raise _fail(key, "tags are strings")
    params.append(tag)
    return "EXISTS (SELECT 1 FROM json_each(logs.tags) WHERE json_each.value = ?)"


def _compile_tags(key: str, op: str, value: Any, params: list[Any]) -> str:
    if op in ("eq", "contains"):
        return _has_tag(params, value, key)
    if op == "ne":
        return "NOT " + _has_tag(params, value, key)
    if op == "in":
        if not isinstance(value, list):
            raise _fail(key, "in expects an array")
        if not value:
            return "0"
        return "(" + " OR ".join(_has_tag(params, v, key) for v in value) + ")"
    if op == "exists":
        if not isinstance(value, bool):
            raise _fail(key, "exists expects true or false")
        return f"json_array_length(logs.tags) {'>' if value else '='} 0"
    raise _fail(key, f"{op} does not apply to tags")


_SQLITE_INT = 2**63 - 1


def _scalar(key: str, value: Any) -> Any:
    if isinstance(value, dict | list):
        raise _fail(key, "compares only strings, numbers, booleans and null")
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > _SQLITE_INT:
        return float(value)  # beyond SQLite's integers; JSON numbers compare as reals
    return value


def _metadata_equals(path: str, value: Any, params: list[Any]) -> str:
    # `IS` rather than `=`: never NULL for a missing key, so `NOT` of it includes the entries
    # without the key, which is what `ne` means.
    if value is None:
        params.append(path)
        return "json_extract(logs.metadata, ?) IS NULL"
    if isinstance(value, bool):
        params.extend([path, "true" if value else "false"])
        return "json_type(logs.metadata, ?) IS ?"
    params.extend([path, value])
    return "json_extract(logs.metadata, ?) IS ?"


def _compile_metadata(key: str, op: str, value: Any, params: list[Any]) -> str:
    path = metadata_path(key, f"query.filter.{key}")
    if op == "eq":
        return _metadata_equals(path, _scalar(key, value), params)
    if op == "ne":
        return "NOT " + _metadata_equals(path, _scalar(key, value), params)
    if op == "in":
        if not isinstance(value, list):
            raise _fail(key, "in expects an array")
        if not value:
            return "0"
        return (
            "(" + " OR ".join(_metadata_equals(path, _scalar(key, v), params) for v in value) + ")"
        )
    if op == "exists":
        if not isinstance(value, bool):
            raise _fail(key, "exists expects true or false")
        params.append(path)
        return f"json_type(logs.metadata, ?) IS {'NOT ' if value else ''}NULL"
    if op == "contains":
        if isinstance(value, dict | list) or value is None:
            raise _fail(key, "contains expects a string, number or boolean")
        # An array contains an element; a string contains a substring.
        params.extend([path, path, value, path, str(value)])
        return (
            "(CASE json_type(logs.metadata, ?)"
            " WHEN 'array' THEN EXISTS (SELECT 1 FROM json_each(logs.metadata, ?)"
            " WHERE json_each.value = ?)"
            " WHEN 'text' THEN instr(json_extract(logs.metadata, ?), ?) > 0 ELSE 0 END)"
        )
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise _fail(key, f"{op} expects a number or a string")
    value = _scalar(key, value)
    # Compare like with like: in SQLite every string sorts above every number.
    kinds = "'text'" if isinstance(value, str) else "'integer', 'real'"
    params.extend([path, path, value])
    return (
        f"(json_type(logs.metadata, ?) IN ({kinds})"
        f" AND json_extract(logs.metadata, ?) {_COMPARE[op]} ?)"
    )


def _compiler(key: str) -> Callable[[str, str, Any, list[Any]], str]:
    if key in _COLUMNS:
        return _compile_column
    if key == "tags":
        return _compile_tags
    if key.startswith("metadata."):
        return _compile_metadata
    raise bad_request(
        f"unknown filter field {key!r}",
        [
            issue(
                f"query.filter.{key}",
                "use id, level, source, message, tags, timestamp, received_at or metadata.<path>",
            )
        ],
    )


def _compile_filter(spec: dict[str, Any], params: list[Any]) -> list[str]:
    clauses = []
    for key, condition in spec.items():
        compile_one = _compiler(key)
        if isinstance(condition, dict):
            if not condition:
                raise _fail(key, "an operator object needs at least one operator")
            operators = condition
        elif isinstance(condition, list):
            operators = {"in": condition}
        else:
            operators = {"eq": condition}
        for op, value in operators.items():
            if op not in _OPERATORS:
                raise _fail(key, f"unknown operator {op!r} (use {', '.join(_OPERATORS)})")
            clauses.append(compile_one(key, op, value, params))
    return clauses


def fts_narrowing(spec: dict[str, Any]) -> list[str]:
    """FTS5 terms every entry selected by the JSON filter ``spec`` matches (may be none).

    An equality (``eq``, or ``in`` over strings) on a metadata string is answered by the
    full-text index first: the entries holding that string anywhere in their metadata,
    usually few, instead of every entry of the tenant; ``json_extract`` then checks the
    path on those rows only. Other conditions add no term.
    """
    terms: list[str] = []
    for key, condition in spec.items():
        if not key.startswith("metadata."):
            continue
        if isinstance(condition, dict):
            values = [condition["eq"]] if "eq" in condition else condition.get("in")
        else:
            values = condition if isinstance(condition, list) else [condition]
        if not isinstance(values, list) or not values:
            continue
        if not all(isinstance(value, str) for value in values):
            continue
        phrases = [phrase for phrase in map(value_phrase, values) if phrase is not None]
        if len(phrases) != len(values):
            continue  # a value without a word cannot be looked up
        terms.append(phrases[0] if len(phrases) == 1 else "(" + " OR ".join(phrases) + ")")
    return terms


def where_clause(
    tenant: str, selection: LogFilter, *, facets_in_fts: bool = False
) -> tuple[str, list[Any]]:
    """The WHERE clause (without the keyword) selecting ``selection`` within ``tenant``.

    The full-text ``match`` is left to the caller, which joins the FTS5 table for it; with
    ``facets_in_fts`` the levels, sources and tags are left to it too (see ``fts.scoped``).
    """
    clauses = ["logs.tenant = ?"]
    params: list[Any] = [tenant]
    if selection.levels and not facets_in_fts:
        clauses.append(f"logs.level IN ({', '.join('?' * len(selection.levels))})")
        params.extend(SEVERITY[level] for level in selection.levels)
    if selection.sources and not facets_in_fts:
        clauses.append(f"logs.source IN ({', '.join('?' * len(selection.sources))})")
        params.extend(selection.sources)
    for tag in [] if facets_in_fts else selection.tags:
        clauses.append(_has_tag(params, tag, "tags"))
    if selection.since_us is not None:
        clauses.append("logs.ts >= ?")
        params.append(selection.since_us)
    if selection.until_us is not None:
        clauses.append("logs.ts <= ?")
        params.append(selection.until_us)
    clauses.extend(_compile_filter(selection.filter, params))
    return " AND ".join(clauses), params


@dataclass
class SortOrder:
    """A compiled ``ORDER BY`` list and its parameters."""

    sql: str
    params: list[Any]
    descending_first: bool


def parse_sort(text: str | None) -> SortOrder | None:
    """Parse ``field:order,field:order``; ``None`` when no sort was given."""
    if text is None or not text.strip():
        return None
    terms: list[str] = []
    params: list[Any] = []
    first_desc = False
    items = [item.strip() for item in text.split(",") if item.strip()]
    if len(items) > _MAX_SORT_KEYS:
        raise bad_request(
            "too many sort fields", [issue("query.sort", f"at most {_MAX_SORT_KEYS}")]
        )
    for index, item in enumerate(items):
        name, _, order = item.partition(":")
        name, order = name.strip(), (order.strip().lower() or "asc")
        if order not in ("asc", "desc"):
            raise bad_request(
                f"invalid sort order {order!r}", [issue("query.sort", "order is asc or desc")]
            )
        if name in _COLUMNS:
            expr = _COLUMNS[name]
        elif name.startswith("metadata."):
            expr = "json_extract(logs.metadata, ?)"
            params.append(metadata_path(name, "query.sort"))
        else:
            raise bad_request(
                f"cannot sort by {name!r}",
                [
                    issue(
                        "query.sort",
                        "sort by timestamp, received_at, level, source, message, "
                        "id or metadata.<path>",
                    )
                ],
            )
        terms.append(f"{expr} {order.upper()}")
        if index == 0:
            first_desc = order == "desc"
    if not terms:
        return None
    return SortOrder(", ".join(terms), params, first_desc)


def parse_fields(text: str | None) -> frozenset[str] | None:
    """Parse ``fields``; ``None`` means every field. ``id`` is always included."""
    if text is None or not text.strip():
        return None
    names = {name.strip() for name in text.split(",") if name.strip()}
    unknown = names - set(FIELDS)
    if unknown:
        raise bad_request(
            f"unknown field(s): {', '.join(sorted(unknown))}",
            [issue("query.fields", f"fields are {', '.join(FIELDS)}")],
        )
    return frozenset(names | {"id"})
