"""Helpers shared by the task-queue and serverless integrations. Imports no framework."""

from __future__ import annotations

import contextlib
import threading
import time
from typing import TYPE_CHECKING, Literal

from neurallog._exc_info import exception_fields, exception_summary
from neurallog.integrations._common import mark_reported, was_reported

if TYPE_CHECKING:
    from neurallog.client import NeuralLog


_env_client: NeuralLog | None = None
_env_lock = threading.Lock()


def environment_client() -> NeuralLog:
    """The process's client configured from the environment (``NEURALLOG_API_KEY``, ...).

    Made on first use and kept: a Lambda sandbox or a worker reuses it for every invocation
    or job (a forked child gets a fresh pipeline of its own through the fork hooks).
    """
    global _env_client
    with _env_lock:
        if _env_client is None:
            from neurallog.client import NeuralLog

            _env_client = NeuralLog()
        return _env_client


def report_failure(
    client: NeuralLog,
    exc: BaseException,
    what: str,
    *,
    level: Literal["WARN", "ERROR"] = "ERROR",
) -> None:
    """Send ``"<what>: ValueError: boom"`` with the exception, once per exception.

    Marked as reported, so the framework's own log record of the same exception reaching a
    :class:`~neurallog.integrations.logging.NeuralLogHandler` on this client is not sent
    again. Never raises: reporting must not change what the framework does next.
    """
    if was_reported(exc, client):
        return
    mark_reported(exc, client)
    with contextlib.suppress(Exception):
        client.log(
            level,
            f"{what}: {exception_summary(exc)}",
            {"exception": exception_fields(exc)},
        )


def flush_all(timeout: float | None = None) -> bool:
    """Deliver what every live client of the process holds, all within ``timeout`` seconds.

    Every client, not only the integration's: a job or an invocation may log through clients
    of its own, and the process may be frozen or end with ``os._exit`` right after. Never
    raises. ``None``: each client's own ``flush_timeout``.
    """
    from neurallog import _process

    deadline = None if timeout is None else time.monotonic() + timeout
    delivered = True
    for worker in list(_process._workers):
        remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
        try:
            delivered = worker.flush(remaining) and delivered
        except Exception:
            delivered = False
    return delivered


def flush_quietly(client: NeuralLog, timeout: float | None = None) -> bool:
    """``client.flush(timeout)`` that never raises (at shutdown, after a job)."""
    try:
        return client.flush(timeout=timeout)
    except Exception:
        return False
