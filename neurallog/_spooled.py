"""The pipeline with an on-disk spool (``spool_dir``): the spool takes the queue's place.

Built from the parts of :mod:`neurallog._pipeline`, each specialised at its seam:

- :class:`SpoolQueue` (for :class:`~neurallog._queue.RecordQueue`): ``put`` encodes the
  record and appends it to this process's segment with one ``os.write``
  (:mod:`neurallog._spool`); ``take`` reads the next batch back (segments adopted from dead
  processes first); ``settle``, the batch's commit point, acknowledges it in the spool, or
  rewinds it when the server could not be reached;
- :class:`SpoolAccounting` (for :class:`~neurallog._accounting.Accounting`): an outage
  (``retries_exhausted``, ``unacknowledged``) or a shutdown during one is not a loss: the
  batch is kept in the spool and sent again later with the same record ids;
- :class:`SpoolWorker` (for :class:`~neurallog._worker.Worker`): looks for dead processes'
  segments and fsyncs (``spool_fsync="interval"``) once a second; ``close()`` leaves what
  it could not send in the spool for the next start instead of writing it off.

The bound is ``max_spool_bytes`` of disk, not ``max_queue_size`` records. Past it the
incoming record is refused (``queue_full``): records on disk are never deleted unsent (as
Vector's disk buffers: block or drop the newest). ``overflow="block"`` waits up to
``block_timeout`` for room first. A disk error (a full disk, a file size limit) refuses the
record too (``spool_error``); damaged frames met while reading are ``spool_corrupt``.
"""

from __future__ import annotations

import dataclasses
import logging
import sys
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

from neurallog import _guard
from neurallog._accounting import Accounting
from neurallog._config import API_MAX_ENTRIES, PipelineOptions, SpoolOptions, check_tags
from neurallog._diagnostics import Diagnostics
from neurallog._queue import (
    CTX,
    ID,
    LEVEL,
    MESSAGE,
    METADATA,
    NO_LIMIT,
    SOURCE,
    STATIC,
    TAGS,
    TIME,
    TIMESTAMP,
    TRACE,
    Record,
    RecordQueue,
    _trace_ids,
)
from neurallog._sender import Sender
from neurallog._spool import FULL, WRITTEN, SpoolBatch, SpoolWriter, encode_record
from neurallog._stats import DeliveryStats
from neurallog._stdlib_record import Snapshot, is_snapshot, snapshot_metadata
from neurallog._worker import Worker
from neurallog.context import _fields as _context_var

if TYPE_CHECKING:
    from neurallog._core import ClientCore

__all__ = [
    "SpoolAccounting",
    "SpoolQueue",
    "SpoolWorker",
    "build",
    "recover",
    "spool_stats",
]

#: Seconds between two looks for dead processes' segments (and fsyncs, when idle).
HOUSEKEEPING_INTERVAL: Final = 1.0
_OTEL_TRACE: Final = "opentelemetry.trace"
# Outcomes that leave the batch in the spool, to be sent again: the server was not reached.
_KEEP: Final = frozenset({"retries_exhausted", "unacknowledged", "shutdown"})

_modules = sys.modules
_time_ns = time.time_ns
_monotonic = time.monotonic
_ctx_get = _context_var.get
_state = _guard._state


