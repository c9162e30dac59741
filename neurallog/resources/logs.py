"""``client.logs``: search, list, get, delete, live-tail and batch-log entries."""

from __future__ import annotations

import builtins
from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any, cast

from neurallog.resources import _build
from neurallog.resources._base import AsyncResource, HasCore, SyncResource
from neurallog.resources._pages import AsyncPage, Page
from neurallog.resources._streaming import (
    DEFAULT_HEARTBEAT_TIMEOUT,
    AsyncLogStream,
    LogStream,
    _TailState,
)
from neurallog.types import DeleteResult, IngestResult, LogEntry, SortField, TimeRange

Filter = Mapping[str, Any]
Sort = str | Sequence[SortField | Mapping[str, str] | str | tuple[str, str]]
TimeRangeArg = TimeRange | Mapping[str, Any] | str | timedelta


def _tail_state(
    client: HasCore,
    *,
    query: str | None,
    filter: Filter | None,
    follow: bool,
    history: int | None,
    last_event_id: str | None,
    heartbeat_timeout: float,
) -> _TailState:
    build = _build.stream_request(query=query, filter=filter, follow=follow, history=history)
    return _TailState(
        build,
        client._core.options,
        heartbeat_timeout=_build.check_heartbeat_timeout(heartbeat_timeout),
        last_event_id=_build.check_last_event_id(last_event_id),
    )


def _submit(client: HasCore, entries: Sequence[Mapping[str, Any]]) -> builtins.list[str]:
    return client._pipeline.submit_entries(entries)


