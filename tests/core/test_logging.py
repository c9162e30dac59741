"""The logging path end to end against a real HTTP sink: request shape, batching, flush."""

from __future__ import annotations

import enum
import gzip
import math
import re
import threading
import uuid
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from neurallog import NeuralLog, context

from .conftest import API_KEY, ClientFactory, Sink, wait_until

UUID7 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
RFC3339_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")


def test_request_shape_and_api_key_headers(sink: Sink, make_client: ClientFactory) -> None:
    client = make_client(source="billing", tags=["svc"])
    client.log(
        level="ERROR",
        message="Database connection failed",
        source="database-service",
        metadata={"error_code": "DB_CONN_FAILED", "host": "db-1.example.com"},
        tags=["database", "connection"],
    )
    client.info("User logged in", {"user_id": "123"})
    assert client.flush(5)

    (request,) = sink.requests
    assert request.method == "POST"
    assert request.path == "/v1/logs"
    headers = {k.lower(): v for k, v in request.headers.items()}
    assert headers["x-api-key"] == API_KEY
    assert "authorization" not in headers
    assert headers["content-type"] == "application/json"
    assert headers["user-agent"].startswith("neurallog-python/")
    uuid.UUID(headers["idempotency-key"])
    assert "content-encoding" not in headers  # a small body is not worth compressing
    assert set(request.doc) == {"logs"}

    first, second = request.doc["logs"]
    assert set(first) == {"id", "timestamp", "level", "message", "source", "metadata", "tags"}
    assert first["level"] == "ERROR"
    assert first["message"] == "Database connection failed"
    assert first["source"] == "database-service"
    assert first["metadata"] == {"error_code": "DB_CONN_FAILED", "host": "db-1.example.com"}
    assert first["tags"] == ["svc", "database", "connection"]
    assert second["source"] == "billing"
    assert second["tags"] == ["svc"]
    assert second["metadata"] == {"user_id": "123"}
    for entry in request.doc["logs"]:
        assert UUID7.match(entry["id"])
        assert RFC3339_UTC.match(entry["timestamp"])
    # Time-ordered ids: issue order is sort order.
    assert first["id"] < second["id"]


def test_bearer_token_header(sink: Sink, make_client: ClientFactory) -> None:
    client = make_client(api_key=None, token="jwt.token.value")
    client.info("hello")
    assert client.flush(5)
    headers = {k.lower(): v for k, v in sink.requests[0].headers.items()}
    assert headers["authorization"] == "Bearer jwt.token.value"
    assert "x-api-key" not in headers


def test_set_token_and_set_api_key_apply_to_the_next_request(
    sink: Sink, make_client: ClientFactory
) -> None:
    client = make_client()
    client.info("one")
    assert client.flush(5)
    client.set_token("new.jwt")
    client.info("two")
    assert client.flush(5)
    client.set_api_key("other-key")
    client.info("three")
    assert client.flush(5)
    seen = [{k.lower(): v for k, v in r.headers.items()} for r in sink.requests]
    assert seen[0]["x-api-key"] == API_KEY
    assert seen[1]["authorization"] == "Bearer new.jwt"
    assert "x-api-key" not in seen[1]
    assert seen[2]["x-api-key"] == "other-key"
    assert "authorization" not in seen[2]


def test_large_bodies_are_gzipped(sink: Sink, make_client: ClientFactory) -> None:
    client = make_client(batch_size=100, batch_interval=60)
    for i in range(50):
        client.info(f"record number {i} with some padding to make the body larger")
    assert client.flush(5)
    (request,) = sink.requests
    assert request.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(request.raw) == request.body
    assert len(request.raw) < len(request.body)
    assert len(request.doc["logs"]) == 50


def test_compression_can_be_turned_off(sink: Sink, make_client: ClientFactory) -> None:
    client = make_client(compression=None, batch_size=100, batch_interval=60)
    for i in range(50):
        client.info(f"record number {i} with some padding to make the body larger")
    assert client.flush(5)
    assert "Content-Encoding" not in sink.requests[0].headers


