"""Compiled checks of an operation's query and path parameters: the fast path of the
contract's parameter validation.

openapi-core reads parameters exactly as the OpenAPI specification says, and spent about
3.7-6 ms of every search and 1.1 ms of every read of one entry, rule or action doing it:
matching the path, walking the spec, building validators. Here the parameters of each operation are
compiled once from the spec into a cast and a jsonschema-rs validator each.

These checks only ever accept. A request they do not accept, or cannot be sure they read
as openapi-core does (a repeated scalar, an empty value, an integer written other than in
plain digits, a time with more than microseconds, ...), goes to openapi-core, so every
error keeps the fields and wording it has always had, and what is accepted is typed as
openapi-core types it (tests/local/test_params.py compares the two).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import jsonschema_rs
from starlette.datastructures import QueryParams

_DECLINE = object()
_MISSING = object()
_DIGITS = re.compile(r"-?[0-9]{1,19}")
_DATE_TIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,6})?"
    r"(?:[Zz]|[+-][0-9]{2}:[0-9]{2})"
)
_FORMAT_BOUNDS = {"int32": 2**31, "int64": 2**63}


def _integer(bound: int) -> Callable[[str], Any]:
    def cast(text: str) -> Any:
        if _DIGITS.fullmatch(text) is None:
            return _DECLINE
        value = int(text)
        return value if -bound <= value < bound else _DECLINE

    return cast


def _boolean(text: str) -> Any:
    return {"true": True, "false": False}.get(text, _DECLINE)


def _string(text: str) -> Any:
    return text


def _date_time(text: str) -> Any:
    if _DATE_TIME.fullmatch(text) is None:
        return _DECLINE
    try:
        return datetime.fromisoformat(text.upper())
    except ValueError:
        return _DECLINE


@dataclass(frozen=True)
class _Param:
    name: str
    required: bool
    array: bool
    # The query text -> the value the schema checks (or _DECLINE).
    cast: Callable[[str], Any]
    validator: jsonschema_rs.Validator
    # The checked value -> the typed value the handlers get.
    typed: Callable[[Any], Any]
    default: Any = _MISSING

    def read(self, values: list[str]) -> Any:
        """The typed value of ``values`` (every value given), or ``_DECLINE``."""
        if not self.array:
            if len(values) != 1:
                return _DECLINE
            return self._one(values[0])
        items = [self._one(value) for value in values]
        return _DECLINE if any(item is _DECLINE for item in items) else items

    def _one(self, text: str) -> Any:
        if not text:
            return _DECLINE
        value = self.cast(text)
        if value is _DECLINE or not self.validator.is_valid(value):
            return _DECLINE
        return self.typed(value)  # itself _DECLINE for a time the schema admits (23:59:60)


def _scalar(schema: dict[str, Any]) -> tuple[Callable[[str], Any], Callable[[Any], Any]] | None:
    kind = schema.get("type")
    if kind == "integer":
        bound = _FORMAT_BOUNDS.get(schema.get("format", ""), 2**63)
        return _integer(bound), _same
    if kind == "boolean":
        return _boolean, _same
    if kind == "string" and "format" not in schema:
        return _string, _same
    if kind == "string" and schema["format"] == "date-time":
        # The schema checks the text; the handlers get the moment.
        return _string, _date_time
    return None


def _same(value: Any) -> Any:
    return value


def compile_param(
    param: dict[str, Any],
    resolve: Callable[[Any], Any],
    validator: Callable[[dict[str, Any]], jsonschema_rs.Validator],
) -> _Param | None:
    """The compiled check of one query parameter; ``None`` for a shape left to openapi-core."""
    if param.get("content") is not None or param.get("allowEmptyValue"):
        return None
    if param.get("style", "form") != "form" or not param.get("explode", True):
        return None
    schema = resolve(param.get("schema"))
    if not isinstance(schema, dict):
        return None
    array = schema.get("type") == "array"
    checked = param["schema"]
    if array:
        checked = schema.get("items")
        schema = resolve(checked)
        if not isinstance(schema, dict) or schema.get("type") != "string":
            return None
    if "default" in schema and array:
        return None
    reader = _scalar(schema)
    if reader is None:
        return None
    cast, typed = reader
    return _Param(
        param["name"],
        bool(param.get("required")),
        array,
        cast,
        validator(checked),
        typed,
        schema.get("default", _MISSING),
    )


class QueryChecks:
    """The compiled checks of one operation's query parameters."""

    def __init__(self, params: Iterable[_Param]) -> None:
        self.params = list(params)

    def check(self, query: QueryParams) -> dict[str, Any] | None:
        """The typed query parameters, defaults applied; ``None`` when openapi-core must
        decide."""
        typed: dict[str, Any] = {}
        for param in self.params:
            values = query.getlist(param.name)
            if not values:
                if param.required:
                    return None
                if param.default is not _MISSING:
                    typed[param.name] = param.default
                continue
            value = param.read(values)
            if value is _DECLINE:
                return None
            typed[param.name] = value
        return typed


_TEMPLATE_PART = re.compile(r"\{([^{}]+)\}")


class PathChecks:
    """The compiled checks of a templated path's parameters (strings only)."""

    def __init__(self, template: str, validators: dict[str, jsonschema_rs.Validator]) -> None:
        pattern = ""
        end = 0
        for part in _TEMPLATE_PART.finditer(template):
            pattern += re.escape(template[end : part.start()])
            # No "%": a value that still holds an escape is left to openapi-core.
            pattern += f"(?P<{part.group(1)}>[^/%]+)"
            end = part.end()
        self._pattern = re.compile(pattern + re.escape(template[end:]))
        self._validators = validators

    def check(self, path: str) -> dict[str, Any] | None:
        """The path parameters of ``path``; ``None`` when openapi-core must decide."""
        match = self._pattern.fullmatch(path)
        if match is None:
            return None
        found = match.groupdict()
        for name, validator in self._validators.items():
            if not validator.is_valid(found[name]):
                return None
        return found


def compile_path(
    template: str,
    params: list[dict[str, Any]],
    resolve: Callable[[Any], Any],
    validator: Callable[[dict[str, Any]], jsonschema_rs.Validator],
) -> PathChecks | None:
    """The compiled checks of the path ``params`` of ``template``; ``None`` for a shape left
    to openapi-core."""
    names = set(_TEMPLATE_PART.findall(template))
    validators = {}
    for param in params:
        schema = resolve(param.get("schema"))
        if param.get("content") is not None or param.get("style", "simple") != "simple":
            return None
        if not isinstance(schema, dict) or schema.get("type") != "string" or "format" in schema:
            return None
        if not param.get("required") or not param["name"].isidentifier():
            return None
        validators[param["name"]] = validator(param["schema"])
    if set(validators) != names:
        return None
    return PathChecks(template, validators)
