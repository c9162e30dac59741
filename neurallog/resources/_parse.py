"""Read the API's response envelopes into the SDK's results (plain dicts).

A success status with a body that is not in the contract's shape raises
:class:`~neurallog.exceptions.UnexpectedResponseError` saying what was wrong, never a
``KeyError`` or ``TypeError`` from deeper in the SDK.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

import httpx
import orjson

from neurallog.exceptions import UnexpectedResponseError
from neurallog.resources._pages import PageInfo

if TYPE_CHECKING:
    from neurallog.types import IngestResult


def _unexpected(response: httpx.Response, why: str) -> UnexpectedResponseError:
    request = response.request
    return UnexpectedResponseError(
        f"unexpected response to {request.method} {request.url.path}: {why}",
        status=response.status_code,
        code="unexpected_response",
        request_id=response.headers.get("x-request-id"),
    )


def _kind(value: object) -> str:
    if value is None:
        return "null"
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}.get(
        type(value), f"a {type(value).__name__}"
    )


def envelope(response: httpx.Response) -> dict[str, Any]:
    """The decoded ``{"data": ..., "meta": ...}`` document."""
    try:
        document = orjson.loads(response.content)
    except orjson.JSONDecodeError as error:
        content_type = response.headers.get("content-type", "no content type")
        what = "an empty body" if not response.content else f"a body that is not JSON ({error})"
        raise _unexpected(response, f"{what}, {content_type}") from error
    if not isinstance(document, dict):
        raise _unexpected(response, f"the body is {_kind(document)}, not a JSON object")
    if "data" not in document:
        raise _unexpected(response, "the body has no 'data'")
    return document


def data(response: httpx.Response) -> Any:
    """The ``data`` object of a single-object response."""
    found = envelope(response)["data"]
    if not isinstance(found, dict):
        raise _unexpected(response, f"'data' is {_kind(found)}, expected an object")
    return found


def nothing(response: httpx.Response) -> None:
    """For 204 responses."""
    return


def ingest_result(response: httpx.Response) -> IngestResult:
    """The ``IngestResult`` of ``POST /logs``, every field checked."""
    found: dict[str, Any] = data(response)
    problems = [
        f"'{name}' is {_kind(found.get(name)) if name in found else 'missing'}, expected {what}"
        for name, what, ok in (
            ("accepted", "a count", _count(found.get("accepted"))),
            ("duplicates", "a count", _count(found.get("duplicates"))),
            ("rejected", "a list of {index, code, message}", _rejections(found.get("rejected"))),
            ("ids", "a list of ids", _ids(found.get("ids"))),
        )
        if not ok
    ]
    if problems:
        raise _unexpected(response, "; ".join(problems))
    return cast("IngestResult", found)


def _count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _rejections(value: object) -> bool:
    return isinstance(value, list) and all(
        isinstance(item, dict) and _count(item.get("index")) for item in value
    )


def _ids(value: object) -> bool:
    return isinstance(value, list) and all(item is None or isinstance(item, str) for item in value)


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
    if not all(isinstance(item, dict) for item in items):
        raise _unexpected(response, "'data' must be a list of objects")
    try:
        info = PageInfo(
            total=int(pagination["total"]),
            limit=int(pagination["limit"]),
            offset=int(pagination["offset"]),
            has_more=bool(pagination["has_more"]),
            request_id=response.headers.get("x-request-id") or meta.get("request_id"),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise _unexpected(response, f"malformed meta.pagination {pagination!r}") from error
    return items, info
