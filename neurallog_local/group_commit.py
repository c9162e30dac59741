"""Group commit: one thread stores every ingested batch, the batches that wait together
in one transaction.

Concurrent ingest requests used to each take a worker thread, then queue for the single
writer's lock, one transaction each: eight clients paid eight transactions, eight FTS5
passes and the lock handed between eight threads that all wanted the GIL. Here requests
queue their prepared entries for one writer thread; while it commits one group, the next
batches gather, and it stores all of them in its next transaction. Each request is
answered once its own rows are committed, with its own counts. A group that fails is
rolled back and its batches are stored one by one, so a batch SQLite refuses fails its
own request only.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import threading
from dataclasses import dataclass

from .logstore import LogStore, PreparedEntry
from .rules import Compiled, RuleEngine

log = logging.getLogger("neurallog_local")

# A group stops growing past this many entries, so that one transaction stays short.
MAX_GROUP_ENTRIES = 10_000


@dataclass
class Stored:
    """What became of one batch: the entries newly stored, the duplicates, and the
    tenant's rules in force once they were committed."""

    fresh: list[PreparedEntry]
    duplicates: int
    rules: list[Compiled]


@dataclass
class _Batch:
    tenant: str
    entries: list[PreparedEntry]
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[Stored]


_Answer = tuple[asyncio.Future[Stored], Stored | BaseException]


def _settle(answers: list[_Answer]) -> None:
    for future, outcome in answers:
        if future.done():  # the request was cancelled; its rows are stored all the same
            continue
        if isinstance(outcome, BaseException):
            future.set_exception(outcome)
        else:
            future.set_result(outcome)


class GroupCommitter:
    """The writer thread of ingested batches (started by the first batch)."""

    def __init__(self, logs: LogStore, engine: RuleEngine) -> None:
        self.logs = logs
        self.engine = engine
        # Committed transactions and the batches they stored, for tests and diagnostics.
        self.transactions = 0
        self.batches = 0
        self._queue: queue.SimpleQueue[_Batch | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self._closed = False
        self._failed: BaseException | None = None

    async def store(self, tenant: str, entries: list[PreparedEntry]) -> Stored:
        """Store ``entries`` for ``tenant``; return once they are committed."""
        if not entries:
            return Stored([], 0, [])
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Stored] = loop.create_future()
        # Under the lock close() takes: no batch is queued behind the writer's stop signal.
        with self._start_lock:
            if self._closed:
                raise RuntimeError("the server is shutting down")
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="neurallog-local-writer", daemon=True
                )
                self._thread.start()
            if self._failed is not None:  # the writer stopped on an error (logged)
                raise RuntimeError("the ingest writer has stopped") from self._failed
            self._queue.put(_Batch(tenant, entries, loop, future))
        return await future

    @property
    def waiting(self) -> int:
        """Batches queued and not yet taken by the writer."""
        return self._queue.qsize()

    def close(self) -> None:
        """Store what is queued, then stop the thread (blocks until it has)."""
        with self._start_lock:
            self._closed = True
            thread = self._thread
            if thread is not None:
                self._queue.put(None)
        if thread is not None:
            thread.join()

    def _run(self) -> None:
        group: list[_Batch] = []
        try:
            while True:
                first = self._queue.get()
                if first is None:
                    return
                group = [first]
                size = len(first.entries)
                stop = False
                while size < MAX_GROUP_ENTRIES:
                    try:
                        batch = self._queue.get_nowait()
                    except queue.Empty:
                        break
                    if batch is None:
                        stop = True
                        break
                    group.append(batch)
                    size += len(batch.entries)
                self._answer(list(zip(group, self._store(group), strict=True)))
                group = []
                if stop:
                    return
        except BaseException as exc:  # never leave a request waiting for ever
            log.exception("the ingest writer stopped")
            with self._start_lock:
                self._failed = exc  # from now on store() refuses at once
            unanswered = list(group)
            while True:  # and what was queued before
                try:
                    batch = self._queue.get_nowait()
                except queue.Empty:
                    break
                if batch is not None:
                    unanswered.append(batch)
            self._answer([(batch, exc) for batch in unanswered])
            raise

    def _store(self, group: list[_Batch]) -> list[Stored | BaseException]:
        try:
            results = self.logs.insert_batches([(b.tenant, b.entries) for b in group])
        except Exception as exc:
            if len(group) == 1:
                return [exc]
            # Which batch failed is unknown: each one alone, in its own transaction.
            return [self._store([batch])[0] for batch in group]
        self.transactions += 1
        self.batches += len(group)
        return [
            self._stored(batch.tenant, fresh, duplicates)
            for batch, (fresh, duplicates) in zip(group, results, strict=True)
        ]

    def _stored(
        self, tenant: str, fresh: list[PreparedEntry], duplicates: int
    ) -> Stored | BaseException:
        try:
            # The rules in force now are the ones the entries are evaluated by, later.
            rules = self.engine.rules_for(tenant) if fresh else []
        except Exception as exc:
            return exc
        return Stored(fresh, duplicates, rules)

    @staticmethod
    def _answer(outcomes: list[tuple[_Batch, Stored | BaseException]]) -> None:
        # One call per event loop, not per batch: each wakes the loop through a socket and
        # gives up the GIL.
        by_loop: dict[asyncio.AbstractEventLoop, list[_Answer]] = {}
        for batch, outcome in outcomes:
            by_loop.setdefault(batch.loop, []).append((batch.future, outcome))
        for loop, answers in by_loop.items():
            # The loop may be gone at shutdown; nobody waits for the answer then.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(_settle, answers)
