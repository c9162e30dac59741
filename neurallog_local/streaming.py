"""Live tail: wake-ups on ingest, and the Server-Sent Events of ``GET /logs/stream``."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from typing import Any

import anyio.to_thread
import orjson
from sse_starlette import ServerSentEvent

from .logstore import LogStore
from .query import LogFilter
from .timeutil import format_us, now_us

_PAGE = 500
# Streams re-check the database this often even without a wake-up: a safety net only.
_IDLE_RECHECK = 5.0


class Broker:
    """Wakes the streams of a tenant when entries were stored for it."""

    def __init__(self) -> None:
        self._versions: dict[str, int] = {}
        self._events: dict[str, asyncio.Event] = {}
        self.closing = False

    def version(self, tenant: str) -> int:
        return self._versions.get(tenant, 0)

    def notify(self, tenant: str) -> None:
        """New entries for ``tenant`` (call from the event loop)."""
        self._versions[tenant] = self._versions.get(tenant, 0) + 1
        event = self._events.pop(tenant, None)
        if event is not None:
            event.set()

    async def wait(self, tenant: str, seen: int, timeout: float) -> None:
        """Return once ``tenant``'s version moved past ``seen``, the broker closes, or
        ``timeout`` passed."""
        if self.closing or self.version(tenant) != seen:
            return
        event = self._events.setdefault(tenant, asyncio.Event())
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), timeout)

    def close(self) -> None:
        """End every stream (server shutdown)."""
        self.closing = True
        for event in self._events.values():
            event.set()
        self._events.clear()


def heartbeat(cursor: int) -> ServerSentEvent:
    """The ``heartbeat`` event; its ``id`` is the stream's resume position ``cursor``."""
    data = orjson.dumps({"timestamp": format_us(now_us())}).decode()
    return ServerSentEvent(data=data, event="heartbeat", id=str(cursor))


def _log_event(seq: int, entry: dict[str, Any]) -> ServerSentEvent:
    return ServerSentEvent(data=orjson.dumps(entry).decode(), event="log", id=str(seq))


async def log_events(
    logs: LogStore,
    broker: Broker,
    tenant: str,
    selection: LogFilter,
    follow: bool,
    history: int,
    resume_after: int | None,
    heartbeat_interval: float,
    upto: int,
) -> AsyncIterator[ServerSentEvent]:
    """The events of one stream.

    Every entry has a cursor (its storage sequence number), and the stream only ever moves
    forward from the last cursor it sent, which is what makes resuming exact. Heartbeats are
    sent from here, in line with the entries, rather than by a timer beside the stream:
    their ``id`` is the cursor after which the next entry will come, so it must never pass
    an entry not yet written, nor fall behind one already written.

    ``upto`` is the last stored entry's cursor when the stream was opened, read before the
    response's headers are sent: everything stored after a client saw the headers is news.
    """
    sent = 0
    if resume_after is None:
        rows = await anyio.to_thread.run_sync(logs.newest, tenant, selection, upto, history)
        for seq, entry in rows:
            yield _log_event(seq, entry)
            sent += 1
        # Entries up to `upto` were either replayed or are older than the history.
        cursor = upto
    else:
        cursor = resume_after
    next_beat = 0.0
    if follow:
        # At once, so that a client holds a cursor even before the first entry arrives.
        yield heartbeat(cursor)
        next_beat = time.monotonic() + heartbeat_interval
    while not broker.closing:
        seen = broker.version(tenant)
        limit = None if follow else upto
        rows = await anyio.to_thread.run_sync(logs.tail, tenant, selection, cursor, limit, _PAGE)
        for seq, entry in rows:
            yield _log_event(seq, entry)
            sent += 1
            cursor = seq
        if not follow:
            if len(rows) == _PAGE:
                continue
            break
        now = time.monotonic()
        if now >= next_beat:
            yield heartbeat(cursor)
            next_beat = now + heartbeat_interval
        if len(rows) == _PAGE:
            continue
        await broker.wait(tenant, seen, min(_IDLE_RECHECK, next_beat - now))
    if not follow:
        yield ServerSentEvent(data=orjson.dumps({"count": sent}).decode(), event="end")
