"""Live tail over Server-Sent Events (``GET /logs/stream``), sync and async.

The generated ``stream_logs`` functions buffer the whole body, which never ends for a live
stream, so the request is built with their ``_get_kwargs`` and opened with httpx ``stream``
on the client's configured httpx clients (auth, retries of the opening request, error
mapping). Events are parsed by ``httpx-sse``.

Behaviour shared by both twins (:class:`_TailState`):

* ``heartbeat`` events are consumed silently; unknown events are ignored.
* A dropped connection (network error, clean close without ``end``, or silence longer than
  ``heartbeat_timeout``) is resumed with ``Last-Event-ID`` set to the id of the last ``log``
  event, after a full-jitter backoff capped by ``max_retry_delay``; the server then sends
  exactly the entries stored after it, without replaying the history.
* ``retries`` bounds consecutive reconnections that receive nothing at all; any event
  resets the count, so a long tail survives any number of isolated drops.
* ``follow=False`` ends at the ``end`` event.
* Leaving the loop early (``break``, an exception, task cancellation, ``close()``) closes
  the connection.
"""

from __future__ import annotations

import time
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Generator, Iterator
from types import TracebackType
from typing import Any, cast

import anyio
import httpx
import orjson
from httpx_sse import EventSource, ServerSentEvent

from neurallog._config import ClientOptions
from neurallog._errors import error_for_transport
from neurallog._http import RetryPolicy
from neurallog.exceptions import (
    ApiError,
    NetworkError,
    NeuralLogError,
    RateLimitError,
    ServerError,
)
from neurallog.types import LogEntry

DEFAULT_HEARTBEAT_TIMEOUT = 45.0
"""Seconds of silence after which a stream counts as dead: three 15 s heartbeats."""

# Failures of a reconnection that the transport already retried; worth another reconnection.
_RECONNECTABLE = (NetworkError, ServerError, RateLimitError)


