"""The logging pipeline of one client: four parts, each with one job, assembled here.

The life of a record, from ``client.info()`` to the server's 202:

1. :mod:`neurallog._queue` (:class:`~neurallog._queue.RecordQueue`), on the caller's
   thread: the call is validated and captured as a tuple and appended to a bounded queue
   (overflow policy, backpressure). Nothing else happens on the caller's thread.
2. :mod:`neurallog._worker` (:class:`~neurallog._worker.Worker`), one daemon thread: waits
   until a batch is due, takes it from the queue, hands it to the sender, settles it.
   It also runs ``flush()``, ``close()``, interpreter exit and the fork hooks.
3. :mod:`neurallog._sender` (:class:`~neurallog._sender.Sender`): turns the batch into
   wire entries and request bodies (:mod:`neurallog._wire`), gzips and POSTs them through
   the client's shared transport, holds them on 429, splits them on 413, and turns every
   response into an outcome.
4. :mod:`neurallog._accounting` (:class:`~neurallog._accounting.Accounting`): counts
   every outcome (``enqueued == sent + dropped + queued + filtered``), calls ``on_drop``
   and writes the SDK's loss reports.

The queue and the accounting share one lock, so ``stats`` is one consistent snapshot.
The process-wide exit and fork hooks are in :mod:`neurallog._process`.

Where a durable buffer plugs in: it takes the queue's place (the producer half ``put``/
``put_many`` the client calls, the consumer half the worker drains) and keeps each record
until its outcome is known: the sender reports outcomes to the accounting, and the worker
settles each batch once every record in it is resolved.
"""

from __future__ import annotations

import threading
import weakref
from typing import TYPE_CHECKING

from neurallog import _process
from neurallog._accounting import Accounting
from neurallog._config import PipelineOptions
from neurallog._queue import Record, RecordQueue
from neurallog._sender import Sender
from neurallog._stats import DROP_REASONS, DeliveryStats, Diagnostics
from neurallog._worker import Worker

if TYPE_CHECKING:
    from neurallog._core import ClientCore

__all__ = ["DROP_REASONS", "DeliveryStats", "Pipeline", "Record", "shutdown_all"]

shutdown_all = _process.shutdown_all


def _abandon(worker: weakref.ref[Worker]) -> None:
    # Holds the worker weakly: a dropped client whose worker never started is freed whole.
    alive = worker()
    if alive is not None:
        alive.abandon()


class Pipeline:
    """The client's handle on its queue, worker, sender and accounting.

    The hot-path methods (``put``, ``put_many``, ``capture``, ``submit_entries``) are the
    queue's own bound methods, so a logging call costs no extra hop through this class.
    """

    def __init__(self, core: ClientCore, options: PipelineOptions) -> None:
        self._opts = options
        self._max_queue = options.max_queue_size
        diagnostics = Diagnostics(core.options.logger)
        lock = threading.RLock()
        self.account = Accounting(lock, diagnostics, options.on_drop)
        self.queue = queue = RecordQueue(core, options, self.account, lock)
        self.sender = Sender(core, options, queue, self.account, diagnostics)
        self.worker = Worker(core, options, queue, self.account, self.sender)
        self.put = queue.put
        self.put_many = queue.put_many
        self.capture = queue.capture
        self.submit_entries = queue.submit_entries

    def flush(self, timeout: float | None = None) -> bool:
        """See :meth:`Worker.flush <neurallog._worker.Worker.flush>`."""
        return self.worker.flush(timeout)

    def close(self, timeout: float | None = None) -> bool:
        """See :meth:`Worker.close <neurallog._worker.Worker.close>`."""
        return self.worker.close(timeout)

    def close_with(self, client: object) -> None:
        """Close when ``client`` is garbage-collected without having been closed.

        The worker thread keeps the worker (not the client) alive: once the client is
        gone, nothing can flush or close it, so the worker sends what is pending within
        ``shutdown_timeout``, counts the rest as ``shutdown`` and exits, and the pipeline
        is freed. Its HTTP client is left to the garbage collector rather than closed: it
        is the one ``client.api`` and live-tail streams use, which may outlive the client.
        """
        finalizer = weakref.finalize(client, _abandon, weakref.ref(self.worker))
        finalizer.atexit = False  # at exit, shutdown_all() closes every live worker

    @property
    def stats(self) -> DeliveryStats:
        """A consistent snapshot of the counters."""
        queue = self.queue
        with queue.lock:
            return self.account.snapshot(queue.seq, queue.size + queue.inflight)
