"""Read the API's response envelopes into the SDK's results (plain dicts)."""

from __future__ import annotations

from typing import Any

import httpx
import orjson

from neurallog.exceptions import ApiError
from neurallog.resources._pages import PageInfo


def _unexpected(response: httpx.Response, why: str) -> ApiError:
    request = response.request
    return ApiError(
        f"unexpected response to {request.method} {request.url.path}: {why}",
        status=response.status_code,
        code="unexpected_response",
        request_id=response.headers.get("x-request-id"),
    )


def envelope(response: httpx.Response) -> dict[str, Any]:
    """The decoded ``{"data": ..., "meta": ...}`` document."""
    try:
        document = orjson.loads(response.content)
    except orjson.JSONDecodeError:
        content_type = response.headers.get("content-type", "no content type")
        raise _unexpected(response, f"the body is not JSON ({content_type})") from None
    if not isinstance(document, dict) or "data" not in document:
        raise _unexpected(response, "the body has no 'data'")
    return document


def data(response: httpx.Response) -> Any:
    """The ``data`` of a single-object response."""
    return envelope(response)["data"]


def nothing(response: httpx.Response) -> None:
    """For 204 responses."""
    return


def page(response: httpx.Response) -> tuple[list[Any], PageInfo]:
    """The items and ``meta.pagination`` of a list response."""
    document = envelope(response)
    items = document["data"]
    meta = document.get("meta")
    if not isinstance(meta, dict):
        meta = {}
    pagination = meta.get("pagination")
    if not isinstance(items, list) or not isinstance(pagination, dict):
        raise _unexpected(response, "a list response needs a 'data' list and 'meta.pagination'")
    try:
        info = PageInfo(
            total=int(pagination["total"]),
            limit=int(pagination["limit"]),
            offset=int(pagination["offset"]),
            has_more=bool(pagination["has_more"]),
            request_id=response.headers.get("x-request-id") or meta.get("request_id"),
        )
    except (KeyError, TypeError, ValueError):
        raise _unexpected(response, f"malformed meta.pagination {pagination!r}") from None
    return items, info
