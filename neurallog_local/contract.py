"""Request and response validation against ``openapi.yaml``.

Two libraries do every check the contract expresses, both driven by the spec itself:
openapi-core checks parameters (typing them, defaults applied), response statuses and
response headers; jsonschema-rs checks JSON bodies against the spec's own schemas,
compiled once per schema. Bodies go to jsonschema-rs because a 1000-entry ingest batch
or a 1000-entry page costs tens of milliseconds in openapi-core and well under one in
jsonschema-rs. What is left here is plumbing: finding an operation's body schemas in the
spec, matching media types, and turning errors into the API's ``{field, message}`` issues.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
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
from openapi_core.validation.response.validators import V31ResponseHeadersValidator
from openapi_core.validation.schemas.exceptions import InvalidSchemaValue
from starlette.datastructures import Headers, QueryParams

from .errors import bad_request, issue, not_found, validation_error
from .spec import VALIDATION_SERVER, log_input_schema, validation_spec

_JSON = "application/json"


class _OpenAPIRequest:
    """A request as openapi-core's ``Request`` protocol sees it (bodies are not its job)."""

    host_url = VALIDATION_SERVER
    body = None

    def __init__(self, method: str, path: str, query: QueryParams, headers: Headers) -> None:
        self.method = method.lower()
        self.path = path
        self.content_type = headers.get("content-type") or "application/octet-stream"
        self.parameters = RequestParameters(query=query, header=headers, cookie={})


class _OpenAPIResponse:
    """A response as openapi-core's ``Response`` protocol sees it."""

    data = None

    def __init__(self, status_code: int, headers: Mapping[str, str]) -> None:
        self.status_code = status_code
        self.headers = Headers(headers=dict(headers))
        self.content_type = self.headers.get("content-type", "")


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

    def content(self, owner: Mapping[str, Any]) -> dict[str, jsonschema_rs.Validator | None]:
        """Media type -> validator (``None``: not JSON, nothing to check) of a body."""
        found: dict[str, jsonschema_rs.Validator | None] = {}
        for mime, media in (owner.get("content") or {}).items():
            schema = media.get("schema")
            found[mime] = self.validator(schema) if mime == _JSON and schema else None
        return found


@dataclass
class _Operation:
    body_required: bool = False
    body: dict[str, jsonschema_rs.Validator | None] | None = None
    responses: dict[str, dict[str, jsonschema_rs.Validator | None]] = field(default_factory=dict)


class Contract:
    """The contract's validators, built once per server."""

    def __init__(self) -> None:
        spec = validation_spec()
        # A cache of resolved spec paths halves openapi-core's per-request cost.
        api = OpenAPI(SchemaPath.from_dict(spec, resolved_cache_maxsize=65536))
        self._params = V31RequestParametersUnmarshaller(api.spec)
        self._headers = V31ResponseHeadersValidator(api.spec)
        schemas = _Schemas(spec)
        self._operations: dict[str, _Operation] = {}
        for item in spec["paths"].values():
            for op in item.values():
                if not isinstance(op, dict) or "operationId" not in op:
                    continue
                compiled = _Operation()
                if "requestBody" in op:
                    body = schemas.resolve(op["requestBody"])
                    compiled.body_required = bool(body.get("required"))
                    compiled.body = schemas.content(body)
                for status, response in op["responses"].items():
                    compiled.responses[str(status)] = schemas.content(schemas.resolve(response))
                self._operations[op["operationId"]] = compiled
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
        operation = self._operations[operation_id]
        if operation.body is not None:
            self._check_body(operation, raw, body, headers)
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
        method: str,
        path: str,
        query: QueryParams,
        headers: Headers,
        status: int,
        response_headers: Mapping[str, str],
        data: bytes | None,
    ) -> list[str]:
        """Every way the response breaks the contract (empty when it conforms)."""
        problems = []
        request = _OpenAPIRequest(method, path, query, headers)
        response = _OpenAPIResponse(status, response_headers)
        for error in self._headers.iter_errors(request, response):
            cause = error.__cause__
            problems.append(f"{type(error).__name__}: {error} {cause or ''}".strip())
        if problems:
            return problems
        documented = self._operations[operation_id].responses
        content = documented.get(str(status), documented.get("default", {}))
        mime = media_type(response.content_type)
        if not content:
            return [] if not data else [f"{status} is documented without a body"]
        if mime not in content:
            return [f"{status} documents {', '.join(content)}, not {mime or 'no content type'}"]
        validator = content[mime]
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
