"""The worker: one daemon thread that drains the record queue into the sender.

It owns the life of delivery, and nothing else: *when* a batch goes (``batch_size``
records pending, ``batch_interval`` elapsed, or a flush asking), ``flush()``, ``close()``,
interpreter exit, a client garbage-collected without ``close()``, and forks. *What*
happens to a batch is the sender's business (:mod:`neurallog._sender`), *what is counted*
the accounting's (:mod:`neurallog._accounting`).

A record's way through it: the thread (started by the queue on its first record) waits
on the queue's condition until a batch is due, takes everything pending (up to 1000
records) with :meth:`~neurallog._queue.RecordQueue.take` so a backlog goes out in a few
large requests, hands it to :meth:`~neurallog._sender.Sender.deliver`, then settles it
(:meth:`~neurallog._queue.RecordQueue.settle`) and wakes the flushes waiting for it.

The seam for a durable buffer: this loop needs from its queue only the consumer methods
(``take``/``settle``/``head_seq``/``settled_upto``/``discard_pending``, the ``lock`` and
its ``wake`` condition); a buffer that keeps records on disk until acknowledged plugs in
there. It learns which records the server has from
:attr:`Sender.acknowledged <neurallog._sender.Sender.acknowledged>` and every other
outcome from the accounting; ``settle`` marks the end of a batch, every record of it
resolved. A subclass may add work between batches (:meth:`Worker._housekeeping`, run
outside the lock at least every ``_housekeeping_interval`` seconds) and records due at once
that ``queue.size`` does not count (:meth:`Worker._due_at_once`): the spool's worker looks
for dead processes' segments and sends them that way (:mod:`neurallog._spooled`).

Shutdown: ``close()`` (and the exit hook of :mod:`neurallog._process`, for clients never
closed) sends what is pending within ``shutdown_timeout``; with no live thread the final
sends run on the calling thread, so exit never needs a new thread. Whatever is left is
counted as ``shutdown``. Fork: the thread is held at its safe point (:meth:`Worker._rest`)
while the process forks; the child starts with an empty queue, fresh locks and counters,
no inherited connections, and a thread started on its first record.
"""

from __future__ import annotations

import math
import os
import threading
import time
import weakref
from typing import TYPE_CHECKING, Final

from neurallog import _guard, _process
from neurallog._accounting import Accounting
from neurallog._config import API_MAX_ENTRIES, PipelineOptions
from neurallog._queue import NO_LIMIT, Record, RecordQueue
from neurallog._sender import Sender

if TYPE_CHECKING:
    from neurallog._core import ClientCore

__all__ = ["Worker", "seconds"]

_NO_THREAD: Final = object()
# threading refuses longer timed waits (OverflowError); half leaves room for clock arithmetic.
_LONGEST_WAIT: Final = threading.TIMEOUT_MAX / 2

_monotonic = time.monotonic
_state = _guard._state


