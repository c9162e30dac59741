"""Per-request context shared by the web framework integrations.

A :class:`RequestState` is created when a request arrives. While the request is handled it
is bound with :func:`neurallog.context.bind`, so every record any NeuralLog client sends
from that request (in the handling thread, across ``await``, in threads started with a
copied context) carries ``metadata["request"] = {"id", "method", "path", "route",
"client"}``. It also reports an unhandled exception once and writes the optional request
log record (status and duration) when the response is complete.
"""

from __future__ import annotations

import contextlib
import os
import re
import time
from collections.abc import AsyncIterator, Iterable, Iterator, Mapping
from contextvars import Token
from typing import TYPE_CHECKING, Any, Final

from neurallog import context
from neurallog.integrations._common import (
    exception_fields,
    exception_summary,
    mark_reported,
    was_reported,
)

if TYPE_CHECKING:
    from neurallog.client import NeuralLog
    from neurallog.types import Level

#: Request header carrying the request id; echoed on the response.
REQUEST_ID_HEADER: Final = "X-Request-ID"

# An incoming id is used only if it is short printable ASCII without spaces: anything else
# (control characters, header injection, megabytes of text) is replaced by a generated id.
_VALID_REQUEST_ID: Final = re.compile(r"[\x21-\x7e]{1,200}")


def new_request_id() -> str:
    """A fresh random request id (32 hex characters, 128 random bits)."""
    return os.urandom(16).hex()


def request_id_from(value: str | bytes | None) -> str:
    """The incoming ``X-Request-ID`` when it is acceptable, else a generated id."""
    if isinstance(value, bytes):
        try:
            value = value.decode("ascii")
        except UnicodeDecodeError:
            value = None
    if value:
        value = value.strip()
        if _VALID_REQUEST_ID.fullmatch(value):
            return value
    return new_request_id()


def status_level(status: int) -> Level:
    """Level of the request log record: ERROR for 5xx, WARN for 4xx, else INFO."""
    if status >= 500:
        return "ERROR"
    if status >= 400:
        return "WARN"
    return "INFO"


def report_exception(
    client: NeuralLog, exc: BaseException, request: Mapping[str, Any] | None = None
) -> None:
    """Send an exception that escaped a request handler, once per exception.

    ERROR, ``"Unhandled exception: ValueError: boom"``, with ``metadata["exception"] =
    {type, message, traceback}``. The exception is marked, so the framework's own log
    record of it reaching a :class:`~neurallog.integrations.logging.NeuralLogHandler` (or a
    second integration) with the same client does not send it again.
    """
    if was_reported(exc, client):
        return
    mark_reported(exc, client)
    metadata: dict[str, Any] = {"exception": exception_fields(exc)}
    if request is not None:
        metadata["request"] = request
    # Reporting must never change what the framework does next.
    with contextlib.suppress(Exception):
        client.log("ERROR", f"Unhandled exception: {exception_summary(exc)}", metadata)


class RequestState:
    """Context and bookkeeping of one request.

    ``info`` is the dict bound as ``metadata["request"]``. It is owned by this object and
    only its ``route`` entry changes, once routing has happened.
    """

    __slots__ = (
        "_finished",
        "_started",
        "capture_exceptions",
        "client",
        "info",
        "request_logging",
        "status",
    )

    def __init__(
        self,
        client: NeuralLog,
        *,
        request_id: str,
        method: str,
        path: str,
        client_address: str | None,
        route: str | None = None,
        request_logging: bool = False,
        capture_exceptions: bool = True,
    ) -> None:
        self.client = client
        self.info: dict[str, Any] = {
            "id": request_id,
            "method": method,
            "path": path,
            "route": route,
            "client": client_address,
        }
        self.request_logging = request_logging
        self.capture_exceptions = capture_exceptions
        self.status: int | None = None
        self._started = time.perf_counter()
        self._finished = False

    @property
    def request_id(self) -> str:
        return str(self.info["id"])

    def bind(self) -> Token[Mapping[str, Any]]:
        """Make this request the current context; undo with :meth:`unbind`."""
        return context.bind(request=self.info)

    @staticmethod
    def unbind(token: Token[Mapping[str, Any]]) -> None:
        # Created in another context or already used: that context ends anyway.
        with contextlib.suppress(ValueError, RuntimeError):
            context.reset(token)

    def set_route(self, route: str | None) -> None:
        if route:
            self.info["route"] = route

    def report_exception(self, exc: BaseException) -> None:
        """Send an unhandled exception once (ERROR, with its traceback)."""
        if self.capture_exceptions:
            report_exception(self.client, exc, self.info)

    def finish(self, status: int | None = None) -> None:
        """The response is complete: write the request log record once (if enabled)."""
        if self._finished:
            return
        self._finished = True
        if status is not None:
            self.status = status
        if not self.request_logging:
            return
        code = self.status if self.status is not None else 500
        duration_ms = round((time.perf_counter() - self._started) * 1000.0, 3)
        info = self.info
        with contextlib.suppress(Exception):
            self.client.log(
                status_level(code),
                f"{info['method']} {info['path']} {code}",
                {"request": info, "response": {"status": code, "duration_ms": duration_ms}},
            )


class ScopedIterator:
    """Iterate a WSGI or streaming response body inside its request's context.

    Every ``next()`` runs with the request bound (so records logged while a body is
    generated carry the request), an exception raised while producing the body is reported,
    and ``close()`` finishes the request (writing the request log record).
    """

    __slots__ = ("_iterable", "_iterator", "_state")

    def __init__(self, iterable: Iterable[Any], state: RequestState) -> None:
        self._iterable = iterable
        self._iterator: Iterator[Any] | None = None
        self._state = state

    def __iter__(self) -> ScopedIterator:
        return self

    def __next__(self) -> Any:
        state = self._state
        token = state.bind()
        try:
            if self._iterator is None:
                self._iterator = iter(self._iterable)
            return next(self._iterator)
        except StopIteration:
            state.finish()  # the body is complete (close() follows, and would too)
            raise
        except Exception as exc:
            state.report_exception(exc)
            state.finish(500 if state.status is None else None)
            raise
        finally:
            state.unbind(token)

    def close(self) -> None:
        state = self._state
        token = state.bind()
        try:
            close = getattr(self._iterable, "close", None)
            if close is not None:
                close()
        finally:
            state.unbind(token)
            state.finish()


class AsyncScopedIterator:
    """The asynchronous twin of :class:`ScopedIterator` (async streaming bodies)."""

    __slots__ = ("_iterable", "_iterator", "_state")

    def __init__(self, iterable: Any, state: RequestState) -> None:
        self._iterable = iterable
        self._iterator: AsyncIterator[Any] | None = None
        self._state = state

    def __aiter__(self) -> AsyncScopedIterator:
        return self

    async def __anext__(self) -> Any:
        state = self._state
        token = state.bind()
        try:
            if self._iterator is None:
                self._iterator = aiter(self._iterable)
            return await anext(self._iterator)
        except StopAsyncIteration:
            state.finish()
            raise
        except Exception as exc:
            state.report_exception(exc)
            state.finish(500 if state.status is None else None)
            raise
        finally:
            state.unbind(token)

    async def aclose(self) -> None:
        close = getattr(self._iterable, "aclose", None)
        try:
            if close is not None:
                await close()
        finally:
            self._state.finish()

    def close(self) -> None:
        """Finish the request when the response is closed without being exhausted."""
        self._state.finish()
