"""``client.logs``: search, list, get, delete, live-tail and batch-log entries.

Each operation is a request function below (signature, documentation, checks, request);
:class:`Logs` and :class:`AsyncLogs` are both made from them (see ``_base``).
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from functools import partial
from typing import Any

import attrs
from neurallog_api.api.logs import (
    delete_logs,
    get_log,
    ingest_logs,
    list_logs,
    search_logs,
    stream_logs,
)
from neurallog_api.types import UNSET, Unset

from neurallog import _checks
from neurallog._levels import level_name
from neurallog._timestamps import rfc3339
from neurallog.resources import _parse
from neurallog.resources._base import (
    AsyncResource,
    Resource,
    SyncResource,
    async_call,
    async_list,
    coroutine_method,
    method,
    request,
    sync_call,
    sync_list,
)
from neurallog.resources._build import (
    Call,
    ListCall,
    by_id,
    check_limit,
    encode_json,
    fields_param,
    filter_json,
    list_call,
    query_param,
    sort_param,
    time_bounds,
    verbatim,
)
from neurallog.resources._streaming import (
    DEFAULT_HEARTBEAT_TIMEOUT,
    AsyncLogStream,
    LogStream,
    _TailState,
)
from neurallog.types import DeleteResult, IngestResult, LogEntry, SortField, TimeRange

__all__ = ["AsyncLogs", "Logs"]

Filter = Mapping[str, Any]
Sort = str | Sequence[SortField | Mapping[str, str] | str | tuple[str, str]]
TimeRangeArg = TimeRange | Mapping[str, Any] | str | timedelta
Entries = Sequence[Mapping[str, Any]]

MAX_INGEST = 1000
_MAX_CURSOR = 128


def _listing(
    get_kwargs: Callable[..., dict[str, Any]],
    *,
    filter: object,
    time_range: object,
    sort: object,
    fields: object,
    limit: object,
    offset: object,
    **more: object,
) -> ListCall[LogEntry]:
    start, end = time_bounds(time_range)
    at = partial(
        get_kwargs,
        filter_=filter_json(filter),
        from_=start,
        to=end,
        sort=sort_param(sort),
        fields=fields_param(fields),
        limit=check_limit(limit),
        **more,
    )
    return list_call(at, offset)


@request("logs")
def _search(
    query: str | None = None,
    filter: Filter | None = None,
    time_range: TimeRangeArg | None = None,
    sort: Sort | None = None,
    limit: int = 10,
    offset: int = 0,
    *,
    fields: Sequence[str] | str | None = None,
) -> ListCall[LogEntry]:
    """Full-text search; a page of entries (relevance, then newest first, unless ``sort``).

    Args:
        query: Full-text query over message, source, tags and metadata values: words
            (all must match), ``"quoted phrases"``, ``prefix*``, ``OR``, ``NOT``, parentheses.
        filter: Every key must match, e.g. ``{"level": ["ERROR", "FATAL"],
            "source": ["api-service"], "metadata.user_id": "123"}``. A list means
            "any of"; a dict applies operators (``eq ne gt gte lt lte in contains exists``).
        time_range: ``{"start": ..., "end": ...}`` with RFC 3339 strings, aware
            datetimes or durations before now (``"2h"``); or ``"15m"`` / a ``timedelta``
            for "the last ...".
        sort: ``[{"field": "timestamp", "order": "desc"}]`` or ``"timestamp:desc,level:asc"``.
        limit: Page size, 1 to 1000.
        offset: Matches to skip.
        fields: Only these fields (``id`` is always returned).

    The page is a list of entry dicts with ``total`` and ``has_more``; ``next_page()``,
    ``iter_pages()`` and ``iter_all()`` fetch the following pages on demand.
    """
    return _listing(
        search_logs._get_kwargs,
        query=query_param(query),
        filter=filter,
        time_range=time_range,
        sort=sort,
        fields=fields,
        limit=limit,
        offset=offset,
    )


@request("logs")
def _list(
    filter: Filter | None = None,
    time_range: TimeRangeArg | None = None,
    sort: Sort | None = None,
    limit: int = 10,
    offset: int = 0,
    *,
    fields: Sequence[str] | str | None = None,
) -> ListCall[LogEntry]:
    """A page of the entries matching ``filter`` and ``time_range``, newest first unless ``sort``.

    The arguments are those of :meth:`search`, without ``query``.
    """
    return _listing(
        list_logs._get_kwargs,
        filter=filter,
        time_range=time_range,
        sort=sort,
        fields=fields,
        limit=limit,
        offset=offset,
    )


@request("logs")
def _get(log_id: str) -> Call[LogEntry]:
    """One entry by id; :class:`~neurallog.exceptions.NotFoundError` if there is none."""
    return by_id("log_id", log_id, get_log._get_kwargs)


@request("logs")
def _delete(
    filter: Filter | None = None,
    *,
    query: str | None = None,
    time_range: TimeRangeArg | None = None,
    all: bool = False,
) -> Call[DeleteResult]:
    """Delete the entries matching every given criterion; ``{"deleted": n}``.

    At least one of ``filter``, ``query`` and ``time_range`` is required, so that a
    missing argument never empties the tenant; ``all=True`` deletes every entry.
    """
    everything = _checks.boolean("all", all)
    filter_ = filter_json(filter)
    query_ = query_param(query)
    start, end = time_bounds(time_range)
    narrowed = any(not isinstance(v, Unset) for v in (filter_, query_, start, end))
    if not narrowed and not everything:
        raise ValueError(
            "logs.delete() needs a filter, query or time_range saying what to delete; "
            "pass all=True to delete every entry of the tenant"
        )
    if narrowed and everything:
        raise ValueError(
            "logs.delete(): all=True deletes everything; do not combine it with a filter"
        )
    kwargs = delete_logs._get_kwargs(
        query=query_, filter_=filter_, from_=start, to=end, all_=everything or UNSET
    )
    return Call(kwargs, _parse.data)


# -- live tail -------------------------------------------------------------------------------


def check_heartbeat_timeout(value: object) -> float:
    """``heartbeat_timeout`` as a finite, positive number of seconds."""
    return _checks.seconds("heartbeat_timeout", value, above_zero=True)


def check_last_event_id(value: object) -> str | None:
    """``last_event_id``: a cursor a stream handed out, sent as the ``Last-Event-ID`` header."""
    if value is None:
        return None
    cursor = _checks.string("last_event_id", value)
    if not (0 < len(cursor) <= _MAX_CURSOR and cursor.isascii() and cursor.isprintable()):
        raise ValueError(
            "last_event_id must be a cursor a stream handed out (stream.last_event_id): "
            f"1 to {_MAX_CURSOR} printable ASCII characters; got {cursor!r}"
        )
    return cursor


@attrs.frozen
class _Tail:
    """A checked live-tail request, before it is bound to a client's settings."""

    build: Callable[[str | None], dict[str, Any]]
    heartbeat_timeout: float
    last_event_id: str | None

    def state(self, resource: Resource) -> _TailState:
        return _TailState(
            self.build,
            resource._client._core.options,
            heartbeat_timeout=self.heartbeat_timeout,
            last_event_id=self.last_event_id,
        )


