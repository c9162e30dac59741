"""Raw HTTP over loopback sockets: what a misbehaving client sends, byte for byte."""

from __future__ import annotations

import socket
import time
from urllib.parse import urlsplit

# A hang guard for each socket read, not a timing assertion.
READ_GUARD = 15.0


def address(base_url: str) -> tuple[str, int]:
    parts = urlsplit(base_url)
    assert parts.hostname is not None
    assert parts.port is not None
    return parts.hostname, parts.port


def connect(base_url: str, source: str | None = None) -> socket.socket:
    return socket.create_connection(
        address(base_url), timeout=READ_GUARD, source_address=(source, 0) if source else None
    )


def read_until_closed(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection."""
    received = bytearray()
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            return bytes(received)
        received += chunk


def read_response(sock: socket.socket) -> bytes:
    """One response's status line and headers (and whatever body came with them)."""
    received = bytearray()
    while b"\r\n\r\n" not in received:
        chunk = sock.recv(65536)
        if not chunk:
            break
        received += chunk
    return bytes(received)


def status_of(response: bytes) -> int:
    assert response.startswith(b"HTTP/1."), response[:200]
    return int(response.split(b" ", 2)[1])


def closing_status(response: bytes) -> int:
    """The status of the one response a server sent before closing: a well-framed
    response (its ``content-length`` is its body's) with ``connection: close``."""
    head, _, body = response.partition(b"\r\n\r\n")
    fields = dict(line.lower().split(b":", 1) for line in head.split(b"\r\n")[1:] if b":" in line)
    assert fields[b"connection"].strip() == b"close", head
    assert int(fields[b"content-length"]) == len(body), response
    return status_of(response)


def wait_until(predicate: object, guard: float = READ_GUARD) -> bool:
    """Poll ``predicate`` (a callable) until it is true or the hang guard passes."""
    assert callable(predicate)
    deadline = time.monotonic() + guard
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True