def check_heartbeat_timeout(value: object) -> float:
    """``heartbeat_timeout`` as a positive number of seconds."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise ValueError(f"heartbeat_timeout must be a number of seconds above 0, got {value!r}")
    return float(value)


class _TailState:
    """The resume cursor and reconnection bookkeeping of one stream."""

    def __init__(
        self,
        build: Callable[[str | None], dict[str, Any]],
        options: ClientOptions,
        *,
        heartbeat_timeout: float,
        last_event_id: str | None,
    ) -> None:
        self._build = build
        self._options = options
        self._policy = RetryPolicy(retries=options.retries, max_retry_delay=options.max_retry_delay)
        self._timeout = httpx.Timeout(
            options.timeout, connect=min(options.timeout, 10.0), read=heartbeat_timeout
        )
        self.last_event_id = last_event_id
        self.ended = False
        self.opened = False
        self._failures = 0
        self._progress = False
        self._retry_hint: float | None = None

    def request(self) -> dict[str, Any]:
        """Arguments of ``client.stream(...)`` for the next connection."""
        self._progress = False
        kwargs = self._build(self.last_event_id)
        kwargs["timeout"] = self._timeout
        return kwargs

    def check(self, response: httpx.Response) -> None:
        """Refuse a 2xx answer that is not an event stream (a proxy's page, say)."""
        self.opened = True
        content_type = response.headers.get("content-type", "").partition(";")[0].strip()
        if content_type != "text/event-stream":
            raise ApiError(
                f"GET {response.request.url.path} answered {content_type or 'no content type'} "
                "instead of text/event-stream",
                status=response.status_code,
                code="unexpected_response",
                request_id=response.headers.get("x-request-id"),
            )

    def receive(self, sse: ServerSentEvent) -> LogEntry | None:
        """The entry an event carries, if any; records the cursor and the ``end``."""
        self._progress = True
        if sse.retry is not None:
            self._retry_hint = sse.retry / 1000.0
        if sse.event == "log":
            if sse.id:
                self.last_event_id = sse.id
            try:
                entry = orjson.loads(sse.data)
            except orjson.JSONDecodeError:
                entry = None
            if not isinstance(entry, dict):
                self._options.logger.warning(
                    "NeuralLog: skipped a malformed log event (id %r) in the log stream", sse.id
                )
                return None
            return cast(LogEntry, entry)
        if sse.event == "end":
            self.ended = True
        return None

    def reconnect_delay(self, error: BaseException | None) -> float:
        """Seconds to wait before resuming after a drop; raises when it is time to give up."""
        if self._progress:
            self._failures = 0
        else:
            self._failures += 1
        if self._failures > self._policy.retries:
            raise self._give_up(error)
        delay = self._policy.backoff(self._failures)
        if self._retry_hint is not None:
            delay = min(max(delay, self._retry_hint), self._policy.max_retry_delay)
        self._options.logger.info(
            "NeuralLog: log stream interrupted (%s); resuming in %.2fs after cursor %r",
            _why(error),
            delay,
            self.last_event_id,
        )
        return delay

    def _give_up(self, error: BaseException | None) -> NeuralLogError:
        if isinstance(error, NeuralLogError):
            return error
        if isinstance(error, httpx.TransportError):
            try:
                return error_for_transport(error, error.request)
            except RuntimeError:  # no request attached
                pass
        return NetworkError(
            f"the log stream could not be resumed after {self._failures} attempt(s): {_why(error)}"
        )


def _why(error: BaseException | None) -> str:
    if error is None:
        return "the server closed the stream"
    if isinstance(error, httpx.ReadTimeout):
        return "no event or heartbeat within heartbeat_timeout"
    return str(error) or type(error).__name__


class LogStream(Iterator[LogEntry]):
    """Log entries as they arrive; an iterator that is also a context manager.

    Leaving a ``for`` loop over it early closes the connection once the stream is no longer
    referenced; ``with`` (or :meth:`close`) closes it at once.
    """

    def __init__(self, http: httpx.Client, state: _TailState) -> None:
        self._http = http
        self._state = state
        self._events = self._run()

    @property
    def last_event_id(self) -> str | None:
        """The cursor of the last entry received; pass it as ``last_event_id=`` to resume."""
        return self._state.last_event_id

    def __iter__(self) -> LogStream:
        return self

    def __next__(self) -> LogEntry:
        return next(self._events)

    def close(self) -> None:
        """Close the connection; iterating afterwards stops at once."""
        self._events.close()

    def __enter__(self) -> LogStream:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _run(self) -> Generator[LogEntry, None, None]:
        state = self._state
        while True:
            error: BaseException | None = None
            try:
                with self._http.stream(**state.request()) as response:
                    state.check(response)
                    for sse in EventSource(response).iter_sse():
                        entry = state.receive(sse)
                        if entry is not None:
                            yield entry
                        elif state.ended:
                            return
            except httpx.TransportError as exc:
                error = exc
            except _RECONNECTABLE as exc:
                if not state.opened:
                    raise
                error = exc
            time.sleep(state.reconnect_delay(error))


class AsyncLogStream(AsyncIterator[LogEntry]):
    """Async twin of :class:`LogStream`: ``async for`` it; ``async with`` closes it.

    Cancelling the task that iterates it closes the connection.
    """

    def __init__(
        self,
        state: _TailState,
        *,
        http: httpx.AsyncClient | None = None,
        new_http: Callable[[], httpx.AsyncClient] | None = None,
    ) -> None:
        if (http is None) == (new_http is None):
            raise ValueError("pass exactly one of http= and new_http=")
        self._state = state
        self._http = http
        self._new_http = new_http
        self._events = self._run()

    @property
    def last_event_id(self) -> str | None:
        """The cursor of the last entry received; pass it as ``last_event_id=`` to resume."""
        return self._state.last_event_id

    def __aiter__(self) -> AsyncLogStream:
        return self

    async def __anext__(self) -> LogEntry:
        return await self._events.__anext__()

    async def aclose(self) -> None:
        """Close the connection; iterating afterwards stops at once."""
        await self._events.aclose()

    async def __aenter__(self) -> AsyncLogStream:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def _run(self) -> AsyncGenerator[LogEntry, None]:
        # A client made for this stream belongs to the running event loop and dies with it.
        owned = self._new_http() if self._new_http is not None else None
        http = owned if owned is not None else self._http
        assert http is not None
        state = self._state
        try:
            while True:
                error: BaseException | None = None
                try:
                    async with http.stream(**state.request()) as response:
                        state.check(response)
                        async for sse in EventSource(response).aiter_sse():
                            entry = state.receive(sse)
                            if entry is not None:
                                yield entry
                            elif state.ended:
                                return
                except httpx.TransportError as exc:
                    error = exc
                except _RECONNECTABLE as exc:
                    if not state.opened:
                        raise
                    error = exc
                await anyio.sleep(state.reconnect_delay(error))
        finally:
            if owned is not None:
                with anyio.CancelScope(shield=True):
                    await owned.aclose()
