"""The logging pipeline: a bounded queue filled by the caller, drained by a worker thread.

Hot path (the caller's thread): validate, capture what belongs to the call (time, level,
message, a shallow copy of metadata, the scoped context, the client's static context, the
active OpenTelemetry span's ids) and append a tuple to a deque under a lock that is never
held while calling out. No serialization, no ids, no I/O.

Worker (one daemon thread per client, started on first use): waits until ``batch_size``
records are pending, ``batch_interval`` has elapsed or a flush asks, then takes everything
pending (up to 1000 records) so a backlog goes out in a few large requests, builds the wire
entries (ids, merge, ``before_send``, redaction, conversion), splits by ``max_batch_bytes``,
gzips and POSTs through the shared transport (retries, ``Retry-After``, ``Idempotency-Key``).

Queue bound and overflow: at most ``max_queue_size`` records wait. When full, the oldest
record below ``protect_level`` (default ERROR) is dropped first (``overflow="drop_oldest"``),
or the incoming one (``"drop_newest"``); records at or above ``protect_level`` are dropped
only when nothing below it is left. Every loss is counted by reason in :class:`DeliveryStats`.

Backpressure: a thread logging in a tight loop holds the GIL for whole switch intervals and
would fill the queue faster than the worker can send. While the queue is more than half
full *and* the worker is delivering, one logging call in 64 sleeps 0.2 ms, which hands the
worker the GIL: a burst slows to the delivery rate instead of losing records. During a
backoff or a slow request (backend down or rate limiting) there is no pause: the bound
and the policy apply.

Shutdown: ``close()`` (and an ``atexit`` hook, for clients never closed) sends what is
pending within ``shutdown_timeout``; with no live worker the final sends run on the calling
thread, so exit never needs a new thread. Fork: the child starts with an empty queue, fresh
locks, no inherited connections, and a worker started on its first record.
"""

from __future__ import annotations

import atexit
import contextlib
import gzip
import logging
import os
import sys
import threading
import time
import uuid
import weakref
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final

import attrs
import httpx
import orjson

from neurallog import _guard
from neurallog._config import (
    API_MAX_ENTRIES,
    API_MAX_SOURCE,
    API_MAX_TAG_LENGTH,
    API_MAX_TAGS,
    PipelineOptions,
    check_tags,
)
from neurallog._encoding import (
    clean,
    encode_entry,
    format_timestamp,
    json_default,
    message_text,
    normalize_timestamp,
)
from neurallog._http import SLEEP_EXTENSION, RetryPolicy
from neurallog._ids import new_ids
from neurallog._levels import LEVEL_NAMES, parse_level
from neurallog._redact import KeyMatcher
from neurallog.context import _fields as _context_var
from neurallog.exceptions import ApiError, NetworkError, RateLimitError

if TYPE_CHECKING:
    from neurallog._core import ClientCore

__all__ = ["DROP_REASONS", "DeliveryStats", "Pipeline"]

#: Why records can be lost, as counted in :attr:`DeliveryStats.dropped`.
DROP_REASONS: Final = (
    "queue_full",  # the queue was at max_queue_size (see the overflow policy)
    "rate_limited",  # 429 while the queue was full: the held batch made room
    "retries_exhausted",  # 5xx, timeouts or connection errors after every retry
    "rejected",  # the API refused the entry (a 202's `rejected`, or a 400/422 batch)
    "unauthorized",  # 401/403: the credential was refused
    "too_large",  # one entry above max_batch_bytes even after truncation, or a lone 413
    "shutdown",  # still pending when close()/exit ran out of shutdown_timeout
    "closed",  # logged after close()
    "recursion",  # logged by the SDK's own delivery code (see neurallog._guard)
    "error",  # an unexpected error inside the SDK (a bug: reported to the logger)
)
# Drops that mean "the app's records were lost"; recursion is SDK-internal noise.
_LOSSES: Final = frozenset(DROP_REASONS) - {"recursion"}

# Record layout: a plain tuple is the cheapest thing to build on the hot path.
_SEQ, _TIME, _LEVEL, _MESSAGE, _METADATA, _SOURCE, _TAGS, _TIMESTAMP, _CTX, _STATIC, _TRACE, _ID = (
    range(12)
)
Record = tuple[Any, ...]

_NO_LIMIT: Final = 1 << 62
_BODY_OPEN: Final = b'{"logs":['
_BODY_CLOSE: Final = b"]}"
_BACKPRESSURE_PAUSE: Final = 0.0002  # seconds, on one call in 64 (see _backpressure)
_SLOW_REQUEST: Final = 0.05  # seconds: a request pending longer is a slow backend
_GZIP_ABOVE: Final = 1024  # bytes: below this gzip's header costs more than it saves
_GZIP_LEVEL: Final = 1  # 2x faster than 5 for ~8% more bytes (random ids dominate)
_MAX_MESSAGE: Final = 65536
_DIAG_INTERVAL: Final = 60.0
_OTEL_TRACE: Final = "opentelemetry.trace"
_EMPTY: Final[Mapping[str, Any]] = MappingProxyType({})