@request("logs")
def _stream(
    query: str | None = None,
    filter: Filter | None = None,
    follow: bool = True,
    *,
    history: int | None = None,
    last_event_id: str | None = None,
    heartbeat_timeout: float = DEFAULT_HEARTBEAT_TIMEOUT,
) -> _Tail:
    """Live tail: the newest ``history`` matches (server default 10), then new ones.

    Iterate it with ``for`` on ``NeuralLog`` and with ``async for`` on ``AsyncNeuralLog``.
    The connection opens on the first iteration (not here), so the history is the newest
    matches at that moment. With ``follow=True`` (the default) the iterator never ends on
    its own; a dropped connection is resumed where it stopped, and silence longer than
    ``heartbeat_timeout`` seconds counts as a drop (keep it above the server's 15 s
    heartbeat interval). With ``follow=False`` it ends after the history. Leaving the loop
    early closes the connection once the stream is dropped; a ``with`` (``async with``)
    block, or ``close()`` (``aclose()``), closes it at once::

        for log in client.logs.stream(query="error", follow=True):
            print(log["timestamp"], log["level"], log["message"])

    ``last_event_id`` resumes from a cursor received earlier (``stream.last_event_id``).
    """
    at = partial(
        stream_logs._get_kwargs,
        query=query_param(query),
        filter_=filter_json(filter),
        follow=_checks.boolean("follow", follow),
        history=UNSET
        if history is None
        else _checks.integer("history", history, minimum=0, maximum=1000),
    )

    def build(cursor: str | None) -> dict[str, Any]:
        kwargs = at(last_event_id=UNSET if cursor is None else cursor)
        kwargs["headers"].update({"Accept": "text/event-stream", "Cache-Control": "no-store"})
        return kwargs

    return _Tail(
        build,
        heartbeat_timeout=check_heartbeat_timeout(heartbeat_timeout),
        last_event_id=check_last_event_id(last_event_id),
    )


_ASTREAM_DOC = """The live tail of :meth:`stream` as an async iterator, usable from any event loop::

    async for log in client.logs.astream(query="error", follow=True):
        ...

Each stream opens its own connection on the first iteration and closes it when it ends.
Leaving the loop with ``break`` closes it from a task on the event loop; ``async with``
or ``aclose()`` closes it at once. The arguments are those of :meth:`stream`.
"""


def _sync_tail(resource: SyncResource, tail: _Tail) -> LogStream:
    return LogStream(resource._client._core.http, tail.state(resource))


def _async_tail(resource: AsyncResource, tail: _Tail) -> AsyncLogStream:
    return AsyncLogStream(tail.state(resource), http=resource._client._core.async_http)


