"""Delivery accounting holds in every mode: ``enqueued == sent + dropped + queued + filtered``.

The counters and the queue share one lock, so the equation holds in every snapshot, not
only once delivery settles: it is checked after every step of random sequences of
logging calls, batches, flushes and a close, against a real server switching between
health, an outage, rate limiting, body size limits, rejections and answers that are not
acknowledgements, with a queue small enough to overflow. After close, ``sent`` is exactly
what the server stored.
"""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug import Response

from neurallog import DeliveryStats, NeuralLog

from .conftest import API_KEY, Captured, Sink, error_response, wait_until

HANG_GUARD = 30  # seconds; only ever reached when the SDK is broken


def _balanced(stats: DeliveryStats) -> bool:
    return stats.enqueued == stats.sent + stats.dropped_total + stats.queued + stats.filtered


def _too_large(captured: Captured) -> Response | None:
    return error_response(413, "payload_too_large") if len(captured.doc["logs"]) > 3 else None


MODES: dict[str, Callable[[Captured], Response | None] | None] = {
    "healthy": None,
    "outage": lambda captured: error_response(503, "unavailable"),
    "rate limited": lambda captured: error_response(429, headers={"Retry-After": "0.01"}),
    "413 above 3 entries": _too_large,
    "not an acknowledgement": lambda captured: Response("<html>login</html>", status=200),
    "unauthorized": lambda captured: error_response(401, "unauthorized"),
}

steps = st.lists(
    st.one_of(
        st.tuples(st.just("log"), st.sampled_from(["DEBUG", "INFO", "ERROR"]), st.booleans()),
        st.tuples(st.just("batch"), st.integers(1, 6)),
        st.tuples(st.just("mode"), st.sampled_from(sorted(MODES))),
        st.tuples(st.just("flush"), st.sampled_from([0, 0.05])),
        st.tuples(st.just("close"), st.sampled_from([0, 0.1])),
    ),
    max_size=25,
)


@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    mode=st.sampled_from(sorted(MODES)),
    steps=steps,
    max_queue_size=st.sampled_from([2, 5, 100]),
    overflow=st.sampled_from(["drop_oldest", "drop_newest"]),
    auto_flush=st.booleans(),
)
def test_every_record_is_accounted_for_in_every_mode(
    sink: Sink,
    mode: str,
    steps: list[tuple[Any, ...]],
    max_queue_size: int,
    overflow: str,
    auto_flush: bool,
) -> None:
    sink.gate = MODES[mode]
    sink.script = []
    sink.reject = lambda entry: "refused" if entry["message"].startswith("reject") else None
    tag = uuid.uuid4().hex
    client = NeuralLog(
        api_key=API_KEY,
        endpoint=sink.url,
        tags=[tag],
        batch_size=3,
        batch_interval=0.01,
        retries=1,
        max_retry_delay=0.01,
        timeout=5,
        auto_flush=auto_flush,
        max_queue_size=max_queue_size,
        overflow=overflow,  # type: ignore[arg-type]
        max_batch_bytes=1024,
        shutdown_timeout=0.3,
        flush_timeout=0.2,  # batch() flushes: bounded while the server misbehaves
        before_send=lambda entry: None if entry["message"].startswith("filter") else entry,
    )
    try:
        for number, step in enumerate(steps):
            kind = step[0]
            if kind == "log":
                _, level, big = step
                message = "reject " if number % 3 == 0 else "filter " if number % 5 == 0 else ""
                client.log(level, message + ("x" * 600 if big else f"step {number}"))
            elif kind == "batch":
                with client.batch() as batch:
                    for i in range(step[1]):
                        batch.info(f"batched {number}.{i}")
            elif kind == "mode":
                sink.gate = MODES[step[1]]
            elif kind == "flush":
                client.flush(step[1])
            else:
                client.close(step[1])
            assert _balanced(client.stats), (step, client.stats)
    finally:
        client.close(0.3)
    worker = client._pipeline.worker.thread
    if worker is not None:
        worker.join(HANG_GUARD)
    stats = client.stats
    assert _balanced(stats), stats
    assert stats.queued == 0
    stored = sum(1 for entry in sink.entries if tag in entry.get("tags", ()))
    assert stats.sent == stored


