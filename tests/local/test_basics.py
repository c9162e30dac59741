"""Health, the error envelope, request ids, body limits and encodings."""

from __future__ import annotations

import gzip
import json

import httpx
import pytest

from neurallog_local.pytest_plugin import LocalTenant

from .conftest import entry, ingest, make_client


def test_health_needs_no_credential(neurallog_local: LocalTenant) -> None:
    with make_client(neurallog_local.endpoint, {}) as anonymous:
        response = anonymous.get("/health")
    assert response.status_code == 200
    assert response.json()["data"]["status"] == "ok"
    assert response.headers["x-request-id"]


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-API-Key": "nl_not_a_real_key"},
        {"Authorization": "Bearer not.a.jwt"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
    ],
)
def test_missing_or_wrong_credential_is_401(
    neurallog_local: LocalTenant, headers: dict[str, str]
) -> None:
    with make_client(neurallog_local.endpoint, headers) as http:
        response = http.get("/logs")
    assert response.status_code == 401
    body = response.json()
    assert body["error"]["code"] == "unauthorized"
    assert body["meta"]["request_id"] == response.headers["x-request-id"]


def test_request_id_is_echoed_or_generated(client: httpx.Client) -> None:
    echoed = client.get("/logs", headers={"X-Request-ID": "trace-abc.123"})
    assert echoed.headers["x-request-id"] == "trace-abc.123"
    generated = client.get("/logs")
    assert generated.headers["x-request-id"].startswith("req_")
    assert generated.json()["meta"]["request_id"] == generated.headers["x-request-id"]
    # Something unsafe to log is replaced, not echoed.
    odd = client.get("/logs", headers={"X-Request-ID": "a b\tc"})
    assert odd.headers["x-request-id"].startswith("req_")


def test_unknown_path_and_method_use_the_envelope(client: httpx.Client) -> None:
    missing = client.get("/nope")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"
    assert missing.headers["x-request-id"]
    wrong = client.put("/logs", json={})
    assert wrong.status_code == 405
    assert wrong.json()["error"]["code"] == "method_not_allowed"
    assert sorted(wrong.headers["allow"].split(", ")) == ["DELETE", "GET", "POST"]
    # The contract has no HEAD operations (Starlette would route HEAD to every GET).
    for path in ("/health", "/logs", "/logs/stream", "/rules/rule_x"):
        head = client.head(path)
        assert head.status_code == 405, path
        assert head.headers["x-request-id"]


def nested(depth: int) -> bytes:
    """JSON text of ``depth`` nested arrays."""
    return b"[" * depth + b"]" * depth


def rule_body(name: bytes = b'"x"', extra: bytes = b"[]") -> bytes:
    """A rule's JSON, raw, with ``name`` and an extra condition parameter as given."""
    condition = b'{"type": "log_level", "parameters": {"level": "ERROR", "x": %s}}' % extra
    return b'{"name": %s, "condition": %s}' % (name, condition)


@pytest.mark.parametrize(
    "content",
    [
        b"{not json",
        b"",
        b"\xff\xfe",
        b'{"logs": [NaN]}',
        b"[1, 2",
        rule_body(name=b"1e400"),
        # A lone surrogate is no text: it can be neither stored nor answered.
        rule_body(name=b'"\\ud800"'),
        # Deeper than the server can write back.
        rule_body(extra=nested(252)),
    ],
)
def test_unreadable_json_is_400(client: httpx.Client, content: bytes) -> None:
    response = client.post("/rules", content=content, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_request"


def test_an_ingest_body_the_server_cannot_store_is_400_and_stores_nothing(
    client: httpx.Client,
) -> None:
    for content in (
        b'{"logs": [{"level": "INFO", "message": "a \\udfff"}, {"level": "INFO", "message": "b"}]}',
        b'{"logs": [{"level": "INFO", "message": "m", "metadata": {"x": ' + nested(251) + b"}}]}",
    ):
        response = client.post(
            "/logs", content=content, headers={"Content-Type": "application/json"}
        )
        assert response.status_code == 400, response.text
    listed = client.get("/logs")
    assert listed.status_code == 200
    assert listed.json()["data"] == []


def test_wrong_content_type_is_400(client: httpx.Client) -> None:
    response = client.post("/rules", content=b"name=x", headers={"Content-Type": "text/plain"})
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (
            {"name": 5, "condition": {"type": "log_level", "parameters": {"level": "ERROR"}}},
            "body.name",
        ),
        ({"name": "x"}, "body.condition"),
        ({"name": "x", "condition": {"type": "nope", "parameters": {}}}, "body.condition.type"),
        (
            {"name": "x", "condition": {"type": "log_level", "parameters": {}}, "extra": 1},
            "body.extra",
        ),
        (
            {
                "name": "x",
                "condition": {"type": "log_level", "parameters": {"level": "ERROR"}},
                "cooldown_seconds": "soon",
            },
            "body.cooldown_seconds",
        ),
    ],
)
def test_schema_violations_are_422_with_fields(
    client: httpx.Client, body: dict[str, object], field: str
) -> None:
    response = client.post("/rules", json=body)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert field in [issue["field"] for issue in error["details"]["errors"]]


