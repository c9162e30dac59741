"""RQ integration: job context on every record, failures sent once, delivery after each job.

Run a worker of this module's classes, from the command line::

    NEURALLOG_API_KEY=... NEURALLOG_ENDPOINT=... \\
        rq worker --worker-class neurallog.integrations.rq.NeuralLogWorker

or in code, with a client of your own::

    from neurallog.integrations.rq import NeuralLogWorker

    NeuralLogWorker(["default"], connection=redis, neurallog=client).work()

While a job runs, every record sent by any NeuralLog client carries ``metadata["job"] =
{"id", "func", "queue", "retries"}``: ``retries`` counts the retries a job asked for by
returning ``rq.Retry``; a job enqueued with ``retry=Retry(max=...)`` also has
``retries_left``, the attempts it has left after this one.

A job that fails for the last time is sent once: ERROR, ``"Job app.charge failed:
ValueError: ..."`` with the exception's type, message and traceback; a failure that RQ will
retry is sent as WARN (``"Job app.charge failed, will retry: ..."``).

Delivery: the records of every NeuralLog client of the process are delivered at the end of
each job, within ``neurallog_flush_timeout`` seconds (10). :class:`NeuralLogWorker` runs
each job in a forked work horse that ends with ``os._exit`` (no ``atexit``), so this is
where its records are sent; the fork gives the horse a client of its own automatically
(fresh queue, thread and connections). :class:`NeuralLogSimpleWorker` runs jobs in the
worker's own process.

Failures are sent through the worker's client: ``neurallog=``, else the class attribute
``neurallog_client``, else a client configured from the environment (``NEURALLOG_API_KEY``,
``NEURALLOG_ENDPOINT``).
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any, ClassVar

try:
    from rq.worker import SimpleWorker, Worker
except ImportError as _exc:  # pragma: no cover - depends on the environment
    from neurallog.integrations._common import missing_extra

    raise ImportError(missing_extra("rq", "rq")) from _exc

from neurallog import context as _context
from neurallog.integrations._common import resolve_client
from neurallog.integrations._tasks import environment_client, flush_all, report_failure

if TYPE_CHECKING:
    from neurallog.client import NeuralLog

__all__ = ["NeuralLogSimpleWorker", "NeuralLogWorker", "NeuralLogWorkerMixin"]

#: Seconds the end of a job may wait for its records' delivery.
DEFAULT_FLUSH_TIMEOUT = 10.0


class NeuralLogWorkerMixin:
    """Job context, failure reporting and delivery for an RQ worker class (see the module).

    Put it first in the bases of a worker class of your own:
    ``class MyWorker(NeuralLogWorkerMixin, rq.worker.Worker)``.
    """

    #: The client of workers made without ``neurallog=`` (None: from the environment).
    neurallog_client: ClassVar[object] = None
    #: Seconds the end of a job may wait for delivery.
    neurallog_flush_timeout: ClassVar[float] = DEFAULT_FLUSH_TIMEOUT

    def __init__(self, *args: Any, neurallog: object = None, **kwargs: Any) -> None:
        self._neurallog_given = neurallog
        self._neurallog: NeuralLog | None = None
        super().__init__(*args, **kwargs)

    @property
    def neurallog(self) -> NeuralLog:
        """The NeuralLog client records are sent through."""
        if self._neurallog is None:
            given = self._neurallog_given
            if given is None:
                given = type(self).neurallog_client
            if given is None:
                self._neurallog = environment_client()
            else:
                self._neurallog = resolve_client(given, {}, what=type(self).__name__)[0]
        return self._neurallog

    def perform_job(self, job: Any, queue: Any, *args: Any, **kwargs: Any) -> Any:
        """Run the job with its context bound, then deliver its records."""
        token = None
        with contextlib.suppress(Exception):  # context is a nicety: the job runs regardless
            token = _context.bind({"job": _job_info(job, queue)})
        try:
            return super().perform_job(job, queue, *args, **kwargs)  # type: ignore[misc]
        finally:
            if token is not None:
                with contextlib.suppress(ValueError):
                    _context.reset(token)
            flush_all(type(self).neurallog_flush_timeout)

    def handle_exception(self, job: Any, *exc_info: Any) -> Any:
        """Send the job's exception once (WARN when RQ will retry the job), then RQ's own."""
        exc = exc_info[1] if len(exc_info) > 1 else None
        client = None
        with contextlib.suppress(Exception):  # no client configured: RQ's handling goes on
            client = self.neurallog
        if isinstance(exc, BaseException) and client is not None:
            name = _func_name(job)
            if _will_retry(job):
                report_failure(client, exc, f"Job {name} failed, will retry", level="WARN")
            else:
                report_failure(client, exc, f"Job {name} failed")
        return super().handle_exception(job, *exc_info)  # type: ignore[misc]


class NeuralLogWorker(NeuralLogWorkerMixin, Worker):
    """RQ's forking :class:`rq.worker.Worker` with NeuralLog job context and delivery."""


class NeuralLogSimpleWorker(NeuralLogWorkerMixin, SimpleWorker):
    """RQ's :class:`rq.worker.SimpleWorker` (no fork) with NeuralLog job context and delivery."""


def _func_name(job: Any) -> str:
    try:
        return str(job.func_name)
    except Exception:  # a job that cannot be deserialized still gets reported
        return "unknown"


def _job_info(job: Any, queue: Any) -> dict[str, Any]:
    info = {
        "id": str(job.id),
        "func": _func_name(job),
        "queue": str(getattr(queue, "name", None) or getattr(job, "origin", "")),
        "retries": int(getattr(job, "number_of_retries", None) or 0),
    }
    # Jobs enqueued with retry=Retry(max=...) count down instead of up.
    left = getattr(job, "retries_left", None)
    if isinstance(left, int):
        info["retries_left"] = left
    return info


def _will_retry(job: Any) -> bool:
    # RQ decrements retries_left after reporting the exception, when it schedules the retry.
    left = getattr(job, "retries_left", None)
    return isinstance(left, int) and left > 0
