"""The logging pipeline: a bounded queue filled by the caller, drained by a worker thread.

The queue and the hot path are in :mod:`neurallog._queue`, the wire format in
:mod:`neurallog._wire`, the counters in :mod:`neurallog._stats`, the process-wide exit and
fork hooks in :mod:`neurallog._process`. This module is the consumer: the worker, the
requests it sends, ``flush()`` and ``close()``.

Worker (one daemon thread per client, started on first use): waits until ``batch_size``
records are pending, ``batch_interval`` has elapsed or a flush asks, then takes everything
pending (up to 1000 records) so a backlog goes out in a few large requests, builds the wire
entries (ids, merge, ``before_send``, redaction, conversion), splits by ``max_batch_bytes``,
gzips and POSTs through the shared transport (retries, ``Retry-After``, ``Idempotency-Key``).

Shutdown: ``close()`` (and an ``atexit`` hook, for clients never closed) sends what is
pending within ``shutdown_timeout``; with no live worker the final sends run on the calling
thread, so exit never needs a new thread. A client garbage-collected without ``close()``
is closed by its worker, which then exits (the worker keeps the pipeline alive, never the
client). Fork: the worker is held at a safe point while the process forks; the child
starts with an empty queue, fresh locks, no inherited connections, and a worker started on
its first record.
"""

from __future__ import annotations

import gzip
import logging
import math
import os
import threading
import time
import uuid
import weakref
from typing import TYPE_CHECKING, Any, Final

import httpx
import orjson

from neurallog import _guard, _process
from neurallog._config import API_MAX_ENTRIES, PipelineOptions
from neurallog._http import SLEEP_EXTENSION, RetryPolicy
from neurallog._queue import NO_LIMIT, Record, RecordQueue
from neurallog._stats import DROP_REASONS, LOSSES, DeliveryStats, Diagnostics
from neurallog._wire import WireEncoder, body_of
from neurallog.exceptions import ApiError, ConfigurationError, NetworkError, RateLimitError

if TYPE_CHECKING:
    from neurallog._core import ClientCore

__all__ = ["DROP_REASONS", "DeliveryStats", "Pipeline", "Record", "shutdown_all"]

_GZIP_ABOVE: Final = 1024  # bytes: below this gzip's header costs more than it saves
_GZIP_LEVEL: Final = 1  # 2x faster than 5 for ~8% more bytes (random ids dominate)
_NO_THREAD: Final = object()
# threading refuses longer timed waits (OverflowError); half leaves room for clock arithmetic.
_LONGEST_WAIT: Final = threading.TIMEOUT_MAX / 2

_monotonic = time.monotonic
_state = _guard._state
shutdown_all = _process.shutdown_all


def _abandon(pipeline: weakref.ref[Pipeline]) -> None:
    # Holds the pipeline weakly: a dropped client whose worker never started is freed whole.
    alive = pipeline()
    if alive is not None:
        alive.abandon()


