"""A loopback HTTP server that misbehaves on purpose, byte by byte.

Each connection serves one request: the server reads the request (headers and a
``Content-Length`` body), records it, and hands the socket to the current *behaviour*, a
function that writes whatever it likes (a malformed body, a drip, a reset, garbage) and
returns. Every loop in a behaviour is bounded and stops when the server closes, so a test
never outlives its server by more than one short wait.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import socket
import struct
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Seen:
    """One request as the server read it."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes


Behaviour = Callable[["Conn"], None]

PLAIN_400 = (
    b"HTTP/1.1 400 Bad Request\r\nContent-Type: text/html\r\nContent-Length: 11\r\n"
    b"Connection: close\r\n\r\nBad Request"
)


@dataclass
class Conn:
    """The socket of one request and what the server read from it."""

    sock: socket.socket
    request: Seen
    stop: threading.Event

    def send(self, data: bytes) -> bool:
        """Write ``data``; False once the client has gone away."""
        try:
            self.sock.sendall(data)
        except OSError:
            return False
        return True

    def wait(self, seconds: float) -> bool:
        """Sleep unless the server is closing; False when it is."""
        return not self.stop.wait(seconds)

    def reset(self) -> None:
        """Close with a TCP reset instead of an orderly close."""
        with contextlib.suppress(OSError):
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.sock.close()


class HostileServer:
    """``behaviour`` decides what each request gets; ``seen`` lists the requests."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0), backlog=64)
        self._listener.settimeout(0.05)
        self.port: int = self._listener.getsockname()[1]
        self.behaviour: Behaviour = answer(200, {"data": {}})
        self.seen: list[Seen] = []
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._acceptor = threading.Thread(target=self._accept, name="hostile-accept", daemon=True)
        self._acceptor.start()

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def endpoint(self) -> str:
        return f"{self.origin}/v1"

    def close(self) -> None:
        self._stop.set()
        self._acceptor.join(timeout=5)
        with self._lock:
            threads = list(self._threads)
        for thread in threads:
            thread.join(timeout=5)
        self._listener.close()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                sock, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            thread = threading.Thread(target=self._serve, args=(sock,), daemon=True)
            with self._lock:
                self._threads = [t for t in self._threads if t.is_alive()]
                self._threads.append(thread)
            thread.start()

    def _serve(self, sock: socket.socket) -> None:
        sock.settimeout(5)
        try:
            request = _read_request(sock)
            if request is None:
                return
            with self._lock:
                self.seen.append(request)
                behaviour = self.behaviour
            behaviour(Conn(sock, request, self._stop))
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError):
                sock.close()


def _read_request(sock: socket.socket) -> Seen | None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk or len(data) > 1 << 20:
            return None  # a client that gave up
        data += chunk
        if data[:1] == b"\x16":
            # A TLS ClientHello: answer like a plain HTTP server does (a 400 page).
            sock.sendall(PLAIN_400)
            return None
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    method, path, *_ = [*lines[0].split(" "), "", ""]
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0") or 0)
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return Seen(method, path, headers, body)


# -- building blocks -------------------------------------------------------------------------


def head(status: str, headers: dict[str, str] | list[tuple[str, str]] | None = None) -> bytes:
    """A status line and headers, ending with the blank line."""
    items = headers.items() if isinstance(headers, dict) else (headers or [])
    lines = [f"HTTP/1.1 {status}"] + [f"{k}: {v}" for k, v in items] + ["", ""]
    return "\r\n".join(lines).encode("latin-1")


def raw(data: bytes, *, reset: bool = False) -> Behaviour:
    """Send these exact bytes, then close (or reset)."""

    def behave(conn: Conn) -> None:
        conn.send(data)
        if reset:
            conn.reset()

    return behave


def answer(
    status: int | str,
    document: Any = None,
    *,
    body: bytes | None = None,
    content_type: str = "application/json",
    headers: dict[str, str] | None = None,
) -> Behaviour:
    """A well-formed HTTP answer with whatever body (JSON of ``document`` by default)."""
    payload = body if body is not None else json.dumps(document).encode()
    line = status if isinstance(status, str) else f"{status} Whatever"
    fields = {
        "Content-Type": content_type,
        "Content-Length": str(len(payload)),
        "Connection": "close",
        **(headers or {}),
    }
    return raw(head(line, fields) + payload)


def drip(prefix: bytes, body: bytes, *, every: float, headers_too: bool = False) -> Behaviour:
    """Send ``prefix`` at once (unless ``headers_too``), then one byte every ``every`` s."""

    def behave(conn: Conn) -> None:
        slow = prefix + body if headers_too else body
        if not headers_too and not conn.send(prefix):
            return
        for i in range(len(slow)):
            if not conn.wait(every) or not conn.send(slow[i : i + 1]):
                return

    return behave


def endless(prefix: bytes, chunk: bytes, *, every: float) -> Behaviour:
    """Send ``prefix``, then ``chunk`` every ``every`` s until the client or server leaves."""

    def behave(conn: Conn) -> None:
        if not conn.send(prefix):
            return
        while conn.wait(every) and conn.send(chunk):
            pass

    return behave


def stall(prefix: bytes, seconds: float = 3.0) -> Behaviour:
    """Send ``prefix``, then nothing for ``seconds``."""

    def behave(conn: Conn) -> None:
        if conn.send(prefix):
            conn.wait(seconds)

    return behave


def redirect_to(location: str, status: int = 307) -> Behaviour:
    return answer(status, body=b"", content_type="text/plain", headers={"Location": location})


def json_head(length: int, status: str = "200 OK", **extra: str) -> bytes:
    return head(
        status,
        {"Content-Type": "application/json", "Content-Length": str(length), **extra},
    )


GZIP_OF_JSON = gzip.compress(b'{"data": {"ok": true}}')


@dataclass
class Scenario:
    """A named misbehaviour; ``slow`` ones cost up to the client's timeout per call."""

    name: str
    behaviour: Behaviour
    slow: bool = False
    tags: set[str] = field(default_factory=set)
