"""Request and response validation against ``openapi.yaml``.

Two libraries do every check the contract expresses, both driven by the spec itself:
openapi-core checks the parameters that the compiled checks of ``params`` leave to
it (typing them, defaults applied); jsonschema-rs checks JSON bodies, headers and
parameters against the spec's own schemas, compiled once per schema. Bodies go to
jsonschema-rs because a 1000-entry ingest batch or a 1000-entry page costs tens of
milliseconds in openapi-core and well under one in jsonschema-rs. Headers go to it because
every header of the contract is a single string or integer, which needs no
deserialisation, and openapi-core spent about 2.6 ms of every response (and 0.6 ms of
every request of an operation with header parameters only, such as ingest) walking the
spec to find that out again. What is left here is plumbing: finding an operation's
schemas in the spec, matching statuses and media types, and turning errors into the API's
``{field, message}`` issues.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import jsonschema_rs
import orjson
from jsonschema_path import SchemaPath
from openapi_core import OpenAPI
from openapi_core.datatypes import RequestParameters
from openapi_core.templating.paths.exceptions import PathError
from openapi_core.unmarshalling.request.unmarshallers import V31RequestParametersUnmarshaller
from openapi_core.validation.request.exceptions import (
    MissingParameterError,
    ParameterValidationError,
)
from openapi_core.validation.schemas.exceptions import InvalidSchemaValue
from starlette.datastructures import Headers, QueryParams

from .errors import bad_request, issue, not_found, validation_error
from .params import PathChecks, QueryChecks, compile_param, compile_path
from .spec import API_PREFIX, VALIDATION_SERVER, log_input_schema, validation_spec

_JSON = "application/json"
_INTEGER = re.compile(r"-?[0-9]+")
_MISSING = object()


class _OpenAPIRequest:
    """A request as openapi-core's ``Request`` protocol sees it (bodies are not its job)."""

    host_url = VALIDATION_SERVER
    body = None

    def __init__(self, method: str, path: str, query: QueryParams, headers: Headers) -> None:
        self.method = method.lower()
        self.path = path
        self.content_type = headers.get("content-type") or "application/octet-stream"
        self.parameters = RequestParameters(query=query, header=headers, cookie={})


@dataclass
class RequestParams:
    """Parameters as the contract types them, defaults applied."""

    query: dict[str, Any] = field(default_factory=dict)
    header: dict[str, Any] = field(default_factory=dict)
    path: dict[str, Any] = field(default_factory=dict)


def _location(parts: Iterable[Any], root: str) -> str:
    text = root
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text


def _chosen_branch(error: Any, parts: list[Any]) -> list[Any] | None:
    """The errors of the one ``oneOf`` branch whose ``type`` the value names, for the
    contract's discriminated unions (conditions, actions): what is wrong inside the branch
    the client meant, instead of "valid under none of the schemas"."""
    branches = getattr(error.kind, "context", None) or []
    discriminator = [*parts, "type"]
    meant = [
        branch
        for branch in branches
        if not any(list(e.instance_path) == discriminator for e in branch)
    ]
    return meant[0] if len(meant) == 1 else None


def schema_issues(errors: Iterable[Any], root: str) -> list[dict[str, str]]:
    """Turn jsonschema-rs (or jsonschema) errors into ``{field, message}`` issues."""
    issues = []
    for error in errors:
        parts = list(getattr(error, "instance_path", None) or getattr(error, "absolute_path", []))
        kind = getattr(error, "kind", None)
        if isinstance(kind, jsonschema_rs.ValidationErrorKind.OneOfNotValid):
            branch = _chosen_branch(error, parts)
            if branch:
                issues.extend(schema_issues(branch, root))
                continue
            value = getattr(error, "instance", None)
            if isinstance(value, dict) and "type" in value:  # no branch has this type
                where = _location([*parts, "type"], root)
                issues.append(issue(where, f"{value['type']!r} is not a known type"))
                continue
            if isinstance(value, dict):
                issues.append(issue(_location([*parts, "type"], root), "is required"))
                continue
        if isinstance(kind, jsonschema_rs.ValidationErrorKind.Required):
            issues.append(issue(_location([*parts, kind.property], root), "is required"))
        elif isinstance(kind, jsonschema_rs.ValidationErrorKind.AdditionalProperties):
            for name in kind.unexpected:
                issues.append(issue(_location([*parts, name], root), "is not a known field"))
        else:
            issues.append(issue(_location(parts, root), str(error.message)))
    # One issue per field: a value can break several keywords at once (type and enum).
    merged: dict[str, list[str]] = {}
    for found in issues:
        messages = merged.setdefault(found["field"], [])
        if found["message"] not in messages:
            messages.append(found["message"])
    return [issue(f, "; ".join(m)) for f, m in merged.items()] or [issue(root, "is invalid")]