def test_wrong_query_types_are_400(client: httpx.Client) -> None:
    for params in (
        {"limit": "ten"},
        {"limit": 0},
        {"limit": 1001},
        {"offset": -1},
        {"offset": 2**63},  # not a 64-bit integer: no client could read it back
        {"level": "LOUD"},
        {"from": "yesterday"},
    ):
        response = client.get("/logs", params=params)
        assert response.status_code == 400, params
        issues = response.json()["error"]["details"]["errors"]
        assert issues
        assert all(i["field"].startswith("query.") for i in issues)


def test_oversize_body_is_413(client: httpx.Client) -> None:
    limit = 5 * 1024 * 1024
    payload = json.dumps({"logs": [entry("x" * 60000)] * 90}).encode()
    assert len(payload) > limit
    response = client.post("/logs", content=payload, headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    error = response.json()["error"]
    assert error["code"] == "payload_too_large"
    assert error["details"]["limit_bytes"] == limit


def test_gzip_bomb_is_413(client: httpx.Client) -> None:
    bomb = gzip.compress(b'{"logs": [' + b" " * (6 * 1024 * 1024) + b"]}")
    response = client.post(
        "/logs",
        content=bomb,
        headers={"Content-Type": "application/json", "Content-Encoding": "gzip"},
    )
    assert response.status_code == 413


def test_gzip_bodies_are_accepted(client: httpx.Client) -> None:
    body = gzip.compress(json.dumps({"logs": [entry("zipped")]}).encode())
    response = client.post(
        "/logs",
        content=body,
        headers={"Content-Type": "application/json", "Content-Encoding": "gzip"},
    )
    assert response.status_code == 202
    assert response.json()["data"]["accepted"] == 1


@pytest.mark.parametrize(
    ("encoding", "content"), [("gzip", b"not gzip at all"), ("br", b"{}"), ("gzip", b"\x1f\x8b")]
)
def test_undecodable_bodies_are_400(client: httpx.Client, encoding: str, content: bytes) -> None:
    response = client.post(
        "/logs",
        content=content,
        headers={"Content-Type": "application/json", "Content-Encoding": encoding},
    )
    assert response.status_code == 400


def test_rate_limit_headers_are_sent(client: httpx.Client, neurallog_local: LocalTenant) -> None:
    limited = neurallog_local.new_tenant(rate_limit=1000)
    with make_client(limited.endpoint, limited.headers) as http:
        response = http.post("/logs", json={"logs": [entry("hello")]})
    assert response.headers["x-ratelimit-limit"] == "1000"
    assert response.headers["x-ratelimit-remaining"] == "999"
    assert int(response.headers["x-ratelimit-reset"]) > 0


def test_rate_limit_answers_429_with_retry_after(neurallog_local: LocalTenant) -> None:
    limited = neurallog_local.new_tenant(rate_limit=3, rate_window=3600)
    with make_client(limited.endpoint, limited.headers) as http:
        statuses = [http.get("/logs").status_code for _ in range(4)]
        blocked = http.get("/logs")
    assert statuses == [200, 200, 200, 429]
    assert blocked.json()["error"]["code"] == "rate_limited"
    assert 1 <= int(blocked.headers["retry-after"]) <= 3600
    assert blocked.headers["x-ratelimit-remaining"] == "0"
    # Another credential has its own budget.
    assert ingest_ok(neurallog_local)


def ingest_ok(tenant: LocalTenant) -> bool:
    with make_client(tenant.endpoint, tenant.headers) as http:
        return bool(ingest(http, entry("still fine"))["accepted"] == 1)


def test_a_response_outside_the_contract_becomes_a_500(monkeypatch: pytest.MonkeyPatch) -> None:
    from neurallog_local.server import LocalServer
    from neurallog_local.settings import Settings
    from neurallog_local.store import Store

    # A bug that drops a required field of Rule: the server must not pass it on.
    monkeypatch.setattr(Store, "get_rule", lambda self, tenant, rule_id: {"id": rule_id})
    with LocalServer(Settings(db=":memory:")) as server:
        assert server.api_key is not None
        response = httpx.get(
            server.endpoint + "/rules/rule_x", headers={"X-API-Key": server.api_key}
        )
    assert response.status_code == 500
    error = response.json()["error"]
    assert error["code"] == "internal_error"
    assert any("name" in problem for problem in error["details"]["problems"])