def _any_loop_tail(resource: Resource, tail: _Tail) -> AsyncLogStream:
    # A shared async httpx client is bound to the first event loop that used it; this
    # stream gets its own and closes it when the stream ends.
    return AsyncLogStream(tail.state(resource), new_http=resource._client._core.new_async_http)


# -- writing entries -------------------------------------------------------------------------


@request("logs")
def _batch_log(entries: Entries) -> Entries:
    """Enqueue several entries for background delivery; their ids, in order.

    Every entry is validated first (a ``ValueError``/``TypeError`` names the index of
    the bad one and nothing is enqueued); like ``log()``, this never waits for the network.
    """
    return entries


def _enqueue(resource: Resource, entries: Entries) -> builtins.list[str]:
    return resource._client._pipeline.submit_entries(entries)


async def _aenqueue(resource: Resource, entries: Entries) -> builtins.list[str]:
    return _enqueue(resource, entries)


def normalize_log_input(index: int, entry: object) -> dict[str, Any]:
    """One entry for ``POST /logs``: level names and datetimes made wire-ready."""
    if not isinstance(entry, Mapping):
        raise TypeError(f"entries[{index}] must be a dict, got {type(entry).__name__}")
    out = dict(entry)
    if "level" not in out or "message" not in out:
        raise ValueError(f"entries[{index}] needs 'level' and 'message'")
    try:
        out["level"] = level_name(out["level"])
    except ValueError as error:
        raise ValueError(f"entries[{index}]['level']: {error}") from None
    if not isinstance(out["message"], str):
        raise TypeError(
            f"entries[{index}]['message'] must be a string, got {type(out['message']).__name__}"
        )
    timestamp = out.get("timestamp")
    if isinstance(timestamp, datetime):
        out["timestamp"] = rfc3339(f"entries[{index}]['timestamp']", timestamp)
    elif timestamp is None:
        out.pop("timestamp", None)
    return out


@request("logs")
def _ingest(entries: Entries) -> builtins.list[Call[IngestResult]]:
    """Send entries now and return what the server stored.

    Unlike :meth:`batch_log`, this waits until the server answers and raises on failure:
    for scripts and imports. The result counts ``accepted`` and ``duplicates`` and lists
    ``rejected`` entries by index; more than 1000 entries are sent in several requests and
    the results merged (not atomically: if a later request fails, the entries of the
    earlier ones stay stored; sending again is safe when every entry carries its own
    ``id``, since the server ignores ids it already has).
    """
    if isinstance(entries, Mapping) or not isinstance(entries, Sequence):
        raise TypeError(f"entries must be a list of dicts, got {type(entries).__name__}")
    if not entries:
        raise ValueError("entries is empty")
    logs = [normalize_log_input(i, e) for i, e in enumerate(entries)]
    calls: builtins.list[Call[IngestResult]] = []
    for start in range(0, len(logs), MAX_INGEST):
        kwargs = ingest_logs._get_kwargs(body=verbatim({"logs": logs[start : start + MAX_INGEST]}))
        calls.append(Call(encode_json("entries", kwargs), _parse.ingest_result))
    return calls


def merge_ingest_results(results: Sequence[IngestResult]) -> IngestResult:
    """One ``IngestResult`` for a request split into chunks of 1000."""
    merged: IngestResult = {"accepted": 0, "duplicates": 0, "rejected": [], "ids": []}
    for chunk, result in enumerate(results):
        merged["accepted"] += result["accepted"]
        merged["duplicates"] += result["duplicates"]
        for rejected in result["rejected"]:
            merged["rejected"].append({**rejected, "index": rejected["index"] + chunk * MAX_INGEST})
        merged["ids"].extend(result["ids"])
    return merged


def _send_each(resource: SyncResource, calls: Sequence[Call[IngestResult]]) -> IngestResult:
    return merge_ingest_results([resource._send(call) for call in calls])


async def _asend_each(resource: AsyncResource, calls: Sequence[Call[IngestResult]]) -> IngestResult:
    return merge_ingest_results([await resource._send(call) for call in calls])


# -- the twins -------------------------------------------------------------------------------


class Logs(SyncResource):
    """Log entries of the tenant: ``NeuralLog.logs``."""

    search = sync_list(_search)
    list = sync_list(_list)
    get = sync_call(_get)
    delete = sync_call(_delete)
    stream = method(_stream, _sync_tail)
    astream = method(_stream, _any_loop_tail, doc=_ASTREAM_DOC)
    batch_log = method(_batch_log, _enqueue)
    ingest = method(_ingest, _send_each)


class AsyncLogs(AsyncResource):
    """Log entries of the tenant: ``AsyncNeuralLog.logs``."""

    search = async_list(_search)
    list = async_list(_list)
    get = async_call(_get)
    delete = async_call(_delete)
    stream = method(_stream, _async_tail)
    astream = method(_stream, _any_loop_tail, doc=_ASTREAM_DOC)
    batch_log = coroutine_method(_batch_log, _aenqueue)
    ingest = coroutine_method(_ingest, _asend_each)


#: Former names, kept for code that imported them.
LogsModule = Logs
AsyncLogsModule = AsyncLogs