class LogsModule(SyncResource):
    """Log entries of the tenant: ``client.logs``."""

    def search(
        self,
        query: str | None = None,
        filter: Filter | None = None,
        time_range: TimeRangeArg | None = None,
        sort: Sort | None = None,
        limit: int = 10,
        offset: int = 0,
        *,
        fields: Sequence[str] | str | None = None,
    ) -> Page[LogEntry]:
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
            fields: Only these fields (``id`` is always returned).
            limit: Page size, 1 to 1000.
            offset: Matches to skip.

        The page is a list of entry dicts with ``total`` and ``has_more``; ``next_page()``
        and ``iter_all()`` fetch the following pages on demand.
        """
        call = _build.search_logs_call(
            query=query,
            filter=filter,
            time_range=time_range,
            sort=sort,
            fields=fields,
            limit=limit,
            offset=offset,
        )
        return self._paged(call)

    def list(
        self,
        filter: Filter | None = None,
        time_range: TimeRangeArg | None = None,
        sort: Sort | None = None,
        limit: int = 10,
        offset: int = 0,
        *,
        fields: Sequence[str] | str | None = None,
    ) -> Page[LogEntry]:
        """Entries matching ``filter`` and ``time_range``, newest first unless ``sort``."""
        call = _build.list_logs_call(
            filter=filter,
            time_range=time_range,
            sort=sort,
            fields=fields,
            limit=limit,
            offset=offset,
        )
        return self._paged(call)

    def get(self, log_id: str) -> LogEntry:
        """One entry by id; :class:`~neurallog.exceptions.NotFoundError` if there is none."""
        return cast(LogEntry, self._send(_build.get_log_call(log_id)))

    def delete(
        self,
        filter: Filter | None = None,
        *,
        query: str | None = None,
        time_range: TimeRangeArg | None = None,
        all: bool = False,
    ) -> DeleteResult:
        """Delete the entries matching every given criterion; ``{"deleted": n}``.

        At least one of ``filter``, ``query`` and ``time_range`` is required, so that a
        missing argument never empties the tenant; ``all=True`` deletes every entry.
        """
        call = _build.delete_logs_call(filter=filter, query=query, time_range=time_range, all=all)
        return cast(DeleteResult, self._send(call))

    def stream(
        self,
        query: str | None = None,
        filter: Filter | None = None,
        follow: bool = True,
        *,
        history: int | None = None,
        last_event_id: str | None = None,
        heartbeat_timeout: float = DEFAULT_HEARTBEAT_TIMEOUT,
    ) -> LogStream:
        """Live tail: the newest ``history`` matches (server default 10), then new ones.

        The connection opens on the first iteration (not here), so the history is the
        newest matches at that moment. With ``follow=True`` (the default) the iterator never
        ends on its own; a dropped connection is resumed where it stopped, and silence
        longer than ``heartbeat_timeout`` seconds counts as a drop (keep it above the
        server's 15 s heartbeat interval). With ``follow=False`` it ends after the history.
        Leaving the loop early closes the connection once the stream is dropped; a ``with``
        block, or ``close()`` (from any thread), closes it at once::

            for log in client.logs.stream(query="error", follow=True):
                print(log["timestamp"], log["level"], log["message"])

        ``last_event_id`` resumes from a cursor received earlier (``stream.last_event_id``).
        """
        state = _tail_state(
            self._client,
            query=query,
            filter=filter,
            follow=follow,
            history=history,
            last_event_id=last_event_id,
            heartbeat_timeout=heartbeat_timeout,
        )
        return LogStream(self._client._core.http, state)

    def astream(
        self,
        query: str | None = None,
        filter: Filter | None = None,
        follow: bool = True,
        *,
        history: int | None = None,
        last_event_id: str | None = None,
        heartbeat_timeout: float = DEFAULT_HEARTBEAT_TIMEOUT,
    ) -> AsyncLogStream:
        """:meth:`stream` as an async iterator, usable from any event loop::

            async for log in client.logs.astream(query="error", follow=True):
                ...

        The connection opens on the first iteration. Leaving the loop with ``break`` closes
        it from a task on the event loop; ``async with`` or ``aclose()`` closes it at once.
        """
        state = _tail_state(
            self._client,
            query=query,
            filter=filter,
            follow=follow,
            history=history,
            last_event_id=last_event_id,
            heartbeat_timeout=heartbeat_timeout,
        )
        # The sync client's shared async httpx client is bound to the first event loop that
        # used it; each stream gets its own and closes it when the stream ends.
        return AsyncLogStream(state, new_http=self._client._core.new_async_http)

    def batch_log(self, entries: Sequence[Mapping[str, Any]]) -> builtins.list[str]:
        """Enqueue several entries for background delivery; their ids, in order.

        Every entry is validated first (a ``ValueError``/``TypeError`` names the index of
        the bad one and nothing is enqueued); like :meth:`NeuralLog.log`, this never waits
        for the network.
        """
        return _submit(self._client, entries)

    def ingest(self, entries: Sequence[Mapping[str, Any]]) -> IngestResult:
        """Send entries now and return what the server stored.

        Unlike :meth:`batch_log`, this blocks until the server answers and raises on
        failure: for scripts and imports. The result counts ``accepted`` and ``duplicates``
        and lists ``rejected`` entries by index; more than 1000 entries are sent in several
        requests and the results merged (not atomically: if a later request fails, the
        entries of the earlier ones stay stored; sending again is safe when every entry
        carries its own ``id``, since the server ignores ids it already has).
        """
        results = [self._send(call) for call in _build.ingest_calls(entries)]
        return cast(IngestResult, _build.merge_ingest_results(results))


class AsyncLogsModule(AsyncResource):
    """Async twin of :class:`LogsModule`: ``AsyncNeuralLog.logs``."""

    async def search(
        self,
        query: str | None = None,
        filter: Filter | None = None,
        time_range: TimeRangeArg | None = None,
        sort: Sort | None = None,
        limit: int = 10,
        offset: int = 0,
        *,
        fields: Sequence[str] | str | None = None,
    ) -> AsyncPage[LogEntry]:
        """Full-text search; see :meth:`LogsModule.search`."""
        call = _build.search_logs_call(
            query=query,
            filter=filter,
            time_range=time_range,
            sort=sort,
            fields=fields,
            limit=limit,
            offset=offset,
        )
        return await self._paged(call)

    async def list(
        self,
        filter: Filter | None = None,
        time_range: TimeRangeArg | None = None,
        sort: Sort | None = None,
        limit: int = 10,
        offset: int = 0,
        *,
        fields: Sequence[str] | str | None = None,
    ) -> AsyncPage[LogEntry]:
        """Entries matching the filters; see :meth:`LogsModule.list`."""
        call = _build.list_logs_call(
            filter=filter,
            time_range=time_range,
            sort=sort,
            fields=fields,
            limit=limit,
            offset=offset,
        )
        return await self._paged(call)

    async def get(self, log_id: str) -> LogEntry:
        """One entry by id."""
        return cast(LogEntry, await self._send(_build.get_log_call(log_id)))

    async def delete(
        self,
        filter: Filter | None = None,
        *,
        query: str | None = None,
        time_range: TimeRangeArg | None = None,
        all: bool = False,
    ) -> DeleteResult:
        """Delete matching entries; see :meth:`LogsModule.delete`."""
        call = _build.delete_logs_call(filter=filter, query=query, time_range=time_range, all=all)
        return cast(DeleteResult, await self._send(call))

    def stream(
        self,
        query: str | None = None,
        filter: Filter | None = None,
        follow: bool = True,
        *,
        history: int | None = None,
        last_event_id: str | None = None,
        heartbeat_timeout: float = DEFAULT_HEARTBEAT_TIMEOUT,
    ) -> AsyncLogStream:
        """Live tail as an async iterator (``async for``); see :meth:`LogsModule.stream`.

        The connection opens on the first iteration. Leaving the loop with ``break`` closes
        it from a task on the event loop; ``async with`` or ``aclose()`` closes it at once.
        """
        state = _tail_state(
            self._client,
            query=query,
            filter=filter,
            follow=follow,
            history=history,
            last_event_id=last_event_id,
            heartbeat_timeout=heartbeat_timeout,
        )
        return AsyncLogStream(state, http=self._client._core.async_http)

    astream = stream

    async def batch_log(self, entries: Sequence[Mapping[str, Any]]) -> builtins.list[str]:
        """Enqueue entries for background delivery (no network I/O); their ids."""
        return _submit(self._client, entries)

    async def ingest(self, entries: Sequence[Mapping[str, Any]]) -> IngestResult:
        """Send entries now; see :meth:`LogsModule.ingest`."""
        results = [await self._send(call) for call in _build.ingest_calls(entries)]
        return cast(IngestResult, _build.merge_ingest_results(results))
