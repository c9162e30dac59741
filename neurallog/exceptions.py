"""Exceptions raised by the NeuralLog SDK.

::

    NeuralLogError
    ├── ConfigurationError
    ├── ApiError                 (message, code, status, request_id, details)
    │   ├── AuthenticationError  401
    │   ├── PermissionDeniedError 403
    │   ├── NotFoundError        404
    │   ├── ValidationError      400, 422
    │   ├── RateLimitError       429 (retry_after)
    │   ├── ServerError          5xx
    │   └── UnexpectedResponseError  an answer not in the API's shape
    └── NetworkError
        └── APITimeoutError      (also importable as TimeoutError, its former name)

The logging methods (``log``, ``info``, ...) never raise these for delivery problems:
delivery runs in the background and losses are counted (``NeuralLog.stats``) and reported
to the ``on_drop`` callback. API calls (search, rules, actions) raise them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = [
    "APITimeoutError",
    "ApiError",
    "AuthenticationError",
    "ConfigurationError",
    "NetworkError",
    "NeuralLogError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "ServerError",
    "UnexpectedResponseError",
    "ValidationError",
]


class NeuralLogError(Exception):
    """Base class of every error the SDK raises."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ConfigurationError(NeuralLogError):
    """The client was configured with missing or invalid settings."""


class ApiError(NeuralLogError):
    """The API answered with an error status (>= 400)."""

    def __init__(
        self,
        message: str,
        *,
        status: int,
        code: str | None = None,
        request_id: str | None = None,
        details: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.request_id = request_id
        self.details: Mapping[str, Any] = details if details is not None else {}

    @property
    def errors(self) -> list[dict[str, Any]]:
        """Field-level problems the server listed (``details.errors``), if any."""
        found = self.details.get("errors")
        return [e for e in found if isinstance(e, dict)] if isinstance(found, list) else []

    def __str__(self) -> str:
        parts = [f"status={self.status}"]
        if self.code:
            parts.append(f"code={self.code}")
        if self.request_id:
            parts.append(f"request_id={self.request_id}")
        text = f"{self.message} ({', '.join(parts)})"
        for issue in self.errors[:10]:
            text += f"\n  - {issue.get('field', '?')}: {issue.get('message', '')}"
        return text

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(message={self.message!r}, status={self.status!r}, "
            f"code={self.code!r}, request_id={self.request_id!r})"
        )

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword-only arguments need help to survive pickling (multiprocessing, Celery).
        return (
            _rebuild_api_error,
            (
                type(self),
                self.message,
                self.status,
                self.code,
                self.request_id,
                dict(self.details),
                getattr(self, "retry_after", None),
            ),
        )


def _rebuild_api_error(
    cls: type[ApiError],
    message: str,
    status: int,
    code: str | None,
    request_id: str | None,
    details: dict[str, Any],
    retry_after: float | None,
) -> ApiError:
    if issubclass(cls, RateLimitError):
        return cls(
            message,
            status=status,
            code=code,
            request_id=request_id,
            details=details,
            retry_after=retry_after,
        )
    return cls(message, status=status, code=code, request_id=request_id, details=details)


class AuthenticationError(ApiError):
    """401: the API key or token is missing, wrong or expired."""


class PermissionDeniedError(ApiError):
    """403: the credential is valid but lacks the permission for this operation."""


class NotFoundError(ApiError):
    """404: no such resource for this tenant."""


class ValidationError(ApiError):
    """400 or 422: the request was malformed or broke the API's rules; see ``errors``."""


class RateLimitError(ApiError):
    """429: too many requests; ``retry_after`` is the server's advice in seconds."""

    def __init__(
        self,
        message: str,
        *,
        status: int = 429,
        code: str | None = None,
        request_id: str | None = None,
        details: Mapping[str, Any] | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, status=status, code=code, request_id=request_id, details=details)
        self.retry_after = retry_after


class ServerError(ApiError):
    """5xx: the server failed; retried automatically before this is raised."""


class UnexpectedResponseError(ApiError):
    """The server answered, but not in the API's shape.

    A success status with a body that is not the documented JSON (a proxy's HTML page, a
    truncated document, fields of the wrong type, a body that does not decode as its
    ``Content-Encoding`` says). ``status`` is the status it came with; the message says what
    was wrong. Nothing should be assumed done or not done by the server.
    """


class NetworkError(NeuralLogError):
    """The API could not be reached (connection refused, DNS, TLS, reset)."""


class APITimeoutError(NetworkError):
    """The API did not answer within the configured ``timeout``."""


#: The former name of :class:`APITimeoutError`. Prefer the new one: this one shadows the
#: built-in ``TimeoutError`` wherever it is imported by name.
TimeoutError = APITimeoutError