def _parameter_issues(error: ParameterValidationError) -> list[dict[str, str]]:
    where = f"{error.location}.{error.name}"
    if isinstance(error, MissingParameterError):
        return [issue(where, "is required")]
    cause = error.__cause__
    if isinstance(cause, InvalidSchemaValue):
        found = []
        for schema_error in cause.schema_errors:
            path = list(getattr(schema_error, "absolute_path", []))
            message = getattr(schema_error, "message", schema_error)
            found.append(issue(_location(path, where), str(message)))
        return found or [issue(where, "is invalid")]
    return [issue(where, str(cause or error))]


def media_type(content_type: str | None) -> str:
    """The bare, lower-case media type of a Content-Type header."""
    return (content_type or "").split(";", 1)[0].strip().lower()


def _integer(text: str) -> int:
    # Stricter than int(): no spaces, '+' or '_' in an integer header.
    if _INTEGER.fullmatch(text) is None:
        raise ValueError(f"{text!r} is not an integer")
    return int(text)


# How a header's text becomes the value its schema describes (style "simple").
_SCALARS: dict[str, Callable[[str], Any]] = {"string": str, "integer": _integer}


@dataclass(frozen=True)
class _Header:
    """A header, or a header parameter, whose schema is a single string or integer."""

    name: str
    required: bool
    cast: Callable[[str], Any]
    validator: jsonschema_rs.Validator
    default: Any = _MISSING

    def check(self, headers: Headers, where: str) -> tuple[Any, list[dict[str, str]]]:
        """``(typed value or _MISSING, issues)`` of this header in ``headers``."""
        raw = headers.get(self.name)
        if raw is None:
            return self.default, [issue(where, "is required")] if self.required else []
        try:
            value = self.cast(raw)
        except ValueError as exc:
            return _MISSING, [issue(where, str(exc))]
        if not self.validator.is_valid(value):
            return _MISSING, schema_issues(self.validator.iter_errors(value), where)
        return value, []


