"""A full queue drops by the stated policy and counts every drop."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from neurallog import NeuralLog

from .conftest import API_KEY, Captured, ClientFactory, Sink, wait_until

HANG_GUARD = 30  # seconds; only ever reached when the SDK is broken


def test_drop_oldest_is_the_default(sink: Sink, make_client: ClientFactory) -> None:
    client = make_client(auto_flush=False, max_queue_size=5)
    for i in range(10):
        client.info(f"m{i}")
    stats = client.stats
    assert stats.dropped["queue_full"] == 5
    assert stats.queued == 5
    assert client.flush(5) is False  # records were lost since the last flush
    assert sorted(sink.messages) == ["m5", "m6", "m7", "m8", "m9"]
    stats = client.stats
    assert stats.enqueued == 10 == stats.sent + stats.dropped_total


def test_errors_are_protected_from_drop_oldest(sink: Sink, make_client: ClientFactory) -> None:
    client = make_client(auto_flush=False, max_queue_size=5)
    client.error("E0")
    for i in range(10):
        client.info(f"m{i}")
    client.fatal("F0")
    assert client.stats.dropped["queue_full"] == 7
    client.flush(5)
    assert sorted(sink.messages) == ["E0", "F0", "m7", "m8", "m9"]
    # Records keep their logging order on the wire.
    assert [e["message"] for e in sink.requests[0].doc["logs"]] == ["E0", "m7", "m8", "m9", "F0"]


def test_when_only_errors_are_left_the_oldest_error_goes(
    sink: Sink, make_client: ClientFactory
) -> None:
    client = make_client(auto_flush=False, max_queue_size=3)
    for i in range(5):
        client.error(f"E{i}")
    client.info("low")  # a full queue of errors refuses a lower record
    assert client.stats.dropped["queue_full"] == 3
    client.flush(5)
    assert sorted(sink.messages) == ["E2", "E3", "E4"]


def test_drop_newest(sink: Sink, make_client: ClientFactory) -> None:
    client = make_client(auto_flush=False, max_queue_size=5, overflow="drop_newest")
    for i in range(10):
        client.info(f"m{i}")
    client.error("E0")  # still gets in: it displaces the newest lower record
    assert client.stats.dropped["queue_full"] == 6
    client.flush(5)
    assert sorted(sink.messages) == ["E0", "m0", "m1", "m2", "m3"]


def test_protection_can_be_turned_off(sink: Sink, make_client: ClientFactory) -> None:
    client = make_client(auto_flush=False, max_queue_size=3, protect_level=None)
    client.error("E0")
    for i in range(3):
        client.info(f"m{i}")
    client.flush(5)
    assert sorted(sink.messages) == ["m0", "m1", "m2"]


def test_on_drop_reports_queue_full(sink: Sink, make_client: ClientFactory) -> None:
    seen: list[tuple[str, int, Any]] = []
    client = make_client(
        auto_flush=False, max_queue_size=2, on_drop=lambda *args: seen.append(args)
    )
    for i in range(5):
        client.info(f"m{i}")
    client.flush(5)
    assert seen == [("queue_full", 3, None)]


def test_a_raising_on_drop_does_not_stop_delivery(sink: Sink, make_client: ClientFactory) -> None:
    def explode(*args: object) -> None:
        raise RuntimeError("callback bug")

    client = make_client(auto_flush=False, max_queue_size=1, on_drop=explode)
    client.info("a")
    client.info("b")
    client.flush(5)
    client.info("c")
    assert client.flush(5)
    assert sorted(sink.messages) == ["b", "c"]


def test_flush_from_a_callback_does_not_deadlock(sink: Sink, make_client: ClientFactory) -> None:
    results: list[bool] = []
    holder: list[Any] = []
    client = make_client(
        auto_flush=False, max_queue_size=1, on_drop=lambda *a: results.append(holder[0].flush(5))
    )
    holder.append(client)
    client.info("a")
    client.info("b")
    client.flush(5)
    assert results == [False]  # refused at once on the worker thread, no hang


def test_backpressure_pauses_only_while_the_worker_is_delivering(
    make_client: ClientFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    from neurallog import _queue

    pauses: list[float] = []
    monkeypatch.setattr(_queue, "_yield_gil", pauses.append)
    client = make_client(auto_flush=False, max_queue_size=200)
    for i in range(640):
        client.info(f"m{i}")
    assert pauses == []  # the worker is idle (nothing to send): never pause, just drop
    client._pipeline.queue.busy = True  # as while the worker delivers a batch
    for i in range(640):
        client.info(f"n{i}")
    assert pauses == [_queue._BACKPRESSURE_PAUSE] * 10  # one call in 64
    # A request pending for long means a slow backend: pausing the app would not help.
    client._pipeline.queue.request_since = time.monotonic() - 1.0
    for i in range(640):
        client.info(f"o{i}")
    client._pipeline.queue.busy = False
    client._pipeline.queue.request_since = None
    assert len(pauses) == 10


def test_backpressure_never_pauses_a_thread_running_an_event_loop(
    make_client: ClientFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    import asyncio

    from neurallog import _queue

    pauses: list[float] = []
    monkeypatch.setattr(_queue, "_yield_gil", pauses.append)
    client = make_client(auto_flush=False, max_queue_size=200)
    client._pipeline.queue.busy = True  # as while the worker delivers a batch

    async def burst() -> None:
        for i in range(640):
            client.info(f"m{i}")

    asyncio.run(burst())
    assert pauses == []  # the loop is never stalled: the overflow policy drops instead
    assert client.stats.dropped["queue_full"] == 440
    for i in range(640):  # the same burst on a thread without a loop is paced
        client.info(f"n{i}")
    client._pipeline.queue.busy = False
    assert len(pauses) == 10


def test_a_loss_seen_by_another_flush_still_fails_a_flush_that_waited_for_it(
    sink: Sink, make_client: ClientFactory
) -> None:
    # Two threads flush at once (say two request handlers): each must report the records
    # lost since the flush before it started, whichever of the two returns first.
    release = threading.Event()

    def hold(captured: Captured) -> None:
        release.wait(10)  # bounded: "first" stays in flight until the test lets it go

    sink.script = [hold]
    client = make_client(max_queue_size=1, batch_size=1)
    client.info("first")
    assert sink.wait_for(lambda: len(sink.requests) == 1)
    client.info("lost")
    client.info("kept")  # the queue holds one record: "lost" makes room
    assert client.stats.dropped["queue_full"] == 1
    results: list[bool] = []
    waiter = threading.Thread(target=lambda: results.append(client.flush(10)))
    waiter.start()
    assert wait_until(lambda: client._pipeline.worker._flush_target == 3)  # it waits for all three
    assert client.flush(0) is False  # another flush returns first and sees the loss
    release.set()
    waiter.join(10)
    assert results == [False]  # "lost" was logged before this flush began
    assert sorted(sink.messages) == ["first", "kept"]


def test_on_drop_may_close_the_client_while_it_closes(blackhole: str) -> None:
    # close() reports what it could not send to on_drop, on the closing thread; a callback
    # that closes the client on a loss (a common way to stop logging) must not hang it.
    # Built by hand, not by make_client: a hung close() must not hang the teardown too.
    reported: list[tuple[str, int]] = []
    holder: list[NeuralLog] = []

    def on_drop(reason: str, count: int, error: object) -> None:
        reported.append((reason, count))
        holder[0].close()

    client = NeuralLog(api_key=API_KEY, endpoint=blackhole, on_drop=on_drop)
    holder.append(client)
    client.info("never answered")
    results: list[bool] = []
    closer = threading.Thread(target=lambda: results.append(client.close(timeout=0.2)))
    closer.start()
    closer.join(HANG_GUARD)
    assert not closer.is_alive()
    assert results == [False]
    assert reported == [("shutdown", 1)]