def test_batches_by_size(sink: Sink, make_client: ClientFactory) -> None:
    client = make_client(batch_size=5, batch_interval=3600)
    for i in range(5):
        client.info(f"m{i}")
    assert sink.wait_stored(5)  # sent although the interval is an hour away
    assert wait_until(lambda: client.stats.sent == 5)
    assert [len(r.doc["logs"]) for r in sink.requests] == [5]
    client.info("m5")
    client.info("m6")
    assert client.stats.queued == 2
    assert client.flush(5)
    assert sorted(sink.messages) == [f"m{i}" for i in range(7)]


def test_batches_by_interval(sink: Sink, make_client: ClientFactory) -> None:
    client = make_client(batch_size=1000, batch_interval=0.1)
    for i in range(3):
        client.info(f"m{i}")
    assert sink.wait_stored(3)  # no flush, batch far from full: the interval sent them
    assert [len(r.doc["logs"]) for r in sink.requests] == [3]


def test_a_backlog_is_coalesced_into_large_requests(sink: Sink, make_client: ClientFactory) -> None:
    client = make_client(batch_size=10, auto_flush=False)
    for i in range(2500):
        client.info(f"m{i}")
    assert client.flush(10)
    sizes = [len(r.doc["logs"]) for r in sink.requests]
    assert sizes == [1000, 1000, 500]
    assert len(sink.stored) == 2500


def test_byte_cap_splits_requests(sink: Sink, make_client: ClientFactory) -> None:
    client = make_client(auto_flush=False, max_batch_bytes=4096, compression=None)
    for i in range(60):
        client.info(f"{i:03d}" + "x" * 200)
    assert client.flush(10)
    assert len(sink.stored) == 60
    assert len(sink.requests) > 1
    assert all(len(r.body) <= 4096 for r in sink.requests)


def test_auto_flush_false_sends_nothing_until_flush(sink: Sink, make_client: ClientFactory) -> None:
    client = make_client(auto_flush=False, batch_size=1, batch_interval=0.01)
    for i in range(20):
        client.info(f"m{i}")
    assert client.stats.queued == 20
    assert client.stats.requests == 0
    assert sink.requests == []
    assert client.flush(5)
    assert len(sink.stored) == 20
    assert client.stats.queued == 0


def test_flush_returns_true_with_nothing_to_send(make_client: ClientFactory) -> None:
    assert make_client().flush(1)


def test_flush_waits_for_records_of_other_threads(sink: Sink, make_client: ClientFactory) -> None:
    client = make_client(batch_size=50, batch_interval=3600)

    def work(n: int) -> None:
        for i in range(200):
            client.info(f"t{n}-{i}")

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert client.flush(10)
    assert len(sink.stored) == 800
    stats = client.stats
    assert stats.enqueued == stats.sent == 800
    assert stats.dropped_total == 0


def test_flush_and_close_take_any_number_of_seconds(sink: Sink, make_client: ClientFactory) -> None:
    client = make_client(batch_interval=3600)
    client.info("waited for without a limit")
    assert client.flush(math.inf)
    for bad in ("soon", True):
        with pytest.raises(TypeError, match="number of seconds or None"):
            client.flush(bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="NaN"):
        client.close(math.nan)
    client.info("sent at close")
    assert client.close(math.inf)
    assert sorted(sink.messages) == ["sent at close", "waited for without a limit"]


def test_batch_context_manager_enqueues_together_and_flushes(
    sink: Sink, make_client: ClientFactory
) -> None:
    client = make_client(batch_size=100, batch_interval=3600)
    with client.batch() as batch:
        batch.info("User logged in", {"user_id": "123"})
        batch.info("User updated profile", {"user_id": "123"})
        batch.warn("User logged out", {"user_id": "123"})
        assert sink.requests == []  # collected, not yet enqueued
    assert batch.delivered is True
    (request,) = sink.requests
    assert [e["message"] for e in request.doc["logs"]] == [
        "User logged in",
        "User updated profile",
        "User logged out",
    ]
    assert [e["level"] for e in request.doc["logs"]] == ["INFO", "INFO", "WARN"]


def test_batch_records_are_sent_even_if_the_block_raises(
    sink: Sink, make_client: ClientFactory
) -> None:
    client = make_client()

    def fail() -> None:
        with client.batch() as batch:
            batch.error("about to fail")
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        fail()
    assert sink.messages == ["about to fail"]


