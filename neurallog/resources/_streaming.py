"""Live tail over Server-Sent Events (``GET /logs/stream``), sync and async.

The generated ``stream_logs`` functions buffer the whole body, which never ends for a live
stream, so the request is built with their ``_get_kwargs`` and sent with
``send(..., stream=True)`` on the client's configured httpx clients (auth, retries of the
opening request, error mapping). The body is parsed by :class:`_EventParser`.

Behaviour shared by both twins (:class:`_TailState`):

* The connection opens on the first iteration, not when the stream object is created.
* ``heartbeat`` events are consumed silently; unknown events are ignored.
* The resume cursor is the ``id`` of the last event that carried one, whatever the event
  (``log``, ``heartbeat``, ...), as the SSE specification defines the last event id.
* A dropped connection (network error, clean close without ``end``, or silence longer than
  ``heartbeat_timeout``) is resumed with ``Last-Event-ID`` set to that cursor, after a
  full-jitter backoff capped by ``max_retry_delay``; the server then sends exactly the
  entries stored after it, without replaying the history. Once a cursor is known, every
  reconnection carries it (an empty ``id`` never clears it).
* ``retries`` bounds consecutive reconnections that make no progress: a connection makes
  progress when it delivers an entry, the ``end``, or more than one event (the heartbeat
  sent when a stream opens alone does not count), so a long tail survives any number of
  isolated drops.
* ``follow=False`` ends at the ``end`` event.
* Leaving the loop early (``break``, an exception, task cancellation, ``close()``) closes
  the connection. ``close()`` may come from another thread (``aclose()`` from another task)
  while the stream waits for data or to reconnect: the wait ends and the loop stops.

Neither twin keeps a generator of its own: each is an explicit state machine (no response
open / reading one), so that an abandoned stream can be closed from its finalizer. An async
stream left with ``break`` and dropped without ``aclose()`` schedules its own closing on the
event loop that opened it; nothing is left for the loop's async-generator finalizer to close
in the wrong order.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import re
import socket
import threading
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from types import TracebackType
from typing import Any, NamedTuple, cast

import anyio
import httpx
import orjson

from neurallog._config import ClientOptions
from neurallog._errors import error_for_transport
from neurallog._guard import sdk_http
from neurallog._http import (
    ATTEMPT_TIMEOUT_EXTENSION,
    STREAM_EXTENSION,
    RetryPolicy,
)
from neurallog._retry import SLEEP_EXTENSION
from neurallog.exceptions import (
    NetworkError,
    NeuralLogError,
    RateLimitError,
    ServerError,
    UnexpectedResponseError,
)
from neurallog.types import LogEntry

DEFAULT_HEARTBEAT_TIMEOUT = 45.0
"""Seconds of silence after which a stream counts as dead: three 15 s heartbeats."""

# Failures of a reconnection that the transport already retried; worth another reconnection.
_RECONNECTABLE = (NetworkError, ServerError, RateLimitError)


# -- the event stream format ---------------------------------------------------------------


class Event(NamedTuple):
    """One dispatched Server-Sent Event."""

    event: str
    data: str
    id: str
    """The last event id when the event was dispatched (it persists across events)."""
    retry: int | None


_EOL = re.compile(rb"\r\n|\r|\n")
_BOM = b"\xef\xbb\xbf"


class _EventParser:
    """Incremental ``text/event-stream`` parser, one per connection (WHATWG HTML, 9.2.6).

    Bytes in, dispatched events out; an event cut off by the end of the body is discarded.
    """

    def __init__(self) -> None:
        self._partial: list[bytes] = []
        self._skip_lf = False
        self._first_line = True
        self._event = ""
        self._data: list[str] = []
        self._last_id = ""
        self._retry: int | None = None
        self._fields = False

    def feed(self, chunk: bytes) -> list[Event]:
        if not chunk:  # nothing to read, and a pending CR must still meet its LF
            return []
        if self._skip_lf:
            # The previous chunk ended with CR: a LF here belongs to the same line end.
            self._skip_lf = False
            if chunk[:1] == b"\n":
                chunk = chunk[1:]
        events: list[Event] = []
        start = 0
        for match in _EOL.finditer(chunk):
            piece = chunk[start : match.start()]
            start = match.end()
            if self._partial:
                self._partial.append(piece)
                piece = b"".join(self._partial)
                self._partial = []
            event = self._line(piece)
            if event is not None:
                events.append(event)
        if start < len(chunk):
            self._partial.append(chunk[start:])
        elif chunk.endswith(b"\r"):
            self._skip_lf = True
        return events

    def _line(self, raw: bytes) -> Event | None:
        if self._first_line:
            self._first_line = False
            raw = raw.removeprefix(_BOM)
        if not raw:
            return self._dispatch()
        line = raw.decode("utf-8", "replace")
        if line.startswith(":"):
            return None  # a comment
        name, colon, value = line.partition(":")
        if colon and value.startswith(" "):
            value = value[1:]
        if name == "event":
            self._event = value
        elif name == "data":
            self._data.append(value)
        elif name == "id":
            if "\0" not in value:
                self._last_id = value
        elif name == "retry":
            if value.isascii() and value.isdigit():
                self._retry = int(value)
        else:
            return None  # an unknown field is ignored
        self._fields = True
        return None

    def _dispatch(self) -> Event | None:
        if not self._fields:
            return None
        event = Event(self._event, "\n".join(self._data), self._last_id, self._retry)
        self._event, self._data, self._retry, self._fields = "", [], None, False
        return event


# -- what both twins share -----------------------------------------------------------------


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
        self._events_here = 0
        self._retry_hint: float | None = None

    def request(self) -> dict[str, Any]:
        """Arguments of ``client.build_request(...)`` for the next connection."""
        self._progress = False
        self._events_here = 0
        kwargs = self._build(self.last_event_id)
        kwargs["timeout"] = self._timeout
        # The body is read by the stream; opening it (up to the headers) takes at most
        # `timeout`, not the heartbeat timeout the reads of the body get.
        kwargs["extensions"] = {
            **kwargs.get("extensions", {}),
            STREAM_EXTENSION: True,
            ATTEMPT_TIMEOUT_EXTENSION: self._options.timeout,
        }
        return kwargs

    def check(self, response: httpx.Response) -> None:
        """Refuse a 2xx answer that is not an event stream (a proxy's page, say)."""
        self.opened = True
        content_type = response.headers.get("content-type", "").partition(";")[0].strip()
        if content_type != "text/event-stream":
            raise UnexpectedResponseError(
                f"GET {response.request.url.path} answered {content_type or 'no content type'} "
                "instead of text/event-stream",
                status=response.status_code,
                code="unexpected_response",
                request_id=response.headers.get("x-request-id"),
            )

    def receive(self, sse: Event) -> LogEntry | None:
        """The entry an event carries, if any; records the cursor, progress and the ``end``."""
        self._events_here += 1
        if self._events_here > 1:
            self._progress = True
        if sse.retry is not None:
            self._retry_hint = sse.retry / 1000.0
        if sse.id and sse.id.isascii() and sse.id.isprintable():
            # Any event may move the cursor (a heartbeat carries the current position).
            self.last_event_id = sse.id
        if sse.event == "log":
            self._progress = True
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
            self._progress = True
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


# -- what an open stream holds ---------------------------------------------------------------


class _Held:
    """The open response (and the stream's own client) of one stream.

    While anything is open the holder is also referenced from :data:`_OPEN`, so it never
    becomes garbage together with an abandoned stream that sits in a reference cycle: the
    garbage collector would otherwise finalize the socket (an "unclosed transport" warning)
    or httpx's generators on its own, in no particular order, instead of the stream's
    finalizer closing them in order.
    """

    __slots__ = ("chunks", "connecting", "owned", "response")

    def __init__(self) -> None:
        self.response: httpx.Response | None = None
        self.chunks: Iterator[bytes] | AsyncIterator[bytes] | None = None
        self.owned: httpx.AsyncClient | None = None
        # The socket of a connection being opened (before there is a response to hold).
        self.connecting: socket.socket | None = None

    def trace(self, event: str, info: dict[str, Any]) -> None:
        """httpcore's trace hook: remember the socket of each new connection."""
        if event in ("connection.connect_tcp.complete", "connection.start_tls.complete"):
            stream = info.get("return_value")
            get_extra_info = getattr(stream, "get_extra_info", None)
            sock = get_extra_info("socket") if get_extra_info is not None else None
            if isinstance(sock, socket.socket):
                self.connecting = sock

    def hold(
        self, response: httpx.Response, chunks: Iterator[bytes] | AsyncIterator[bytes]
    ) -> None:
        self.response, self.chunks = response, chunks
        _OPEN.add(self)

    def interrupt(self) -> None:
        """Wake a thread blocked reading the response of a sync stream, from another thread.

        Closing the response there would race the reader inside httpx; shutting the socket
        down makes the blocked read fail at once, and the reading thread closes the rest.
        (A transport that exposes no socket, such as ``transport="requests"``, is woken by
        its next event or heartbeat instead.)
        """
        response = self.response
        if response is None:
            sock = self.connecting  # still waiting for the answer's headers
        elif response.http_version not in ("HTTP/1.1", "HTTP/1.0"):
            return
        else:
            network = response.extensions.get("network_stream")
            get_extra_info = getattr(network, "get_extra_info", None)
            sock = get_extra_info("socket") if get_extra_info is not None else None
        if isinstance(sock, socket.socket):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        """Close the response of a sync stream."""
        response, chunks = self.response, self.chunks
        self.response = self.chunks = None
        self.connecting = None
        _OPEN.discard(self)
        with sdk_http():
            if response is not None:
                response.close()
            close = getattr(chunks, "close", None)  # a generator: close it now, not collected
            if close is not None:
                close()

    def take_response(self) -> list[Callable[[], Awaitable[object]]]:
        """The steps closing the response of an async stream, which lets go of it."""
        response, chunks = self.response, self.chunks
        self.response = self.chunks = None
        if self.owned is None:
            _OPEN.discard(self)
        closers: list[Callable[[], Awaitable[object]]] = []
        if response is not None:
            # An HTTP/1.1 connection carries this stream alone: its socket is closed first,
            # which completes before the first suspension, so it is done even if the closing
            # task is cancelled at once (the loop shutting down). httpx then does its own
            # bookkeeping. (An HTTP/2 connection is shared: that is left to httpx.)
            network = response.extensions.get("network_stream")
            close_network = getattr(network, "aclose", None)
            if response.http_version in ("HTTP/1.1", "HTTP/1.0") and close_network is not None:
                closers.append(close_network)
            closers.append(response.aclose)
        aclose = getattr(chunks, "aclose", None)  # an async generator: close it now too
        if aclose is not None:
            closers.append(aclose)
        return closers

    def take_all(self) -> list[Callable[[], Awaitable[object]]]:
        """:meth:`take_response`, then the stream's own client."""
        owned, self.owned = self.owned, None
        closers = self.take_response()
        _OPEN.discard(self)
        if owned is not None:
            closers.append(owned.aclose)
        return closers


_OPEN: set[_Held] = set()


# -- sync ----------------------------------------------------------------------------------


class LogStream(Iterator[LogEntry]):
    """Log entries as they arrive; an iterator that is also a context manager.

    The connection opens on the first ``next()`` (the first turn of a ``for`` loop), so the
    history is the newest entries at that moment, not when ``stream()`` was called.

    Leaving a ``for`` loop over it early closes the connection as soon as the stream is no
    longer referenced; ``with`` (or :meth:`close`) closes it at once. :meth:`close` may be
    called from another thread to stop a thread that is iterating the stream.
    """

    def __init__(self, http: httpx.Client, state: _TailState) -> None:
        self._http = http
        self._state = state
        self._held = _Held()
        self._chunks: Iterator[bytes] | None = None
        self._parser = _EventParser()
        self._pending: deque[Event] = deque()
        # _closed and _busy (a thread is inside __next__) change together under the lock, so
        # that exactly one of close() and the iterating thread releases the connection.
        # Reentrant: close() may run in a signal handler that interrupted __next__.
        self._lock = threading.RLock()
        self._closed = False
        self._busy = False
        self._wakeup = threading.Event()  # ends a reconnection delay early

    @property
    def last_event_id(self) -> str | None:
        """The resume cursor (the last event id received); pass it as ``last_event_id=``."""
        return self._state.last_event_id

    def __iter__(self) -> LogStream:
        return self

    def __next__(self) -> LogEntry:
        with self._lock:
            if self._closed:
                raise StopIteration
            if self._busy:
                raise RuntimeError("another thread is already iterating this log stream")
            self._busy = True
        try:
            return self._next()
        except BaseException:
            # The end, an error, or KeyboardInterrupt: either way this stream is over.
            with self._lock:
                self._closed = True
            raise
        finally:
            with self._lock:
                self._busy = False
                release = self._closed
            if release:
                self._release()

    def close(self) -> None:
        """Close the connection; iterating afterwards stops at once.

        Safe from another thread: a thread waiting in ``next()`` for data or to reconnect
        wakes up and its loop ends.
        """
        with self._lock:
            self._closed = True
            busy = self._busy
        self._wakeup.set()
        if busy:
            self._held.interrupt()  # the iterating thread releases the connection
        else:
            self._release()

    def __enter__(self) -> LogStream:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __del__(self) -> None:
        # A bare `for ... break` drops the stream with its connection still open.
        with contextlib.suppress(Exception):
            self._release()

    def _next(self) -> LogEntry:
        state = self._state
        while True:
            if self._closed:  # by close() from another thread
                raise StopIteration
            while self._pending:
                entry = state.receive(self._pending.popleft())
                if entry is not None:
                    return entry
                if state.ended:
                    raise StopIteration
            error: BaseException | None = None
            if self._chunks is None:
                try:
                    self._open()
                    continue
                except httpx.TransportError as exc:
                    error = exc
                except _RECONNECTABLE as exc:
                    if self._closed:  # close() cut the connection attempt short
                        raise StopIteration from None
                    if not state.opened:
                        raise
                    error = exc
                finally:
                    self._held.connecting = None
                if self._closed:
                    raise StopIteration
            else:
                try:
                    with sdk_http():  # httpcore's records of reading it are the SDK's own
                        chunk = next(self._chunks, None)
                except httpx.TransportError as exc:
                    error = exc
                else:
                    if chunk is not None:
                        self._pending.extend(self._parser.feed(chunk))
                        continue
                self._release()
                if self._closed:  # the read failed because close() interrupted it
                    raise StopIteration
            self._wakeup.wait(state.reconnect_delay(error))

    def _open(self) -> None:
        kwargs = self._state.request()
        # close() from another thread ends the transport's waits between retries, and shuts
        # down the socket of a connection still waiting for its answer.
        kwargs["extensions"] = {
            **kwargs["extensions"],
            # Nothing here may reference the stream: the response keeps the request, and a
            # dropped stream must be collectable to close its connection.
            SLEEP_EXTENSION: functools.partial(_pause, self._wakeup),
            "trace": self._held.trace,
        }
        request = self._http.build_request(**kwargs)
        response = self._http.send(request, stream=True)
        try:
            self._state.check(response)
        except BaseException:
            response.close()
            raise
        self._parser = _EventParser()
        self._chunks = response.iter_bytes()
        self._held.hold(response, self._chunks)

    def _release(self) -> None:
        self._chunks = None
        self._pending.clear()
        self._held.close()


def _pause(wakeup: threading.Event, delay: float) -> bool:
    """The transport's wait between retries: False (give up) once close() was called."""
    return not wakeup.wait(delay)


# -- async ---------------------------------------------------------------------------------


class AsyncLogStream(AsyncIterator[LogEntry]):
    """Async twin of :class:`LogStream`: ``async for`` it; ``async with`` closes it.

    The connection opens on the first ``__anext__`` (the first turn of the ``async for``).
    Cancelling the task that iterates it closes the connection. Leaving the loop with
    ``break`` and dropping the stream without ``aclose()`` closes the connection right after,
    from a task scheduled on the event loop that opened it.
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
        self._held = _Held()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._chunks: AsyncIterator[bytes] | None = None
        self._parser = _EventParser()
        self._pending: deque[Event] = deque()
        self._closed = False
        self._busy = False
        self._wakeup: anyio.Event | None = None  # ends a reconnection delay early

    @property
    def last_event_id(self) -> str | None:
        """The resume cursor (the last event id received); pass it as ``last_event_id=``."""
        return self._state.last_event_id

    def __aiter__(self) -> AsyncLogStream:
        return self

    async def __anext__(self) -> LogEntry:
        if self._closed:
            raise StopAsyncIteration
        if self._busy:
            raise RuntimeError("another task is already iterating this log stream")
        self._busy = True
        try:
            return await self._next()
        except BaseException as exc:
            # The end, an error or a cancellation: either way this stream is over.
            closed_meanwhile = self._is_closed()  # by aclose() from another task
            await self._shutdown()
            if closed_meanwhile and isinstance(exc, Exception):
                raise StopAsyncIteration from None  # what failed was the closed connection
            raise
        finally:
            self._busy = False

    async def aclose(self) -> None:
        """Close the connection; iterating afterwards stops at once."""
        await self._shutdown()

    async def __aenter__(self) -> AsyncLogStream:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    def __del__(self) -> None:
        # `async for ... break` without `aclose()`: nothing can be awaited here, so the
        # closing runs as a task on the loop the connection belongs to.
        with contextlib.suppress(Exception):
            closers = self._held.take_all()
            loop = self._loop
            if closers and loop is not None and not loop.is_closed():
                _close_later(loop, closers)

    async def _next(self) -> LogEntry:
        state = self._state
        while True:
            while self._pending:
                entry = state.receive(self._pending.popleft())
                if entry is not None:
                    return entry
                if state.ended:
                    raise StopAsyncIteration
            if self._closed:  # aclose() from another task
                raise StopAsyncIteration
            error: BaseException | None = None
            if self._chunks is None:
                try:
                    await self._open()
                    continue
                except httpx.TransportError as exc:
                    error = exc
                except _RECONNECTABLE as exc:
                    if not state.opened:
                        raise
                    error = exc
            else:
                try:
                    with sdk_http():
                        chunk = await anext(self._chunks, None)
                except httpx.TransportError as exc:
                    error = exc
                else:
                    if chunk is not None:
                        self._pending.extend(self._parser.feed(chunk))
                        continue
                self._chunks = None
                await _close_all(self._held.take_response())
                if self._closed:  # aclose() from another task closed the connection
                    raise StopAsyncIteration
            await self._pause(state.reconnect_delay(error))

    async def _pause(self, delay: float) -> None:
        """Wait ``delay`` seconds, or less if :meth:`aclose` is called meanwhile."""
        if self._wakeup is None:
            self._wakeup = anyio.Event()
        with anyio.move_on_after(delay):
            await self._wakeup.wait()

    async def _open(self) -> None:
        held = self._held
        http = self._http
        if http is None:
            if held.owned is None:
                assert self._new_http is not None
                held.owned = self._new_http()
                _OPEN.add(held)
            http = held.owned
        if self._loop is None:
            self._loop = _running_asyncio_loop()
        request = http.build_request(**self._state.request())
        response = await http.send(request, stream=True)
        try:
            self._state.check(response)
        except BaseException:
            await _close_all([response.aclose])
            raise
        self._parser = _EventParser()
        self._chunks = response.aiter_bytes()
        held.hold(response, self._chunks)

    def _is_closed(self) -> bool:
        return self._closed

    async def _shutdown(self) -> None:
        self._closed = True
        if self._wakeup is not None:
            self._wakeup.set()
        self._pending.clear()
        self._chunks = None
        await _close_all(self._held.take_all())


def _running_asyncio_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:  # another async library (trio)
        return None


async def _close_all(closers: list[Callable[[], Awaitable[object]]]) -> None:
    """Run every closing step, shielded from cancellation; a failing step skips to the next.

    A cancellation that still gets through (a second ``Task.cancel()``: anyio's shield only
    stops anyio's own cancellation) is re-raised once every step has run.
    """
    cancelled: BaseException | None = None
    with sdk_http(), anyio.CancelScope(shield=True):
        for close in closers:
            try:
                await close()
            except Exception:  # noqa: S112 - closing is best effort, the next step still runs
                continue
            except BaseException as exc:
                if not isinstance(exc, anyio.get_cancelled_exc_class()):
                    raise
                cancelled = exc
    if cancelled is not None:
        raise cancelled


# Closing tasks of abandoned streams, referenced until they finish (the loop keeps only weak
# references to its tasks).
_CLOSING: set[asyncio.Task[None]] = set()


def _close_later(
    loop: asyncio.AbstractEventLoop, closers: list[Callable[[], Awaitable[object]]]
) -> None:
    if _running_asyncio_loop() is loop:
        # On the loop's own thread: start at once, so the socket is closed in the loop's
        # next turn, before an ending asyncio.run() cancels what is left.
        _spawn_closing(loop, closers)
    else:  # a finalizer run by the garbage collector on another thread
        with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
            loop.call_soon_threadsafe(_spawn_closing, loop, closers)


def _spawn_closing(
    loop: asyncio.AbstractEventLoop, closers: list[Callable[[], Awaitable[object]]]
) -> None:
    task = loop.create_task(_close_abandoned(closers))
    _CLOSING.add(task)
    task.add_done_callback(_CLOSING.discard)


async def _close_abandoned(closers: list[Callable[[], Awaitable[object]]]) -> None:
    # Nobody awaits this task: a cancellation (the loop shutting down) is absorbed once the
    # remaining steps have run, so that nothing is reported.
    with contextlib.suppress(asyncio.CancelledError):
        await _close_all(closers)
