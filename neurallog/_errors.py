"""Mapping of HTTP failures to the SDK's exceptions."""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING, Any

import orjson

from neurallog import exceptions as exc

if TYPE_CHECKING:
    import httpx

_STATUS_CLASSES: dict[int, type[exc.ApiError]] = {
    400: exc.ValidationError,
    401: exc.AuthenticationError,
    403: exc.PermissionDeniedError,
    404: exc.NotFoundError,
    422: exc.ValidationError,
    429: exc.RateLimitError,
}

_BODY_SNIPPET = 200


def error_for_response(response: httpx.Response, body: bytes) -> exc.ApiError:
    """Build the exception for an error response (status >= 400) and its read body.

    Works for any body: the API's error envelope, another JSON document, HTML from a proxy,
    or nothing at all (a bare 520 from a CDN, say).
    """
    status = response.status_code
    request_id = response.headers.get("x-request-id")
    code: str | None = None
    message: str | None = None
    details: dict[str, Any] | None = None

    document = _json_or_none(body)
    if isinstance(document, dict):
        error = document.get("error")
        if isinstance(error, dict):
            code = _str_or_none(error.get("code"))
            message = _str_or_none(error.get("message"))
            raw_details = error.get("details")
            details = raw_details if isinstance(raw_details, dict) else None
        elif isinstance(error, str):
            message = error
        meta = document.get("meta")
        if request_id is None and isinstance(meta, dict):
            request_id = _str_or_none(meta.get("request_id"))

    if message is None:
        message = _fallback_message(response, body)

    cls = _STATUS_CLASSES.get(status)
    if cls is None:
        cls = exc.ServerError if status >= 500 else exc.ApiError
    if cls is exc.RateLimitError:
        return exc.RateLimitError(
            message,
            status=status,
            code=code,
            request_id=request_id,
            details=details,
            retry_after=parse_retry_after(response.headers),
        )
    return cls(message, status=status, code=code, request_id=request_id, details=details)


def error_for_transport(error: httpx.TransportError, request: httpx.Request) -> exc.NetworkError:
    """Build the exception for a request that got no response."""
    # The URL is safe to show: endpoints never carry credentials (see _config).
    target = f"{request.method} {request.url.copy_with(query=None)}"
    import httpx  # loaded already: it raised the error

    detail = str(error) or type(error).__name__
    if isinstance(error, httpx.TimeoutException):
        return exc.TimeoutError(
            f"{target} timed out: no complete answer within the timeout ({detail})"
        )
    return exc.NetworkError(f"{target} failed: {detail}")


# What OpenSSL reports when the other side answers a ClientHello in plain text.
_PLAIN_TEXT_REASONS = frozenset(
    {"WRONG_VERSION_NUMBER", "RECORD_LAYER_FAILURE", "PACKET_LENGTH_TOO_LONG", "HTTP_REQUEST"}
)


def plain_http_error(
    error: httpx.TransportError, request: httpx.Request, endpoint: str
) -> exc.ConfigurationError | None:
    """The error for an ``https://`` endpoint whose server answers in plain HTTP, if so.

    Retrying cannot help, so this is said at once, with the endpoint the user probably meant.
    """
    import ssl  # loaded already: the TLS handshake failed

    import httpx

    if request.url.scheme != "https" or not isinstance(error, httpx.ConnectError):
        return None
    cause: BaseException | None = error
    for _ in range(8):
        if cause is None:
            return None
        if isinstance(cause, ssl.SSLError) and cause.reason in _PLAIN_TEXT_REASONS:
            break
        if "WRONG_VERSION_NUMBER" in str(cause):
            break
        cause = cause.__cause__ or cause.__context__
    else:
        return None
    url = request.url
    plain = endpoint.replace("https://", "http://", 1)
    return exc.ConfigurationError(
        f"the server at {url.host}:{url.port or 443} does not speak TLS; "
        f"did you mean {plain}? (endpoint={endpoint!r})"
    )


# Paths that exist in every version of the API: a 404 there means a wrong endpoint.
_ALWAYS_THERE = frozenset({"health", "logs", "logs/search", "logs/stream", "rules", "actions"})
_VERSION_SEGMENT = re.compile(r"/v\d+(/|$)")


def wrong_endpoint(
    response: httpx.Response, body: bytes, endpoint: str
) -> exc.ConfigurationError | None:
    """The error for a 404 that says the endpoint is not the API's base URL, if it is one.

    The API answers an unknown id with its error envelope; a 404 without one (a web
    server's page, another service) or on a path the API always has means every request to
    this endpoint would fail the same way: a configuration problem, not a missing resource.
    """
    import httpx  # loaded already: it made the response

    if response.status_code != 404:
        return None
    document = _json_or_none(body)
    error = document.get("error") if isinstance(document, dict) else None
    in_contract = isinstance(error, dict) and isinstance(error.get("code"), str)
    base = httpx.URL(endpoint).path.rstrip("/")
    path = response.request.url.path
    relative = path[len(base) :].strip("/") if path.startswith(base) else path
    if in_contract and relative not in _ALWAYS_THERE:
        return None
    if _VERSION_SEGMENT.search(httpx.URL(endpoint).path):
        hint = (
            "check that it is the NeuralLog API's base URL, "
            "such as https://api.<tenant>.neurallog.com/v1"
        )
    else:
        hint = f"it lacks the API version: did you mean {endpoint}/v1?"
    answer = _fallback_message(response, body) if not in_contract else "the API has no such path"
    return exc.ConfigurationError(
        f"{response.request.method} {path} answered 404 ({answer}); the endpoint "
        f"{endpoint!r} does not look like the NeuralLog API: {hint}"
    )


def parse_retry_after(headers: httpx.Headers) -> float | None:
    """Seconds the server asked to wait (``retry-after-ms``, then ``Retry-After``).

    A finite, non-negative number, or None when there is no usable hint (``inf``, ``nan``,
    negative, garbage). How long to honour a huge one is the caller's bound to apply.
    """
    millis = headers.get("retry-after-ms")
    if millis is not None:
        try:
            value = float(millis) / 1000.0
        except ValueError:
            value = -1.0
        if 0 <= value < math.inf:
            return value
    raw = headers.get("retry-after")
    if raw is None:
        return None
    try:
        seconds = float(raw)
    except ValueError:
        return _http_date_delay(raw)
    return seconds if 0 <= seconds < math.inf else None


def _http_date_delay(raw: str) -> float | None:
    import email.utils
    import time

    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _json_or_none(body: bytes) -> object:
    if not body:
        return None
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        return None


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _fallback_message(response: httpx.Response, body: bytes) -> str:
    reason = response.reason_phrase or "error"
    text = body[:_BODY_SNIPPET].decode("utf-8", "replace").strip()
    text = " ".join(text.split())
    suffix = "..." if len(body) > _BODY_SNIPPET else ""
    if text:
        return f"HTTP {response.status_code} {reason}: {text}{suffix}"
    return f"HTTP {response.status_code} {reason}"