class Pipeline(RecordQueue):
    """Queue, worker and delivery of one client's records."""

    def __init__(self, core: ClientCore, options: PipelineOptions) -> None:
        super().__init__(core, options)
        client_options = core.options
        self._interval = client_options.batch_interval
        self._auto = client_options.auto_flush
        self._timeout = client_options.timeout
        self._policy = RetryPolicy(
            retries=client_options.retries, max_retry_delay=client_options.max_retry_delay
        )
        self._diag = Diagnostics(client_options.logger)
        self._wire = WireEncoder(options, self._diag)
        self._start_lock = threading.Lock()
        _process.register(self)

    def _init_state(self) -> None:
        """Everything a forked child must not share with its parent."""
        super()._init_state()
        self._settled = threading.Condition(self._lock)  # flush() and close() wait here
        self._flush_target = 0
        self._stopping = False
        self._aborted = False
        self._deadline: float | None = None
        self._sent = 0
        self._filtered = 0
        self._requests = 0
        self._reported: dict[str, int] = dict.fromkeys(DROP_REASONS, 0)
        self._last_error: dict[str, BaseException | None] = {}
        self._resolved = 0  # records the worker has sent, dropped or filtered
        self._written_off = 0  # in-flight records close() counted as lost while still busy
        self._blocked_until = 0.0  # monotonic time before which the API asked us to wait
        self._flush_baseline = 0
        self._outage = 0
        self._close_result: bool | None = None
        self._abandoned = False  # the client was garbage-collected without close()
        # Fork safety (see pause_for_fork): the worker rests only where it waits on _wake.
        self._at_rest = threading.Condition(self._lock)  # pause_for_fork() waits here
        self._paused = 0  # forks being prepared: while any, the worker stays at rest
        self._resting = False  # the worker waits on _wake, outside any request or import
        self._rests = 0  # times the worker came to rest
        self._stuck_at = -1  # _rests when a pause last gave up waiting

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
        _process.register_multiprocessing_exit()
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
                if self._abandoned:  # nobody will call finish_close(): count the rest
                    with self._lock:
                        left = self._write_off_pending(0)
                    self._report_shutdown(left)
                self._report_drops()
                return
            self._deliver(batch)
            self._report_drops()

    def _next_batch(self) -> list[Record] | None:
        """Wait until a batch is due and take it; None when the worker must stop."""
        with self._lock:
            while True:
                if self._paused:
                    self._rest(None)
                    continue
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
                        self._rest(remaining)
                        self._waiting = False
                        continue
                self._idle = True
                self._rest(None)
                self._idle = False

    def _rest(self, timeout: float | None) -> None:
        """The worker waits on ``_wake`` (lock held): its safe point for a fork.

        Here it runs no request, no import and holds no lock but this one (which the wait
        releases). While a fork is prepared it stays here, whatever the timeout, until
        :meth:`resume_after_fork`.
        """
        self._resting = True
        self._rests += 1
        self._at_rest.notify_all()
        try:
            self._wake.wait(timeout)
            while self._paused:
                self._wake.wait()
        finally:
            self._resting = False

    def _past_deadline(self) -> bool:
        return self._deadline is not None and _monotonic() >= self._deadline

    def _deliver(self, batch: list[Record]) -> None:
        """Encode, split and send one batch; every record ends sent or dropped. Never raises."""
        before = self._resolved
        self._busy = True
        try:
            entries = self._wire.entries(batch, self._count_filtered)
            for chunk, body in self._wire.requests(entries, self._drop):
                self._send(chunk, body)
        except Exception as exc:  # a bug: count what it cost and keep going
            self._drop(max(0, len(batch) - (self._resolved - before)), "error", exc)
            self._internal_error(exc)
        finally:
            self._busy = False
            with self._lock:
                self._inflight = 0
                self._inflight_floor = NO_LIMIT
                self._settled.notify_all()

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
                        self._send(half, body_of(half))
                    return
                self._fail(count, _reason_for_status(exc.status), exc)
                return
            except NetworkError as exc:
                self._fail(count, "shutdown" if self._stopping else "retries_exhausted", exc)
                return
            except ConfigurationError as exc:
                self._fail(count, "configuration", exc)
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
            logging.ERROR if reason in ("unauthorized", "configuration") else logging.WARNING,
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
                if self._worker is threading.current_thread():
                    # A backoff between attempts: no request or connection in progress.
                    self._rest(remaining)
                else:
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
            if reason in LOSSES:
                self._losses += count
            if error is not None and self._opts.on_drop is not None:
                # Kept only for on_drop: its traceback holds the request body.
                self._last_error[reason] = error

    def _count_filtered(self) -> None:
        """``before_send`` discarded a record."""
        with self._lock:
            self._filtered += 1
            self._resolved += 1
            self._unwrite(1)

    def _internal_error(self, exc: Exception) -> None:
        self._diag.emit(
            "error",
            logging.ERROR,
            "NeuralLog: internal error while delivering logs (please report it): %r",
            exc,
        )

    def _report_drops(self) -> None:
        """Tell ``on_drop`` about new losses; called by the worker and close(), holding no lock."""
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
        deadline = _monotonic() + _seconds(timeout, self._opts.flush_timeout)
        if _state.internal:
            # On the worker thread (a callback flushing): waiting for itself would hang.
            return False
        with self._lock:
            # Taken now: a flush on another thread that returns meanwhile moves the shared
            # baseline past losses this flush must still report.
            baseline = self._flush_baseline
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
            ok = self._settled_upto(target) and self._losses == baseline
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
            with self._lock:
                baseline = self._flush_baseline  # as in flush(): before anyone can move it
            deadline = self._deadline if self._deadline is not None else _monotonic()
            worker = self._worker
            if isinstance(worker, threading.Thread) and worker.is_alive():
                if worker is not threading.current_thread():
                    worker.join(max(0.0, deadline - _monotonic()))
            else:
                self._drain_inline(deadline, NO_LIMIT)
            with self._lock:
                finished = not (isinstance(worker, threading.Thread) and worker.is_alive())
                in_flight = 0
                if not finished:
                    self._aborted = True  # cut its backoff short; it stops after this request
                    self._wake.notify_all()
                    # Its batch may never finish (the process may be exiting): count it as
                    # lost now, and correct the count if it does finish.
                    self._written_off = in_flight = self._inflight
                left = self._write_off_pending(in_flight)
                result = finished and self._losses == baseline
                self._flush_baseline = self._losses
            self._close_result = result
        # Outside _start_lock: on_drop and the logger's handlers may call close() again.
        self._report_shutdown(left)
        self._report_drops()
        if finished:
            self._core.close()
        return result

    def _write_off_pending(self, in_flight: int) -> int:
        """Count what is still queued (and ``in_flight``) as lost to shutdown (lock held)."""
        left = self._size + in_flight
        if left:
            self._dropped["shutdown"] += left
            self._losses += left
        self._low.clear()
        self._high.clear()
        self._size = 0
        self._settled.notify_all()
        return left

    def _report_shutdown(self, left: int) -> None:
        if left:
            self._diag.emit(
                "shutdown",
                logging.WARNING,
                "NeuralLog: %d record(s) not sent before the shutdown deadline",
                left,
            )

    def close_with(self, client: object) -> None:
        """Close when ``client`` is garbage-collected without having been closed.

        The worker thread keeps this pipeline (not the client) alive: once the client is
        gone, nothing can flush or close it, so the worker sends what is pending within
        ``shutdown_timeout``, counts the rest as ``shutdown`` and exits, and the pipeline
        is freed. Its HTTP client is left to the garbage collector rather than closed: it
        is the one ``client.api`` and live-tail streams use, which may outlive the client.
        """
        finalizer = weakref.finalize(client, _abandon, weakref.ref(self))
        finalizer.atexit = False  # at exit, shutdown_all() closes every live pipeline

    def abandon(self) -> None:
        """The client was garbage-collected without close() (see :meth:`close_with`)."""
        if self._closed:
            return
        self._abandoned = True
        self.begin_close(_monotonic() + self._opts.shutdown_timeout)

    def close(self, timeout: float | None = None) -> bool:
        """Send what is pending within ``timeout`` (default ``shutdown_timeout``), then stop."""
        self.begin_close(_monotonic() + _seconds(timeout, self._opts.shutdown_timeout))
        if _state.internal:
            # Called by delivery code (a callback on the worker, a before_send or a handler
            # of the SDK's logger during an inline send): waiting for it would wait for
            # itself. The delivery in progress stops by itself.
            return False
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

    def pause_for_fork(self, deadline: float) -> None:
        """Before a fork: bring the worker to its safe point and keep it there.

        The child inherits the parent's memory as it is at the fork: a module the worker is
        importing stays half-initialised there, and a lock it holds (an import lock,
        httpcore's pool lock) stays locked forever. So the worker is asked to stop at its
        next :meth:`_rest` and this waits, until ``deadline`` at most, for it to get there:
        a request in flight normally ends within milliseconds. A worker stuck in a slow
        request is waited for once, not again on later forks until it has rested.
        :meth:`resume_after_fork` (in the parent) lets it go on.
        """
        with self._lock:
            self._paused += 1
            worker = self._worker
            if (
                not isinstance(worker, threading.Thread)
                or worker is threading.current_thread()  # a callback on the worker forks
                or not worker.is_alive()
            ):
                return
            while not self._resting and self._rests != self._stuck_at:
                remaining = deadline - _monotonic()
                if remaining <= 0:
                    self._stuck_at = self._rests
                    return
                self._at_rest.wait(remaining)

    def resume_after_fork(self) -> None:
        """In the parent after a fork: let the worker go on (once no other fork is prepared)."""
        with self._lock:
            self._paused = max(0, self._paused - 1)
            if not self._paused:
                self._wake.notify_all()

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


def _seconds(timeout: object, default: float) -> float:
    """A ``timeout`` argument of flush() or close(): None means ``default``.

    Infinity waits as long as the platform's timed waits allow; a negative number is 0.
    """
    if timeout is None:
        return default
    if isinstance(timeout, bool) or not isinstance(timeout, int | float):
        raise TypeError(f"timeout must be a number of seconds or None, got {timeout!r}")
    if math.isnan(timeout):
        raise ValueError("timeout must be a number of seconds or None, got NaN")
    return min(max(0.0, float(timeout)), _LONGEST_WAIT)


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