class HeldSecondHalf:
    """A server that refuses more than 2 entries with 413 and holds the request of "m3"."""

    def __init__(self) -> None:
        self.holding = threading.Event()
        self.release = threading.Event()

    def __call__(self, captured: Captured) -> Response | None:
        if len(captured.doc["logs"]) > 2:
            return error_response(413, "payload_too_large")
        if captured.doc["logs"][0]["message"] == "m3":
            self.holding.set()
            self.release.wait(HANG_GUARD)
        return None


def _split_batch_client(sink: Sink) -> NeuralLog:
    client = NeuralLog(
        api_key=API_KEY,
        endpoint=sink.url,
        batch_size=5,
        batch_interval=3600,
        before_send=lambda entry: None if entry["message"] == "skip" else entry,
    )
    # 4 entries after before_send: 413, then halves [m1, m2] (stored) and [m3, m4] (held).
    for message in ["m1", "skip", "m2", "m3", "m4"]:
        client.info(message)
    return client


def test_accounting_holds_halfway_through_a_split_batch(sink: Sink) -> None:
    sink.gate = server = HeldSecondHalf()
    client = _split_batch_client(sink)
    try:
        assert server.holding.wait(HANG_GUARD)
        stats = client.stats
        assert (stats.enqueued, stats.sent, stats.filtered, stats.queued) == (5, 2, 1, 2)
        assert _balanced(stats)
        server.release.set()
        assert client.flush(HANG_GUARD)
        assert _balanced(client.stats)
        assert client.stats.sent == 4
    finally:
        server.release.set()
        client.close()


def test_accounting_holds_when_close_gives_up_on_a_batch_halfway(sink: Sink) -> None:
    sink.gate = server = HeldSecondHalf()
    client = _split_batch_client(sink)
    try:
        assert server.holding.wait(HANG_GUARD)
        assert client.close(0.1) is False  # the held half is written off
        stats = client.stats
        assert (stats.sent, stats.filtered, stats.dropped["shutdown"]) == (2, 1, 2)
        assert _balanced(stats)
    finally:
        server.release.set()
    # The held request ends after all: the write-off is corrected.
    worker = client._pipeline.worker.thread
    assert worker is not None
    worker.join(HANG_GUARD)
    stats = client.stats
    assert (stats.sent, stats.dropped["shutdown"], stats.queued) == (4, 0, 0)
    assert _balanced(stats)


def test_accounting_holds_while_a_rate_limited_batch_is_held_and_at_close(sink: Sink) -> None:
    sink.gate = lambda captured: error_response(429, headers={"Retry-After": "30"})
    client = NeuralLog(
        api_key=API_KEY,
        endpoint=sink.url,
        retries=0,
        max_retry_delay=30,
        max_queue_size=3,
        batch_size=1,
        batch_interval=0.01,
    )
    try:
        client.info("held")
        assert sink.wait_for(lambda: len(sink.requests) == 1)
        for i in range(6):  # the queue fills while "held" waits: it makes room
            client.info(f"newer {i}")
            assert _balanced(client.stats)
        assert wait_until(lambda: client.stats.dropped["rate_limited"] == 1)
        assert _balanced(client.stats)
    finally:
        client.close(0.5)  # the server asks for 30 s: what is held is lost to shutdown
    worker = client._pipeline.worker.thread
    assert worker is not None
    worker.join(HANG_GUARD)
    stats = client.stats
    assert _balanced(stats), stats
    assert (stats.sent, stats.queued) == (0, 0)
    assert stats.dropped["shutdown"] >= 1
    assert stats.dropped["queue_full"] == 3


def test_accounting_holds_in_a_forked_child_and_in_its_parent(sink: Sink) -> None:
    client = NeuralLog(api_key=API_KEY, endpoint=sink.url, batch_interval=0.01)
    try:
        client.info("before the fork")
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:
            try:
                fresh = client.stats.enqueued == 0  # the parent's records are its own
                for i in range(5):
                    client.info(f"child {i}")
                delivered = client.flush(10)
                stats = client.stats
                ok = fresh and delivered and _balanced(stats) and stats.sent == 5
                os.write(write, b"1" if ok else b"0")
            finally:
                os._exit(0)
        os.waitpid(pid, 0)
        assert os.read(read, 1) == b"1"
        os.close(read)
        os.close(write)
        client.info("after the fork")
        assert client.flush(10)
        stats = client.stats
        assert _balanced(stats)
        assert (stats.enqueued, stats.sent) == (2, 2)
        assert wait_until(lambda: len(sink.stored) == 7)
    finally:
        client.close()