class SpoolQueue(RecordQueue):
    """Records waiting on disk; the consumer half reads them back batch by batch.

    ``seq`` numbers this process's records in the order they were written; records of
    earlier processes have none (``head_seq`` is 0 while they wait: they are due at once).
    """

    def __init__(
        self,
        core: ClientCore,
        options: PipelineOptions,
        account: Accounting,
        lock: threading.RLock,
        spool: SpoolOptions,
    ) -> None:
        super().__init__(core, options, account, lock)
        # The disk is the bound: the 429 hold never drops a batch to make room in memory,
        # and appending is cheap enough to need no backpressure pause.
        self.max_size = NO_LIMIT
        self._high_water = NO_LIMIT
        self.directory = spool.directory
        self.writer = SpoolWriter(
            spool.directory,
            fsync=spool.fsync,
            max_bytes=spool.max_bytes,
            on_error=self._spool_failed,
        )

    def reset(self, lock: threading.RLock) -> None:
        super().reset(lock)
        self._taken_seq = 0  # sequence number of the last own record taken
        self._batch: SpoolBatch | None = None  # the batch in flight
        self.keep = False  # the batch in flight stays in the spool (an outage)
        self.adopted = False  # segments of earlier processes wait to be sent
        self.extra_admitted = 0  # refused at the door, damaged, or recovered: for `enqueued`
        self._corrupt_seen = 0
        self._error: tuple[str, BaseException] | None = None
        self._stored: set[str] = set()  # ids of the batch in flight the server acknowledged

    # -- producing -----------------------------------------------------------------------

    def put(
        self,
        level: int,
        message: object,
        metadata: Mapping[str, Any] | Snapshot | None = None,
        source: str | None = None,
        tags: Sequence[str] | None = None,
        timestamp: str | None = None,
    ) -> None:
        """Append one record to the spool (the checks of :meth:`RecordQueue.put`)."""
        if metadata is not None and type(metadata) is not dict:
            if is_snapshot(metadata):  # a stdlib record's (_stdlib_record)
                metadata = snapshot_metadata(metadata)  # written now: the spool keeps JSON
            elif not isinstance(metadata, Mapping):
                raise TypeError(f"metadata must be a dict or None, got {type(metadata).__name__}")
            else:
                metadata = dict(metadata)
        if tags is not None:
            tags = check_tags(tags)
        if source is not None and type(source) is not str and not isinstance(source, str):
            raise TypeError(f"source must be a string or None, got {type(source).__name__}")
        if _state.internal:
            self._count_recursion()
            return
        trace = _trace_ids() if _OTEL_TRACE in _modules else None
        payload = encode_record(
            _time_ns(), level, message, metadata, source, tags, timestamp, _ctx_get(), trace, None
        )
        self._append(payload, self._core.static_context)
        if self.consumer is None:
            self.start_consumer()
        if self._error is not None:
            self._report_spool_error()

    def put_many(self, records: Iterable[Record]) -> None:
        """Append records captured by :meth:`capture` (``batch()``, ``batch_log``)."""
        items = list(records)
        if _state.internal:
            for _ in items:
                self._count_recursion()
            return
        for r in items:
            payload = encode_record(
                r[TIME], r[LEVEL], r[MESSAGE], r[METADATA], r[SOURCE], r[TAGS], r[TIMESTAMP],
                r[CTX], r[TRACE], r[ID],
            )  # fmt: skip
            self._append(payload, r[STATIC])
        if self.consumer is None and not self.closed:
            self.start_consumer()
        if self._error is not None:
            self._report_spool_error()

    def _append(self, payload: bytes, static: object) -> None:
        with self.lock:
            if self.closed:
                first_late = self._account.refuse("closed")
            else:
                first_late = False
                answer = self.writer.append(payload, static)
                if answer == FULL and self._block:
                    answer = self._wait_to_append(payload, static)
                if answer == WRITTEN:
                    self.seq += 1
                    self.size += 1
                    if self.idle or (self.waiting and self.size >= self._batch_size):
                        self.idle = self.waiting = False
                        self.wake.notify()
                else:
                    self.extra_admitted += 1
                    if answer == FULL:
                        self._account.overflow()
                    else:
                        self._account.refuse("spool_error")
        if first_late:
            self._account.warn_closed()  # outside the lock: it calls logging handlers

    def _wait_to_append(self, payload: bytes, static: object) -> int:
        """``overflow="block"``: wait (lock held) up to ``block_timeout`` for room."""
        if self._on_event_loop("the spool's bound drops the newest record instead"):
            return FULL
        deadline = _monotonic() + self._block_timeout
        self.room_waiters += 1
        try:
            while not self.closed:
                remaining = deadline - _monotonic()
                if remaining <= 0:
                    break
                self.room.wait(remaining)
                answer = self.writer.append(payload, static)
                if answer != FULL:
                    return answer
            return FULL
        finally:
            self.room_waiters -= 1

    def _spool_failed(self, what: str, exc: BaseException) -> None:
        self._error = (what, exc)  # reported outside the lock, by the caller

    def _report_spool_error(self) -> None:
        error, self._error = self._error, None
        if error is not None:
            self._account.diag.emit(
                "spool_error",
                logging.ERROR,
                "NeuralLog: the spool in %s failed (%s): %s; records that could not be "
                "written are counted as dropped (spool_error)",
                self.directory,
                error[0],
                error[1],
            )

    # -- consuming (lock held) -----------------------------------------------------------

    def head_seq(self) -> int:
        if self.adopted:
            return 0
        return self._taken_seq + 1 if self.size else NO_LIMIT

    def take(self, limit: int) -> list[Record]:
        """The next batch from the spool: segments of earlier processes first."""
        batch = self.writer.read(min(limit, API_MAX_ENTRIES))
        self.count_corrupt()
        if batch is None:
            if self.adopted:
                self.adopted = self.writer.holds_adopted() and self.writer.pending()
            if not self.adopted:
                # Counted but unreadable: only if the files were removed under us.
                self.size = 0
            self._inflight_floor = NO_LIMIT
            return []
        count = len(batch.records)
        self._batch = batch
        self.keep = False
        if batch.recovered:
            self.extra_admitted += count
            self._inflight_floor = NO_LIMIT
        else:
            self._inflight_floor = self._taken_seq + 1
            self._taken_seq += count
            self.size -= count
        self.pending_since = None if not self.size else _monotonic()
        # The records' sequence numbers stay 0: nothing downstream of take() reads them.
        return batch.records

    def settle(self) -> None:
        """The commit point: acknowledge the batch in the spool, or rewind it (an outage)."""
        batch, self._batch = self._batch, None
        super().settle()
        if batch is None:
            return
        stored, self._stored = self._stored, set()
        keep, self.keep = self.keep, False
        # Records of requests stored before the outage are not sent again: the batch goes
        # back from its first record not stored on. Stored ones after that (the server
        # came back halfway) are sent again, as duplicates, and counted then.
        resolved = 0
        if keep:
            for record in batch.records:
                if record[ID] not in stored:
                    break
                resolved += 1
        if keep and resolved < len(batch.records):
            again = sum(record[ID] in stored for record in batch.records[resolved:])
            self._account.sent_count -= again
            self.writer.rewind(batch, resolved)
            count = len(batch.records) - resolved
            self._account.in_flight = 0  # back to waiting: counted as queued again
            if batch.recovered:
                self.extra_admitted -= count
                self.adopted = True
            else:
                self._taken_seq -= count
                self.size += count
            return
        self.writer.ack(batch)
        if self.room_waiters:
            self.room.notify_all()

    def acknowledged(self, ids: list[str]) -> None:
        """The server stored these records of the batch in flight (:attr:`Sender.acknowledged`)."""
        self._stored.update(ids)

    def settled_upto(self, target: int) -> bool:
        return not self.adopted and super().settled_upto(target)

    def discard_pending(self) -> int:
        """Nothing is discarded: what is left stays in the spool for the next start."""
        self.room.notify_all()
        return 0

    def count_corrupt(self) -> None:
        """Damaged frames the reader skipped become ``spool_corrupt`` losses (lock held)."""
        corrupt = self.writer.stats.corrupt
        new = corrupt - self._corrupt_seen
        if new > 0:
            self._corrupt_seen = corrupt
            self.extra_admitted += new
            for _ in range(new):
                self._account.refuse("spool_corrupt")

    def adopt(self) -> bool:
        """Take over the segments of dead processes (no lock held); True if any."""
        if not self.writer.adopt():
            return False
        with self.lock:
            self.adopted = True
            self.wake.notify_all()
        return True


