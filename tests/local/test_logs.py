"""Ingest, get, list, search and delete, through real HTTP."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from .conftest import entry, ingest


def messages(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [item["message"] for item in response.json()["data"]]


# ingest ------------------------------------------------------------------------------


def test_one_bad_entry_never_sinks_its_batch(client: httpx.Client) -> None:
    result = ingest(
        client,
        entry("good one"),
        {"level": "LOUD", "message": "bad level"},
        "not even an object",
        {"level": "INFO"},
        {"level": "INFO", "message": "bad timestamp", "timestamp": "yesterday"},
        {"level": "INFO", "message": "unknown field", "colour": "red"},
        entry("good two", source="api"),
    )
    assert result["accepted"] == 2
    assert result["duplicates"] == 0
    assert [r["index"] for r in result["rejected"]] == [1, 2, 3, 4, 5]
    assert all(r["code"] == "validation_error" for r in result["rejected"])
    assert "level" in result["rejected"][0]["message"]
    assert "message" in result["rejected"][2]["message"]
    ids = result["ids"]
    assert ids[1:6] == [None] * 5
    assert ids[0]
    assert ids[6]
    assert messages(client.get("/logs")) == ["good two", "good one"]


def test_duplicates_are_ignored_and_counted(client: httpx.Client) -> None:
    first = ingest(client, entry("a", id="id-1"), entry("b", id="id-2"))
    assert first == {"accepted": 2, "duplicates": 0, "rejected": [], "ids": ["id-1", "id-2"]}
    again = ingest(
        client, entry("a changed", id="id-1"), entry("c", id="id-3"), entry("c", id="id-3")
    )
    assert again["accepted"] == 1
    assert again["duplicates"] == 2
    assert again["ids"] == ["id-1", "id-3", "id-3"]
    assert client.get("/logs/id-1").json()["data"]["message"] == "a"
    assert client.get("/logs").json()["meta"]["pagination"]["total"] == 3


def test_server_fills_id_and_timestamp_and_normalises_to_utc(client: httpx.Client) -> None:
    result = ingest(
        client, entry("no id"), entry("offset", timestamp="2024-03-01T12:00:00.5+02:00")
    )
    generated, _ = result["ids"]
    stored = client.get(f"/logs/{generated}").json()["data"]
    assert stored["timestamp"] == stored["received_at"]
    assert stored["timestamp"].endswith("Z")
    assert stored == {
        "id": generated,
        "timestamp": stored["timestamp"],
        "received_at": stored["received_at"],
        "level": "INFO",
        "message": "no id",
        "source": None,
        "metadata": {},
        "tags": [],
    }
    offset = client.get(f"/logs/{result['ids'][1]}").json()["data"]
    assert offset["timestamp"] == "2024-03-01T10:00:00.500000Z"


@pytest.mark.parametrize("count", [0, 1001])
def test_batch_size_is_1_to_1000(client: httpx.Client, count: int) -> None:
    response = client.post("/logs", json={"logs": [entry("x")] * count})
    assert response.status_code == 422
    assert response.json()["error"]["details"]["errors"][0]["field"] == "body.logs"


def test_a_full_batch_of_1000_is_accepted(client: httpx.Client) -> None:
    result = ingest(client, *[entry(f"m{i}", id=f"e{i}") for i in range(1000)])
    assert result["accepted"] == 1000
    assert client.get("/logs", params={"limit": 1}).json()["meta"]["pagination"]["total"] == 1000


def test_envelope_errors_sink_the_request(client: httpx.Client) -> None:
    for body in ({}, {"logs": "x"}, {"logs": [], "extra": 1}, [entry("x")]):
        response = client.post("/logs", json=body)
        assert response.status_code == 422, body


def test_idempotency_key_replays_the_first_response(client: httpx.Client) -> None:
    body = {"logs": [entry("once")]}
    headers = {"Idempotency-Key": "key-1"}
    first = client.post("/logs", json=body, headers=headers)
    second = client.post("/logs", json=body, headers=headers)
    assert first.status_code == second.status_code == 202
    assert second.json() == first.json()
    assert second.headers["idempotent-replayed"] == "true"
    assert client.get("/logs").json()["meta"]["pagination"]["total"] == 1
    reused = client.post("/logs", json={"logs": [entry("other")]}, headers=headers)
    assert reused.status_code == 422
    assert reused.json()["error"]["code"] == "idempotency_key_reused"


def test_idempotency_keys_are_per_tenant(client: httpx.Client, other: httpx.Client) -> None:
    headers = {"Idempotency-Key": "shared"}
    client.post("/logs", json={"logs": [entry("mine")]}, headers=headers)
    theirs = other.post("/logs", json={"logs": [entry("theirs")]}, headers=headers)
    assert theirs.status_code == 202
    assert "idempotent-replayed" not in theirs.headers
    assert messages(other.get("/logs")) == ["theirs"]


def test_get_unknown_log_is_404(client: httpx.Client) -> None:
    response = client.get("/logs/does-not-exist")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    too_long = client.get("/logs/" + "x" * 200)
    assert too_long.status_code == 404


# list and search ---------------------------------------------------------------------


@pytest.fixture
def corpus(client: httpx.Client) -> httpx.Client:
    ingest(
        client,
        entry(
            "User logged in",
            "INFO",
            id="l1",
            timestamp="2024-04-01T10:00:00Z",
            source="auth-service",
            tags=["auth", "login"],
            metadata={"user_id": "123", "attempts": 1, "geo": {"country": "DE"}},
        ),
        entry(
            "Database connection failed",
            "ERROR",
            id="l2",
            timestamp="2024-04-02T10:00:00Z",
            source="db-service",
            tags=["database"],
            metadata={"error_code": "DB_CONN_FAILED", "host": "db-1.example.com", "attempts": 3},
        ),
        entry(
            "Payment declined for order",
            "WARN",
            id="l3",
            timestamp="2024-04-03T10:00:00Z",
            source="api-service",
            tags=["payments"],
            metadata={"user_id": "456", "amount": 12.5, "retry": True},
        ),
        entry(
            "Database timeout while reading",
            "FATAL",
            id="l4",
            timestamp="2024-04-04T10:00:00Z",
            source="db-service",
            tags=["database", "timeout"],
            metadata={"error_code": "DB_TIMEOUT", "attempts": 5, "labels": ["slow", "db"]},
        ),
        entry(
            "User logged out",
            "DEBUG",
            id="l5",
            timestamp="2024-04-05T10:00:00Z",
            source="auth-service",
            tags=["auth"],
            metadata={"user_id": "123"},
        ),
    )
    return client


def ids(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["data"]]


def test_list_is_newest_first_with_pagination(corpus: httpx.Client) -> None:
    page = corpus.get("/logs", params={"limit": 2, "offset": 1})
    assert ids(page) == ["l4", "l3"]
    assert page.json()["meta"]["pagination"] == {
        "total": 5,
        "limit": 2,
        "offset": 1,
        "has_more": True,
    }
    last = corpus.get("/logs", params={"limit": 2, "offset": 4})
    assert ids(last) == ["l1"]
    assert last.json()["meta"]["pagination"]["has_more"] is False
    beyond = corpus.get("/logs", params={"offset": 50})
    assert ids(beyond) == []
    assert beyond.json()["meta"]["pagination"]["total"] == 5
    farthest = corpus.get("/logs", params={"offset": 2**63 - 1})
    assert ids(farthest) == []
    assert farthest.json()["meta"]["pagination"]["offset"] == 2**63 - 1


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"level": ["ERROR", "FATAL"]}, ["l4", "l2"]),
        ({"source": "auth-service"}, ["l5", "l1"]),
        ({"source": ["auth-service", "api-service"]}, ["l5", "l3", "l1"]),
        ({"tags": "database"}, ["l4", "l2"]),
        ({"tags": ["database", "timeout"]}, ["l4"]),
        ({"from": "2024-04-02T10:00:00Z", "to": "2024-04-04T10:00:00Z"}, ["l4", "l3", "l2"]),
        # RFC 3339 allows a lower-case "t" and "z".
        ({"from": "2024-04-02t10:00:00z", "to": "2024-04-04t10:00:00z"}, ["l4", "l3", "l2"]),
        # Finer than microseconds: truncated, as in stored timestamps.
        ({"from": "2024-04-02t10:00:00.0000001z"}, ["l5", "l4", "l3", "l2"]),
        ({"from": "2024-04-04T12:00:00+02:00"}, ["l5", "l4"]),
        ({"level": "INFO", "source": "db-service"}, []),
    ],
)
def test_query_filters(corpus: httpx.Client, params: dict[str, Any], expected: list[str]) -> None:
    assert ids(corpus.get("/logs", params=params)) == expected


@pytest.mark.parametrize(
    ("flt", "expected"),
    [
        ({"level": ["ERROR", "FATAL"]}, ["l4", "l2"]),
        ({"metadata.user_id": "123"}, ["l5", "l1"]),
        ({"metadata.geo.country": "DE"}, ["l1"]),
        ({"metadata.attempts": {"gte": 3}}, ["l4", "l2"]),
        ({"metadata.attempts": {"gt": 1, "lt": 5}}, ["l2"]),
        ({"metadata.amount": {"lte": 12.5}}, ["l3"]),
        ({"metadata.retry": True}, ["l3"]),
        ({"metadata.error_code": {"exists": True}}, ["l4", "l2"]),
        ({"metadata.error_code": {"exists": False}}, ["l5", "l3", "l1"]),
        ({"metadata.labels": {"contains": "slow"}}, ["l4"]),
        ({"metadata.host": {"contains": "example"}}, ["l2"]),
        ({"metadata.user_id": {"ne": "123"}}, ["l4", "l3", "l2"]),
        ({"metadata.user_id": {"in": ["456", "789"]}}, ["l3"]),
        ({"level": {"gte": "ERROR"}}, ["l4", "l2"]),
        ({"level": {"lt": "INFO"}}, ["l5"]),
        ({"message": {"contains": "Database"}}, ["l4", "l2"]),
        ({"source": {"ne": "db-service"}}, ["l5", "l3", "l1"]),
        ({"tags": "auth"}, ["l5", "l1"]),
        ({"tags": ["payments", "timeout"]}, ["l4", "l3"]),
        ({"id": ["l1", "l3"]}, ["l3", "l1"]),
        ({"timestamp": {"gt": "2024-04-04T00:00:00Z"}}, ["l5", "l4"]),
        ({"source": "auth-service", "metadata.user_id": "123", "level": "DEBUG"}, ["l5"]),
    ],
)
def test_json_filter(corpus: httpx.Client, flt: dict[str, Any], expected: list[str]) -> None:
    assert ids(corpus.get("/logs", params={"filter": json.dumps(flt)})) == expected


@pytest.mark.parametrize(
    "flt",
    [
        "{not json",
        "[1, 2]",
        '"level"',
        '{"colour": "red"}',
        '{"level": "LOUD"}',
        '{"level": {"like": "E%"}}',
        '{"metadata.": 1}',
        '{"metadata.a\\"b": 1}',
        '{"timestamp": {"gt": "yesterday"}}',
        '{"level": {}}',
        '{"metadata.x": {"gt": [1]}}',
        '{"tags": {"gt": "a"}}',
        '{"metadata.x": {"exists": "yes"}}',
    ],
)
def test_malformed_filter_is_400(corpus: httpx.Client, flt: str) -> None:
    response = corpus.get("/logs", params={"filter": flt})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_request"


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("timestamp:asc", ["l1", "l2", "l3", "l4", "l5"]),
        ("level:desc,timestamp:asc", ["l4", "l2", "l3", "l1", "l5"]),
        ("source,timestamp:desc", ["l3", "l5", "l1", "l4", "l2"]),
        ("metadata.attempts:desc,id", ["l4", "l2", "l1", "l3", "l5"]),
        ("message", ["l2", "l4", "l3", "l1", "l5"]),
    ],
)
def test_multi_field_sort(corpus: httpx.Client, sort: str, expected: list[str]) -> None:
    assert ids(corpus.get("/logs", params={"sort": sort})) == expected


@pytest.mark.parametrize("sort", ["colour", "timestamp:up", "metadata.", ",".join(["id"] * 9)])
def test_malformed_sort_is_400(corpus: httpx.Client, sort: str) -> None:
    assert corpus.get("/logs", params={"sort": sort}).status_code == 400


def test_fields_limit_what_is_returned(corpus: httpx.Client) -> None:
    response = corpus.get("/logs", params={"fields": "level,message", "limit": 1})
    assert response.json()["data"] == [{"id": "l5", "level": "DEBUG", "message": "User logged out"}]
    assert corpus.get("/logs", params={"fields": "id,colour"}).status_code == 400


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("database", {"l2", "l4"}),
        ("Database timeout", {"l4"}),
        ('"connection failed"', {"l2"}),
        ('"failed connection"', set()),
        ("data*", {"l2", "l4"}),
        ("logged OR declined", {"l1", "l3", "l5"}),
        ("database NOT timeout", {"l2"}),
        ("(payment OR timeout) database", {"l4"}),
        ("DB_CONN_FAILED", {"l2"}),
        ("db-1.example.com", {"l2"}),
        ("payments", {"l3"}),
        ("auth-service", {"l1", "l5"}),
        ("nothing-matches-this", set()),
        ("database\x00timeout", {"l4"}),  # a NUL separates words, as in the text
    ],
)
def test_full_text_search(corpus: httpx.Client, query: str, expected: set[str]) -> None:
    response = corpus.get("/logs/search", params={"query": query})
    assert set(ids(response)) == expected
    assert response.json()["meta"]["pagination"]["total"] == len(expected)


def test_search_combines_with_filters_sort_and_fields(corpus: httpx.Client) -> None:
    response = corpus.get(
        "/logs/search",
        params={
            "query": "user OR database",
            "level": ["INFO", "ERROR", "FATAL"],
            "sort": "timestamp:asc",
            "fields": "message",
        },
    )
    assert ids(response) == ["l1", "l2", "l4"]
    assert set(response.json()["data"][0]) == {"id", "message"}
    no_query = corpus.get("/logs/search", params={"limit": 2})
    assert ids(no_query) == ["l5", "l4"]


def test_search_ranks_by_relevance(client: httpx.Client) -> None:
    ingest(
        client,
        entry("error", id="strong", timestamp="2024-01-01T00:00:00Z"),
        entry(
            "an error happened somewhere in a long message about other things entirely",
            id="weak",
            timestamp="2024-01-02T00:00:00Z",
        ),
    )
    assert ids(client.get("/logs/search", params={"query": "error"})) == ["strong", "weak"]


@pytest.mark.parametrize(
    "query",
    [
        '"unclosed',
        "(open",
        "close)",
        "a AND",
        "OR b",
        "NOT alone",
        "***",
        "AND",
        "a OR OR b",
        "()",
        '""',
    ],
)
def test_malformed_search_is_400(corpus: httpx.Client, query: str) -> None:
    response = corpus.get("/logs/search", params={"query": query})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "bad_request"
    assert error["details"]["errors"][0]["field"] == "query.query"


# delete ------------------------------------------------------------------------------


def test_delete_refuses_an_empty_filter(corpus: httpx.Client) -> None:
    response = corpus.delete("/logs")
    assert response.status_code == 400
    assert corpus.get("/logs").json()["meta"]["pagination"]["total"] == 5


def test_delete_by_filter(corpus: httpx.Client) -> None:
    response = corpus.delete("/logs", params={"source": "db-service"})
    assert response.json()["data"] == {"deleted": 2}
    assert ids(corpus.get("/logs")) == ["l5", "l3", "l1"]
    by_query = corpus.delete("/logs", params={"query": "logged", "level": "DEBUG"})
    assert by_query.json()["data"] == {"deleted": 1}
    assert set(ids(corpus.get("/logs/search", params={"query": "logged"}))) == {"l1"}
    by_json = corpus.delete("/logs", params={"filter": json.dumps({"metadata.user_id": "456"})})
    assert by_json.json()["data"] == {"deleted": 1}
    assert ids(corpus.get("/logs")) == ["l1"]


def test_delete_all_needs_all_true(corpus: httpx.Client) -> None:
    response = corpus.delete("/logs", params={"all": "true"})
    assert response.json()["data"] == {"deleted": 5}
    assert ids(corpus.get("/logs")) == []
    # Deleted ids may be ingested again.
    assert ingest(corpus, entry("back", id="l1"))["accepted"] == 1


def test_relevance_window_pages_form_one_order(monkeypatch: pytest.MonkeyPatch) -> None:
    from neurallog_local import logstore
    from neurallog_local.server import LocalServer
    from neurallog_local.settings import Settings

    from .conftest import make_client

    monkeypatch.setattr(logstore, "RELEVANCE_WINDOW", 3)
    with LocalServer(Settings(db=":memory:")) as server:
        assert server.api_key is not None
        with make_client(server.endpoint, {"X-API-Key": server.api_key}) as http:
            ingest(
                http,
                *[
                    entry(
                        ("disk " * (6 - i)) + "words",
                        id=f"d{i}",
                        timestamp=f"2024-01-0{i + 1}T00:00:00Z",
                    )
                    for i in range(6)
                ],
                entry("unrelated", id="u"),
            )
            pages = [
                http.get("/logs/search", params={"query": "disk", "limit": 2, "offset": n})
                for n in (0, 2, 4)
            ]
    assert {p.json()["meta"]["pagination"]["total"] for p in pages} == {6}
    order = [item["id"] for p in pages for item in p.json()["data"]]
    # The 3 newest matches (d5, d4, d3) ranked by relevance (more "disk" ranks higher),
    # then the older ones newest first.
    assert order == ["d3", "d4", "d5", "d2", "d1", "d0"]
