"""Connections that never finish a request cannot starve the server.

uvicorn bounds only the idle time between requests. Here each request must arrive in
time as well (its headers within ``header_timeout`` of its first byte, or of the
connection's opening; its body within ``body_timeout`` of its headers), else the server
answers 408 and closes the connection. And the number of open connections is capped
below what the process's file descriptors allow: at the cap, a new connection closes the
one that has waited longest for a request to arrive (headers first, then idle keep-alive
connections, then bodies), so a client that sends a request promptly is served while any
number of slow or silent ones are open. Connections whose request is being answered (a
live tail, say) are never closed for another.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import sys
from typing import Any

from uvicorn.config import Config
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState

from .settings import Settings

log = logging.getLogger("neurallog_local")

# File descriptors kept for everything but client connections: the database's (three per
# reading thread), the listening socket, webhook deliveries, log files.
_RESERVED_FDS = 256
_MAX_CONNECTIONS = 4096

_READING_HEADERS, _READING_BODY, _ANSWERING, _IDLE = "headers", "body", "answering", "idle"
# Which connections make room for a new one, first to last.
_EVICTION_ORDER = (_READING_HEADERS, _IDLE, _READING_BODY)


def _plain_response(status: str, text: str, *headers: str) -> bytes:
    """A complete ``Connection: close`` response written before any request is parsed."""
    body = text.encode() + b"\r\n"
    head = [
        f"HTTP/1.1 {status}",
        "content-type: text/plain; charset=utf-8",
        f"content-length: {len(body)}",
        *headers,
        "connection: close",
    ]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


_TIMEOUT_RESPONSE = _plain_response("408 Request Timeout", "the request did not arrive in time.")
_HEADERS_TOO_LARGE = _plain_response(
    "431 Request Header Fields Too Large", "the request's headers are too large."
)
_FULL_RESPONSE = _plain_response(
    "503 Service Unavailable", "too many connections are being answered.", "retry-after: 1"
)

_LINGER = 2.0  # seconds
# llhttp itself bounds no header's size.
MAX_HEADER_BYTES = 64 * 1024


def raise_open_file_limit() -> int:
    """Raise this process's soft limit of open files to its hard limit; return the soft
    limit now in force (``0`` where there is no such limit)."""
    if sys.platform == "win32":
        return 0
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard != resource.RLIM_INFINITY else max(soft, 65536)
    if soft == resource.RLIM_INFINITY or soft >= target:
        return int(soft) if soft != resource.RLIM_INFINITY else 0
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    except (ValueError, OSError):
        return int(soft)
    return int(target)


def connection_cap(settings: Settings) -> int:
    """How many client connections may be open at once."""
    if settings.max_connections is not None:
        return settings.max_connections
    if sys.platform == "win32":
        return _MAX_CONNECTIONS
    import resource

    soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    if soft == resource.RLIM_INFINITY:
        return _MAX_CONNECTIONS
    budget = soft - _RESERVED_FDS if soft >= 2 * _RESERVED_FDS else soft // 2
    return max(8, min(_MAX_CONNECTIONS, budget))


def guarded_protocol(settings: Settings) -> type[HttpToolsProtocol]:
    """uvicorn's httptools protocol with read timeouts, a bound on the size of headers
    (431) and a connection cap."""
    header_timeout = settings.header_timeout
    body_timeout = settings.body_timeout
    cap = connection_cap(settings)
    order = itertools.count()

    class GuardedProtocol(HttpToolsProtocol):
        def __init__(
            self,
            config: Config,
            server_state: ServerState,
            app_state: dict[str, Any],
            _loop: asyncio.AbstractEventLoop | None = None,
        ) -> None:
            super().__init__(config, server_state, app_state, _loop)
            self.phase = _READING_HEADERS
            self.since = next(order)  # when the current phase began, in arrival order
            self._timer: asyncio.TimerHandle | None = None
            self._ended = False  # the client closed its side
            self._header_bytes = 0  # received while the headers are incomplete
            self._discarding = False  # answered and closing: what arrives is dropped

        def _enter(self, phase: str, timeout: float | None) -> None:
            self.phase = phase
            self._header_bytes = 0
            self.since = next(order)
            if self._timer is not None:
                self._timer.cancel()
            self._timer = None if timeout is None else self.loop.call_later(timeout, self._late)

        def _late(self) -> None:
            self._timer = None
            if self.phase in (_READING_HEADERS, _READING_BODY):
                self._close(_TIMEOUT_RESPONSE, linger=True)

        def _close(self, answer: bytes | None, linger: bool = False) -> None:
            """Close the connection, answering first unless the request was answered.

            ``linger``: the client may still be sending; closing a socket with unread data
            resets it, and the reset can destroy the answer before the client reads it.
            So the server stops writing and drops what arrives until the client closes
            too, for ``_LINGER`` seconds at most.
            """
            # Reading headers, `cycle` is the previous request's (or none): its response
            # was sent in full. Reading a body, the request may have been answered early.
            answered = self.phase != _READING_HEADERS and self.cycle.response_started
            self.phase = _ANSWERING  # closing: never picked to make room again
            if self.transport.is_closing() or self._discarding:
                return
            if answer is not None and not answered:
                self.transport.write(answer)
            if linger and self.transport.can_write_eof():
                self._discarding = True
                self.transport.write_eof()
                if self._timer is not None:
                    self._timer.cancel()
                self._timer = self.loop.call_later(_LINGER, self.transport.close)
            else:
                self.transport.close()

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._enter(_READING_HEADERS, header_timeout)
            if len(self.connections) > cap and not self._make_room():
                self._close(_FULL_RESPONSE, linger=True)

        def _make_room(self) -> bool:
            waiting = [
                c for c in self.connections if isinstance(c, GuardedProtocol) and c is not self
            ]
            for phase in _EVICTION_ORDER:
                candidates = [c for c in waiting if c.phase == phase]
                if candidates:
                    oldest = min(candidates, key=lambda c: c.since)
                    oldest._close(None if phase == _IDLE else _TIMEOUT_RESPONSE)
                    return True
            return False

        def connection_lost(self, exc: Exception | None) -> None:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            super().connection_lost(exc)

        def data_received(self, data: bytes) -> None:
            if self._discarding:
                return
            was_reading_headers = self.phase == _READING_HEADERS
            super().data_received(data)
            # Counted only while the headers stay incomplete: data that completes them
            # may carry a large body along.
            if was_reading_headers and self.phase == _READING_HEADERS:
                self._header_bytes += len(data)
                if self._header_bytes > MAX_HEADER_BYTES:
                    self._close(_HEADERS_TOO_LARGE, linger=True)

        def eof_received(self) -> bool | None:  # type: ignore[override]  # asyncio allows it
            # A client that has sent its whole request may close its side and still read
            # the answer (a half-close); one that stopped mid-request will send no more.
            self._ended = True
            return (self.phase == _ANSWERING and not self._discarding) or None

        def on_message_begin(self) -> None:
            super().on_message_begin()
            if self.phase != _READING_HEADERS:  # a request on a kept-alive connection
                self._enter(_READING_HEADERS, header_timeout)

        def on_headers_complete(self) -> None:
            super().on_headers_complete()
            self._enter(_READING_BODY, body_timeout)

        def on_message_complete(self) -> None:
            super().on_message_complete()
            self._enter(_ANSWERING, None)

        def on_response_complete(self) -> None:
            super().on_response_complete()
            # Unless a pipelined request is being answered now.
            if self.phase == _ANSWERING and (self.cycle is None or self.cycle.response_complete):
                self._enter(_IDLE, None)  # uvicorn's keep-alive timeout applies
                if self._ended:
                    self.transport.close()

    return GuardedProtocol
