"""Celery integration: task context on every record, failures sent once, delivery at exit.

::

    from celery import Celery
    from neurallog import NeuralLog
    from neurallog.integrations.celery import NeuralLogCelery

    app = Celery("shop", broker="redis://...")
    neurallog = NeuralLogCelery(NeuralLog(api_key="...", endpoint="..."))

    @app.task(bind=True, max_retries=3)
    def charge(self, order_id):
        neurallog.info("Charging", order_id=order_id)  # carries metadata["task"]

While a task runs, every record sent by any NeuralLog client (directly, through
``get_task_logger`` and a :class:`~neurallog.integrations.logging.NeuralLogHandler`,
structlog or loguru) carries ``metadata["task"] = {"id", "name", "retries"}``. A task that
fails (after its last retry) is sent once: ERROR, ``"Task shop.charge failed: ValueError:
..."`` with the exception's type, message and traceback; Celery's own log record of the same
failure is not sent a second time through the same client.

Delivery: the records are sent by the client's background thread as usual, and the records
of every NeuralLog client of the process are flushed when a pool process exits
(``worker_process_shutdown``, which Celery sends where ``atexit`` does not run) and when the
worker shuts down (``worker_shutdown``). The prefork pool is safe: a child process forked
from the worker gets a client of its own automatically (fresh queue, thread and
connections), so records are never shared between processes. ``flush_after_task=True`` also
flushes after every task, for pools whose processes may be killed without warning.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

try:
    from celery import signals
except ImportError as _exc:  # pragma: no cover - depends on the environment
    from neurallog.integrations._common import missing_extra

    raise ImportError(missing_extra("celery", "celery")) from _exc

from neurallog import context as _context
from neurallog.integrations._common import ClientMethods, resolve_client
from neurallog.integrations._tasks import flush_all, flush_quietly, report_failure

if TYPE_CHECKING:
    from collections.abc import Mapping
    from contextvars import Token

    from neurallog.client import NeuralLog

__all__ = ["NeuralLogCelery"]


class NeuralLogCelery(ClientMethods):
    """Connects a NeuralLog client to Celery's task and worker signals (see the module)."""

    def __init__(
        self,
        client: object = None,
        *,
        capture_failures: bool = True,
        flush_after_task: bool = False,
        shutdown_timeout: float | None = None,
        **client_kwargs: Any,
    ) -> None:
        """Connect to Celery's signals (for every app of the process).

        Args:
            client: A NeuralLog or AsyncNeuralLog client (or an integration object wrapping
                one); without it, one is made from ``client_kwargs`` and the environment.
            capture_failures: Send each failed task's exception (ERROR) once.
            flush_after_task: Also deliver the records after every task.
            shutdown_timeout: Seconds a process exit may wait for delivery (default: each
                client's ``flush_timeout``).
        """
        self._client, self._owned = resolve_client(client, client_kwargs, what="NeuralLogCelery")
        self.capture_failures = capture_failures
        self.flush_after_task = flush_after_task
        self.shutdown_timeout = shutdown_timeout
        # Task id -> the context token of that run: prerun and postrun run on one thread,
        # but an eagerly applied task may run inside another.
        self._tokens: dict[str, Token[Mapping[str, Any]]] = {}
        uid = f"neurallog-{id(self)}"
        self._connections = [
            (signals.task_prerun, self._task_prerun),
            (signals.task_postrun, self._task_postrun),
            (signals.task_failure, self._task_failure),
            (signals.worker_process_shutdown, self._process_shutdown),
            (signals.worker_shutdown, self._process_shutdown),
        ]
        for signal, receiver in self._connections:
            signal.connect(receiver, weak=False, dispatch_uid=uid)
        self._uid = uid

    @property
    def client(self) -> NeuralLog:
        """The NeuralLog client records are sent through."""
        return self._client

    def close(self, timeout: float | None = None) -> bool:
        """Disconnect from Celery's signals; deliver pending records, close an owned client."""
        for signal, _ in self._connections:
            signal.disconnect(dispatch_uid=self._uid)
        if self._owned:
            return self._client.close(timeout=timeout)
        return flush_quietly(self._client, timeout)

    # -- signal receivers (never raise: Celery would log them as errors of the task) --------

    def _task_prerun(self, sender: Any = None, task_id: Any = None, **_: Any) -> None:
        if task_id is None:
            return
        # Context is a nicety: the task must run regardless.
        with contextlib.suppress(Exception):
            request = getattr(sender, "request", None)
            info = {
                "id": str(task_id),
                "name": str(getattr(sender, "name", None) or "unknown"),
                "retries": int(getattr(request, "retries", 0) or 0),
            }
            self._tokens[str(task_id)] = _context.bind({"task": info})

    def _task_postrun(self, sender: Any = None, task_id: Any = None, **_: Any) -> None:
        token = self._tokens.pop(str(task_id), None)
        if token is not None:
            # ValueError: made in another context (a custom pool), nothing to undo.
            with contextlib.suppress(ValueError):
                _context.reset(token)
        if self.flush_after_task:
            flush_all(self.shutdown_timeout)

    def _task_failure(
        self, sender: Any = None, exception: BaseException | None = None, **_: Any
    ) -> None:
        if self.capture_failures and exception is not None:
            name = getattr(sender, "name", None) or "unknown"
            report_failure(self._client, exception, f"Task {name} failed")

    def _process_shutdown(self, **_: Any) -> None:
        flush_all(self.shutdown_timeout)

    def __repr__(self) -> str:
        return f"<NeuralLogCelery client={self._client!r}>"