_modules = sys.modules
_time_ns = time.time_ns
_yield_gil = time.sleep
_monotonic = time.monotonic
_ctx_get = _context_var.get
_state = _guard._state


@attrs.frozen(kw_only=True)
class DeliveryStats:
    """A snapshot of a client's delivery counters (``client.stats``).

    ``enqueued == sent + dropped_total + queued + filtered`` once the counts settle;
    records below ``log_level`` are never enqueued and not counted.
    """

    enqueued: int
    """Records accepted by the logging methods and ``batch_log``."""
    sent: int
    """Records the API acknowledged (new or already stored)."""
    queued: int
    """Records waiting in the queue or being sent right now."""
    filtered: int
    """Records ``before_send`` chose to discard."""
    dropped: Mapping[str, int]
    """Records lost, by reason (every reason of ``DROP_REASONS`` is present)."""
    requests: int
    """POST /logs requests that succeeded."""

    @property
    def dropped_total(self) -> int:
        """All records lost, whatever the reason."""
        return sum(self.dropped.values())


class _Diagnostics:
    """The SDK's own messages, at most one per kind per minute (a dead backend is quiet)."""

    def __init__(self, logger: logging.Logger) -> None:
        self._logger = logger
        self._last: dict[str, tuple[float, int]] = {}

    def emit(self, key: str, level: int, message: str, *args: object) -> None:
        now = _monotonic()
        last, suppressed = self._last.get(key, (-_DIAG_INTERVAL * 2, 0))
        if now - last < _DIAG_INTERVAL:
            self._last[key] = (last, suppressed + 1)
            return
        self._last[key] = (now, 0)
        if suppressed:
            message += f" ({suppressed} similar message(s) suppressed)"
        try:
            with _guard.internal():
                self._logger.log(level, message, *args)
        except Exception:  # noqa: S110 - diagnostics must never break delivery
            pass


