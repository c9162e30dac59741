"""Request and response validation against ``openapi.yaml`` with openapi-core.

openapi-core does every check the contract can express; this module only adapts
Starlette's objects to it and turns its exceptions into the API's error envelope.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import jsonschema_rs
import orjson
from openapi_core import OpenAPI, V31ResponseValidator
from openapi_core.datatypes import RequestParameters
from openapi_core.templating.media_types.exceptions import MediaTypeNotFound
from openapi_core.templating.paths.exceptions import PathError
from openapi_core.unmarshalling.request.unmarshallers import V31RequestParametersUnmarshaller
from openapi_core.validation.request.exceptions import (
    InvalidRequestBody,
    MissingParameterError,
    MissingRequestBody,
    MissingRequiredRequestBody,
    ParameterValidationError,
    RequestBodyValidationError,
)
from openapi_core.validation.request.validators import V31RequestBodyValidator
from openapi_core.validation.schemas.exceptions import InvalidSchemaValue
from starlette.datastructures import Headers, QueryParams

from .errors import ApiError, bad_request, issue, not_found, validation_error
from .spec import VALIDATION_SERVER, log_input_schema, validation_spec


class _OpenAPIRequest:
    """A request as openapi-core's ``Request`` protocol sees it."""

    host_url = VALIDATION_SERVER

    def __init__(
        self,
        method: str,
        path: str,
        query: QueryParams,
        headers: Headers,
        body: bytes | None,
    ) -> None:
        self.method = method.lower()
        self.path = path
        self.body = body
        self.content_type = headers.get("content-type") or "application/octet-stream"
        self.parameters = RequestParameters(query=query, header=headers, cookie={})


class _OpenAPIResponse:
    """A response as openapi-core's ``Response`` protocol sees it."""

    def __init__(self, status_code: int, headers: Mapping[str, str], data: bytes | None) -> None:
        self.status_code = status_code
        self.headers = Headers(headers=dict(headers))
        self.content_type = self.headers.get("content-type", "")
        self.data = data


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


def schema_issues(errors: Iterable[Any], root: str) -> list[dict[str, str]]:
    """Turn jsonschema (or jsonschema-rs) errors into ``{field, message}`` issues."""
    issues = []
    for error in errors:
        parts = list(getattr(error, "absolute_path", None) or getattr(error, "instance_path", []))
        validator = getattr(error, "validator", None)
        instance = getattr(error, "instance", None)
        if validator == "required" and isinstance(instance, dict):
            for name in error.validator_value:
                if name not in instance:
                    issues.append(issue(_location([*parts, name], root), "is required"))
            continue
        if validator == "additionalProperties" and isinstance(instance, dict):
            known = set(error.schema.get("properties", {}))
            for name in sorted(set(instance) - known):
                issues.append(issue(_location([*parts, name], root), "is not a known field"))
            continue
        issues.append(issue(_location(parts, root), str(error.message)))
    return issues or [issue(root, "is invalid")]


def _parameter_issues(error: ParameterValidationError) -> list[dict[str, str]]:
    where = f"{error.location}.{error.name}"
    if isinstance(error, MissingParameterError):
        return [issue(where, "is required")]
    cause = error.__cause__
    if isinstance(cause, InvalidSchemaValue):
        return schema_issues(cause.schema_errors, where)
    return [issue(where, str(cause or error))]


class Contract:
    """The contract's validators, built once per server."""

    def __init__(self) -> None:
        api = OpenAPI.from_dict(validation_spec())
        # orjson parses JSON bodies several times faster than the default json module,
        # which matters for 1000-entry ingest batches.
        fast_json: dict[str, Callable[[bytes], Any]] = {"application/json": orjson.loads}
        self._params = V31RequestParametersUnmarshaller(api.spec)
        self._body = V31RequestBodyValidator(api.spec, extra_media_type_deserializers=fast_json)
        self._response = V31ResponseValidator(api.spec, extra_media_type_deserializers=fast_json)
        # Compiled once: ingest validates every entry of a 1000-entry batch on its own.
        self.log_input = jsonschema_rs.validator_for(log_input_schema(), validate_formats=True)

    def check_request(
        self,
        method: str,
        path: str,
        query: QueryParams,
        headers: Headers,
        body: bytes | None,
    ) -> RequestParams:
        """Validate parameters and body; return the typed parameters or raise ``ApiError``."""
        request = _OpenAPIRequest(method, path, query, headers, body)
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
        for body_error in self._body.iter_errors(request):
            if not isinstance(body_error, MissingRequestBody):  # an optional body
                raise _body_error(body_error)
        params = result.parameters
        return RequestParams(dict(params.query), dict(params.header), dict(params.path))

    def check_response(
        self,
        method: str,
        path: str,
        query: QueryParams,
        headers: Headers,
        status: int,
        response_headers: Mapping[str, str],
        data: bytes | None,
    ) -> list[str]:
        """Every way the response breaks the contract (empty when it conforms)."""
        request = _OpenAPIRequest(method, path, query, headers, None)
        response = _OpenAPIResponse(status, response_headers, data)
        problems: list[str] = []
        for error in self._response.iter_errors(request, response):
            cause = error.__cause__
            if isinstance(cause, InvalidSchemaValue):
                found = schema_issues(cause.schema_errors, "response")
                problems.extend(f"{i['field']}: {i['message']}" for i in found)
            else:
                problems.append(f"{type(error).__name__}: {error}")
        return problems


def _body_error(error: Exception) -> ApiError:
    cause = error.__cause__
    if isinstance(error, MissingRequiredRequestBody):
        return bad_request("a JSON request body is required")
    if isinstance(error, InvalidRequestBody) and isinstance(cause, InvalidSchemaValue):
        return validation_error(
            "the request body breaks the schema", schema_issues(cause.schema_errors, "body")
        )
    if isinstance(cause, MediaTypeNotFound) or isinstance(error, MediaTypeNotFound):
        return bad_request("the request body must be JSON (Content-Type: application/json)")
    if isinstance(error, RequestBodyValidationError):
        return bad_request("the request body is not valid JSON")
    return bad_request(str(error))