class Worker:
    """The delivery thread of one client: batching, flush, close, exit and fork."""

    def __init__(
        self,
        core: ClientCore,
        options: PipelineOptions,
        queue: RecordQueue,
        account: Accounting,
        sender: Sender,
    ) -> None:
        client_options = core.options
        self._core = core
        self._interval = client_options.batch_interval
        self._auto = client_options.auto_flush
        self._batch_size = client_options.batch_size
        self.shutdown_timeout = options.shutdown_timeout
        self._flush_timeout = options.flush_timeout
        self._queue = queue
        self._account = account
        self._sender = sender
        # Weakly: the queue must not keep its worker alive (see Pipeline.close_with).
        this = weakref.ref(self)

        def start_consumer() -> bool:
            worker = this()
            return worker is not None and worker.ensure_started()

        queue.start_consumer = start_consumer
        self._start_lock = threading.Lock()
        self._init_state()
        _process.register(self)

    def _init_state(self) -> None:
        """Everything a forked child must not share with its parent (but the queue's lock)."""
        lock = self._queue.lock
        self._settled = threading.Condition(lock)  # flush() and close() wait here
        self._flush_target = 0
        self._stopping = False
        self._aborted = False
        self._deadline: float | None = None
        self._close_result: bool | None = None
        self._abandoned = False  # the client was garbage-collected without close()
        # Fork safety (see pause_for_fork): the worker rests only where it waits on wake.
        self._at_rest = threading.Condition(lock)  # pause_for_fork() waits here
        self._paused = 0  # forks being prepared: while any, the worker stays at rest
        self._resting = False  # the worker waits on wake, outside any request or import
        self._rests = 0  # times the worker came to rest
        self._stuck_at = -1  # _rests when a pause last gave up waiting

    # -- Control, for the sender -------------------------------------------------------------

    @property
    def stopping(self) -> bool:
        """close() has begun."""
        return self._stopping

    @property
    def deadline(self) -> float | None:
        """When the sending in progress must end (the shutdown deadline), if any."""
        return self._deadline

    def sleep(self, delay: float, wake_on_close: bool = False) -> bool:
        """Wait ``delay`` seconds unless that would overrun shutdown; False means give up.

        With ``wake_on_close`` the wait also ends (returning True) when close() begins, so
        the caller can re-plan against the shutdown deadline.
        """
        end = _monotonic() + delay
        queue = self._queue
        busy, queue.busy = queue.busy, False  # waiting is not delivering: no backpressure
        try:
            return self._wait_until(end, wake_on_close)
        finally:
            queue.busy = busy

    def _wait_until(self, end: float, wake_on_close: bool) -> bool:
        with self._queue.lock:
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
                if self._queue.consumer is threading.current_thread():
                    # A backoff between attempts: no request or connection in progress.
                    self._rest(remaining)
                else:
                    self._queue.wake.wait(remaining)

    # -- the thread --------------------------------------------------------------------------

    @property
    def thread(self) -> threading.Thread | None:
        """The delivery thread, once started (None before, or when none could start)."""
        consumer = self._queue.consumer
        return consumer if isinstance(consumer, threading.Thread) else None

    def ensure_started(self) -> bool:
        """Start the thread if it is not running; False when no thread can be started."""
        queue = self._queue
        with self._start_lock:
            if queue.pid != os.getpid():
                # A fork that bypassed os.register_at_fork (a C extension calling fork()).
                self.after_fork_in_child()
            worker = queue.consumer
            if isinstance(worker, threading.Thread) and worker.is_alive():
                return True
            if worker is _NO_THREAD or queue.closed:
                return False
            thread = threading.Thread(target=self._run, name="neurallog-worker", daemon=True)
            try:
                thread.start()
            except RuntimeError:
                # Interpreter shutdown: close() will send what is pending on its own thread.
                queue.consumer = _NO_THREAD
                return False
            queue.consumer = thread
        _process.register_multiprocessing_exit()
        return True

    def _alive(self) -> bool:
        thread = self.thread
        return thread is not None and thread.is_alive()

    def _run(self) -> None:
        _guard.mark_thread_internal()
        account = self._account
        try:
            # The HTTP stack is loaded here, before the first send, not by the client's
            # constructor (see ClientCore.prime; the before-fork hook waits for it).
            self._core.prime()
        except Exception as exc:  # the first send tries again and reports
            account.internal_error(exc)
        while True:
            try:
                batch = self._next_batch()
            except Exception as exc:  # the worker must survive its own bugs
                account.internal_error(exc)
                time.sleep(0.1)
                continue
            if batch is None:
                if self._abandoned:  # nobody will call finish_close(): count the rest
                    with self._queue.lock:
                        left = self._write_off_pending(stuck=False)
                    account.report_shutdown(left)
                account.report()
                return
            self._deliver(batch)
            account.report()

    def _next_batch(self) -> list[Record] | None:
        """Wait until a batch is due and take it; None when the worker must stop."""
        while True:
            self._housekeeping()
            with self._queue.lock:
                batch = self._wait_for_batch()
            if batch is None or batch:
                return batch

    #: Seconds the worker waits at most before :meth:`_housekeeping` runs again (None:
    #: it waits until woken). A durable queue sets it (see neurallog._spooled).
    _housekeeping_interval: float | None = None

    def _housekeeping(self) -> None:
        """Work between batches, outside the queue's lock: none here."""

    def _due_at_once(self) -> bool:
        """Whether records outside ``queue.size`` are due now (lock held): none here."""
        return False

    def _wait_for_batch(self) -> list[Record] | None:
        """The next batch once due (lock held); None to stop; [] for housekeeping."""
        queue = self._queue
        every = self._housekeeping_interval
        since = _monotonic() if every is not None else 0.0
        while True:
            if self._paused:
                self._rest(None)
                continue
            if self._due_at_once() and not self._aborted:
                if self._stopping and self._past_deadline():
                    return None
                batch = self._take()
                if batch:
                    return batch
            size = queue.size
            if self._stopping:
                if not size or self._aborted or self._past_deadline():
                    return None
                return self._take()
            if size and queue.head_seq() <= self._flush_target:
                return self._take()
            if size and self._auto:
                if size >= self._batch_size:
                    return self._take()
                now = _monotonic()
                if queue.pending_since is None:
                    queue.pending_since = now
                remaining = queue.pending_since + self._interval - now
                if remaining <= 0:
                    return self._take()
                queue.waiting = True
                self._rest(remaining if every is None else min(remaining, every))
                queue.waiting = False
            else:
                queue.idle = True
                self._rest(every)
                queue.idle = False
            if every is not None and _monotonic() - since >= every:
                return []

    def _rest(self, timeout: float | None) -> None:
        """The worker waits on the queue's ``wake`` (lock held): its safe point for a fork.

        Here it runs no request, no import and holds no lock but this one (which the wait
        releases). While a fork is prepared it stays here, whatever the timeout, until
        :meth:`resume_after_fork`.
        """
        wake = self._queue.wake
        self._resting = True
        self._rests += 1
        self._at_rest.notify_all()
        try:
            wake.wait(timeout)
            while self._paused:
                wake.wait()
        finally:
            self._resting = False

    def _past_deadline(self) -> bool:
        return self._deadline is not None and _monotonic() >= self._deadline

    def _deliver(self, batch: list[Record]) -> None:
        """Hand one batch to the sender, then settle it (every record is resolved)."""
        queue = self._queue
        queue.busy = True
        try:
            self._sender.deliver(batch, self)
        finally:
            queue.busy = False
            with queue.lock:
                queue.settle()
                self._settled.notify_all()

    # -- flush and close ---------------------------------------------------------------------

    def flush(self, timeout: float | None = None) -> bool:
        """Block until every record enqueued before the call is sent or dropped.

        Returns True when that happened within the timeout and no record was lost since the
        previous flush (or since the client was created).
        """
        deadline = _monotonic() + seconds(timeout, self._flush_timeout)
        if _state.internal:
            # On the worker thread (a callback flushing): waiting for itself would hang.
            return False
        queue = self._queue
        with queue.lock:
            # Taken now: a flush on another thread that returns meanwhile moves the shared
            # baseline past losses this flush must still report.
            mark = self._account.flush_mark()
            target = queue.seq
            if target > self._flush_target:
                self._flush_target = target
                queue.idle = queue.waiting = False
                queue.wake.notify_all()
            pending = not queue.settled_upto(target)
        if pending and not self._alive() and not self.ensure_started():
            self._drain_inline(deadline, target)
        with queue.lock:
            while not queue.settled_upto(target):
                remaining = deadline - _monotonic()
                if remaining <= 0:
                    break
                self._settled.wait(remaining)
            settled = queue.settled_upto(target)
            return self._account.end_flush(mark) and settled

    def begin_close(self, deadline: float) -> None:
        """Stop accepting records and tell the worker to send what is left by ``deadline``."""
        queue = self._queue
        with queue.lock:
            if queue.closed:
                return
            queue.closed = True
            queue.room.notify_all()  # producers blocked by overflow="block" give up
            self._stopping = True
            self._deadline = deadline
            self._flush_target = queue.seq
            queue.wake.notify_all()

    def finish_close(self) -> bool:
        """Wait for the worker (or send inline), then count what is left as ``shutdown``."""
        queue = self._queue
        account = self._account
        with self._start_lock:
            if self._close_result is not None:
                return self._close_result
            with queue.lock:
                mark = account.flush_mark()  # as in flush(): before anyone can move it
            deadline = self._deadline if self._deadline is not None else _monotonic()
            worker = self.thread
            if worker is not None and worker.is_alive():
                if worker is not threading.current_thread():
                    worker.join(max(0.0, deadline - _monotonic()))
            else:
                self._drain_inline(deadline, NO_LIMIT)
            with queue.lock:
                finished = not (worker is not None and worker.is_alive())
                if not finished:
                    self._aborted = True  # cut its backoff short; it stops after this request
                    queue.wake.notify_all()
                # A batch still in flight may never finish (the process may be exiting):
                # it is counted as lost now, and the count corrected if it does finish.
                left = self._write_off_pending(stuck=not finished)
                result = account.end_flush(mark) and finished
            self._close_result = result
        # Outside _start_lock: on_drop and the logger's handlers may call close() again.
        account.report_shutdown(left)
        account.report()
        if finished:
            self._core.close()
        return result

    def _write_off_pending(self, stuck: bool) -> int:
        """Count what is still queued (and the batch in flight if ``stuck``) as ``shutdown``.

        Lock held; returns how many records that was.
        """
        left = self._account.write_off(self._queue.discard_pending(), stuck)
        self._settled.notify_all()
        return left

    def _take(self) -> list[Record]:
        """The next batch, in flight from now on (lock held)."""
        batch = self._queue.take(API_MAX_ENTRIES)
        self._account.took(len(batch))
        return batch

    def abandon(self) -> None:
        """The client was garbage-collected without close(): deliver, then exit."""
        if self._queue.closed:
            return
        self._abandoned = True
        self.begin_close(_monotonic() + self.shutdown_timeout)

    def close(self, timeout: float | None = None) -> bool:
        """Send what is pending within ``timeout`` (default ``shutdown_timeout``), then stop."""
        self.begin_close(_monotonic() + seconds(timeout, self.shutdown_timeout))
        if _state.internal:
            # Called by delivery code (a callback on the worker, a before_send or a handler
            # of the SDK's logger during an inline send): waiting for it would wait for
            # itself. The delivery in progress stops by itself.
            return False
        return self.finish_close()

    def _drain_inline(self, deadline: float, target: int) -> None:
        """Send pending records on the calling thread (no worker, e.g. at interpreter exit)."""
        queue = self._queue
        with _guard.internal():
            while True:
                with queue.lock:
                    if (
                        not queue.size
                        or self._aborted
                        or _monotonic() >= deadline
                        or queue.head_seq() > target
                    ):
                        return
                    saved, self._deadline = self._deadline, deadline
                    batch = self._take()
                try:
                    self._deliver(batch)
                finally:
                    with queue.lock:
                        self._deadline = saved

    # -- fork --------------------------------------------------------------------------------

    def prime_for_fork(self) -> None:
        """Before a fork: finish loading the HTTP stack (see :func:`_process._before_fork`)."""
        self._core.prime_imports()

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
        with self._queue.lock:
            self._paused += 1
            worker = self.thread
            if (
                worker is None
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
        with self._queue.lock:
            self._paused = max(0, self._paused - 1)
            if not self._paused:
                self._queue.wake.notify_all()

    def after_fork_in_child(self) -> None:
        """Forget the parent's queue, counters, locks, thread and connections."""
        queue = self._queue
        closed = queue.closed
        lock = threading.RLock()
        queue.reset(lock)
        queue.closed = closed
        self._account.reset(lock)
        self._sender.reset()
        self._init_state()
        self._start_lock = threading.Lock()
        self._core.forget_connections()


def seconds(timeout: object, default: float) -> float:
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
