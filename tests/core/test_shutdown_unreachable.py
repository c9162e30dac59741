"""close() gives up at once on a backend that refuses connections, counting what it loses.

With the backend down, retrying every batch until ``shutdown_timeout`` only delays the
application's exit: a refused connection during shutdown ends delivery, and what is left
is counted as ``shutdown``. Any other failure (a 503, a reset) is retried as usual.
"""

from __future__ import annotations

import socket
import threading

import httpx

from neurallog import NeuralLog

from .conftest import API_KEY, Sink


class CountingTransport(httpx.HTTPTransport):
    """A real HTTP transport that counts the requests it tries to send."""

    def __init__(self) -> None:
        super().__init__()
        self.attempts = 0
        self._lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        with self._lock:
            self.attempts += 1
        return super().handle_request(request)


def _refusing_endpoint() -> str:
    with socket.socket() as probe:  # bound, then closed: nothing listens on the port
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}/v1"


def test_close_gives_up_after_one_refused_connection() -> None:
    transport = CountingTransport()
    client = NeuralLog(
        api_key=API_KEY,
        endpoint=_refusing_endpoint(),
        transport=transport,
        auto_flush=False,  # nothing is tried before close()
        retries=3,
        max_retry_delay=0.05,
        shutdown_timeout=30,
    )
    for i in range(2500):  # three batches
        client.info(f"record {i}")
    assert client.close() is False
    stats = client.stats
    assert transport.attempts == 1  # no retry, no attempt for the other batches
    assert stats.dropped["shutdown"] == 2500
    assert (stats.sent, stats.queued, stats.dropped_total) == (0, 0, 2500)


def test_close_still_retries_a_server_error(sink: Sink) -> None:
    sink.script = [503]
    client = NeuralLog(
        api_key=API_KEY, endpoint=sink.url, auto_flush=False, retries=2, max_retry_delay=0.05
    )
    client.info("kept")
    assert client.close()
    assert sink.messages == ["kept"]
    assert len(sink.requests) == 2