class _Outcome(Exception):
    """Internal: a chunk could not be delivered, for this reason."""

    def __init__(self, reason: str, error: BaseException | None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.error = error


class Pipeline:
    """Queue, worker and delivery of one client's records."""

    def __init__(self, core: ClientCore, options: PipelineOptions) -> None:
        self._core = core
        self._opts = options
        client_options = core.options
        self._batch_size = client_options.batch_size
        self._interval = client_options.batch_interval
        self._auto = client_options.auto_flush
        self._timeout = client_options.timeout
        self._policy = RetryPolicy(
            retries=client_options.retries, max_retry_delay=client_options.max_retry_delay
        )
        self._max_queue = options.max_queue_size
        self._high_water = options.max_queue_size // 2
        self._protect = options.protect_level if options.protect_level is not None else _NO_LIMIT
        self._drop_newest = options.overflow == "drop_newest"
        self._matcher = KeyMatcher(options.redact_keys) if options.redact_keys else None
        self._diag = _Diagnostics(client_options.logger)
        self._start_lock = threading.Lock()
        self._closed = False
        self._init_state()
        _register(self)

    def _init_state(self) -> None:
        """Everything a forked child must not share with its parent."""
        # Re-entrant: a signal handler or a __del__ run by the garbage collector may log
        # while this thread is inside put(); a plain lock would deadlock the thread on itself.
        self._lock = threading.RLock()
        self._wake = threading.Condition(self._lock)  # the worker waits here
        self._settled = threading.Condition(self._lock)  # flush() and close() wait here
        self._low: deque[Record] = deque()
        self._high: deque[Record] = deque()  # records at or above protect_level
        self._size = 0
        self._seq = 0
        self._flush_target = 0
        self._inflight_floor = _NO_LIMIT
        self._inflight = 0
        self._idle = False  # the worker waits with an empty queue
        self._busy = False  # the worker is delivering (not idle, not in a backoff)
        self._pressure = 0
        self._request_since: float | None = None  # when the request in flight was sent
        self._waiting = False  # the worker waits for batch_size or batch_interval
        self._pending_since: float | None = None
        self._stopping = False
        self._aborted = False
        self._deadline: float | None = None
        self._worker: threading.Thread | object | None = None
        self._pid = os.getpid()
        self._enqueued = 0
        self._sent = 0
        self._filtered = 0
        self._requests = 0
        self._dropped: dict[str, int] = dict.fromkeys(DROP_REASONS, 0)
        self._reported: dict[str, int] = dict.fromkeys(DROP_REASONS, 0)
        self._last_error: dict[str, BaseException | None] = {}
        self._losses = 0
        self._resolved = 0  # records the worker has sent, dropped or filtered
        self._written_off = 0  # in-flight records close() counted as lost while still busy
        self._blocked_until = 0.0  # monotonic time before which the API asked us to wait
        self._flush_baseline = 0
        self._outage = 0
        self._close_result: bool | None = None

    # -- hot path ----------------------------------------------------------------------------

    def put(
        self,
        level: int,
        message: object,
        metadata: Mapping[str, Any] | None = None,
        source: str | None = None,
        tags: Sequence[str] | None = None,
        timestamp: str | None = None,
    ) -> None:
        """Enqueue one record (``level`` already parsed, ``timestamp`` already normalized)."""
        if metadata is not None:
            if type(metadata) is dict:
                metadata = metadata.copy() if metadata else None
            else:
                metadata = _copy_mapping(metadata)
        if tags is not None:
            tags = check_tags(tags)
        if source is not None and type(source) is not str:
            raise TypeError(f"source must be a string or None, got {type(source).__name__}")
        if _state.internal:
            self._count_recursion()
            return
        trace = _trace_ids() if _OTEL_TRACE in _modules else None
        now = _time_ns()
        context = _ctx_get()
        static = self._core.static_context
        with self._lock:
            self._enqueued += 1
            if self._closed:
                self._dropped["closed"] += 1
                self._losses += 1
                return
            seq = self._seq = self._seq + 1
            if self._size >= self._max_queue and not self._make_room(level):
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
            self._size += 1
            if self._idle or (self._waiting and self._size >= self._batch_size):
                self._idle = self._waiting = False
                self._wake.notify()
        if self._worker is None:
            self._ensure_worker()
        elif self._busy and self._size > self._high_water:
            self._backpressure()

    def _backpressure(self) -> None:
        """A burst outruns delivery while the worker is sending: pause now and then.

        The worker competes with the caller for the GIL; a caller in a tight loop would
        keep it for whole switch intervals and fill the queue. Sleeping briefly on one call
        in 64 hands the worker the GIL, so the burst slows to the delivery rate instead of
        losing records. Never while the worker waits out a backoff or a slow request (a
        backend outage, where pausing cannot help): then the queue bound and the overflow
        policy apply as usual.
        """
        since = self._request_since
        if since is not None and _monotonic() - since > _SLOW_REQUEST:
            return
        self._pressure += 1
        if not self._pressure & 63:
            _yield_gil(_BACKPRESSURE_PAUSE)

    def capture(
        self,
        level: int,
        message: object,
        metadata: Mapping[str, Any] | None = None,
        source: str | None = None,
        tags: Sequence[str] | None = None,
        timestamp: str | None = None,
        entry_id: str | None = None,
    ) -> Record:
        """A record without its sequence number, for :meth:`put_many` (``batch()``)."""
        if metadata is not None:
            metadata = _copy_mapping(metadata) if metadata else None
        if tags is not None:
            tags = check_tags(tags)
        if source is not None and type(source) is not str:
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
        with self._lock:
            for captured in records:
                self._enqueued += 1
                if self._closed:
                    self._dropped["closed"] += 1
                    self._losses += 1
                    continue
                seq = self._seq = self._seq + 1
                level = captured[_LEVEL]
                if self._size >= self._max_queue and not self._make_room(level):
                    continue
                record = (seq, *captured[1:])
                if level >= self._protect:
                    self._high.append(record)
                else:
                    self._low.append(record)
                self._size += 1
            if self._idle or (self._waiting and self._size >= self._batch_size):
                self._idle = self._waiting = False
                self._wake.notify()
        if self._worker is None and not self._closed:
            self._ensure_worker()

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
        ids = new_ids([record[_TIME] for record in captured])
        self.put_many(
            (*record[:_ID], entry_id) for record, entry_id in zip(captured, ids, strict=True)
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
        self._dropped["queue_full"] += 1
        self._losses += 1
        if victim is None:
            return False
        self._size -= 1
        return True

    def _count_recursion(self) -> None:
        with self._lock:
            self._enqueued += 1
            self._dropped["recursion"] += 1

    # -- worker ------------------------------------------------------------------------------

    def _ensure_worker(self) -> bool:
        """Start the worker if it is not running; False when no thread can be started."""
        with self._start_lock:
            if self._pid != os.getpid():
                # A fork that bypassed os.register_at_fork (a C extension calling fork()).
                self.after_fork_in_child()
            worker = self._worker
            if isinstance(worker, threading.Thread) and worker.is_alive():
                return True
            if worker is _NO_THREAD or self._closed:
                return False
            thread = threading.Thread(target=self._run, name="neurallog-worker", daemon=True)
            try:
                thread.start()
            except RuntimeError:
                # Interpreter shutdown: close() will send what is pending on its own thread.
                self._worker = _NO_THREAD
                return False
            self._worker = thread
        _register_multiprocessing_exit()
        return True

    def _worker_alive(self) -> bool:
        worker = self._worker
        return isinstance(worker, threading.Thread) and worker.is_alive()

    def _run(self) -> None:
        _guard.mark_thread_internal()
        while True:
            try:
                batch = self._next_batch()
            except Exception as exc:  # the worker must survive its own bugs
                self._internal_error(exc)
                time.sleep(0.1)
                continue
            if batch is None:
                self._report_drops()
                return
            self._deliver(batch)
            self._report_drops()

    def _next_batch(self) -> list[Record] | None:
        """Wait until a batch is due and take it; None when the worker must stop."""
        with self._lock:
            while True:
                size = self._size
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
                        self._wake.wait(remaining)
                        self._waiting = False
                        continue
                self._idle = True
                self._wake.wait()
                self._idle = False

    def _head_seq(self) -> int:
        low, high = self._low, self._high
        if low and high:
            return int(min(low[0][_SEQ], high[0][_SEQ]))
        if low:
            return int(low[0][_SEQ])
        return int(high[0][_SEQ]) if high else _NO_LIMIT

    def _take(self, limit: int) -> list[Record]:
        """Up to ``limit`` records in sequence order (lock held)."""
        low, high = self._low, self._high
        count = min(limit, self._size)
        if not high:
            taken = [low.popleft() for _ in range(count)]
        elif not low:
            taken = [high.popleft() for _ in range(count)]
        else:
            taken = []
            for _ in range(count):
                if not high or (low and low[0][_SEQ] < high[0][_SEQ]):
                    taken.append(low.popleft())
                else:
                    taken.append(high.popleft())
        self._size -= count
        self._inflight = count
        self._inflight_floor = taken[0][_SEQ] if taken else _NO_LIMIT
        self._pending_since = None if not self._size else _monotonic()
        return taken

    def _past_deadline(self) -> bool:
        return self._deadline is not None and _monotonic() >= self._deadline

    def _deliver(self, batch: list[Record]) -> None:
        """Encode, split and send one batch; every record ends sent or dropped. Never raises."""
        before = self._resolved
        self._busy = True
        try:
            for entries, body in self._chunks(self._encode(batch)):
                self._send(entries, body)
        except Exception as exc:  # a bug: count what it cost and keep going
            self._drop(max(0, len(batch) - (self._resolved - before)), "error", exc)
            self._internal_error(exc)
        finally:
            self._busy = False
            with self._lock:
                self._inflight = 0
                self._inflight_floor = _NO_LIMIT
                self._settled.notify_all()

    # -- encoding ----------------------------------------------------------------------------

    def _encode(self, batch: list[Record]) -> list[dict[str, Any]]:
        """The wire entries of a batch: ids, merge, before_send, redaction, API limits."""
        fresh = new_ids([record[_TIME] for record in batch if record[_ID] is None])
        taken = 0
        opts = self._opts
        default_source = opts.source
        default_tags = opts.tags
        before_send = opts.before_send
        matcher = self._matcher
        entries: list[dict[str, Any]] = []
        for record in batch:
            (
                _,
                captured,
                level,
                message,
                metadata,
                source,
                tags,
                timestamp,
                context,
                static,
                trace,
                entry_id,
            ) = record
            if entry_id is None:
                entry_id = fresh[taken]
                taken += 1
            if type(message) is not str:
                message = message_text(message)
            entry: dict[str, Any] = {
                "id": entry_id,
                "timestamp": timestamp or format_timestamp(captured),
                "level": LEVEL_NAMES[level],
                "message": message,
            }
            source = source or default_source
            if source is not None:
                entry["source"] = source
            if default_tags:
                tags = tuple(dict.fromkeys((*default_tags, *(tags or ()))))
            if tags:
                entry["tags"] = list(tags)
            merged: dict[str, Any] | None
            if static or context:
                merged = {**static, **context}
                if metadata:
                    merged.update(metadata)
            else:
                merged = metadata
            if trace is not None:
                if merged is None:
                    merged = {}
                merged.setdefault("trace_id", f"{trace[0]:032x}")
                merged.setdefault("span_id", f"{trace[1]:016x}")
            if before_send is not None:
                if merged:
                    entry["metadata"] = merged
                hooked = self._before_send(before_send, entry)
                if hooked is None:
                    with self._lock:
                        self._filtered += 1
                        self._resolved += 1
                        self._unwrite(1)
                    continue
                entries.append(self._normalize(hooked))
            elif (
                len(message) > _MAX_MESSAGE
                or (source is not None and len(source) > API_MAX_SOURCE)
                or (tags and _tags_over_limits(tags))
            ):
                if merged:
                    entry["metadata"] = merged
                entries.append(self._normalize(entry))
            else:
                # The usual record: types were checked at the call, limits just now.
                if merged:
                    entry["metadata"] = clean(merged, matcher)
                entries.append(entry)
        return entries

    def _before_send(
        self, hook: Callable[[dict[str, Any]], object], entry: dict[str, Any]
    ) -> dict[str, Any] | None:
        try:
            result = hook(entry)
        except Exception as exc:
            self._diag.emit(
                "before_send",
                logging.WARNING,
                "NeuralLog: before_send raised %r; the record is sent unchanged",
                exc,
            )
            return entry
        if result is None or isinstance(result, dict):
            return result
        self._diag.emit(
            "before_send_type",
            logging.WARNING,
            "NeuralLog: before_send must return a dict or None, got %s; record sent unchanged",
            type(result).__name__,
        )
        return entry

    def _normalize(self, entry: dict[str, Any]) -> dict[str, Any]:
        """Fix types, enforce the API's limits (truncating and marking), clean metadata."""
        truncated: list[str] = []
        message = entry.get("message")
        if not isinstance(message, str):
            message = entry["message"] = message_text(message)
        if len(message) > _MAX_MESSAGE:
            entry["message"] = message[:_MAX_MESSAGE]
            truncated.append("message")
        source = entry.get("source")
        if source is not None:
            if not isinstance(source, str):
                source = entry["source"] = message_text(source)
            if len(source) > API_MAX_SOURCE:
                entry["source"] = source[:API_MAX_SOURCE]
                truncated.append("source")
        tags = entry.get("tags")
        if tags is not None:
            fixed = [t if isinstance(t, str) else message_text(t) for t in tags]
            if len(fixed) > API_MAX_TAGS or any(len(t) > API_MAX_TAG_LENGTH for t in fixed):
                fixed = [t[:API_MAX_TAG_LENGTH] for t in fixed[:API_MAX_TAGS]]
                truncated.append("tags")
            entry["tags"] = fixed
        metadata = entry.get("metadata")
        if metadata is not None:
            if isinstance(metadata, Mapping):
                entry["metadata"] = clean(metadata, self._matcher)
            else:
                entry["metadata"] = {"value": clean({"value": metadata}, self._matcher)["value"]}
        if truncated:
            entry["metadata"] = {**entry.get("metadata", {}), "_truncated": truncated}
        return entry

    def _fit(self, entry: dict[str, Any], limit: int) -> bytes | None:
        """The entry's JSON, cut to ``limit`` bytes if need be; None (counted) if impossible."""
        part = encode_entry(entry)
        if len(part) <= limit:
            return part
        # Too big for any request: keep the record, replace its metadata by a marker, then
        # shorten the message until it fits.
        size = len(part)
        metadata = entry.get("metadata")
        earlier = metadata.get("_truncated", []) if isinstance(metadata, dict) else []
        marks = [*earlier, "metadata"] if metadata else list(earlier)
        entry["metadata"] = {"_truncated": marks, "_original_bytes": size}
        part = encode_entry(entry)
        text = entry["message"]
        for _ in range(8):
            excess = len(part) - limit
            if excess <= 0:
                return part
            if not text:
                break
            # Cut by the byte excess (a character is at least one byte) plus a margin.
            text = text[: max(0, len(text) - excess - 16)]
            entry["message"] = text
            if "message" not in marks:
                marks.append("message")
            part = encode_entry(entry)
        if len(part) <= limit:
            return part
        self._drop(1, "too_large", None)
        self._diag.emit(
            "too_large",
            logging.WARNING,
            "NeuralLog: dropped a record of %d bytes (max_batch_bytes is %d)",
            size,
            self._opts.max_batch_bytes,
        )
        return None

    def _chunks(
        self, entries: list[dict[str, Any]]
    ) -> Iterable[tuple[list[dict[str, Any]], bytes]]:
        """Requests for these entries: (entries, body) each within max_batch_bytes."""
        if not entries:
            return
        cap = self._opts.max_batch_bytes
        # One orjson call for the whole batch is an order of magnitude cheaper than one per
        # entry; per-entry encoding is only needed to split an oversize batch.
        body = _dump_batch(entries)
        if body is not None and len(body) <= cap:
            yield entries, body
            return
        limit = cap - len(_BODY_OPEN) - len(_BODY_CLOSE)
        chunk: list[dict[str, Any]] = []
        parts: list[bytes] = []
        size = 0
        for entry in entries:
            part = self._fit(entry, limit)
            if part is None:
                continue
            grown = size + len(part) + (1 if parts else 0)
            if parts and grown > limit:
                yield chunk, _BODY_OPEN + b",".join(parts) + _BODY_CLOSE
                chunk, parts, grown = [], [], len(part)
            chunk.append(entry)
            parts.append(part)
            size = grown
        if parts:
            yield chunk, _BODY_OPEN + b",".join(parts) + _BODY_CLOSE

    # -- sending -----------------------------------------------------------------------------

    def _send(self, entries: list[dict[str, Any]], body: bytes) -> None:
        """Deliver one request: hold it on 429, split it on 413, count what happens."""
        count = len(entries)
        # One key per body: a repeat of this exact body is recognised by the server, while
        # a different body (after a split) gets a key of its own.
        key = str(uuid.uuid4())
        holds = 0
        limited: RateLimitError | None = None
        while True:
            wait = self._blocked_until - _monotonic()
            if wait > 0:
                # Rate limited: hold this batch (buffer rather than drop) while the queue has
                # room; once it is full, this batch (the oldest records) makes room.
                with self._lock:
                    full = self._size >= self._max_queue
                    deadline = self._deadline
                if full and not self._stopping:
                    self._drop(count, "rate_limited", limited)
                    return
                if deadline is not None and self._blocked_until > deadline:
                    self._drop(count, "shutdown", limited)  # no point waiting
                    return
                if not self._sleep(min(wait, 1.0), wake_on_close=True):
                    self._drop(count, "shutdown", limited)
                    return
                continue
            try:
                response = self._post(body, key)
            except RateLimitError as exc:
                limited = exc
                advised = exc.retry_after
                pause = self._policy.backoff(holds) if advised is None else advised
                holds += 1
                self._blocked_until = _monotonic() + pause
                self._diag.emit(
                    "rate_limited",
                    logging.WARNING,
                    "NeuralLog: rate limited (429); holding %d record(s) for %.1fs",
                    count,
                    pause,
                )
                continue
            except ApiError as exc:
                if exc.status == 413 and count > 1:
                    for half in (entries[: count // 2], entries[count // 2 :]):
                        self._send(half, _body_of(half))
                    return
                self._fail(count, _reason_for_status(exc.status), exc)
                return
            except NetworkError as exc:
                self._fail(count, "shutdown" if self._stopping else "retries_exhausted", exc)
                return
            if not 200 <= response.status_code < 300:
                # A redirect (http:// to https://, a moved endpoint) stored nothing.
                self._fail(count, "rejected", _unexpected(response))
                return
            self._accepted(response, count)
            return

    def _post(self, body: bytes, key: str) -> httpx.Response:
        headers = {"Content-Type": "application/json", "Idempotency-Key": key}
        if self._opts.compression == "gzip" and len(body) > _GZIP_ABOVE:
            body = gzip.compress(body, compresslevel=_GZIP_LEVEL, mtime=0)
            headers["Content-Encoding"] = "gzip"
        timeout = self._timeout
        deadline = self._deadline
        if deadline is not None:
            timeout = max(0.001, min(timeout, deadline - _monotonic()))
        self._request_since = _monotonic()
        try:
            return self._core.http.post(
                "logs",
                content=body,
                headers=headers,
                timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
                extensions={SLEEP_EXTENSION: self._sleep},
            )
        finally:
            self._request_since = None

    def _accepted(self, response: httpx.Response, count: int) -> None:
        rejected: list[Any] = []
        try:
            document = orjson.loads(response.content) if response.content else None
        except orjson.JSONDecodeError:
            document = None
        data = document.get("data") if isinstance(document, dict) else None
        if isinstance(data, dict) and isinstance(data.get("rejected"), list):
            rejected = data["rejected"][:count]
        with self._lock:
            self._requests += 1
            self._sent += count - len(rejected)
            self._resolved += count - len(rejected)
            self._unwrite(count - len(rejected))
            self._outage = 0
        if rejected:
            self._drop(len(rejected), "rejected", None)
            first = rejected[0] if isinstance(rejected[0], dict) else {}
            self._diag.emit(
                "rejected",
                logging.WARNING,
                "NeuralLog: the API rejected %d of %d record(s): %s (%s)",
                len(rejected),
                count,
                first.get("message"),
                first.get("code"),
            )

    def _fail(self, count: int, reason: str, exc: BaseException) -> None:
        self._drop(count, reason, exc)
        self._diag.emit(
            reason,
            logging.WARNING if reason != "unauthorized" else logging.ERROR,
            "NeuralLog: dropped %d record(s) (%s): %s",
            count,
            reason,
            exc,
        )
        if reason == "retries_exhausted" and not self._stopping:
            # The backend looks down: pause before the next batch instead of hammering it.
            self._outage += 1
            self._sleep(self._policy.backoff(self._outage + 1))

    def _sleep(self, delay: float, wake_on_close: bool = False) -> bool:
        """Wait ``delay`` seconds unless that would overrun shutdown; False means give up.

        With ``wake_on_close`` the wait also ends (returning True) when close() begins, so
        the caller can re-plan against the shutdown deadline.
        """
        end = _monotonic() + delay
        busy, self._busy = self._busy, False
        try:
            return self._wait_until(end, wake_on_close)
        finally:
            self._busy = busy

    def _wait_until(self, end: float, wake_on_close: bool) -> bool:
        with self._lock:
            stopping = self._stopping
            while True:
                if wake_on_close and self._stopping and not stopping:
                    return True
                if self._aborted:
                    return False
                if self._deadline is not None and end > self._deadline:
                    return False
                remaining = end - _monotonic()
                if remaining <= 0:
                    return True
                self._wake.wait(remaining)

    def _unwrite(self, count: int) -> None:
        """Records close() wrote off as lost were resolved after all (lock held)."""
        if self._written_off:
            taken = min(count, self._written_off)
            self._written_off -= taken
            self._dropped["shutdown"] -= taken
            self._losses -= taken

    def _drop(self, count: int, reason: str, error: BaseException | None) -> None:
        with self._lock:
            self._unwrite(count)
            self._dropped[reason] += count
            self._resolved += count
            if reason in _LOSSES:
                self._losses += count
            if error is not None and self._opts.on_drop is not None:
                # Kept only for on_drop: its traceback holds the request body.
                self._last_error[reason] = error

    def _internal_error(self, exc: Exception) -> None:
        self._diag.emit(
            "error",
            logging.ERROR,
            "NeuralLog: internal error while delivering logs (please report it): %r",
            exc,
        )

    def _report_drops(self) -> None:
        """Tell ``on_drop`` about new losses; called by the worker, never with a lock held."""
        callback = self._opts.on_drop
        if callback is None:
            return
        with self._lock:
            news = [
                (reason, count - self._reported[reason], self._last_error.pop(reason, None))
                for reason, count in self._dropped.items()
                if count != self._reported[reason] and reason != "recursion"
            ]
            self._reported.update(self._dropped)
        for reason, count, error in news:
            try:
                callback(reason, count, error)
            except BaseException as exc:  # a callback must not stop delivery
                self._diag.emit("on_drop", logging.WARNING, "NeuralLog: on_drop raised %r", exc)

    # -- flush and close ---------------------------------------------------------------------

    def _settled_upto(self, target: int) -> bool:
        return self._inflight_floor > target and self._head_seq() > target

    def flush(self, timeout: float | None = None) -> bool:
        """Block until every record enqueued before the call is sent or dropped.

        Returns True when that happened within the timeout and no record was lost since the
        previous flush (or since the client was created).
        """
        wait = self._opts.flush_timeout if timeout is None else max(0.0, float(timeout))
        deadline = _monotonic() + wait
        if _state.internal:
            # On the worker thread (a callback flushing): waiting for itself would hang.
            return False
        with self._lock:
            target = self._seq
            if target > self._flush_target:
                self._flush_target = target
                self._idle = self._waiting = False
                self._wake.notify_all()
            pending = not self._settled_upto(target)
        if pending and not self._worker_alive() and not self._ensure_worker():
            self._drain_inline(deadline, target)
        with self._lock:
            while not self._settled_upto(target):
                remaining = deadline - _monotonic()
                if remaining <= 0:
                    break
                self._settled.wait(remaining)
            ok = self._settled_upto(target) and self._losses == self._flush_baseline
            self._flush_baseline = self._losses
        return ok

    def begin_close(self, deadline: float) -> None:
        """Stop accepting records and tell the worker to send what is left by ``deadline``."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._stopping = True
            self._deadline = deadline
            self._flush_target = self._seq
            self._wake.notify_all()

    def finish_close(self) -> bool:
        """Wait for the worker (or send inline), then count what is left as ``shutdown``."""
        with self._start_lock:
            if self._close_result is not None:
                return self._close_result
            deadline = self._deadline if self._deadline is not None else _monotonic()
            worker = self._worker
            if isinstance(worker, threading.Thread) and worker.is_alive():
                if worker is not threading.current_thread():
                    worker.join(max(0.0, deadline - _monotonic()))
            else:
                self._drain_inline(deadline, _NO_LIMIT)
            with self._lock:
                finished = not (isinstance(worker, threading.Thread) and worker.is_alive())
                left = self._size
                if not finished:
                    self._aborted = True  # cut its backoff short; it stops after this request
                    self._wake.notify_all()
                    # Its batch may never finish (the process may be exiting): count it as
                    # lost now, and correct the count if it does finish.
                    self._written_off = self._inflight
                    left += self._inflight
                if left:
                    self._dropped["shutdown"] += left
                    self._losses += left
                self._low.clear()
                self._high.clear()
                self._size = 0
                self._settled.notify_all()
            if left:
                self._diag.emit(
                    "shutdown",
                    logging.WARNING,
                    "NeuralLog: %d record(s) not sent before the shutdown deadline",
                    left,
                )
            self._report_drops()
            with self._lock:
                result = finished and self._losses == self._flush_baseline
                self._flush_baseline = self._losses
            self._close_result = result
        if finished:
            self._core.close()
        return result

    def close(self, timeout: float | None = None) -> bool:
        """Send what is pending within ``timeout`` (default ``shutdown_timeout``), then stop."""
        wait = self._opts.shutdown_timeout if timeout is None else max(0.0, float(timeout))
        self.begin_close(_monotonic() + wait)
        if _state.internal and self._worker is threading.current_thread():
            return False  # closing from a callback: the worker stops after this batch
        return self.finish_close()

    def _drain_inline(self, deadline: float, target: int) -> None:
        """Send pending records on the calling thread (no worker, e.g. at interpreter exit)."""
        with _guard.internal():
            while True:
                with self._lock:
                    if (
                        not self._size
                        or self._aborted
                        or _monotonic() >= deadline
                        or self._head_seq() > target
                    ):
                        return
                    saved, self._deadline = self._deadline, deadline
                    batch = self._take(API_MAX_ENTRIES)
                try:
                    self._deliver(batch)
                finally:
                    with self._lock:
                        self._deadline = saved

    # -- fork --------------------------------------------------------------------------------

    def after_fork_in_child(self) -> None:
        """Forget the parent's queue, locks, worker and connections."""
        closed = self._closed
        self._init_state()
        self._closed = closed
        self._start_lock = threading.Lock()
        self._core.forget_connections()

    # -- stats -------------------------------------------------------------------------------

    @property
    def stats(self) -> DeliveryStats:
        """A consistent snapshot of the counters."""
        with self._lock:
            return DeliveryStats(
                enqueued=self._enqueued,
                sent=self._sent,
                queued=self._size + self._inflight - self._written_off,
                filtered=self._filtered,
                dropped=dict(self._dropped),  # a snapshot: the caller may keep it
                requests=self._requests,
            )


_ENTRY_KEYS: Final = frozenset({"level", "message", "metadata", "tags", "source", "timestamp"})
_NO_THREAD: Final = object()


def _dump_batch(entries: list[dict[str, Any]]) -> bytes | None:
    """``{"logs": entries}`` as JSON in one call; None if an entry needs the careful path."""
    try:
        return orjson.dumps({"logs": entries}, default=json_default)
    except Exception:
        return None


def _body_of(entries: list[dict[str, Any]]) -> bytes:
    body = _dump_batch(entries)
    if body is None:
        body = _BODY_OPEN + b",".join(map(encode_entry, entries)) + _BODY_CLOSE
    return body


def _tags_over_limits(tags: Sequence[str]) -> bool:
    return len(tags) > API_MAX_TAGS or any(len(tag) > API_MAX_TAG_LENGTH for tag in tags)


def _unexpected(response: httpx.Response) -> ApiError:
    where = response.headers.get("location")
    hint = f" to {where} (check the endpoint)" if where else ""
    return ApiError(
        f"POST /logs answered HTTP {response.status_code}{hint}",
        status=response.status_code,
        request_id=response.headers.get("x-request-id"),
    )


def _reason_for_status(status: int) -> str:
    if status in (401, 403):
        return "unauthorized"
    if status == 413:
        return "too_large"
    if status == 408 or status >= 500:
        return "retries_exhausted"
    return "rejected"


def _copy_mapping(metadata: object) -> dict[str, Any] | None:
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


# -- process-wide hooks: exit and fork --------------------------------------------------------

_pipelines: weakref.WeakSet[Pipeline] = weakref.WeakSet()
_hooks_installed = False
_mp_exit_pid = 0


def _register(pipeline: Pipeline) -> None:
    global _hooks_installed
    _pipelines.add(pipeline)
    if not _hooks_installed:
        _hooks_installed = True
        # Registered after `logging` was imported, so it runs before logging.shutdown().
        atexit.register(shutdown_all)
        os.register_at_fork(after_in_child=_after_fork_in_child)


def shutdown_all() -> None:
    """Close every live client, all within the longest ``shutdown_timeout`` (at exit)."""
    pipelines = list(_pipelines)
    now = _monotonic()
    for pipeline in pipelines:
        pipeline.begin_close(now + pipeline._opts.shutdown_timeout)
    for pipeline in pipelines:
        with contextlib.suppress(Exception):  # one client's failure must not stop the others
            pipeline.finish_close()


def _after_fork_in_child() -> None:
    for pipeline in list(_pipelines):
        pipeline.after_fork_in_child()


def _register_multiprocessing_exit() -> None:
    """In a multiprocessing child, flush at its exit: it ends with os._exit, skipping atexit."""
    global _mp_exit_pid
    multiprocessing = _modules.get("multiprocessing")
    pid = os.getpid()
    if multiprocessing is None or _mp_exit_pid == pid:
        return
    try:
        if multiprocessing.parent_process() is None:
            return
        from multiprocessing import util

        util.Finalize(None, shutdown_all, exitpriority=0)
        _mp_exit_pid = pid
    except Exception:  # noqa: S110 - best effort; atexit still covers normal exits
        pass
