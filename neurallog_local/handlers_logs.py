"""Handlers of the ``logs`` operations."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import anyio.to_thread
from sse_starlette import EventSourceResponse
from starlette.responses import Response

from .errors import bad_request, issue, not_found
from .ingest import prepare
from .query import LogFilter, parse_fields, parse_filter_param, parse_sort, parse_text_query
from .request_flow import Call, Reply, page, pagination
from .streaming import log_events
from .timeutil import datetime_to_us, now_us, parse_rfc3339


def _moment(value: datetime | str | None) -> int | None:
    # openapi-core accepts a lower-case "t" or "z" (as RFC 3339 does) but leaves the value
    # a string, which it types as a datetime otherwise.
    if value is None:
        return None
    return parse_rfc3339(value) if isinstance(value, str) else datetime_to_us(value)


def selection_of(query: dict[str, Any]) -> LogFilter:
    """The ``LogFilter`` of an operation's typed query parameters."""
    return LogFilter(
        levels=list(query.get("level") or []),
        sources=list(query.get("source") or []),
        tags=list(query.get("tags") or []),
        since_us=_moment(query.get("from")),
        until_us=_moment(query.get("to")),
        filter=parse_filter_param(query.get("filter")),
        match=parse_text_query(query.get("query")),
    )


async def ingest(call: Call) -> Reply:
    services = call.services
    # On the event loop: a thread hop costs more than checking a batch of 100 entries,
    # and the writer thread stores the previous batches meanwhile (SQLite releases the GIL).
    prepared = prepare(services.contract.log_input, call.body["logs"], now_us())
    stored = await services.writer.store(call.tenant, prepared.entries)
    if stored.fresh:
        services.broker.notify(call.tenant)
    if stored.rules:
        # Rules are evaluated off the request path: the answer never waits for them.
        entries = [entry.as_entry() for entry in stored.fresh]
        services.evaluator.submit(call.tenant, stored.rules, entries)
    result = {
        "accepted": len(stored.fresh),
        "duplicates": stored.duplicates,
        "rejected": prepared.rejected,
        "ids": prepared.ids,
    }
    return Reply(202, result)


async def list_logs(call: Call) -> Reply:
    query = call.query
    selection = selection_of(query)
    sort = parse_sort(query.get("sort"))
    fields = parse_fields(query.get("fields"))
    limit, offset, skip = page(query)
    rows, total = await anyio.to_thread.run_sync(
        call.services.logs.search, call.tenant, selection, sort, fields, limit, skip
    )
    return Reply(200, rows, pagination(total, limit, offset, len(rows)))


async def get_log(call: Call) -> Reply:
    entry = await anyio.to_thread.run_sync(
        call.services.logs.get, call.tenant, call.params.path["log_id"]
    )
    if entry is None:
        raise not_found("log entry")
    return Reply(200, entry)


async def delete_logs(call: Call) -> Reply:
    selection = selection_of(call.query)
    if selection.is_empty() and not call.query.get("all"):
        raise bad_request(
            "refusing to delete every entry: give a filter, or all=true to empty the tenant",
            [issue("query.all", "must be true when no filter is given")],
        )
    deleted = await anyio.to_thread.run_sync(call.services.logs.delete, call.tenant, selection)
    return Reply(200, {"deleted": deleted})


async def stream_logs(call: Call) -> Response:
    services = call.services
    query = call.query
    selection = selection_of(query)
    resume_after = None
    last_event_id = call.params.header.get("Last-Event-ID")
    if last_event_id is not None and str(last_event_id).strip():
        text = str(last_event_id).strip()
        # isdigit() alone admits '²' and other digits that int() refuses.
        if not (text.isascii() and text.isdigit()):
            raise bad_request(
                "Last-Event-ID is not a cursor of this stream",
                [issue("header.Last-Event-ID", "must be the id of an event of a stream")],
            )
        resume_after = min(int(text), 2**62)  # a cursor from the future waits for it
    # Before the headers go out: an entry stored once the client has them is in the stream.
    upto = await anyio.to_thread.run_sync(services.logs.last_seq)
    events = log_events(
        services.logs,
        services.broker,
        call.tenant,
        selection,
        bool(query["follow"]),
        int(query["history"]),
        resume_after,
        services.settings.heartbeat_interval,
        upto,
    )
    # The stream sends its own heartbeats (each carries the resume cursor, in line with the
    # entries); sse-starlette's timer-driven pings are off.
    return EventSourceResponse(events, ping=0)
