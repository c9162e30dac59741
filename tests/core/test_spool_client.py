"""A client with ``spool_dir`` in one process: delivery, stats, options, block, close."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from werkzeug import Response

from neurallog import NeuralLog
from neurallog.exceptions import ConfigurationError

from .conftest import API_KEY, Captured, ClientFactory, Sink, error_response

HANG_GUARD = 120  # seconds: a guard against a hang, never a performance assertion


def test_records_go_through_the_spool_to_the_server(
    sink: Sink, make_client: ClientFactory, tmp_path: Path
) -> None:
    client = make_client(spool_dir=tmp_path / "spool", source="svc", tags=["t"])
    client.configure_context({"host": "h1"})
    client.info("hello", {"user": "u1"}, tags=["x"])
    client.error("boom")
    with client.batch() as batch:
        batch.warn("in a batch", {"n": 1})
    assert batch.delivered
    assert client.flush(10)
    entries = sorted(sink.entries, key=lambda e: e["message"])
    assert [e["message"] for e in entries] == ["boom", "hello", "in a batch"]
    hello = entries[1]
    assert hello["level"] == "INFO"
    assert hello["source"] == "svc"
    assert hello["tags"] == ["t", "x"]
    assert hello["metadata"] == {"host": "h1", "user": "u1"}
    stats = client.stats
    assert stats.sent == stats.enqueued == 3
    assert stats.dropped_total == 0
    assert stats.queued == 0


def test_batch_log_ids_are_kept(sink: Sink, make_client: ClientFactory, tmp_path: Path) -> None:
    client = make_client(spool_dir=tmp_path / "spool")
    ids = client.logs.batch_log([{"level": "INFO", "message": "one"}])
    assert client.flush(10)
    assert [e["id"] for e in sink.entries] == ids


def test_the_spool_dir_comes_from_the_environment(
    sink: Sink, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEURALLOG_SPOOL_DIR", str(tmp_path / "from-env"))
    with NeuralLog(api_key=API_KEY, endpoint=sink.url, batch_interval=0.05) as client:
        client.info("via the environment")
        assert any((tmp_path / "from-env").glob("*.seg"))
        assert client.stats.spool_bytes > 0
        assert client.flush(10)
    assert sink.messages == ["via the environment"]
    assert list((tmp_path / "from-env").iterdir()) == []  # all delivered: nothing left


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"spool_fsync": "sometimes"}, "spool_fsync must be"),
        ({"max_spool_bytes": 10}, "max_spool_bytes must be"),
        ({"max_spool_bytes": True}, "max_spool_bytes must be"),
        ({"spool_dir": 42}, "spool_dir must be"),
        ({"overflow": "wait"}, "'block'"),
        ({"block_timeout": -1}, "block_timeout"),
    ],
)
def test_bad_spool_options_are_refused(
    tmp_path: Path, options: dict[str, object], message: str
) -> None:
    settings: dict[str, object] = {"spool_dir": tmp_path, **options}
    with pytest.raises(ConfigurationError, match=message):
        NeuralLog(api_key=API_KEY, endpoint="http://127.0.0.1:9/v1", **settings)  # type: ignore[arg-type]


def test_an_unwritable_spool_dir_is_refused_at_construction(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    with pytest.raises(ConfigurationError, match="cannot be created"):
        NeuralLog(api_key=API_KEY, endpoint="http://127.0.0.1:9/v1", spool_dir=blocker / "x")


def test_a_full_spool_refuses_the_newest_record_and_counts_it(
    sink: Sink, make_client: ClientFactory, tmp_path: Path
) -> None:
    client = make_client(spool_dir=tmp_path / "spool", max_spool_bytes=65536, auto_flush=False)
    for i in range(2000):
        client.info(f"record {i}", {"padding": "x" * 100})
    stats = client.stats
    assert 0 < stats.dropped["queue_full"] < 2000
    assert stats.spool_bytes <= 65536
    kept = 2000 - stats.dropped["queue_full"]
    assert not client.flush(10)  # the losses are reported
    assert sorted(sink.messages) == sorted(f"record {i}" for i in range(kept))


def test_close_keeps_what_could_not_be_sent_for_the_next_start(sink: Sink, tmp_path: Path) -> None:
    spool = tmp_path / "spool"
    down = NeuralLog(api_key=API_KEY, endpoint="http://127.0.0.1:9/v1", spool_dir=spool, retries=0)
    for i in range(50):
        down.info(f"record {i}")
    assert not down.close(timeout=0.5)
    assert down.stats.dropped_total == 0
    assert any(spool.glob("*.seg"))
    with NeuralLog(api_key=API_KEY, endpoint=sink.url, spool_dir=spool) as up:
        assert up.flush(10)
        assert up.stats.recovered == 50
        assert up.stats.sent == 50
    assert sorted(sink.messages) == sorted(f"record {i}" for i in range(50))
    assert list(spool.iterdir()) == []


def test_block_waits_for_room_in_a_full_spool(
    sink: Sink, make_client: ClientFactory, tmp_path: Path
) -> None:
    client = make_client(
        spool_dir=tmp_path / "spool",
        max_spool_bytes=65536,
        overflow="block",
        block_timeout=30,
        batch_size=50,
    )

    def burst() -> None:
        for i in range(3000):  # about 8 times what the spool may hold
            client.info(f"record {i}", {"padding": "x" * 100})

    producer = threading.Thread(target=burst)
    producer.start()
    producer.join(HANG_GUARD)
    assert not producer.is_alive()
    assert client.flush(30)
    stats = client.stats
    assert stats.dropped_total == 0
    assert stats.sent == 3000
    assert sink.wait_stored(3000)


def _balanced(client: NeuralLog) -> bool:
    s = client.stats
    return s.enqueued == s.sent + s.dropped_total + s.queued + s.filtered


def test_the_counts_balance_through_an_outage_and_a_recovery(
    sink: Sink, make_client: ClientFactory, tmp_path: Path
) -> None:
    spool = tmp_path / "spool"
    down = make_client(
        spool_dir=spool, endpoint="http://127.0.0.1:9/v1", retries=0, batch_interval=0.01
    )
    for i in range(30):
        down.info(f"record {i}")
        assert _balanced(down)
    assert not down.flush(0.3)  # kept in the spool, sent again and again
    stats = down.stats
    assert _balanced(down)
    assert stats.dropped_total == 0
    assert stats.queued == 30
    down.close(timeout=0.2)
    up = make_client(spool_dir=spool)
    assert up.flush(10)
    stats = up.stats
    assert _balanced(up)
    assert (stats.enqueued, stats.recovered, stats.sent, stats.queued) == (30, 30, 30, 0)


def test_a_batch_partly_stored_before_an_outage_is_sent_and_counted_once(
    sink: Sink, make_client: ClientFactory, tmp_path: Path
) -> None:
    # Small bodies: one batch of 40 goes out in several requests; the first is stored,
    # the next fails (the server went down), the batch stays in the spool.
    calls: list[Captured] = []

    def first_stored_then_down(captured: Captured) -> Response | None:
        calls.append(captured)
        return None if len(calls) == 1 else error_response(503)

    sink.gate = first_stored_then_down
    client = make_client(
        spool_dir=tmp_path / "spool", retries=0, max_batch_bytes=1024, auto_flush=False
    )
    for i in range(40):
        client.info(f"record {i:02d}", {"i": i})
    assert not client.flush(2)  # the outage: kept, not lost
    stored_first = len(sink.stored)
    assert 0 < stored_first < 40
    assert client.stats.sent == stored_first
    assert _balanced(client)
    sink.gate = None  # the server is back
    assert client.flush(10)
    stats = client.stats
    messages = sorted(entry["message"] for entry in sink.stored.values())
    assert messages == [f"record {i:02d}" for i in range(40)]
    assert (stats.enqueued, stats.sent, stats.dropped_total, stats.queued) == (40, 40, 0, 0)


def test_the_worker_stops_after_a_close_that_gave_up_with_adopted_records_left(
    sink: Sink, make_client: ClientFactory, tmp_path: Path
) -> None:
    spool = tmp_path / "spool"
    earlier = make_client(spool_dir=spool, endpoint="http://127.0.0.1:9/v1", auto_flush=False)
    for i in range(5):
        earlier.info(f"record {i}")
    earlier.close(timeout=0.1)  # unreachable: the records stay in the spool
    release = threading.Event()

    def hang(captured: Captured) -> Response | None:
        release.wait(HANG_GUARD)
        return None

    sink.gate = hang
    client = make_client(spool_dir=spool)  # adopts them and sends them: the request hangs
    assert sink.wait_for(lambda: bool(sink.requests))
    worker = client._pipeline.worker.thread
    assert worker is not None
    assert not client.close(timeout=0.2)  # gives up while the request is in flight
    release.set()
    worker.join(HANG_GUARD)
    assert not worker.is_alive()  # it stopped, rather than waiting for the records forever
