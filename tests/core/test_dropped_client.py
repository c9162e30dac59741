"""A client dropped without close(): its records are delivered and its worker exits."""

from __future__ import annotations

import gc
import threading
import weakref
from typing import Any

from neurallog import NeuralLog

from .conftest import API_KEY, Sink

HANG_GUARD = 30  # seconds; only ever reached when the SDK is broken


def _worker_of(client: NeuralLog) -> threading.Thread:
    worker = client._pipeline.worker.thread
    assert isinstance(worker, threading.Thread)
    return worker


def _weak_pipeline(client: NeuralLog) -> weakref.ref[Any]:
    return weakref.ref(client._pipeline.worker)  # the thread keeps the worker alive


def test_a_dropped_client_delivers_its_records_and_its_worker_exits(sink: Sink) -> None:
    # Nothing would be sent for an hour: only the client's collection can send these.
    client = NeuralLog(api_key=API_KEY, endpoint=sink.url, batch_interval=3600, batch_size=1000)
    for i in range(5):
        client.info(f"record {i}")
    worker = _worker_of(client)
    pipeline = _weak_pipeline(client)
    del client
    gc.collect()
    assert sink.wait_stored(5)
    worker.join(HANG_GUARD)
    assert not worker.is_alive()
    gc.collect()
    assert pipeline() is None  # nothing keeps the queue, the worker or the pipeline alive
    assert sorted(sink.messages) == [f"record {i}" for i in range(5)]


def test_a_dropped_client_in_a_reference_cycle_is_noticed_by_the_collector(sink: Sink) -> None:
    client = NeuralLog(api_key=API_KEY, endpoint=sink.url, batch_interval=3600)
    client.logs  # noqa: B018 - the cached resource refers back to the client: a cycle
    client.info("in a cycle")
    worker = _worker_of(client)
    del client
    gc.collect()
    assert sink.wait_stored(1)
    worker.join(HANG_GUARD)
    assert not worker.is_alive()


def test_what_a_dropped_client_cannot_send_in_time_is_counted(blackhole: str) -> None:
    reported: list[tuple[str, int]] = []
    client = NeuralLog(
        api_key=API_KEY,
        endpoint=blackhole,
        batch_interval=3600,
        batch_size=1000,
        shutdown_timeout=0.2,
        on_drop=lambda reason, count, error: reported.append((reason, count)),
    )
    for i in range(2500):  # three requests' worth: the first one hangs until the deadline
        client.info(f"record {i}")
    worker = _worker_of(client)
    del client
    gc.collect()
    worker.join(HANG_GUARD)
    assert not worker.is_alive()
    assert {reason for reason, _ in reported} == {"shutdown"}
    assert sum(count for _, count in reported) == 2500  # every record accounted for


def test_a_client_that_never_logged_leaves_nothing_behind() -> None:
    before = {thread.ident for thread in threading.enumerate()}
    client = NeuralLog(api_key=API_KEY, endpoint="http://127.0.0.1:9/v1")
    pipeline = _weak_pipeline(client)
    del client
    assert pipeline() is None  # freed at once, by reference counting
    assert {thread.ident for thread in threading.enumerate()} <= before


def test_the_api_client_of_a_dropped_client_keeps_working(sink: Sink) -> None:
    # The HTTP client is shared with client.api (and live-tail streams): it is not closed
    # when the client is dropped, only the logging worker stops.
    client = NeuralLog(api_key=API_KEY, endpoint=sink.url, batch_interval=3600)
    client.info("before the drop")
    api = client.api
    worker = _worker_of(client)
    del client
    gc.collect()
    worker.join(HANG_GUARD)
    assert not worker.is_alive()
    assert sink.wait_stored(1)
    http = api.get_httpx_client()
    assert not http.is_closed
    response = http.post("logs", json={"logs": []})
    assert response.status_code == 202


def test_a_closed_then_dropped_client_is_not_closed_twice(sink: Sink) -> None:
    client = NeuralLog(api_key=API_KEY, endpoint=sink.url)
    client.info("once")
    assert client.close()
    pipeline = _weak_pipeline(client)
    dropped_before = dict(client.stats.dropped)
    del client
    gc.collect()
    assert pipeline() is None
    assert sink.messages == ["once"]
    assert sum(dropped_before.values()) == 0