class _Schemas:
    """Compiled validators of the spec's schemas, one per distinct schema."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        self._compiled: dict[bytes, jsonschema_rs.Validator] = {}

    def resolve(self, node: Any) -> Any:
        while isinstance(node, dict) and "$ref" in node:
            target: Any = self.spec
            for step in node["$ref"].removeprefix("#/").split("/"):
                target = target[step.replace("~1", "/").replace("~0", "~")]
            node = target
        return node

    def validator(self, schema: dict[str, Any]) -> jsonschema_rs.Validator:
        key = orjson.dumps(schema, option=orjson.OPT_SORT_KEYS)
        if key not in self._compiled:
            # The spec's components ride along so that its `$ref`s resolve in place.
            root = {**schema, "components": self.spec["components"]}
            self._compiled[key] = jsonschema_rs.Draft202012Validator(root, validate_formats=True)
        return self._compiled[key]

    def header(self, name: str, node: Any) -> _Header | None:
        """The ``_Header`` of a header or parameter object; ``None`` when it is not a
        single string or integer in the simple style."""
        node = self.resolve(node)
        schema = self.resolve(node.get("schema"))
        if "content" in node or node.get("style", "simple") != "simple":
            return None
        if not isinstance(schema, dict) or schema.get("type") not in _SCALARS:
            return None
        return _Header(
            name,
            bool(node.get("required")),
            _SCALARS[schema["type"]],
            self.validator(node["schema"]),
            schema.get("default", _MISSING),
        )

    def content(self, owner: Mapping[str, Any]) -> dict[str, jsonschema_rs.Validator | None]:
        """Media type -> validator (``None``: not JSON, nothing to check) of a body."""
        found: dict[str, jsonschema_rs.Validator | None] = {}
        for mime, media in (owner.get("content") or {}).items():
            schema = media.get("schema")
            found[mime] = self.validator(schema) if mime == _JSON and schema else None
        return found


@dataclass
class _Response:
    headers: list[_Header]
    content: dict[str, jsonschema_rs.Validator | None]


@dataclass
class _Compiled:
    query: QueryChecks
    headers: list[_Header]
    path: PathChecks | None


@dataclass
class _Operation:
    body_required: bool = False
    body: dict[str, jsonschema_rs.Validator | None] | None = None
    # The parameters, when every one is a header _Header can check; else openapi-core does.
    headers: list[_Header] | None = None
    # Otherwise, when every parameter is a query, path or header parameter that can be
    # compiled: the fast path, with openapi-core deciding whatever it does not accept.
    compiled: _Compiled | None = None
    responses: dict[str, _Response] = field(default_factory=dict)

    def response(self, status: int) -> _Response | None:
        """The documented response of ``status``: its own, its range's (``4XX``), or the
        ``default``."""
        code = str(status)
        found = self.responses.get(code) or self.responses.get(code[0] + "XX")
        return found or self.responses.get("default")


def _parameter_headers(schemas: _Schemas, parameters: list[Any]) -> list[_Header] | None:
    found = []
    for node in parameters:
        param = schemas.resolve(node)
        header = schemas.header(param["name"], param) if param["in"] == "header" else None
        if header is None:
            return None
        found.append(header)
    return found


def _compiled_checks(schemas: _Schemas, template: str, parameters: list[Any]) -> _Compiled | None:
    query = []
    headers = []
    in_path = []
    for node in parameters:
        param = schemas.resolve(node)
        if param["in"] == "query":
            compiled = compile_param(param, schemas.resolve, schemas.validator)
            if compiled is None:
                return None
            query.append(compiled)
        elif param["in"] == "header":
            header = schemas.header(param["name"], param)
            if header is None:
                return None
            headers.append(header)
        elif param["in"] == "path":
            in_path.append(param)
        else:
            return None
    path = None
    if in_path or "{" in template:
        path = compile_path(API_PREFIX + template, in_path, schemas.resolve, schemas.validator)
        if path is None:
            return None
    return _Compiled(QueryChecks(query), headers, path)


def _response_headers(schemas: _Schemas, response: Any, where: str) -> list[_Header]:
    found = []
    for name, node in (response.get("headers") or {}).items():
        if name.lower() == "content-type":  # OpenAPI: the media type says it
            continue
        header = schemas.header(name, node)
        if header is None:
            raise RuntimeError(
                f"openapi.yaml: the {name} header of {where} is not a single string or "
                "integer, the only headers NeuralLog Local checks"
            )
        found.append(header)
    return found


class Contract:
    """The contract's validators, built once per server."""

    def __init__(self) -> None:
        spec = validation_spec()
        # A cache of resolved spec paths halves openapi-core's per-request cost.
        api = OpenAPI(SchemaPath.from_dict(spec, resolved_cache_maxsize=65536))
        self._params = V31RequestParametersUnmarshaller(api.spec)
        schemas = _Schemas(spec)
        self._operations: dict[str, _Operation] = {}
        for path, item in spec["paths"].items():
            for op in item.values():
                if not isinstance(op, dict) or "operationId" not in op:
                    continue
                op_id = op["operationId"]
                compiled = _Operation()
                if "requestBody" in op:
                    body = schemas.resolve(op["requestBody"])
                    compiled.body_required = bool(body.get("required"))
                    compiled.body = schemas.content(body)
                parameters = [*item.get("parameters", []), *op.get("parameters", [])]
                if "{" not in path:
                    compiled.headers = _parameter_headers(schemas, parameters)
                if compiled.headers is None:
                    compiled.compiled = _compiled_checks(schemas, path, parameters)
                for status, node in op["responses"].items():
                    response = schemas.resolve(node)
                    compiled.responses[str(status)] = _Response(
                        _response_headers(schemas, response, f"{op_id} {status}"),
                        schemas.content(response),
                    )
                self._operations[op_id] = compiled
        # Each entry of an ingest batch is checked on its own, so one bad entry never
        # sinks its batch.
        self.log_input = jsonschema_rs.Draft202012Validator(
            log_input_schema(), validate_formats=True
        )

    def check_request(
        self,
        operation_id: str,
        method: str,
        path: str,
        query: QueryParams,
        headers: Headers,
        raw: bytes,
        body: Any,
    ) -> RequestParams:
        """Validate parameters and the (already parsed) body; return the typed parameters
        or raise ``ApiError``."""
        operation = self._operations[operation_id]
        if operation.headers is not None:
            params = RequestParams(header=self._check_headers(operation.headers, headers))
        else:
            fast = self._compiled_params(operation, path, query, headers)
            params = fast if fast is not None else self._unmarshal(method, path, query, headers)
        if operation.body is not None:
            self._check_body(operation, raw, body, headers)
        return params

    @staticmethod
    def _check_headers(expected: list[_Header], headers: Headers) -> dict[str, Any]:
        typed = {}
        issues: list[dict[str, str]] = []
        for header in expected:
            value, found = header.check(headers, f"header.{header.name}")
            issues.extend(found)
            if value is not _MISSING:
                typed[header.name] = value
        if issues:
            raise bad_request("invalid query string or headers", issues)
        return typed

    @staticmethod
    def _compiled_params(
        operation: _Operation, path: str, query: QueryParams, headers: Headers
    ) -> RequestParams | None:
        """The parameters as the compiled checks type them; ``None`` when openapi-core
        must decide (see params)."""
        compiled = operation.compiled
        if compiled is None:
            return None
        in_path: dict[str, Any] = {}
        if compiled.path is not None:
            found = compiled.path.check(path)
            if found is None:
                return None
            in_path = found
        typed = compiled.query.check(query)
        if typed is None:
            return None
        header = {}
        for expected in compiled.headers:
            value, issues = expected.check(headers, expected.name)
            if issues:
                return None
            if value is not _MISSING:
                header[expected.name] = value
        return RequestParams(typed, header, in_path)

    def _unmarshal(
        self, method: str, path: str, query: QueryParams, headers: Headers
    ) -> RequestParams:
        request = _OpenAPIRequest(method, path, query, headers)
        result = self._params.unmarshal(request)
        issues: list[dict[str, str]] = []
        for error in result.errors:
            if isinstance(error, PathError):
                raise not_found("resource")
            if isinstance(error, ParameterValidationError):
                if error.location == "path":
                    raise not_found("resource")
                issues.extend(_parameter_issues(error))
            else:
                issues.append(issue("request", str(error)))
        if issues:
            raise bad_request("invalid query string or headers", issues)
        params = result.parameters
        return RequestParams(dict(params.query), dict(params.header), dict(params.path))

    @staticmethod
    def _check_body(operation: _Operation, raw: bytes, body: Any, headers: Headers) -> None:
        assert operation.body is not None
        if not raw:
            if operation.body_required:
                raise bad_request("a JSON request body is required")
            return
        mime = media_type(headers.get("content-type"))
        if mime not in operation.body:
            raise bad_request(
                f"the request body must be {' or '.join(operation.body)}, not {mime or 'untyped'}",
                [issue("header.Content-Type", f"must be {' or '.join(operation.body)}")],
            )
        validator = operation.body[mime]
        if validator is not None and not validator.is_valid(body):
            raise validation_error(
                "the request body breaks the schema",
                schema_issues(validator.iter_errors(body), "body"),
            )

    def check_response(
        self,
        operation_id: str,
        status: int,
        headers: Headers,
        data: bytes | None,
    ) -> list[str]:
        """Every way a response breaks the contract (empty when it conforms)."""
        response = self._operations[operation_id].response(status)
        if response is None:
            return [f"{status} is not a documented status of {operation_id}"]
        problems = []
        for header in response.headers:
            _, found = header.check(headers, f"header {header.name}")
            problems += [f"{i['field']}: {i['message']}" for i in found]
        if problems:
            return problems
        mime = media_type(headers.get("content-type"))
        if not response.content:
            return [] if not data else [f"{status} is documented without a body"]
        if mime not in response.content:
            documented = ", ".join(response.content)
            return [f"{status} documents {documented}, not {mime or 'no content type'}"]
        validator = response.content[mime]
        if validator is None or data is None:
            return [] if data is not None else [f"{status} needs a body"]
        try:
            payload = orjson.loads(data)
        except orjson.JSONDecodeError as exc:
            return [f"the body is not JSON: {exc}"]
        if validator.is_valid(payload):
            return []
        found = schema_issues(validator.iter_errors(payload), "response")
        return [f"{i['field']}: {i['message']}" for i in found]