class SpoolAccounting(Accounting):
    """Accounting where a failure to reach the server is not a loss: the batch is kept."""

    queue: SpoolQueue | None = None

    def drop(self, count: int, reason: str, error: BaseException | None) -> None:
        queue = self.queue
        if reason in _KEEP and queue is not None and self.in_flight:
            with self.lock:
                queue.keep = True
            return
        super().drop(count, reason, error)

    def lost(self, count: int, reason: str, error: BaseException) -> None:
        queue = self.queue
        if reason in _KEEP and queue is not None and self.in_flight:
            self.drop(count, reason, error)
            self.diag.emit(
                "outage",
                logging.WARNING,
                "NeuralLog: could not deliver %d record(s) (%s): %s; they stay in the "
                "spool and are sent again later",
                count,
                reason,
                error,
            )
            return
        super().lost(count, reason, error)


class SpoolWorker(Worker):
    """The worker, plus adoption of dead processes' segments and the interval fsync."""

    _queue: SpoolQueue
    _housekeeping_interval = HOUSEKEEPING_INTERVAL

    def __init__(
        self,
        core: ClientCore,
        options: PipelineOptions,
        queue: RecordQueue,
        account: Accounting,
        sender: Sender,
    ) -> None:
        super().__init__(core, options, queue, account, sender)
        sender.acknowledged = self._queue.acknowledged

    def _init_state(self) -> None:
        super()._init_state()
        self._looked_at = _monotonic()

    def _due_at_once(self) -> bool:
        return self._queue.adopted  # records of earlier processes: due at once

    def _housekeeping(self) -> None:
        """Fsync and look for dead processes' segments, at most once per interval."""
        now = _monotonic()
        if now - self._looked_at < HOUSEKEEPING_INTERVAL:
            return
        self._looked_at = now
        self._queue.writer.sync()
        self._queue.adopt()

    def _write_off_pending(self, stuck: bool) -> int:
        """Nothing is written off: what close() could not send stays in the spool."""
        self._queue.discard_pending()
        self._settled.notify_all()
        return 0

    def finish_close(self) -> bool:
        result = super().finish_close()
        queue = self._queue
        with queue.lock:
            left = queue.size + self._account.in_flight
            result = result and not left and not queue.adopted
        queue.writer.close()
        if left:
            self._account.diag.emit(
                "spooled",
                logging.INFO,
                "NeuralLog: %d record(s) not sent yet stay in %s for the next start",
                left,
                queue.directory,
            )
        return result


def spool_stats(stats: DeliveryStats, queue: SpoolQueue) -> DeliveryStats:
    """``stats`` with the spool's figures (lock held)."""
    queue.count_corrupt()
    spool = queue.writer.stats
    return dataclasses.replace(
        stats,
        enqueued=stats.enqueued + queue.extra_admitted,
        spool_bytes=spool.bytes,
        recovered=spool.recovered,
    )


def recover(queue: RecordQueue) -> bool:
    """Adopt what dead or earlier processes left in the spool; True if anything."""
    return isinstance(queue, SpoolQueue) and queue.adopt()


def build(
    core: ClientCore,
    options: PipelineOptions,
    spool: SpoolOptions,
    lock: threading.RLock,
    diagnostics: Diagnostics,
) -> tuple[SpoolAccounting, SpoolQueue]:
    """The spooled queue and its accounting, wired to each other."""
    account = SpoolAccounting(lock, diagnostics, options.on_drop)
    queue = SpoolQueue(core, options, account, lock, spool)
    account.queue = queue
    return account, queue
