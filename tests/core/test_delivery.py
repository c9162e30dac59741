"""Delivery under failure: retries, 429, 413, refused connections, timeouts, rejections."""

from __future__ import annotations

import logging
import socket
import threading
import time
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Response

from neurallog import exceptions

from .conftest import Captured, ClientFactory, Sink, error_response, wait_until


def _assert_each_record_stored_once(sink: Sink, expected: list[str]) -> None:
    assert sorted(sink.messages) == sorted(expected)
    assert len(sink.stored) == len(expected)


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_server_errors_are_retried_with_the_same_ids_and_key(
    sink: Sink, make_client: ClientFactory, status: int
) -> None:
    sink.script = [status, status]
    client = make_client(retries=3)
    expected = [f"m{i}" for i in range(20)]
    for message in expected:
        client.info(message)
    assert client.flush(10)
    assert len(sink.requests) == 3
    first = sink.requests[0]
    for attempt in sink.requests[1:]:
        assert attempt.ids == first.ids
        assert attempt.body == first.body
        assert attempt.headers["Idempotency-Key"] == first.headers["Idempotency-Key"]
    _assert_each_record_stored_once(sink, expected)
    assert client.stats.sent == 20


def test_429_with_retry_after_is_retried(sink: Sink, make_client: ClientFactory) -> None:
    sink.script = [error_response(429, "rate_limited", headers={"Retry-After": "0"})]
    client = make_client(retries=2)
    client.info("one")
    client.info("two")
    assert client.flush(10)
    assert len(sink.requests) == 2
    assert sink.requests[0].ids == sink.requests[1].ids
    _assert_each_record_stored_once(sink, ["one", "two"])


def test_429_longer_than_max_retry_delay_holds_the_batch(
    sink: Sink, make_client: ClientFactory
) -> None:
    # Retry-After beyond max_retry_delay: the transport gives up at once and the worker
    # buffers the batch (for max_retry_delay at most), then sends the same body again.
    sink.script = [error_response(429, "rate_limited", headers={"Retry-After": "0.3"})]
    client = make_client(retries=3, max_retry_delay=0.01)
    client.info("held")
    assert client.flush(10)
    assert len(sink.requests) == 2
    assert sink.requests[0].body == sink.requests[1].body
    assert (
        sink.requests[0].headers["Idempotency-Key"] == sink.requests[1].headers["Idempotency-Key"]
    )
    assert sink.messages == ["held"]
    assert client.stats.dropped_total == 0


def test_rate_limited_batch_makes_room_when_the_queue_is_full(
    sink: Sink, make_client: ClientFactory
) -> None:
    always_429 = error_response(429, headers={"Retry-After": "30"})
    sink.gate = lambda captured: always_429
    client = make_client(retries=0, max_queue_size=10)
    client.info("oldest")
    assert sink.wait_for(lambda: len(sink.requests) == 1)
    for i in range(10):
        client.info(f"newer {i}")  # fills the queue while "oldest" is held
    assert wait_until(lambda: client.stats.dropped["rate_limited"] == 1)
    assert client.stats.dropped["queue_full"] == 0


