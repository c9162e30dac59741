"""Helpers shared by the task-queue and serverless integrations. Imports no framework."""

from __future__ import annotations

import contextlib
import threading
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


def flush_quietly(client: NeuralLog, timeout: float | None = None) -> bool:
    """``client.flush(timeout)`` that never raises (at shutdown, after a job)."""
    try:
        return client.flush(timeout=timeout)
    except Exception:
        return False
