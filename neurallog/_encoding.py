"""Turning captured records into wire JSON, off the hot path, without ever raising.

Metadata is whatever the application passed: datetimes, sets, bytes, Decimals, exceptions
(sent as their type, message and traceback), objects of its own classes, non-string keys,
integers beyond 64 bits, NaN, even cycles.
:func:`clean` walks it once (redacting secret keys on the way) into something orjson can
encode, converting what JSON cannot express instead of dropping it; :func:`json_default`
converts the leaves orjson does not know; :func:`encode_entry` falls back to a stricter walk
if orjson still refuses (lone surrogates in a string, say), so a record is always encoded.
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
import sys
from collections.abc import Mapping
from datetime import timedelta
from typing import Any, Final

import orjson

from neurallog._exc_info import exception_fields, safe_str
from neurallog._redact import REDACTED, KeyMatcher
from neurallog._timestamps import format_timestamp, normalize_timestamp

__all__ = [
    "MAX_DEPTH",
    "Checked",
    "clean",
    "encode_entry",
    "format_timestamp",
    "json_default",
    "message_text",
    "normalize_timestamp",
]

MAX_DEPTH: Final = 32
_INT_MIN: Final = -(1 << 63)
_INT_MAX: Final = (1 << 64) - 1
_REPR_LIMIT: Final = 2048
CIRCULAR: Final = "[Circular]"


class Checked(dict[str, Any]):
    """A dict :func:`clean` has approved as it is, shared read-only by many entries (the wire
    encoder's ``origin`` of a call site): nested in metadata, it is not walked again."""

    __slots__ = ()


# -- values ----------------------------------------------------------------------------------


def message_text(value: object) -> str:
    """The message as text: ``str(value)``, as :mod:`logging` does (a placeholder if it fails)."""
    if isinstance(value, str):
        return str(value)
    return safe_str(value)


def clean(fields: Mapping[Any, Any], matcher: KeyMatcher | None, depth: int = 0) -> dict[str, Any]:
    """A JSON-ready copy of a metadata mapping, with secret keys redacted.

    Keys become strings; integers beyond 64 bits and non-finite floats become strings;
    tuples and sets become lists, dataclass instances dicts of their fields (redacted like
    any other keys); cycles become ``"[Circular]"``; nesting deeper than
    :data:`MAX_DEPTH` becomes the nested value's ``repr``. Other leaves are left for orjson
    and :func:`json_default`.
    """
    # Fast path: JSON-ready values, one level of nested dicts, and no key to redact (the
    # usual record, and the handler's ``origin``) need no copy: the mapping is the
    # pipeline's own (a copy made at the call, or a merge).
    if type(fields) is dict and _ready(fields, matcher, True):
        return fields
    return _clean_mapping(fields, matcher, depth, set())


def _ready(fields: dict[Any, Any], matcher: KeyMatcher | None, nested: bool) -> bool:
    """Whether ``fields`` goes on the wire as it is (see :func:`clean`)."""
    if matcher is None:
        for key in fields:
            if type(key) is not str:
                return False
    elif not fields.keys() <= matcher.safe:
        for key in fields:
            if type(key) is not str or matcher.matches(key):
                return False
    for value in fields.values():
        kind = type(value)
        if kind is str or kind is bool or value is None:
            continue
        if kind is int:
            if _INT_MIN <= value <= _INT_MAX:
                continue
        elif kind is float:
            if math.isfinite(value):
                continue
        elif (kind is dict and nested and _ready(value, matcher, False)) or kind is Checked:
            continue
        return False
    return True


def _clean_mapping(
    fields: Mapping[Any, Any], matcher: KeyMatcher | None, depth: int, active: set[int]
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    marker = id(fields)
    active.add(marker)
    try:
        for key, value in fields.items():
            if type(key) is not str:
                key = _key_text(key)
            if matcher is not None and matcher.matches(key):
                out[key] = REDACTED
                continue
            kind = type(value)
            if kind is str or kind is bool or value is None:
                out[key] = value
            elif kind is int:
                out[key] = value if _INT_MIN <= value <= _INT_MAX else str(value)
            elif kind is float:
                out[key] = value if math.isfinite(value) else _float_text(value)
            else:
                out[key] = _clean_value(value, matcher, depth + 1, active)
    finally:
        active.discard(marker)
    return out


def _clean_value(value: Any, matcher: KeyMatcher | None, depth: int, active: set[int]) -> Any:
    if isinstance(value, str | bool) or value is None:
        return value
    if isinstance(value, int):
        return value if _INT_MIN <= value <= _INT_MAX else str(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else _float_text(value)
    if isinstance(value, BaseException):
        return exception_fields(value)
    # orjson encodes a dataclass's fields itself, past redaction: walk them like a dict's.
    record = dataclasses.is_dataclass(value) and not isinstance(value, type)
    if record or isinstance(value, Mapping | list | tuple | set | frozenset):
        if id(value) in active:
            return CIRCULAR
        if depth > MAX_DEPTH:
            return _safe_repr(value)
        if isinstance(value, Mapping):
            return _clean_mapping(value, matcher, depth, active)
        marker = id(value)
        active.add(marker)
        try:
            if record:
                fields = _dataclass_fields(value)
                if fields is None:
                    return _safe_repr(value)
                return _clean_mapping(fields, matcher, depth, active)
            return [_clean_value(item, matcher, depth + 1, active) for item in value]
        finally:
            active.discard(marker)
    return value


def _dataclass_fields(value: Any) -> dict[str, Any] | None:
    """The fields orjson would encode, by name; None if one cannot be read."""
    try:
        return {field.name: getattr(value, field.name) for field in dataclasses.fields(value)}
    except Exception:
        return None


def json_default(value: Any) -> Any:
    """orjson's ``default=``: a JSON-encodable stand-in for a value it cannot encode."""
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).decode("utf-8", "backslashreplace")
    # decimal and pathlib are not imported for this (import time): a Decimal or a path
    # means its module is loaded.
    # getattr: another thread may be importing one of them (half-initialised in sys.modules).
    decimal = getattr(sys.modules.get("decimal"), "Decimal", None)
    if decimal is not None and isinstance(value, decimal):
        return str(value)
    if isinstance(value, BaseException):
        return exception_fields(value)
    if isinstance(value, set | frozenset):
        return list(value)
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, timedelta):
        return value.total_seconds()
    path = getattr(sys.modules.get("pathlib"), "PurePath", None)
    if isinstance(value, complex) or (path is not None and isinstance(value, path)):
        return str(value)
    return _safe_repr(value)


def _safe_repr(value: object) -> str:
    try:
        text = repr(value)
    except Exception:
        return f"<unrepresentable {type(value).__qualname__}>"
    if len(text) > _REPR_LIMIT:
        return text[:_REPR_LIMIT] + "..."
    return text


def _key_text(key: object) -> str:
    # The spellings json.dumps uses for the scalar keys it accepts.
    if key is None:
        return "null"
    if key is True:
        return "true"
    if key is False:
        return "false"
    if isinstance(key, float) and not math.isfinite(key):
        return _float_text(key)
    if isinstance(key, str):
        return str(key)
    return message_text(key)


def _float_text(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    return "Infinity" if value > 0 else "-Infinity"


# -- entries ---------------------------------------------------------------------------------


def encode_entry(entry: dict[str, Any]) -> bytes:
    """The JSON bytes of one wire entry; never raises."""
    try:  # a plain try: contextlib.suppress costs more than the encoding itself
        return orjson.dumps(entry, default=json_default)
    except Exception:  # noqa: S110 - handled below
        pass
    # orjson refused something the first walk let through (a lone surrogate, a dataclass
    # with a huge int, a default() result it cannot encode): redo it the strict way.
    try:
        return orjson.dumps(_strict(entry, 0, set()))
    except Exception:
        fallback: dict[str, Any] = {
            key: _strict(entry.get(key), 0, set())
            for key in ("id", "timestamp", "level", "message")
            if key in entry
        }
        fallback["metadata"] = {"_unencodable": _safe_repr(entry.get("metadata"))}
        return orjson.dumps(_strict(fallback, 0, set()))


def _strict(value: Any, depth: int, active: set[int]) -> Any:
    """Only dicts, lists, valid UTF-8 strings, bounded ints, finite floats, bools, None."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    if isinstance(value, int):
        return int(value) if _INT_MIN <= value <= _INT_MAX else str(value)
    if isinstance(value, float):
        return float(value) if math.isfinite(value) else _float_text(value)
    if isinstance(value, Mapping | list | tuple | set | frozenset):
        if id(value) in active:
            return CIRCULAR
        if depth > MAX_DEPTH:
            return _strict(_safe_repr(value), 0, active)
        active.add(id(value))
        try:
            if isinstance(value, Mapping):
                return {
                    _strict(_key_text(k), 0, active): _strict(v, depth + 1, active)
                    for k, v in value.items()
                }
            return [_strict(item, depth + 1, active) for item in value]
        finally:
            active.discard(id(value))
    with contextlib.suppress(Exception):
        # Whatever orjson encodes natively (datetime, UUID, enum, dataclass), round-tripped
        # into plain values.
        return orjson.loads(orjson.dumps(value, default=json_default))
    converted = json_default(value)
    if isinstance(converted, str | list | dict | int | float):
        return _strict(converted, depth + 1, active)
    return _strict(_safe_repr(value), 0, active)
