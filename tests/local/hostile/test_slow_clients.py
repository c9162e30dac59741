"""Slow and silent clients: a request must arrive in time, and clients that send theirs
promptly are served however many slow ones are open."""

from __future__ import annotations

import itertools
import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
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

KEY = "hostile-key-123"
HEADERS = {"X-API-Key": KEY}
PARTIAL_HEADERS = b"GET /v1/logs HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "
INGEST = b'{"logs": [{"level": "INFO", "message": "slow"}]}'


def partial_body(key: str = KEY) -> bytes:
    """Complete headers of an ingest whose body will never be sent in full."""
    return (
        b"POST /v1/logs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        + f"X-API-Key: {key}\r\nContent-Length: {len(INGEST)}\r\n\r\n".encode()
        + INGEST[:10]
    )


@pytest.fixture(scope="module")
def impatient() -> Iterator[LocalServer]:
    settings = Settings(
        db=":memory:", api_keys=[KeySpec(KEY)], header_timeout=0.3, body_timeout=0.3
    )
    with LocalServer(settings) as server:
        yield server


@pytest.mark.parametrize(
    "sent",
    [b"", PARTIAL_HEADERS, partial_body()],
    ids=["nothing", "half-the-headers", "half-the-body"],
)
def test_a_request_that_does_not_arrive_in_time_is_408_and_closed(
    impatient: LocalServer, sent: bytes
) -> None:
    with connect(impatient.base_url) as sock:
        sock.sendall(sent)
        answer = read_until_closed(sock)
    assert closing_status(answer) == 408
    # The server goes on serving, and holds nothing for the connections it closed.
    with httpx.Client(base_url=impatient.endpoint, headers=HEADERS) as http:
        assert http.get("/logs").status_code == 200
    assert wait_until(lambda: impatient.open_connections == 0)


def test_a_kept_alive_connection_must_send_its_next_request_in_time(
    impatient: LocalServer,
) -> None:
    with connect(impatient.base_url) as sock:
        sock.sendall(b"GET /v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        assert status_of(read_response(sock)) == 200
        sock.sendall(b"GET /v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # never ends
        assert closing_status(read_until_closed(sock)) == 408


def _serve_with_few_files(tmp_path: Path, files: int) -> tuple[subprocess.Popen[bytes], str]:
    """``neurallog local`` in a process that may open only ``files`` files at once, as a
    server whose connections exhaust its open-file limit."""
    resource = pytest.importorskip("resource")  # POSIX: the limit this test is about

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (files, files))

    ready = tmp_path / "ready.json"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "neurallog_local",
            "--port",
            "0",
            "--db",
            str(tmp_path / "local.db"),
            "--api-key",
            KEY,
            "--ready-file",
            str(ready),
        ],
        stdout=subprocess.DEVNULL,
        stderr=(tmp_path / "server.log").open("wb"),
        preexec_fn=limit,  # a single-threaded call of setrlimit
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    if not wait_until(lambda: ready.exists() or process.poll() is not None, guard=60):
        process.kill()
        pytest.fail("the server did not start")
    assert process.poll() is None, (tmp_path / "server.log").read_text()
    return process, json.loads(ready.read_text())["endpoint"]


@pytest.mark.slow
def test_clients_are_served_while_300_slow_ones_hold_connections(tmp_path: Path) -> None:
    # 300 connections are more than the process's 256 files: without a cap on connections
    # the server cannot accept another one, and every other client waits for good.
    process, endpoint = _serve_with_few_files(tmp_path, 256)
    slow: list[socket.socket] = []
    try:
        for n in range(300):
            sock = connect(endpoint)
            slow.append(sock)
            sock.sendall(PARTIAL_HEADERS if n % 2 else partial_body())
        with httpx.Client(base_url=endpoint, headers=HEADERS, timeout=15) as http:
            for n in range(20):
                # A new connection each time: the slow ones came first.
                response = http.post(
                    "/logs",
                    content=INGEST,
                    headers={"Connection": "close", "Content-Type": "application/json"},
                )
                assert response.status_code == 202, (n, response.text)
            listed = http.get("/logs", params={"limit": 100})
        assert listed.status_code == 200
        assert len(listed.json()["data"]) == 20
    finally:
        for sock in slow:
            sock.close()
        process.terminate()
        process.wait(30)
    log = (tmp_path / "server.log").read_text()
    assert "Traceback" not in log, log[-3000:]


def test_answered_connections_are_never_closed_to_make_room() -> None:
    settings = Settings(db=":memory:", api_keys=[KeySpec(KEY)], max_connections=2)
    with (
        LocalServer(settings) as server,
        httpx.Client(base_url=server.endpoint, headers=HEADERS, timeout=15) as first,
        httpx.Client(base_url=server.endpoint, headers=HEADERS, timeout=15) as second,
        # Two live tails: requests being answered, for as long as they stay open.
        first.stream("GET", "/logs/stream") as one,
        second.stream("GET", "/logs/stream") as two,
    ):
        assert (one.status_code, two.status_code) == (200, 200)
        with connect(server.base_url) as sock:
            sock.sendall(b"GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n")
            answer = read_until_closed(sock)
        assert closing_status(answer) == 503
        assert b"retry-after: 1" in answer.lower()
        # Both tails still stream: the heartbeat that follows the history arrives.
        for tail in (one, two):
            assert "heartbeat" in "".join(itertools.islice(tail.iter_lines(), 3))