def test_submit_entries_validates_then_enqueues_and_returns_ids(
    sink: Sink, make_client: ClientFactory
) -> None:
    client = make_client(log_level="ERROR")
    ids = client._pipeline.submit_entries(
        [
            {"level": "INFO", "message": "User logged in", "metadata": {"user_id": "123"}},
            {
                "level": "warning",
                "message": "User updated profile",
                "tags": ["profile"],
                "source": "web",
                "timestamp": "2023-04-01T02:00:00+02:00",
            },
        ]
    )
    assert len(ids) == 2
    assert all(UUID7.match(i) for i in ids)
    assert ids[0] < ids[1]
    assert client.flush(5)
    stored = {e["id"]: e for e in sink.entries}
    assert set(stored) == set(ids)
    assert stored[ids[0]]["metadata"] == {"user_id": "123"}  # log_level does not filter these
    assert stored[ids[1]]["level"] == "WARN"
    assert stored[ids[1]]["timestamp"] == "2023-04-01T00:00:00.000000Z"
    assert stored[ids[1]]["tags"] == ["profile"]
    assert stored[ids[1]]["source"] == "web"


@pytest.mark.parametrize(
    ("entry", "error", "words"),
    [
        ({"message": "x"}, ValueError, "level"),
        ({"level": "LOUD", "message": "x"}, ValueError, "DEBUG, INFO"),
        ({"level": "INFO"}, ValueError, "message"),
        ({"level": "INFO", "message": 3}, TypeError, "message"),
        ({"level": "INFO", "message": "x", "metadata": [1]}, TypeError, "metadata"),
        ({"level": "INFO", "message": "x", "tags": "a"}, TypeError, "tags"),
        ({"level": "INFO", "message": "x", "tags": ["a", 1]}, TypeError, "tags"),
        ({"level": "INFO", "message": "x", "source": 5}, TypeError, "source"),
        ({"level": "INFO", "message": "x", "timestamp": "yesterday"}, ValueError, "RFC 3339"),
        ({"level": "INFO", "message": "x", "timestamp": datetime(2020, 1, 1)}, ValueError, "aware"),
        ({"level": "INFO", "message": "x", "meta": {}}, ValueError, "unknown key"),
        ("not a dict", TypeError, "dict"),
    ],
)
def test_submit_entries_rejects_bad_entries_before_enqueuing_anything(
    make_client: ClientFactory, entry: object, error: type[Exception], words: str
) -> None:
    client = make_client()
    good = {"level": "INFO", "message": "fine"}
    with pytest.raises(error) as info:
        client._pipeline.submit_entries([good, entry])  # type: ignore[list-item]
    assert "entries[1]" in str(info.value)
    assert words in str(info.value)
    assert client.stats.enqueued == 0


def test_levels_spellings_and_numbers(sink: Sink, make_client: ClientFactory) -> None:
    client = make_client(log_level="DEBUG")
    client.log("warning", "a")
    client.log("Critical", "b")
    client.log(10, "c")
    client.log(25, "d")  # a custom stdlib level between INFO and WARNING
    client.warning("e")
    client.critical("f")
    client.debug("g")
    client.fatal("h")
    assert client.flush(5)
    levels = {e["message"]: e["level"] for e in sink.entries}
    assert levels == {
        "a": "WARN",
        "b": "FATAL",
        "c": "DEBUG",
        "d": "INFO",
        "e": "WARN",
        "f": "FATAL",
        "g": "DEBUG",
        "h": "FATAL",
    }


def test_unknown_level_raises_value_error_naming_the_valid_ones(make_client: ClientFactory) -> None:
    client = make_client()
    with pytest.raises(ValueError, match="DEBUG, INFO, WARN") as info:
        client.log("verbose", "x")
    assert "verbose" in str(info.value)
    with pytest.raises(ValueError, match="valid levels"):
        client.log(None, "x")  # type: ignore[arg-type]


