"""AWS Lambda integration: request context on every record, delivery before returning.

::

    from neurallog import NeuralLog
    from neurallog.integrations.aws_lambda import lambda_handler

    neurallog = NeuralLog()  # NEURALLOG_API_KEY / NEURALLOG_ENDPOINT from the function's settings

    @lambda_handler(neurallog)
    def handler(event, context):
        neurallog.info("Order received", order_id=event["order_id"])
        return {"statusCode": 200}

While the handler runs, every record sent by any NeuralLog client carries
``metadata["lambda"] = {"request_id", "function_name", "function_version", "cold_start"}``.
Before the handler's result goes back to the runtime, the records of every NeuralLog client
of the process are delivered: Lambda freezes the sandbox once the handler returns, and a
background thread must not be trusted to finish its work there. The wait is bounded by the
invocation's remaining time (less ``margin`` seconds), so delivery never makes the function
time out. An exception escaping the handler is sent once (ERROR, with its traceback),
delivered, and re-raised, so Lambda reports the invocation as failed as usual.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from neurallog import context as _context
from neurallog.integrations._common import resolve_client, sync_client_of
from neurallog.integrations._request import report_exception
from neurallog.integrations._tasks import flush_all

if TYPE_CHECKING:
    from neurallog._methods import AsyncLogging, Logging
    from neurallog.client import NeuralLog

__all__ = ["lambda_handler"]

Handler = TypeVar("Handler", bound=Callable[..., Any])

#: Seconds of the invocation's remaining time left for the handler to return after delivery.
DEFAULT_MARGIN = 0.5


def lambda_handler(
    client: Logging | AsyncLogging, /, *, margin: float = DEFAULT_MARGIN
) -> Callable[[Handler], Handler]:
    """Decorate a Lambda handler ``handler(event, context)``: ``@lambda_handler(client)``.

    Args:
        client: The NeuralLog or AsyncNeuralLog client (or an integration object wrapping
            one) that escaping exceptions are sent through.
        margin: Seconds of the remaining time kept for returning after delivery.
    """
    given: object = client
    if callable(given) and sync_client_of(given) is None:
        raise TypeError(
            "lambda_handler takes the client first: use @lambda_handler(client), "
            f"not @lambda_handler on {type(client).__name__} {client!r}"
        )
    if not isinstance(margin, int | float) or isinstance(margin, bool) or margin < 0:
        raise ValueError(f"margin must be a number of seconds >= 0, got {margin!r}")
    sync = resolve_client(client, {}, what="lambda_handler")[0]

    def decorate(handler: Handler) -> Handler:
        return _decorate(handler, sync, float(margin))

    return decorate


def _decorate(handler: Handler, client: NeuralLog, margin: float) -> Handler:
    cold = [True]

    @functools.wraps(handler)
    def wrapper(event: Any, context: Any, *args: Any, **kwargs: Any) -> Any:
        cold_start, cold[0] = cold[0], False
        with _context.scope({"lambda": _invocation(context, cold_start)}):
            try:
                return handler(event, context, *args, **kwargs)
            except BaseException as exc:
                report_exception(client, exc)
                raise
            finally:
                _deliver(context, margin)

    return wrapper  # type: ignore[return-value]


def _invocation(context: Any, cold_start: bool) -> Mapping[str, Any]:
    info: dict[str, Any] = {}
    for field, attribute in (
        ("request_id", "aws_request_id"),
        ("function_name", "function_name"),
        ("function_version", "function_version"),
    ):
        value = getattr(context, attribute, None)
        if isinstance(value, str):
            info[field] = value
    info["cold_start"] = cold_start
    return info


def _deliver(context: Any, margin: float) -> None:
    """Flush every client within the invocation's remaining time; never raises."""
    timeout: float | None = None
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    if callable(remaining):
        with contextlib.suppress(Exception):
            timeout = max(0.0, float(remaining()) / 1000.0 - margin)
    flush_all(timeout)
