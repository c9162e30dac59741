"""The server's acknowledgement of ``POST /logs``, read strictly.

A record counts as sent only when the server said so in the API's shape (openapi.yaml,
``IngestResponse``): a 202 whose ``data`` holds ``accepted`` and ``duplicates`` (whole
numbers), ``rejected`` (entries with the ``index`` of a request entry, a ``code`` and a
``message``) and ``ids`` (one per request entry, null exactly where it was rejected), with
``accepted + duplicates + len(rejected)`` equal to the entries sent. Anything else (an
HTML page from a proxy, a 204, a cut body, another document) proves nothing about what
was stored, and :func:`read_acknowledgement` raises :class:`NotAcknowledged` naming what
was wrong; the sender retries such a batch (its ids make a repeat harmless) and counts it
as ``unacknowledged`` when no attempt is acknowledged.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import orjson

from neurallog.exceptions import ApiError

if TYPE_CHECKING:
    import httpx

__all__ = ["Acknowledgement", "NotAcknowledged", "read_acknowledgement"]


@dataclass(frozen=True, slots=True)
class Acknowledgement:
    """What the server took of one request's entries."""

    stored: int
    """Entries stored now or before (``accepted + duplicates``): these count as sent."""
    rejected: list[dict[str, Any]]
    """The server's ``rejected`` items, each with the ``index`` of a request entry."""

    def acknowledged_indexes(self, count: int) -> list[int]:
        """Positions of the request's entries the server stored (now or before)."""
        refused = {item["index"] for item in self.rejected}
        return [index for index in range(count) if index not in refused]


class NotAcknowledged(ApiError):
    """A success status without the API's acknowledgement: nothing is known to be stored."""


def read_acknowledgement(response: httpx.Response, count: int) -> Acknowledgement:
    """Check ``response`` acknowledges a request of ``count`` entries; raise if it does not.

    Raises:
        NotAcknowledged: the response is not a 202 in the API's shape (says what was wrong).
    """
    status = response.status_code
    if status != 202:
        raise _refuse(response, f"HTTP {status} instead of 202")
    import httpx  # loaded already: it made the response

    try:
        document = orjson.loads(response.content)
    except (orjson.JSONDecodeError, httpx.HTTPError) as exc:
        raise _refuse(response, f"a body that is not JSON ({exc})") from None
    data = document.get("data") if isinstance(document, dict) else None
    if not isinstance(data, dict):
        raise _refuse(response, "no 'data' object")
    accepted, duplicates = _count(data.get("accepted")), _count(data.get("duplicates"))
    rejected, ids = data.get("rejected"), data.get("ids")
    if accepted is None or duplicates is None:
        raise _refuse(response, "'accepted' and 'duplicates' must be whole numbers")
    if not isinstance(rejected, list) or not all(map(_rejected_item, rejected)):
        raise _refuse(response, "'rejected' must be a list of {index, code, message}")
    if not isinstance(ids, list) or len(ids) != count:
        raise _refuse(response, f"'ids' must list the {count} entries sent")
    refused = {item["index"] for item in rejected}
    if len(refused) != len(rejected) or not all(0 <= index < count for index in refused):
        raise _refuse(response, "a 'rejected' index is not one of an entry sent")
    for index, entry_id in enumerate(ids):
        if (entry_id is None) != (index in refused) or not (
            entry_id is None or isinstance(entry_id, str)
        ):
            raise _refuse(response, f"'ids'[{index}] disagrees with 'rejected'")
    if accepted + duplicates + len(rejected) != count:
        raise _refuse(
            response,
            f"accepted ({accepted}) + duplicates ({duplicates}) + rejected "
            f"({len(rejected)}) is not the {count} entries sent",
        )
    return Acknowledgement(stored=accepted + duplicates, rejected=rejected)


def _count(value: object) -> int | None:
    return value if type(value) is int and value >= 0 else None


def _rejected_item(item: object) -> bool:
    return (
        isinstance(item, dict)
        and type(item.get("index")) is int
        and isinstance(item.get("code"), str)
        and isinstance(item.get("message"), str)
    )


def _refuse(response: httpx.Response, problem: str) -> NotAcknowledged:
    return NotAcknowledged(
        f"POST /logs was not acknowledged: the server answered {problem}",
        status=response.status_code,
        request_id=response.headers.get("x-request-id"),
    )
