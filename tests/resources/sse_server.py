"""A tiny HTTP/1.1 server that plays scripted Server-Sent Event streams, one per connection.

pytest-httpserver sends whole bodies; these tests need a server that stops mid-chunk,
goes silent, or notices the exact moment the client hangs up.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable
from typing import Any

import orjson


class Connection:
    """One accepted connection, driven by a script."""

    def __init__(self, sock: socket.socket, request_line: str, headers: dict[str, str]) -> None:
        self.sock = sock
        self.request_line = request_line
        self.headers = headers
        self.client_closed = threading.Event()

    @property
    def path(self) -> str:
        return self.request_line.split(" ")[1]

    def start(self, status: str = "200 OK", content_type: str = "text/event-stream") -> None:
        self.sock.sendall(
            (
                f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\n"
                "Transfer-Encoding: chunked\r\nCache-Control: no-store\r\n\r\n"
            ).encode()
        )

    def chunk(self, data: bytes) -> None:
        self.sock.sendall(f"{len(data):x}\r\n".encode() + data + b"\r\n")

    def event(self, name: str, data: Any, event_id: str | None = None) -> None:
        self.chunk(encode_event(name, data, event_id))

    def finish(self) -> None:
        """End the body properly (last chunk) and close."""
        self.sock.sendall(b"0\r\n\r\n")
        self.close()

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)
        self.sock.close()

    def wait_until_client_closes(self, timeout: float = 10.0) -> bool:
        """Block until the client hangs up (recv sees EOF); False if it did not in time."""
        self.sock.settimeout(timeout)
        try:
            while self.sock.recv(1024):
                pass
        except TimeoutError:
            return False
        except OSError:
            pass
        self.client_closed.set()
        return True


def encode_event(name: str, data: Any, event_id: str | None = None) -> bytes:
    text = f"event: {name}\n"
    if event_id is not None:
        text += f"id: {event_id}\n"
    payload = data if isinstance(data, str) else orjson.dumps(data).decode()
    return (text + f"data: {payload}\n\n").encode()


Script = Callable[[Connection], None]


class ScriptedServer:
    """Each accepted connection runs the next script, in order, in its own thread."""

    def __init__(self, scripts: list[Script]) -> None:
        self._scripts = list(scripts)
        self.connections: list[Connection] = []
        self._arrived = threading.Condition()
        self.errors: list[BaseException] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._acceptor = threading.Thread(target=self._accept, daemon=True)
        self._acceptor.start()

    @property
    def endpoint(self) -> str:
        host, port = self._listener.getsockname()[:2]
        return f"http://{host}:{port}/v1"

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                sock, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            thread = threading.Thread(target=self._serve, args=(sock,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _serve(self, sock: socket.socket) -> None:
        try:
            sock.settimeout(10)
            raw = b""
            while b"\r\n\r\n" not in raw:
                data = sock.recv(4096)
                if not data:
                    return
                raw += data
            head = raw.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
            headers = {}
            for line in head[1:]:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            conn = Connection(sock, head[0], headers)
            with self._arrived:
                self.connections.append(conn)
                self._arrived.notify_all()
            script = self._scripts.pop(0) if self._scripts else _refuse
            script(conn)
        except BaseException as error:  # surfaced by the test through .errors
            self.errors.append(error)

    def connection(self, index: int, timeout: float = 10.0) -> Connection:
        """The ``index``-th connection (from 0), waiting up to ``timeout`` for it to arrive."""
        with self._arrived:
            if not self._arrived.wait_for(lambda: len(self.connections) > index, timeout):
                raise AssertionError(f"connection {index} never arrived")
            return self.connections[index]

    def close(self) -> None:
        self._stop.set()
        self._listener.close()
        self._acceptor.join(timeout=5)
        for conn in self.connections:
            conn.close()
        for thread in self._threads:
            thread.join(timeout=5)


def _refuse(conn: Connection) -> None:
    conn.sock.sendall(b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n")
    conn.close()