def test_log_level_is_the_minimum_sent(sink: Sink, make_client: ClientFactory) -> None:
    client = make_client(log_level="WARN")
    client.debug("no")
    client.info("no")
    client.log("INFO", "no")
    client.warn("yes")
    client.error("yes")
    assert client.flush(5)
    assert sorted(sink.messages) == ["yes", "yes"]
    assert client.stats.enqueued == 2


def test_bad_arguments_raise_at_the_call(make_client: ClientFactory) -> None:
    client = make_client()
    with pytest.raises(TypeError, match="metadata"):
        client.info("x", ["not", "a", "dict"])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="tags"):
        client.info("x", tags="one")
    with pytest.raises(TypeError, match="source"):
        client.info("x", source=1)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="aware"):
        client.log("INFO", "x", timestamp=datetime(2020, 1, 1))


@pytest.mark.parametrize("metadata", [["not", "a", "dict"], [], "", 0])
def test_a_batch_checks_arguments_like_the_client(
    make_client: ClientFactory, metadata: object
) -> None:
    client = make_client()
    with pytest.raises(TypeError, match="metadata must be a dict"):
        client.info("x", metadata)  # type: ignore[arg-type]
    with client.batch() as batch:
        with pytest.raises(TypeError, match="metadata must be a dict"):
            batch.info("x", metadata)  # type: ignore[arg-type]
        with pytest.raises(TypeError, match="tags"):
            batch.info("x", tags="one")
    assert len(batch) == 0
    assert client.stats.enqueued == 0


@pytest.mark.parametrize("mode", ["memory", "console", "spool"])
@pytest.mark.parametrize("metadata", [(), ("a", "b"), (object(), {"name": "x"})])
def test_tuples_are_refused_as_metadata_on_every_path(
    make_client: ClientFactory, tmp_path: Path, mode: str, metadata: object
) -> None:
    options: dict[str, Any] = {
        "memory": {},
        "console": {"console": True},
        "spool": {"spool_dir": tmp_path},
    }[mode]
    client = make_client(**options)
    with pytest.raises(TypeError, match="metadata must be a dict or None, got tuple"):
        client.info("x", metadata)  # type: ignore[arg-type]
    assert client.stats.enqueued == 0


def test_str_subclasses_are_accepted_as_source_and_tags(
    sink: Sink, make_client: ClientFactory
) -> None:
    class Where(enum.StrEnum):
        API = "api"

    client = make_client()
    client.info("a", source=Where.API, tags=[Where.API])
    with client.batch() as batch:
        batch.info("b", source=Where.API, tags=[Where.API])
    client.logs.batch_log(
        [{"level": "INFO", "message": "c", "source": Where.API, "tags": [Where.API]}]
    )
    assert client.flush(5)
    assert {e["message"]: (e["source"], e["tags"]) for e in sink.entries} == {
        message: ("api", ["api"]) for message in "abc"
    }


def test_explicit_timestamp_is_normalized_to_utc(sink: Sink, make_client: ClientFactory) -> None:
    client = make_client()
    when = datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=timezone(timedelta(hours=-5)))
    client.log("INFO", "dated", timestamp=when)
    client.log("INFO", "dated-str", timestamp="2024-05-06T12:08:09Z")
    assert client.flush(5)
    stamps = {e["message"]: e["timestamp"] for e in sink.entries}
    assert stamps == {
        "dated": "2024-05-06T12:08:09.123456Z",
        "dated-str": "2024-05-06T12:08:09.000000Z",
    }