def test_read_timeouts_are_retried_and_the_server_stores_each_id_once(
    sink: Sink, make_client: ClientFactory
) -> None:
    def stall(captured: Captured) -> None:
        time.sleep(1.0)  # longer than the client's timeout; then processed normally

    sink.script = [stall]
    client = make_client(timeout=0.3, retries=3)
    expected = [f"m{i}" for i in range(10)]
    for message in expected:
        client.info(message)
    assert client.flush(10)
    assert len(sink.requests) >= 2
    assert all(r.ids == sink.requests[0].ids for r in sink.requests)
    # The stalled first attempt is stored too, late: the server sees every id twice and
    # keeps one copy.
    assert sink.wait_for(lambda: sink.duplicates == 10)
    _assert_each_record_stored_once(sink, expected)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_refused_connections_are_retried_until_the_server_is_up(
    make_client: ClientFactory,
) -> None:
    port = _free_port()
    refused = threading.Event()

    class Spy(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if "ConnectError" in record.getMessage():
                refused.set()

    logger = logging.getLogger("neurallog.test.refused")
    logger.setLevel(logging.DEBUG)  # retry notices are DEBUG
    logger.propagate = False
    logger.addHandler(Spy())
    client = make_client(
        endpoint=f"http://127.0.0.1:{port}/v1", retries=1000, max_retry_delay=0.01, logger=logger
    )
    expected = [f"m{i}" for i in range(5)]
    for message in expected:
        client.info(message)
    assert refused.wait(10)  # the first attempt really was refused

    server = HTTPServer(host="127.0.0.1", port=port, threaded=True)
    late = Sink(server)
    server.expect_request("/v1/logs", method="POST").respond_with_handler(late.handle)
    server.start()
    try:
        assert client.flush(10)
        _assert_each_record_stored_once(late, expected)
        assert late.duplicates == 0
    finally:
        server.stop()


@pytest.mark.parametrize(
    ("status", "reason"),
    [(400, "rejected"), (401, "unauthorized"), (403, "unauthorized"), (404, "rejected"),
     (422, "rejected")],
)  # fmt: skip
def test_client_errors_are_not_retried(
    sink: Sink, make_client: ClientFactory, status: int, reason: str
) -> None:
    seen: list[tuple[str, int, Any]] = []
    sink.script = [status]
    client = make_client(retries=5, on_drop=lambda r, n, e: seen.append((r, n, e)))
    for i in range(5):
        client.info(f"m{i}")
    assert client.flush(10) is False
    assert len(sink.requests) == 1
    assert client.stats.dropped[reason] == 5
    assert [(r, n) for r, n, _ in seen] == [(reason, 5)]
    assert isinstance(seen[0][2], exceptions.ApiError)
    assert seen[0][2].status == status
    # The pipeline carries on.
    client.info("after")
    assert client.flush(10) is True
    assert sink.messages == ["after"]


def test_retries_exhausted_drops_and_counts(sink: Sink, make_client: ClientFactory) -> None:
    sink.script = [503, 503, 503]
    client = make_client(retries=2)
    client.info("lost")
    assert client.flush(10) is False
    assert len(sink.requests) == 3
    assert client.stats.dropped["retries_exhausted"] == 1
    client.info("kept")
    assert client.flush(10) is True
    assert sink.messages == ["kept"]


def test_413_splits_the_batch(sink: Sink, make_client: ClientFactory) -> None:
    too_big = error_response(413, "payload_too_large")
    sink.gate = lambda captured: too_big if len(captured.doc["logs"]) > 3 else None
    client = make_client(auto_flush=False)
    expected = [f"m{i}" for i in range(10)]
    for message in expected:
        client.info(message)
    assert client.flush(10)
    _assert_each_record_stored_once(sink, expected)
    assert client.stats.dropped_total == 0
    # Every body that was refused was split, and every split got a key of its own.
    accepted = [r for r in sink.requests if len(r.doc["logs"]) <= 3]
    keys = [r.headers["Idempotency-Key"] for r in accepted]
    assert len(set(keys)) == len(keys)


def test_413_for_a_single_record_drops_only_that_record(
    sink: Sink, make_client: ClientFactory
) -> None:
    too_big = error_response(413, "payload_too_large")
    sink.gate = lambda captured: too_big if any(
        e["message"] == "huge" for e in captured.doc["logs"]
    ) else None  # fmt: skip
    client = make_client(auto_flush=False)
    for message in ["a", "huge", "b", "c"]:
        client.info(message)
    assert client.flush(10) is False
    assert sorted(sink.messages) == ["a", "b", "c"]
    assert client.stats.dropped["too_large"] == 1


def test_an_oversize_record_is_truncated_and_marked_not_dropped(
    sink: Sink, make_client: ClientFactory
) -> None:
    client = make_client(max_batch_bytes=2048, auto_flush=False)
    client.info("small")
    client.info("big metadata", {"blob": "x" * 10_000})
    client.info("y" * 10_000)
    assert client.flush(10)
    by_start = {e["message"][:5]: e for e in sink.entries}
    assert by_start["small"]["message"] == "small"
    assert by_start["big m"]["metadata"]["_truncated"] == ["metadata"]
    long = by_start["yyyyy"]
    assert long["metadata"]["_truncated"] == ["message"]
    assert len(long["message"]) < 2048
    assert all(len(r.body) <= 2048 for r in sink.requests)
    assert client.stats.dropped_total == 0


def test_api_limits_on_message_tags_and_source_are_enforced(
    sink: Sink, make_client: ClientFactory
) -> None:
    client = make_client(max_batch_bytes=5 * 1024 * 1024, auto_flush=False)
    client.log("INFO", "m" * 70_000, source="s" * 300, tags=[f"t{i}" for i in range(70)])
    assert client.flush(10)
    (entry,) = sink.entries
    assert len(entry["message"]) == 65536
    assert len(entry["source"]) == 256
    assert len(entry["tags"]) == 64
    assert entry["metadata"]["_truncated"] == ["message", "source", "tags"]


def test_rejected_entries_in_a_202_are_counted_and_reported_once(
    sink: Sink, make_client: ClientFactory, caplog: pytest.LogCaptureFixture
) -> None:
    sink.reject = lambda entry: "message must not be 'bad'" if entry["message"] == "bad" else None
    client = make_client(auto_flush=False)
    for message in ["good", "bad", "fine", "bad"]:
        client.info(message)
    with caplog.at_level(logging.WARNING, logger="neurallog"):
        assert client.flush(10) is False
    stats = client.stats
    assert stats.sent == 2
    assert stats.dropped["rejected"] == 2
    reports = [r for r in caplog.records if "rejected" in r.getMessage()]
    assert len(reports) == 1
    assert "message must not be 'bad'" in reports[0].getMessage()


def test_a_dead_backend_never_raises_into_the_app(make_client: ClientFactory) -> None:
    client = make_client(endpoint=f"http://127.0.0.1:{_free_port()}/v1", retries=1)
    for i in range(50):
        client.info(f"m{i}")  # must not raise
    assert client.flush(10) is False
    assert client.stats.dropped["retries_exhausted"] == 50


def test_a_redirect_is_not_counted_as_delivered(sink: Sink, make_client: ClientFactory) -> None:
    moved = Response("", status=301, headers={"Location": "https://example.com/v1/logs"})
    sink.gate = lambda captured: moved
    seen: list[Any] = []
    client = make_client(on_drop=lambda reason, count, error: seen.append((reason, error)))
    client.info("lost")
    assert client.flush(10) is False
    stats = client.stats
    assert stats.sent == 0
    assert stats.dropped["rejected"] == 1
    assert len(sink.requests) == 1  # redirects are not followed (nor retried)
    assert "https://example.com/v1/logs" in str(seen[0][1])
