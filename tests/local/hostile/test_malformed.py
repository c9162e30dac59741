"""Malformed requests and half-open connections: every one is a 4xx or a closed
connection, never a 5xx, and none leaves anything behind on the server."""

from __future__ import annotations

import gzip
import logging
import socket
import struct
from collections.abc import Iterator

import pytest

from neurallog_local.server import LocalServer
from neurallog_local.settings import KeySpec, Settings

from .raw import (
    closing_status,
    connect,
    read_response,
    read_until_closed,
    status_of,
    wait_until,
)

KEY = "malformed-key-123"


@pytest.fixture(scope="module")
def server() -> Iterator[LocalServer]:
    settings = Settings(
        db=":memory:", api_keys=[KeySpec(KEY)], header_timeout=0.5, body_timeout=0.5
    )
    with LocalServer(settings) as running:
        yield running


def ingest(body: bytes, *headers: str, length: int | None = None) -> bytes:
    lines = [
        "POST /v1/logs HTTP/1.1",
        "Host: 127.0.0.1",
        f"X-API-Key: {KEY}",
        "Connection: close",
        *headers,
    ]
    if not any(h.lower().startswith(("content-length", "transfer-encoding")) for h in headers):
        lines.append(f"Content-Length: {len(body) if length is None else length}")
    if not any(h.lower().startswith("content-type") for h in headers):
        lines.append("Content-Type: application/json")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


AUTHENTICATED_GET = (
    b"GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-API-Key: " + KEY.encode() + b"\r\n\r\n"
)
DEEP = b'{"logs": [{"level": "INFO", "message": "x", "metadata": {"a": ' + b"[" * 300
MALFORMED: dict[str, bytes] = {
    "not-json": ingest(b"{logs: nope}"),
    "truncated-json": ingest(b'{"logs": [{"level": "INFO", "mess'),
    "invalid-utf8": ingest(b'{"logs": [{"level": "INFO", "message": "\xff\xfe"}]}'),
    "lone-surrogate": ingest(b'{"logs": [{"level": "INFO", "message": "\\ud800"}]}'),
    "too-deep": ingest(DEEP + b"]" * 300 + b"}}]}"),
    "not-an-object": ingest(b"[1, 2, 3]"),
    "empty-batch": ingest(b'{"logs": []}'),
    "wrong-content-type": ingest(b'{"logs": []}', "Content-Type: text/plain"),
    "bad-gzip": ingest(b"\x1f\x8b\x08\x00garbage", "Content-Encoding: gzip"),
    "gzip-trailer": ingest(gzip.compress(b'{"logs": []}') + b"X", "Content-Encoding: gzip"),
    "unknown-encoding": ingest(b"{}", "Content-Encoding: zstd"),
    "short-body": ingest(b'{"logs": []}', length=500),
    "negative-length": ingest(b"{}", "Content-Length: -5"),
    "two-lengths": ingest(b"{}", "Content-Length: 2", "Content-Length: 3"),
    "length-and-chunked": ingest(
        b"2\r\n{}\r\n0\r\n\r\n", "Content-Length: 2", "Transfer-Encoding: chunked"
    ),
    "bad-chunk-size": ingest(b"zz\r\n{}\r\n0\r\n\r\n", "Transfer-Encoding: chunked"),
    "header-without-colon": b"GET /v1/logs HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n",
    "nul-in-header": b"GET /v1/logs HTTP/1.1\r\nHost: x\r\nX-API-Key: a\x00b\r\n\r\n",
    "huge-header": b"GET /v1/logs HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 300_000 + b"\r\n\r\n",
    "absurd-method": b"BREW /v1/logs HTTP/1.1\r\nHost: x\r\n\r\n",
    "http-0.9": b"GET /v1/logs\r\n\r\n",
    "binary-garbage": bytes(range(256)) * 4,
    "bad-percent-path": AUTHENTICATED_GET % b"/v1/logs/%zz%00",
    "bad-query": AUTHENTICATED_GET % b"/v1/logs?limit=%ff&offset=-1",
}


def test_headers_past_the_bound_are_431(server: LocalServer) -> None:
    with connect(server.base_url) as sock:
        sock.sendall(b"GET /v1/logs HTTP/1.1\r\nHost: x\r\n")
        for _ in range(17):  # past 64 KiB in 4 KiB header lines; the blank line never comes
            sock.sendall(b"X-Pad: " + b"a" * 4096 + b"\r\n")
        assert closing_status(read_until_closed(sock)) == 431


@pytest.mark.parametrize("name", list(MALFORMED))
def test_malformed_requests_are_client_errors(
    server: LocalServer, name: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="neurallog_local"), connect(server.base_url) as sock:
        try:
            sock.sendall(MALFORMED[name])
            answer = read_until_closed(sock)
        except ConnectionResetError:  # refused before it was all sent: a closed connection
            answer = b""
    if answer:
        assert 400 <= status_of(answer) < 500, answer[:500]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    _still_serves(server)


def _still_serves(server: LocalServer) -> None:
    with connect(server.base_url) as sock:
        sock.sendall(b"GET /v1/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        assert status_of(read_until_closed(sock)) == 200
    assert wait_until(lambda: server.open_connections == 0)


def test_a_client_that_stops_sending_but_still_reads_is_answered(server: LocalServer) -> None:
    with connect(server.base_url) as sock:
        sock.sendall(ingest(b'{"logs": [{"level": "INFO", "message": "half-closed"}]}'))
        sock.shutdown(socket.SHUT_WR)  # half-open: nothing more will come from this side
        assert status_of(read_response(sock)) == 202
    _still_serves(server)


@pytest.mark.parametrize("cut", [10, 200])
def test_a_client_that_resets_mid_request_leaves_nothing_behind(
    server: LocalServer, cut: int, caplog: pytest.LogCaptureFixture
) -> None:
    request = ingest(b'{"logs": [{"level": "INFO", "message": "' + b"x" * 1000 + b'"}]}')
    with caplog.at_level(logging.ERROR, logger="neurallog_local"):
        for _ in range(20):
            sock = connect(server.base_url)
            sock.sendall(request[:cut])
            # SO_LINGER 0: close() sends a reset instead of a graceful close.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            sock.close()
        _still_serves(server)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_clients_that_vanish_without_reading_leave_nothing_behind(server: LocalServer) -> None:
    for _ in range(50):
        sock = connect(server.base_url)
        sock.sendall(b"GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n")
        sock.close()
    _still_serves(server)
