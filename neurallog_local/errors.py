"""The API's error type and the issue lists that validation errors carry."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


class ApiError(Exception):
    """An error answered with the contract's error envelope."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        details: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = dict(details) if details is not None else None
        self.headers = dict(headers or {})


def issue(field: str, message: str) -> dict[str, str]:
    """One entry of ``error.details.errors``."""
    return {"field": field, "message": message}


def bad_request(message: str, errors: Sequence[Mapping[str, str]] | None = None) -> ApiError:
    """400 ``bad_request``: the request cannot be read."""
    details = {"errors": [dict(e) for e in errors]} if errors else None
    return ApiError(400, "bad_request", message, details)


def validation_error(message: str, errors: Sequence[Mapping[str, str]] | None = None) -> ApiError:
    """422 ``validation_error``: a readable request that breaks the schema or its rules."""
    return ApiError(422, "validation_error", message, {"errors": [dict(e) for e in errors or []]})


def not_found(what: str) -> ApiError:
    """404 ``not_found``."""
    return ApiError(404, "not_found", f"{what} not found")