def test_capture_happens_at_call_time(sink: Sink, make_client: ClientFactory) -> None:
    client = make_client(auto_flush=False)
    fields = {"step": 1}
    before = datetime.now(UTC)
    client.info("first", fields)
    fields["step"] = 2  # the caller mutates its dict after logging
    client.info("second", fields)
    assert client.flush(5)
    steps = {e["message"]: e["metadata"]["step"] for e in sink.entries}
    assert steps == {"first": 1, "second": 2}
    first = next(e for e in sink.entries if e["message"] == "first")
    stamp = datetime.strptime(first["timestamp"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    assert stamp >= before - timedelta(seconds=1)


def test_context_merge_order(sink: Sink, make_client: ClientFactory) -> None:
    client = make_client()
    client.configure_context({"app": "shop", "env": "prod", "who": "static"})
    with context.scope({"request_id": "r-1", "who": "scope"}):
        client.info("in scope", {"user_id": "123"})
        client.info("call wins", {"who": "call"})
    client.info("outside")
    assert client.flush(5)
    meta = {e["message"]: e["metadata"] for e in sink.entries}
    assert meta["in scope"] == {
        "app": "shop",
        "env": "prod",
        "who": "scope",
        "request_id": "r-1",
        "user_id": "123",
    }
    assert meta["call wins"]["who"] == "call"
    assert meta["outside"] == {"app": "shop", "env": "prod", "who": "static"}


@pytest.mark.parametrize("fields", [["request_id"], "r-1", 42])
def test_context_scope_needs_a_mapping(fields: object) -> None:
    with pytest.raises(TypeError, match="context fields must be a dict"), context.scope(fields):  # type: ignore[arg-type]
        pass
    assert dict(context.current()) == {}


def test_configure_context_applies_to_records_logged_after_it(
    sink: Sink, make_client: ClientFactory
) -> None:
    client = make_client(auto_flush=False)
    client.configure_context({"v": 1})
    client.info("a")
    client.configure_context({"v": 2})
    client.info("b")
    assert client.flush(5)
    assert {e["message"]: e["metadata"]["v"] for e in sink.entries} == {"a": 1, "b": 2}


def test_close_sends_pending_and_later_logging_is_counted_not_raised(
    sink: Sink, make_client: ClientFactory
) -> None:
    client = make_client(auto_flush=False)
    client.info("pending")
    assert client.close() is True
    assert sink.messages == ["pending"]
    client.info("too late")
    client.error("too late")
    assert client.stats.dropped["closed"] == 2
    assert client.close() is True  # idempotent


def test_context_manager_closes(sink: Sink) -> None:
    with NeuralLog(api_key="k", endpoint=sink.url, auto_flush=False) as client:
        client.info("inside")
    assert sink.messages == ["inside"]
    client.info("after")
    assert client.stats.dropped["closed"] == 1


def test_stats_add_up(sink: Sink, make_client: ClientFactory) -> None:
    client = make_client(before_send=lambda e: None if e["message"] == "skip" else e)
    client.info("keep")
    client.info("skip")
    assert client.flush(5)
    stats = client.stats
    assert (stats.enqueued, stats.sent, stats.filtered, stats.queued) == (2, 1, 1, 0)
    assert stats.requests == 1
    assert stats.enqueued == stats.sent + stats.filtered + stats.dropped_total + stats.queued


def test_logs_batch_log_is_the_spec_entry_point(sink: Sink, make_client: ClientFactory) -> None:
    client = make_client()
    ids = client.logs.batch_log(
        [
            {"level": "INFO", "message": "User logged in", "metadata": {"user_id": "123"}},
            {"level": "INFO", "message": "User updated profile", "metadata": {"user_id": "123"}},
        ]
    )
    assert len(ids) == 2
    assert client.flush(5)
    stored = {e["id"]: e for e in sink.entries}
    assert [stored[i]["message"] for i in ids] == ["User logged in", "User updated profile"]
    assert all(stored[i]["metadata"] == {"user_id": "123"} for i in ids)


def test_logs_batch_log_validates_before_enqueuing(make_client: ClientFactory) -> None:
    client = make_client()
    with pytest.raises(ValueError, match=r"entries\[1\]"):
        client.logs.batch_log(
            [{"level": "INFO", "message": "ok"}, {"level": "NOPE", "message": "x"}]
        )
    assert client.stats.enqueued == 0


def test_logging_from_a_destructor_inside_a_logging_call_does_not_deadlock(
    sink: Sink, make_client: ClientFactory
) -> None:
    client = make_client()

    class LogsWhenCollected:
        def __del__(self) -> None:
            client.info("from __del__")

    # As if the garbage collector (or a signal handler) ran this destructor while this
    # thread was inside put(), holding the pipeline's lock.
    with client._pipeline.queue.lock:
        LogsWhenCollected()
    client.info("after")
    assert client.flush(5)
    assert sorted(sink.messages) == ["after", "from __del__"]
