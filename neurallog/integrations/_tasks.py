"""Helpers shared by the task-queue and serverless integrations. Imports no framework."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Literal

from neurallog._exc_info import exception_fields, exception_summary
from neurallog.integrations._common import mark_reported, was_reported

if TYPE_CHECKING:
    from neurallog.client import NeuralLog


def report_failure(
    client: NeuralLog, exc: BaseException, what: str, *, level: Literal["WARN", "ERROR"] = "ERROR"
) -> None:
    """Send ``"<what> failed: ValueError: boom"`` with the exception, once per exception.

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
            f"{what} failed: {exception_summary(exc)}",
            {"exception": exception_fields(exc)},
        )


def flush_quietly(client: NeuralLog, timeout: float | None = None) -> bool:
    """``client.flush(timeout)`` that never raises (at shutdown, after a job)."""
    try:
        return client.flush(timeout=timeout)
    except Exception:
        return False
