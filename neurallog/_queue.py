"""The bounded record queue: the hot path of every logging call, and its overflow policy.

Where a record starts. ``client.info(...)`` calls :meth:`RecordQueue.put` on the caller's
thread: validate, capture what belongs to the call (time, level, message, a shallow copy
of metadata, the scoped context, the client's static context, the active OpenTelemetry
span's ids) and append a tuple to a deque under a lock that is never held while calling
out. No serialization, no ids, no I/O. The consumer (:mod:`neurallog._worker`) takes
records in sequence order with :meth:`RecordQueue.take`, hands them to the sender, and
marks them resolved with :meth:`RecordQueue.settle`.

Queue bound and overflow: at most ``max_queue_size`` records wait. When full, the oldest
record below ``protect_level`` (default ERROR) is dropped first (``overflow="drop_oldest"``),
or the incoming one (``"drop_newest"``); records at or above ``protect_level`` are dropped
only when nothing below it is left. Every loss is reported to the accounting
(:mod:`neurallog._accounting`), which shares this queue's lock.

Backpressure: a thread logging in a tight loop holds the GIL for whole switch intervals and
would fill the queue faster than the worker can send. While the queue is more than half
full *and* the worker is delivering, one logging call in 64 sleeps 0.2 ms, which hands the
worker the GIL: a burst slows to the delivery rate instead of losing records. During a
backoff or a slow request (backend down or rate limiting), and on a thread running an
asyncio event loop, there is no pause: the bound and the policy apply.

The seam for a durable buffer: the worker only uses the consumer half of this class
(``lock``/``wake``, ``size``, :meth:`head_seq`, :meth:`take`, :meth:`settle`,
:meth:`settled_upto`, :meth:`discard_pending`) and the producer signals it sets (``idle``,
``waiting``, ``busy``, ``request_since``, ``consumer``). A buffer that keeps records on
disk until the server acknowledges them replaces or wraps this queue behind the same
methods: ``put`` appends (and persists), ``take`` reads the next batch, ``settle`` is the
moment the batch is resolved (its records sent or dropped and counted) and may be
forgotten.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

from neurallog import _guard
from neurallog._config import PipelineOptions, check_tags
from neurallog._encoding import normalize_timestamp
from neurallog._ids import new_ids
from neurallog._levels import parse_level
from neurallog._stdlib_record import SNAPSHOT, Snapshot, is_snapshot, snapshot_metadata
from neurallog.context import _fields as _context_var

if TYPE_CHECKING:
    from neurallog._accounting import Accounting
    from neurallog._core import ClientCore

__all__ = [
    "CTX",
    "ID",
    "LEVEL",
    "MESSAGE",
    "METADATA",
    "NO_LIMIT",
    "SEQ",
    "SOURCE",
    "STATIC",
    "TAGS",
    "TIME",
    "TIMESTAMP",
    "TRACE",
    "Record",
    "RecordQueue",
]

# Record layout: a plain tuple is the cheapest thing to build on the hot path.
SEQ, TIME, LEVEL, MESSAGE, METADATA, SOURCE, TAGS, TIMESTAMP, CTX, STATIC, TRACE, ID = range(12)
Record = tuple[Any, ...]

NO_LIMIT: Final = 1 << 62
_BACKPRESSURE_PAUSE: Final = 0.0002  # seconds, on one call in 64 (see _backpressure)
_SLOW_REQUEST: Final = 0.05  # seconds: a request pending longer is a slow backend
_OTEL_TRACE: Final = "opentelemetry.trace"
_ENTRY_KEYS: Final = frozenset({"level", "message", "metadata", "tags", "source", "timestamp"})

_modules = sys.modules
_time_ns = time.time_ns
_yield_gil = time.sleep
_monotonic = time.monotonic
_ctx_get = _context_var.get
_state = _guard._state


def _no_consumer() -> bool:
    return False


class RecordQueue:
    """Records waiting for delivery, in sequence order, and the hot path that fills it."""

    def __init__(
        self,
        core: ClientCore,
        options: PipelineOptions,
        account: Accounting,
        lock: threading.RLock,
    ) -> None:
        self._core = core
        self._account = account
        self._batch_size = core.options.batch_size
        self.max_size = options.max_queue_size
        self._high_water = options.max_queue_size // 2
        self._protect = options.protect_level if options.protect_level is not None else NO_LIMIT
        self._drop_newest = options.overflow == "drop_newest"
        self._block = options.overflow == "block"
        self._block_timeout = options.block_timeout
        self._loop_told = False
        self.closed = False
        #: Starts the consumer; False when no thread can be started (set by the worker).
        self.start_consumer: Callable[[], bool] = _no_consumer
        self.reset(lock)

    def reset(self, lock: threading.RLock) -> None:
        """Empty, under a new lock: a new queue, or a forked child's (never its parent's)."""
        # Re-entrant: a signal handler or a __del__ run by the garbage collector may log
        # while this thread is inside put(); a plain lock would deadlock the thread on itself.
        self.lock = lock
        self.wake = threading.Condition(lock)  # the consumer waits here
        self._low: deque[Record] = deque()
        self._high: deque[Record] = deque()  # records at or above protect_level
        self.size = 0
        self.seq = 0  # records admitted (each gets the next sequence number)
        self._inflight_floor = NO_LIMIT  # sequence number of the first record in flight
        self.pending_since: float | None = None
        # What the consumer tells the producers (set by the worker, read on the hot path):
        self.idle = False  # the worker waits with an empty queue
        self.waiting = False  # the worker waits for batch_size or batch_interval
        self.busy = False  # the worker is delivering (not idle, not in a backoff)
        self.request_since: float | None = None  # when the request in flight was sent
        self.consumer: threading.Thread | object | None = None  # None until started
        self.room = threading.Condition(lock)  # overflow="block" waits here
        self.room_waiters = 0
        self._pressure = 0
        self.pid = os.getpid()

    # -- producing (the caller's thread) -----------------------------------------------------

    def put(
        self,
        level: int,
        message: object,
        metadata: Mapping[str, Any] | Snapshot | None = None,
        source: str | None = None,
        tags: Sequence[str] | None = None,
        timestamp: str | None = None,
    ) -> None:
        """Enqueue one record (``level`` already parsed, ``timestamp`` already normalized)."""
        if metadata is not None:
            if type(metadata) is dict:
                metadata = metadata.copy() if metadata else None
            elif type(metadata) is not tuple or not metadata or metadata[0] is not SNAPSHOT:
                # (a record snapshot, the stdlib handler's, is the call's own copy already)
                metadata = _copy_mapping(metadata)
        if tags is not None:
            tags = check_tags(tags)
        if source is not None and type(source) is not str and not isinstance(source, str):
            raise TypeError(f"source must be a string or None, got {type(source).__name__}")
        if _state.internal:
            self._count_recursion()
            return
        trace = _trace_ids() if _OTEL_TRACE in _modules else None
        now = _time_ns()
        context = _ctx_get()
        static = self._core.static_context
        with self.lock:
            if self.closed:
                first_late = self._account.refuse("closed")
            else:
                first_late = False
                if self.size < self.max_size:
                    seq = self.seq = self.seq + 1
                else:
                    if self._block and not self._wait_for_room():
                        return
                    seq = self.seq = self.seq + 1
                    if self.size >= self.max_size and not self._make_room(level):
                        return
                record = (
                    seq,
                    now,
                    level,
                    message,
                    metadata,
                    source,
                    tags,
                    timestamp,
                    context,
                    static,
                    trace,
                    None,
                )
                if level >= self._protect:
                    self._high.append(record)
                else:
                    self._low.append(record)
                self.size += 1
                if self.idle or (self.waiting and self.size >= self._batch_size):
                    self.idle = self.waiting = False
                    self.wake.notify()
        if first_late:
            self._account.warn_closed()  # outside the lock: it calls logging handlers
            return
        if self.consumer is None:
            self.start_consumer()
        elif self.busy and self.size > self._high_water:
            self._backpressure()

    def _backpressure(self) -> None:
        """A burst outruns delivery while the worker is sending: pause now and then.

        The worker competes with the caller for the GIL; a caller in a tight loop would
        keep it for whole switch intervals and fill the queue. Sleeping briefly on one call
        in 64 hands the worker the GIL, so the burst slows to the delivery rate instead of
        losing records. Never while the worker waits out a backoff or a slow request (a
        backend outage, where pausing cannot help), and never on a thread running an
        asyncio event loop (a pause there stalls every task it serves): then the queue
        bound and the overflow policy apply as usual.

        0.2 ms, not ``time.sleep(0)``: releasing the GIL for no time at all rarely lets the
        worker take it (bench/README.md, "Logging path").
        """
        since = self.request_since
        if since is not None and _monotonic() - since > _SLOW_REQUEST:
            return
        self._pressure += 1
        if not self._pressure & 63 and not _in_event_loop():
            _yield_gil(_BACKPRESSURE_PAUSE)

    def capture(
        self,
        level: int,
        message: object,
        metadata: Mapping[str, Any] | Snapshot | None = None,
        source: str | None = None,
        tags: Sequence[str] | None = None,
        timestamp: str | None = None,
        entry_id: str | None = None,
    ) -> Record:
        """A record without its sequence number, for :meth:`put_many` (``batch()``)."""
        if metadata is not None:
            metadata = _copy_mapping(metadata)
            if type(metadata) is tuple:  # made metadata now: put_many takes plain records
                metadata = snapshot_metadata(metadata)
        if tags is not None:
            tags = check_tags(tags)
        if source is not None and type(source) is not str and not isinstance(source, str):
            raise TypeError(f"source must be a string or None, got {type(source).__name__}")
        trace = _trace_ids() if _OTEL_TRACE in _modules else None
        return (
            0,
            _time_ns(),
            level,
            message,
            metadata,
            source,
            tags,
            timestamp,
            _ctx_get(),
            self._core.static_context,
            trace,
            entry_id,
        )

    def put_many(self, records: Iterable[Record]) -> None:
        """Enqueue captured records together (they tend to share one request)."""
        if _state.internal:
            for _ in records:
                self._count_recursion()
            return
        first_late = False
        with self.lock:
            for captured in records:
                if self.closed:
                    first_late = self._account.refuse("closed") or first_late
                    continue
                level = captured[LEVEL]
                if self.size >= self.max_size and self._block and not self._wait_for_room():
                    continue
                seq = self.seq = self.seq + 1
                if self.size >= self.max_size and not self._make_room(level):
                    continue
                record = (seq, *captured[1:])
                if level >= self._protect:
                    self._high.append(record)
                else:
                    self._low.append(record)
                self.size += 1
            if self.idle or (self.waiting and self.size >= self._batch_size):
                self.idle = self.waiting = False
                self.wake.notify()
        if first_late:
            self._account.warn_closed()  # outside the lock: it calls logging handlers
        elif self.consumer is None and not self.closed:
            self.start_consumer()

    def submit_entries(self, entries: Sequence[Mapping[str, Any]]) -> list[str]:
        """Validate every entry, then enqueue them all and return their ids.

        Each entry is a mapping with ``level`` (required: a level name or stdlib number),
        ``message`` (required, str), and optionally ``metadata`` (mapping or None),
        ``tags`` (list of str or None), ``source`` (str or None) and ``timestamp`` (RFC 3339
        string, timezone-aware datetime or None). Nothing is enqueued unless every entry is
        valid. ``log_level`` does not apply: entries given explicitly are all sent.

        Raises:
            TypeError: an entry or one of its fields has the wrong type (naming its index).
            ValueError: an unknown level, a bad timestamp or a missing field (naming its index).
        """
        if isinstance(entries, str | bytes | Mapping) or not isinstance(entries, Iterable):
            raise TypeError(f"entries must be a list of dicts, got {type(entries).__name__}")
        items = list(entries)
        captured: list[Record] = []
        for index, entry in enumerate(items):
            captured.append(self._capture_entry(index, entry))
        ids = new_ids([record[TIME] for record in captured])
        self.put_many(
            (*record[:ID], entry_id) for record, entry_id in zip(captured, ids, strict=True)
        )
        return ids

    def _capture_entry(self, index: int, entry: object) -> Record:
        where = f"entries[{index}]"
        if not isinstance(entry, Mapping):
            raise TypeError(f"{where} must be a dict, got {type(entry).__name__}")
        unknown = set(entry) - _ENTRY_KEYS
        if unknown:
            raise ValueError(
                f"{where} has unknown key(s) {sorted(map(str, unknown))}; accepted keys are "
                f"{', '.join(sorted(_ENTRY_KEYS))}"
            )
        if "level" not in entry:
            raise ValueError(f"{where} needs a 'level' (DEBUG, INFO, WARN, ERROR or FATAL)")
        try:
            level = parse_level(entry["level"])
        except ValueError as exc:
            raise ValueError(f"{where}: {exc}") from None
        message = entry.get("message")
        if not isinstance(message, str):
            raise (ValueError if message is None else TypeError)(
                f"{where} needs a 'message' string, got {type(message).__name__}"
            )
        metadata = entry.get("metadata")
        if metadata is not None and not isinstance(metadata, Mapping):
            raise TypeError(
                f"{where}: metadata must be a dict or None, got {type(metadata).__name__}"
            )
        tags = entry.get("tags")
        if tags is not None:
            try:
                tags = check_tags(tags)
            except TypeError as exc:
                raise TypeError(f"{where}: {exc}") from None
        source = entry.get("source")
        if source is not None and not isinstance(source, str):
            raise TypeError(
                f"{where}: source must be a string or None, got {type(source).__name__}"
            )
        try:
            timestamp = normalize_timestamp(entry.get("timestamp"))
        except (TypeError, ValueError) as exc:
            raise type(exc)(f"{where}: {exc}") from None
        return self.capture(level, message, metadata, source, tags, timestamp)

    def _on_event_loop(self, instead: str) -> bool:
        """Whether this thread runs an asyncio event loop, where ``overflow="block"`` must
        not wait; the first time, the SDK's log says what happens ``instead``."""
        if not _in_event_loop():
            return False
        if not self._loop_told:
            self._loop_told = True
            self._account.diag.emit(
                "block_loop",
                logging.WARNING,
                "NeuralLog: overflow='block' never blocks a thread running an asyncio "
                f"event loop; there {instead}",
            )
        return True

    def _wait_for_room(self) -> bool:
        """``overflow="block"``: wait (lock held) up to ``block_timeout`` for the worker to
        make room; False when the queue was closed meanwhile (the record is refused).

        Never on a thread running an asyncio event loop (a wait there stalls every task it
        serves): there the drop policy applies at once, and the SDK's log says so once.
        """
        if self._on_event_loop("a full queue drops records instead"):
            return True
        deadline = _monotonic() + self._block_timeout
        self.room_waiters += 1
        try:
            while self.size >= self.max_size and not self.closed:
                remaining = deadline - _monotonic()
                if remaining <= 0:
                    break
                self.room.wait(remaining)
        finally:
            self.room_waiters -= 1
        if self.closed:
            self._account.refuse("closed")
            return False
        return True

    def _make_room(self, level: int) -> bool:
        """Apply the overflow policy with the lock held; False drops the incoming record."""
        incoming_protected = level >= self._protect
        low = self._low
        if self._drop_newest:
            victim = low.pop() if incoming_protected and low else None
        elif low:
            victim = low.popleft()
        elif incoming_protected:
            victim = self._high.popleft()
        else:
            victim = None
        self._account.overflow()
        if victim is None:
            return False
        self.size -= 1
        return True

    def _count_recursion(self) -> None:
        with self.lock:
            self._account.refuse("recursion")

    # -- consuming (the worker, or a thread sending inline; lock held) -----------------------

    def head_seq(self) -> int:
        """The sequence number of the oldest queued record (NO_LIMIT when empty)."""
        low, high = self._low, self._high
        if low and high:
            return int(min(low[0][SEQ], high[0][SEQ]))
        if low:
            return int(low[0][SEQ])
        return int(high[0][SEQ]) if high else NO_LIMIT

    def take(self, limit: int) -> list[Record]:
        """Up to ``limit`` records in sequence order; they stay in flight until settled."""
        low, high = self._low, self._high
        count = min(limit, self.size)
        if not high:
            taken = [low.popleft() for _ in range(count)]
        elif not low:
            taken = [high.popleft() for _ in range(count)]
        else:
            taken = []
            for _ in range(count):
                if not high or (low and low[0][SEQ] < high[0][SEQ]):
                    taken.append(low.popleft())
                else:
                    taken.append(high.popleft())
        self.size -= count
        self._inflight_floor = taken[0][SEQ] if taken else NO_LIMIT
        self.pending_since = None if not self.size else _monotonic()
        if self.room_waiters:
            self.room.notify_all()
        return taken

    def settle(self) -> None:
        """The batch taken last is resolved: every record sent, dropped or filtered."""
        self._inflight_floor = NO_LIMIT

    def settled_upto(self, target: int) -> bool:
        """Whether every record up to sequence number ``target`` is resolved."""
        return self._inflight_floor > target and self.head_seq() > target

    def discard_pending(self) -> int:
        """Forget every queued record (shutdown); returns how many there were."""
        left = self.size
        self._low.clear()
        self._high.clear()
        self.size = 0
        self.room.notify_all()
        return left


def _in_event_loop() -> bool:
    """Whether this thread is running an asyncio event loop (a C call; asyncio not imported)."""
    # getattr: another thread may be importing asyncio (half-initialised in sys.modules).
    running = getattr(_modules.get("asyncio"), "_get_running_loop", None)
    return running is not None and running() is not None


def _copy_mapping(metadata: object) -> dict[str, Any] | Snapshot | None:
    if is_snapshot(metadata):
        return metadata  # the call's own copy (see _stdlib_record)
    if isinstance(metadata, Mapping):
        return dict(metadata) if metadata else None
    raise TypeError(f"metadata must be a dict or None, got {type(metadata).__name__}")


def _trace_ids() -> tuple[int, int] | None:
    """The active OpenTelemetry span's (trace_id, span_id), if any; never raises."""
    try:
        trace = _modules[_OTEL_TRACE]
        context = trace.get_current_span().get_span_context()
        if context.is_valid:
            return (context.trace_id, context.span_id)
    except Exception:  # noqa: S110 - correlation is best effort
        pass
    return None
