"""Live tail over Server-Sent Events: history, follow, end, heartbeats and exact resume."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import jsonschema_rs
import pytest
import yaml
from httpx_sse import EventSource, ServerSentEvent

from neurallog_local.server import LocalServer
from neurallog_local.settings import Settings

from .conftest import entry, ingest, make_client
from .contract import SPEC_PATH

# A hang guard for reads that wait on the server: no test comes near it.
READ_TIMEOUT = httpx.Timeout(30.0)


def _validator(schema: dict[str, Any]) -> jsonschema_rs.Validator:
    components = yaml.safe_load(SPEC_PATH.read_text())["components"]
    return jsonschema_rs.validator_for({**schema, "components": components}, validate_formats=True)


# The contract's description of each event's `data` (openapi.yaml, streamLogs).
EVENT_DATA = {
    "log": _validator({"$ref": "#/components/schemas/LogEntry"}),
    "heartbeat": _validator(
        {
            "type": "object",
            "required": ["timestamp"],
            "properties": {"timestamp": {"type": "string", "format": "date-time"}},
        }
    ),
    "end": _validator(
        {
            "type": "object",
            "required": ["count"],
            "properties": {"count": {"type": "integer", "minimum": 0}},
        }
    ),
}


def checked(events: Iterator[ServerSentEvent]) -> Iterator[ServerSentEvent]:
    """The events, each checked against the contract on the way."""
    for event in events:
        assert event.event in EVENT_DATA, event
        EVENT_DATA[event.event].validate(json.loads(event.data))
        if event.event in ("log", "heartbeat"):
            assert event.id.isdigit(), event
        yield event


@contextmanager
def open_stream(
    client: httpx.Client, headers: dict[str, str] | None = None, **params: Any
) -> Iterator[Iterator[ServerSentEvent]]:
    with client.stream(
        "GET", "/logs/stream", params=params, headers=headers, timeout=READ_TIMEOUT
    ) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        assert response.headers["x-request-id"]
        yield checked(EventSource(response).iter_sse())


def next_log(events: Iterator[ServerSentEvent]) -> ServerSentEvent:
    for event in events:
        if event.event == "log":
            return event
    raise AssertionError("the stream ended")


def next_event(events: Iterator[ServerSentEvent]) -> ServerSentEvent:
    for event in events:
        return event
    raise AssertionError("the stream ended")


def test_an_entry_stored_once_the_headers_arrived_is_in_the_stream(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A client holding the stream's headers takes it as open: what is stored from then on
    # is news. The server reads where the stream starts before it sends the headers; made
    # slow here, that read would otherwise see an entry stored after the headers.
    with LocalServer(Settings(db=":memory:")) as server:
        assert server.services is not None
        assert server.api_key is not None
        logs = server.services.logs
        last_seq = logs.last_seq

        def slow_last_seq() -> int:
            time.sleep(0.5)
            return last_seq()

        monkeypatch.setattr(logs, "last_seq", slow_last_seq)
        with (
            make_client(server.endpoint, {"X-API-Key": server.api_key}) as http,
            open_stream(http, history=0) as events,
        ):
            ingest(http, entry("right after the headers"))
            assert json.loads(next_log(events).data)["message"] == "right after the headers"


def test_history_defaults_to_the_newest_10_oldest_first(client: httpx.Client) -> None:
    ingest(client, *[entry(f"m{i}") for i in range(15)])
    with open_stream(client, follow="false") as events:
        received = list(events)
    logs = [e for e in received if e.event == "log"]
    assert [json.loads(e.data)["message"] for e in logs] == [f"m{i}" for i in range(5, 15)]
    assert received[-1].event == "end"
    assert json.loads(received[-1].data) == {"count": 10}
    cursors = [int(e.id) for e in logs]
    assert cursors == sorted(cursors)


def test_history_and_filters(client: httpx.Client) -> None:
    ingest(
        client,
        entry("disk full", "ERROR", source="db"),
        entry("hello", "INFO", source="db"),
        entry("disk slow", "WARN", source="api"),
        entry("disk gone", "FATAL", source="db", metadata={"host": "h1"}),
    )
    with open_stream(client, follow="false", history=2, level=["ERROR", "FATAL"]) as events:
        assert [json.loads(e.data)["message"] for e in events if e.event == "log"] == [
            "disk full",
            "disk gone",
        ]
    with open_stream(
        client,
        follow="false",
        query="disk",
        source="db",
        filter=json.dumps({"metadata.host": "h1"}),
    ) as events:
        assert [json.loads(e.data)["message"] for e in events if e.event == "log"] == ["disk gone"]
    with open_stream(client, follow="false", history=0) as events:
        received = list(events)
    assert [e.event for e in received] == ["end"]


def test_follow_delivers_entries_ingested_later(client: httpx.Client) -> None:
    ingest(client, entry("before"))
    with open_stream(client, history=1) as events:
        assert json.loads(next_log(events).data)["message"] == "before"
        ingest(client, entry("after 1"), entry("skip me", "DEBUG"), entry("after 2"))
        assert json.loads(next_log(events).data)["message"] == "after 1"
        assert json.loads(next_log(events).data)["message"] == "skip me"
        assert json.loads(next_log(events).data)["message"] == "after 2"


def test_follow_with_a_query_only_sends_matches(client: httpx.Client) -> None:
    ingest(client, entry("marker error"))
    with open_stream(client, history=1, query="error") as events:
        assert json.loads(next_log(events).data)["message"] == "marker error"
        ingest(client, entry("all good"), entry("an error again"))
        assert json.loads(next_log(events).data)["message"] == "an error again"


def test_resume_after_a_cut_misses_and_repeats_nothing(client: httpx.Client) -> None:
    ingest(client, *[entry(f"h{i}") for i in range(3)])
    seen: list[str] = []
    with open_stream(client, history=3) as events:
        for _ in range(2):
            event = next_log(events)
            seen.append(json.loads(event.data)["message"])
            cursor = event.id
        # The connection is cut here, mid-history, with "h2" unsent or unread.
    ingest(client, entry("while away 1"), entry("while away 2"))
    with open_stream(client, headers={"Last-Event-ID": cursor}) as events:
        for _ in range(3):
            event = next_log(events)
            seen.append(json.loads(event.data)["message"])
            cursor = event.id
        ingest(client, entry("live"))
        seen.append(json.loads(next_log(events).data)["message"])
    assert seen == ["h0", "h1", "h2", "while away 1", "while away 2", "live"]


def test_resume_without_follow_replays_up_to_now_then_ends(client: httpx.Client) -> None:
    first = ingest(client, entry("one"))
    with open_stream(client, follow="false", history=1) as events:
        cursor = next_log(events).id
    ingest(client, entry("two"), entry("three"))
    with open_stream(client, headers={"Last-Event-ID": cursor}, follow="false") as events:
        received = list(events)
    assert [json.loads(e.data)["message"] for e in received if e.event == "log"] == [
        "two",
        "three",
    ]
    assert json.loads(received[-1].data) == {"count": 2}
    assert first["accepted"] == 1


def test_a_heartbeat_follows_the_history_at_once(client: httpx.Client) -> None:
    ingest(client, entry("one"), entry("two"))
    with open_stream(client, history=2) as events:
        history = [next_event(events), next_event(events)]
        beat = next_event(events)
    assert [e.event for e in history] == ["log", "log"]
    assert beat.event == "heartbeat"
    # The position at which following began: at or past every entry replayed.
    assert int(beat.id) >= int(history[-1].id)
    with open_stream(client, headers={"Last-Event-ID": beat.id}, follow="false") as events:
        assert [e.event for e in events] == ["end"]


def test_resume_from_the_first_heartbeat_gets_exactly_the_gap(
    client: httpx.Client, other: httpx.Client
) -> None:
    ingest(client, entry("history", "ERROR"))
    with open_stream(client, history=0, level="ERROR") as events:
        beat = next_event(events)
        assert beat.event == "heartbeat"
        # The connection is cut here, before any entry was sent.
    ingest(client, entry("gap 1", "ERROR"), entry("not matching", "INFO"))
    ingest(other, entry("another tenant", "ERROR"))
    ingest(client, entry("gap 2", "ERROR"))
    received: list[str] = []
    with open_stream(client, headers={"Last-Event-ID": beat.id}, level="ERROR") as events:
        for _ in range(2):
            received.append(json.loads(next_log(events).data)["message"])
        ingest(client, entry("live", "ERROR"))
        received.append(json.loads(next_log(events).data)["message"])
    assert received == ["gap 1", "gap 2", "live"]


# b"\xb2" is '²' in Latin-1 (how header bytes are read): a digit to isdigit(), not to int().
@pytest.mark.parametrize("cursor", ["abc", "-1", "1.5", b"\xb2"])
def test_a_foreign_cursor_is_400(client: httpx.Client, cursor: str | bytes) -> None:
    response = client.get("/logs/stream", headers={"Last-Event-ID": cursor})
    assert response.status_code == 400


def test_bad_stream_parameters_are_400(client: httpx.Client) -> None:
    for params in (
        {"history": -1},
        {"history": 1001},
        {"follow": "maybe"},
        {"query": "(unclosed"},
        {"filter": "{"},
    ):
        assert client.get("/logs/stream", params=params).status_code == 400, params


@pytest.fixture(scope="module")
def quick_heartbeats() -> Iterator[LocalServer]:
    with LocalServer(Settings(db=":memory:", heartbeat_interval=0.2)) as server:
        yield server


def test_heartbeats_keep_an_idle_stream_alive(quick_heartbeats: LocalServer) -> None:
    assert quick_heartbeats.api_key is not None
    headers = {"X-API-Key": quick_heartbeats.api_key}
    beats = []
    with (
        make_client(quick_heartbeats.endpoint, headers) as http,
        open_stream(http, history=0) as events,
    ):
        for event in events:
            assert event.event == "heartbeat"
            beats.append(json.loads(event.data))
            if len(beats) == 2:
                break
    assert all(beat["timestamp"].endswith("Z") for beat in beats)


def test_a_heartbeat_carries_the_cursor_of_the_last_entry_sent(
    quick_heartbeats: LocalServer,
) -> None:
    assert quick_heartbeats.api_key is not None
    headers = {"X-API-Key": quick_heartbeats.api_key}
    with (
        make_client(quick_heartbeats.endpoint, headers) as http,
        open_stream(http, history=0) as events,
    ):
        opening = next_event(events)
        assert opening.event == "heartbeat"
        ingest(http, entry("first"), entry("second"))
        logs = [next_log(events), next_log(events)]
        beat = next_event(events)
        assert beat.event == "heartbeat"
    assert int(opening.id) < int(logs[0].id) < int(logs[1].id)
    assert beat.id == logs[1].id


def test_streams_end_when_the_server_stops() -> None:
    server = LocalServer(Settings(db=":memory:")).start()
    assert server.api_key is not None
    try:
        with make_client(server.endpoint, {"X-API-Key": server.api_key}) as http:
            ingest(http, entry("only"))
            with open_stream(http, history=1) as events:
                next_log(events)
                assert next_event(events).event == "heartbeat"
                server.stop()
                assert [e.event for e in events] == []
    finally:
        server.stop()
