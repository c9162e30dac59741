"""The pipeline with an on-disk spool (``spool_dir``): the spool is its queue.

The hot path encodes each record and appends it to this process's segment (one
``os.write``) instead of keeping it in memory; the worker reads batches back from the
spool, sends them and acknowledges them there. What changes against the in-memory queue:

- a record whose logging call returned survives the death of the process: the next client
  started on the same ``spool_dir`` (in any process) adopts and delivers it;
- an outage (connection errors, timeouts, 408, 5xx once the retries are spent) and a
  shutdown during one lose nothing: the batch stays in the spool and is sent again later,
  with the same record ids, so the server stores each record once;
- the bound is ``max_spool_bytes`` of disk, not ``max_queue_size`` records; past it the
  newest record is refused (counted as ``queue_full``): records on disk are never deleted
  unsent, as with Vector's disk buffers. ``overflow="block"`` waits for room first;
- a disk error (a full disk, a file size limit) refuses the record too, counted as
  ``spool_error``; damaged frames met while reading are counted as ``spool_corrupt``.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

from neurallog import _guard
from neurallog._config import API_MAX_ENTRIES, PipelineOptions, SpoolOptions, check_tags
from neurallog._pipeline import Pipeline
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
    _in_event_loop,
    _trace_ids,
)
from neurallog._spool import FULL, WRITTEN, SpoolBatch, SpoolWriter, encode_record
from neurallog._stats import DeliveryStats
from neurallog.context import _fields as _context_var

if TYPE_CHECKING:
    from neurallog._core import ClientCore

__all__ = ["SpooledPipeline"]

#: Seconds between two looks for dead processes' segments (and fsyncs, when idle).
ADOPT_INTERVAL: Final = 1.0
_OTEL_TRACE: Final = "opentelemetry.trace"
# Reasons of a failed delivery that leave the batch in the spool, to be sent again.
_KEEP: Final = frozenset({"retries_exhausted", "shutdown"})

_modules = sys.modules
_time_ns = time.time_ns
_monotonic = time.monotonic
_ctx_get = _context_var.get
_state = _guard._state


class SpooledPipeline(Pipeline):
    """A :class:`~neurallog._pipeline.Pipeline` whose queue is a spool on disk."""

    def __init__(self, core: ClientCore, options: PipelineOptions, spool: SpoolOptions) -> None:
        self._spool_options = spool
        super().__init__(core, options)
        # The disk is the bound: the 429 hold never drops a batch to make room in memory.
        self._max_queue = NO_LIMIT
        self._high_water = NO_LIMIT  # no backpressure pauses: appending is cheap
        self._block = options.overflow == "block"
        self._block_timeout = options.block_timeout
        self._start_spool()

    def _start_spool(self) -> None:
        spool = self._spool_options
        self._writer = SpoolWriter(
            spool.directory,
            fsync=spool.fsync,
            max_bytes=spool.max_bytes,
            on_error=self._spool_failed,
        )
        if self._adopt_now():
            self._ensure_worker()  # delivered even if this process never logs

    def _init_state(self) -> None:
        super()._init_state()
        self._room = threading.Condition(self._lock)  # overflow="block" waits here
        self._waiting_room = 0
        self._taken_seq = 0  # sequence number of the last own record taken
        self._handle: SpoolBatch | None = None  # the batch in flight
        self._keep = False  # the batch in flight stays in the spool (an outage)
        self._adopted = False  # segments of earlier processes wait to be sent
        self._looked_at = _monotonic()
        self._corrupt_seen = 0
        self._error: tuple[str, BaseException] | None = None
        self._loop_told = False

    # -- the hot path --------------------------------------------------------------------

    def put(
        self,
        level: int,
        message: object,
        metadata: Mapping[str, Any] | None = None,
        source: str | None = None,
        tags: Sequence[str] | None = None,
        timestamp: str | None = None,
    ) -> None:
        """Append one record to the spool (checks as :meth:`RecordQueue.put`)."""
        if metadata is not None and type(metadata) is not dict:
            if not isinstance(metadata, Mapping):
                raise TypeError(f"metadata must be a dict or None, got {type(metadata).__name__}")
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
        if self._worker is None:
            self._ensure_worker()
        if self._error is not None:
            self._report_spool_error()

    def _append(self, payload: bytes, static: object) -> None:
        with self._lock:
            self._enqueued += 1
            if self._closed:
                self._dropped["closed"] += 1
                self._losses += 1
                return
            answer = self._writer.append(payload, static)
            if answer == FULL and self._block:
                answer = self._wait_for_room(payload, static)
            if answer != WRITTEN:
                self._dropped["queue_full" if answer == FULL else "spool_error"] += 1
                self._losses += 1
                return
            self._seq += 1
            self._size += 1
            if self._idle or (self._waiting and self._size >= self._batch_size):
                self._idle = self._waiting = False
                self._wake.notify()

    def _wait_for_room(self, payload: bytes, static: object) -> int:
        """``overflow="block"``: wait (lock held) up to ``block_timeout`` for room."""
        if _in_event_loop():
            if not self._loop_told:
                self._loop_told = True
                self._diag.emit(
                    "block_loop",
                    logging.WARNING,
                    "NeuralLog: overflow='block' does not block a thread running an asyncio "
                    "event loop; the newest record is dropped instead when the spool is full",
                )
            return FULL
        deadline = _monotonic() + self._block_timeout
        self._waiting_room += 1
        try:
            while not self._closed:
                remaining = deadline - _monotonic()
                if remaining <= 0:
                    return FULL
                self._room.wait(remaining)
                answer = self._writer.append(payload, static)
                if answer != FULL:
                    return answer
            return FULL
        finally:
            self._waiting_room -= 1

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
        if self._worker is None and not self._closed:
            self._ensure_worker()
        if self._error is not None:
            self._report_spool_error()

    def _spool_failed(self, what: str, exc: BaseException) -> None:
        self._error = (what, exc)  # reported outside the lock, by the caller

    def _report_spool_error(self) -> None:
        error, self._error = self._error, None
        if error is not None:
            self._diag.emit(
                "spool_error",
                logging.ERROR,
                "NeuralLog: the spool in %s failed (%s): %s; records that could not be "
                "written are counted as dropped (spool_error)",
                self._spool_options.directory,
                error[0],
                error[1],
            )

    # -- the consumer --------------------------------------------------------------------

    def _head_seq(self) -> int:
        if self._adopted:
            return 0  # a backlog of earlier processes: due at once
        return self._taken_seq + 1 if self._size else NO_LIMIT

    def _take(self, limit: int) -> list[Record]:
        """The next batch from the spool (lock held): adopted segments first."""
        batch = self._writer.read(min(limit, API_MAX_ENTRIES))
        self._count_corrupt()
        if batch is None:
            if self._adopted:
                self._adopted = self._writer.holds_adopted() and self._writer.pending()
                if not self._adopted:
                    self._settled.notify_all()
            if not self._adopted and self._size:
                # Counted but not readable: cannot happen unless the files were removed.
                self._size = 0
            self._inflight = 0
            self._inflight_floor = NO_LIMIT
            return []
        count = len(batch.records)
        self._handle = batch
        self._keep = False
        self._inflight = count
        if batch.recovered:
            self._enqueued += count
            self._inflight_floor = NO_LIMIT
            seq = 0
        else:
            seq = self._taken_seq
            self._inflight_floor = seq + 1
            self._taken_seq += count
            self._size -= count
        self._pending_since = None if not self._size else _monotonic()
        return [(seq + i + 1, *record) for i, record in enumerate(batch.records)]

    def _next_batch(self) -> list[Record] | None:
        while True:
            self._housekeeping()
            with self._lock:
                if self._adopted and not self._paused and not self._aborted:
                    if self._stopping and self._past_deadline():
                        return None
                    batch = self._take(API_MAX_ENTRIES)
                    if batch:
                        return batch
            due = self._wait_for_batch()
            if due is None or due:
                return due

    def _wait_for_batch(self) -> list[Record] | None:
        """The base worker's wait, with a periodic wake-up for adoption and fsync."""
        with self._lock:
            while True:
                if self._paused:
                    self._rest(None)
                    continue
                size = self._size
                if self._adopted:
                    return []
                if self._stopping:
                    if not size or self._aborted or self._past_deadline():
                        return None
                    return self._take(API_MAX_ENTRIES)
                if size:
                    if self._head_seq() <= self._flush_target:
                        return self._take(API_MAX_ENTRIES)
                    if self._auto:
                        if size >= self._batch_size:
                            return self._take(API_MAX_ENTRIES)
                        now = _monotonic()
                        if self._pending_since is None:
                            self._pending_since = now
                        remaining = self._pending_since + self._interval - now
                        if remaining <= 0:
                            return self._take(API_MAX_ENTRIES)
                        self._waiting = True
                        self._rest(min(remaining, ADOPT_INTERVAL))
                        self._waiting = False
                        if _monotonic() - self._looked_at >= ADOPT_INTERVAL:
                            return []
                        continue
                self._idle = True
                self._rest(ADOPT_INTERVAL)
                self._idle = False
                if _monotonic() - self._looked_at >= ADOPT_INTERVAL:
                    return []

    def _housekeeping(self) -> None:
        """Look for dead processes' segments and fsync, at most once per interval."""
        now = _monotonic()
        if now - self._looked_at < ADOPT_INTERVAL:
            return
        self._looked_at = now
        self._writer.sync()
        self._adopt_now()

    def _adopt_now(self) -> bool:
        if not self._writer.adopt():
            return False
        with self._lock:
            self._adopted = True
            self._wake.notify_all()
        return True

    def _count_corrupt(self) -> None:
        """Damaged frames the reader skipped become ``spool_corrupt`` losses (lock held)."""
        corrupt = self._writer.stats.corrupt
        new = corrupt - self._corrupt_seen
        if new > 0:
            self._corrupt_seen = corrupt
            self._enqueued += new
            self._dropped["spool_corrupt"] += new
            self._losses += new

    def _deliver(self, batch: list[Record]) -> None:
        """Send the batch, then acknowledge it in the spool, or keep it there (an outage)."""
        try:
            super()._deliver(batch)
        finally:
            self._settle_batch()

    def _settle_batch(self) -> None:
        handle, self._handle = self._handle, None
        if handle is None:
            return
        if self._keep:
            self._writer.rewind(handle)
            with self._lock:
                count = len(handle.records)
                if handle.recovered:
                    self._enqueued -= count
                    self._adopted = True
                else:
                    self._taken_seq -= count
                    self._size += count
                self._settled.notify_all()
            return
        self._writer.ack(handle)
        with self._lock:
            if self._waiting_room:
                self._room.notify_all()
        self._writer.sync()

    def _fail(self, count: int, reason: str, exc: BaseException) -> None:
        if reason not in _KEEP or self._handle is None:
            super()._fail(count, reason, exc)
            return
        self._keep = True
        self._diag.emit(
            "outage",
            logging.WARNING,
            "NeuralLog: could not deliver %d record(s): %s; they stay in the spool and are "
            "sent again later",
            count,
            exc,
        )
        if not self._stopping:
            self._outage += 1
            self._sleep(self._policy.backoff(self._outage + 1))

    def _drop(self, count: int, reason: str, error: BaseException | None) -> None:
        if reason == "shutdown" and self._handle is not None:
            self._keep = True  # the next start sends it
            return
        super()._drop(count, reason, error)

    def _settled_upto(self, target: int) -> bool:
        return not self._adopted and super()._settled_upto(target)

    # -- close and fork ------------------------------------------------------------------

    def _write_off_pending(self, in_flight: int) -> int:
        """Nothing is written off at close: what is left stays in the spool for the next
        start (lock held)."""
        self._settled.notify_all()
        self._room.notify_all()
        return 0

    def finish_close(self) -> bool:
        result = super().finish_close()
        with self._lock:
            left = self._size + self._inflight
            result = result and not left and not self._adopted
        self._writer.close()
        if left:
            self._diag.emit(
                "spooled",
                logging.INFO,
                "NeuralLog: %d record(s) not sent yet stay in %s for the next start",
                left,
                self._spool_options.directory,
            )
        return result

    def after_fork_in_child(self) -> None:
        super().after_fork_in_child()
        # The writer forgot the parent's files at the fork (its own fork hook).
        self._adopted = False

    # -- stats ---------------------------------------------------------------------------

    @property
    def stats(self) -> DeliveryStats:
        spool = self._writer.stats
        with self._lock:
            self._count_corrupt()
            return DeliveryStats(
                enqueued=self._enqueued,
                sent=self._sent,
                queued=self._size + self._inflight - self._written_off,
                filtered=self._filtered,
                dropped=dict(self._dropped),
                requests=self._requests,
                spool_bytes=spool.bytes,
                recovered=spool.recovered,
            )
