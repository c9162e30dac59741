"""Credentials, scopes and tenant isolation of every resource, the stream included."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from neurallog_local.auth import FailureLimiter
from neurallog_local.pytest_plugin import LocalTenant
from neurallog_local.server import LocalServer
from neurallog_local.settings import Settings

from .conftest import entry, executions, ingest, make_client, wait_for_executions


@pytest.fixture
def tenants(neurallog_local: LocalTenant) -> Iterator[tuple[httpx.Client, httpx.Client]]:
    """Tenant A and tenant B, each with a client."""
    b = neurallog_local.new_tenant()
    with (
        make_client(neurallog_local.endpoint, neurallog_local.headers) as a_client,
        make_client(b.endpoint, b.headers) as b_client,
    ):
        yield a_client, b_client


def _b_resources(b: httpx.Client) -> dict[str, Any]:
    ingest(b, entry("secret of B", "ERROR", id="b-log", source="b-src", metadata={"k": "v"}))
    action = b.post("/actions", json={"name": "b action", "type": "log"}).json()["data"]
    rule = b.post(
        "/rules",
        json={
            "name": "b rule",
            "condition": {"type": "log_level", "parameters": {"level": "ERROR"}},
            "actions": [{"action_id": action["id"]}],
        },
    ).json()["data"]
    return {"log": "b-log", "action": action["id"], "rule": rule["id"]}


def test_a_can_neither_read_nor_search_b_logs(tenants: tuple[httpx.Client, httpx.Client]) -> None:
    a, b = tenants
    _b_resources(b)
    assert a.get("/logs/b-log").status_code == 404
    assert a.get("/logs").json()["data"] == []
    assert a.get("/logs/search", params={"query": "secret"}).json()["data"] == []
    assert a.get("/logs", params={"source": "b-src"}).json()["meta"]["pagination"]["total"] == 0
    assert a.get("/logs", params={"filter": json.dumps({"metadata.k": "v"})}).json()["data"] == []
    # The same id is free in A: ids are unique per tenant.
    assert ingest(a, entry("A's own", id="b-log"))["accepted"] == 1
    assert b.get("/logs/b-log").json()["data"]["message"] == "secret of B"


def test_a_cannot_delete_b_logs(tenants: tuple[httpx.Client, httpx.Client]) -> None:
    a, b = tenants
    _b_resources(b)
    assert a.delete("/logs", params={"all": "true"}).json()["data"] == {"deleted": 0}
    assert a.delete("/logs", params={"query": "secret"}).json()["data"] == {"deleted": 0}
    assert b.get("/logs/b-log").status_code == 200


def test_a_cannot_stream_b_logs(tenants: tuple[httpx.Client, httpx.Client]) -> None:
    a, b = tenants
    _b_resources(b)
    ingest(a, entry("A marker"))
    with a.stream("GET", "/logs/stream", params={"history": 10}, timeout=30) as response:
        lines = response.iter_lines()
        received = []
        event = ""
        for line in lines:
            if line.startswith("event:"):
                event = line[6:].strip()
            if line.startswith("data:") and event == "log":
                received.append(json.loads(line[5:])["message"])
                if received == ["A marker"]:
                    ingest(b, entry("B while A streams"))
                    ingest(a, entry("A again"))
                if len(received) == 2:
                    break
    assert received == ["A marker", "A again"]
    # Resuming with a cursor taken from B's data still only yields A's entries.
    with a.stream(
        "GET",
        "/logs/stream",
        params={"follow": "false"},
        headers={"Last-Event-ID": "0"},
        timeout=30,
    ) as response:
        text = response.read().decode()
    assert "B while A streams" not in text
    assert "secret of B" not in text
    assert "A again" in text


def test_a_can_neither_read_change_nor_delete_b_rules(
    tenants: tuple[httpx.Client, httpx.Client],
) -> None:
    a, b = tenants
    rule = _b_resources(b)["rule"]
    assert a.get("/rules").json()["data"] == []
    assert a.get(f"/rules/{rule}").status_code == 404
    assert a.patch(f"/rules/{rule}", json={"name": "hijacked"}).status_code == 404
    assert a.post(f"/rules/{rule}/disable").status_code == 404
    assert a.post(f"/rules/{rule}/enable").status_code == 404
    assert a.post(f"/rules/{rule}/test", json={"sample_data": {}}).status_code == 404
    assert a.delete(f"/rules/{rule}").status_code == 404
    kept = b.get(f"/rules/{rule}").json()["data"]
    assert kept["name"] == "b rule"
    assert kept["enabled"] is True


def test_a_can_neither_read_change_run_nor_delete_b_actions(
    tenants: tuple[httpx.Client, httpx.Client],
) -> None:
    a, b = tenants
    action = _b_resources(b)["action"]
    assert a.get("/actions").json()["data"] == []
    assert a.get(f"/actions/{action}").status_code == 404
    assert a.patch(f"/actions/{action}", json={"name": "hijacked"}).status_code == 404
    assert a.post(f"/actions/{action}/execute").status_code == 404
    assert a.get(f"/actions/{action}/executions").status_code == 404
    assert a.delete(f"/actions/{action}").status_code == 404
    assert b.get(f"/actions/{action}").json()["data"]["name"] == "b action"
    # A rule of A may name it, but for A no action has that id: it never runs B's action.
    response = a.post(
        "/rules",
        json={
            "name": "x",
            "condition": {"type": "log_level", "parameters": {"level": "INFO"}},
            "actions": [{"action_id": action}],
        },
    )
    assert response.status_code == 201
    rule = response.json()["data"]["id"]
    ingest(a, entry("A fires"))
    (skipped,) = wait_for_executions(a, action, 1)
    assert (skipped["status"], skipped["rule_id"]) == ("failed", rule)
    assert [e for e in executions(b, action) if e["rule_id"] == rule] == []


def test_a_ingest_never_fires_b_rules(tenants: tuple[httpx.Client, httpx.Client]) -> None:
    a, b = tenants
    action = _b_resources(b)["action"]
    b.patch(f"/actions/{action}", json={"parameters": {"message": "{{log.message}}"}})
    ingest(a, entry("A error", "ERROR"))
    ingest(b, entry("B error", "ERROR"))
    fired = wait_for_executions(b, action, 1)
    assert [e["result"]["parameters"]["message"] for e in fired] == ["B error"]


@pytest.mark.parametrize(
    ("scopes", "allowed", "denied"),
    [
        (
            ["logs:read"],
            [("GET", "/logs")],
            [
                ("POST", "/logs"),
                ("DELETE", "/logs?all=true"),
                ("GET", "/rules"),
                ("GET", "/actions"),
            ],
        ),
        (
            ["logs:write"],
            [("POST", "/logs")],
            [("GET", "/logs"), ("GET", "/logs/search"), ("GET", "/logs/stream")],
        ),
        (["rules:read"], [("GET", "/rules")], [("POST", "/rules")]),
        (["actions:read"], [("GET", "/actions")], [("POST", "/actions")]),
    ],
)
def test_scopes(
    neurallog_local: LocalTenant,
    scopes: list[str],
    allowed: list[tuple[str, str]],
    denied: list[tuple[str, str]],
) -> None:
    limited = neurallog_local.new_tenant(scopes=scopes)
    bodies = {"/logs": {"logs": [entry("x")]}}
    with make_client(limited.endpoint, limited.headers) as http:
        for method, path in allowed:
            response = http.request(method, path, json=bodies.get(path))
            assert response.status_code < 300, (method, path, response.text)
        for method, path in denied:
            response = http.request(method, path, json=bodies.get(path) or {"name": "x"})
            assert response.status_code == 403, (method, path)
            assert response.json()["error"]["code"] == "forbidden"


def test_jwt_maps_to_its_tenant(neurallog_local: LocalTenant, client: httpx.Client) -> None:
    ingest(client, entry("by key"))
    token = neurallog_local.mint_jwt()
    with make_client(neurallog_local.endpoint, {"Authorization": f"Bearer {token}"}) as http:
        assert [e["message"] for e in http.get("/logs").json()["data"]] == ["by key"]
        ingest(http, entry("by token"))
    assert client.get("/logs").json()["meta"]["pagination"]["total"] == 2


def test_jwt_scopes_are_enforced(neurallog_local: LocalTenant) -> None:
    token = neurallog_local.mint_jwt(scopes=["logs:read"])
    with make_client(neurallog_local.endpoint, {"Authorization": f"Bearer {token}"}) as http:
        assert http.get("/logs").status_code == 200
        assert http.post("/logs", json={"logs": [entry("x")]}).status_code == 403


@pytest.mark.parametrize(
    "make_token",
    [
        lambda t: t.mint_jwt(expires_in=-60),
        lambda t: t.mint_jwt()[:-4] + "AAAA",
        lambda t: t.mint_jwt(tenant="bad tenant!"),
        lambda t: t.mint_jwt(scopes=["logs:everything"]),
        lambda t: t.mint_jwt(nbf=int(time.time()) + 3600),
        lambda t: __import__("jwt").encode(
            {"tenant": t.tenant}, "a-wrong-secret-of-32-bytes-or-more", algorithm="HS256"
        ),
    ],
    ids=[
        "expired",
        "bad-signature",
        "bad-tenant",
        "unknown-scope",
        "not-yet-valid",
        "wrong-secret",
    ],
)
def test_bad_jwts_are_401(neurallog_local: LocalTenant, make_token: Any) -> None:
    token = make_token(neurallog_local)
    with make_client(neurallog_local.endpoint, {"Authorization": f"Bearer {token}"}) as http:
        response = http.get("/logs")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"


SECRET = "a-secret-that-these-tests-sign-with-" + "0123456789abcdef" * 3


@pytest.fixture(scope="module")
def jwt_server() -> Iterator[LocalServer]:
    """A server whose JWT secret the tests know, to sign tokens it must still refuse."""
    with LocalServer(Settings(db=":memory:", jwt_secret=SECRET)) as server:
        yield server


@pytest.mark.parametrize(
    ("claims", "algorithm"),
    [
        ({"tenant": "acme"}, "HS256"),  # the control: accepted
        ({"sub": "acme"}, "HS256"),  # no tenant claim
        ({"tenant": "acme"}, "HS512"),  # the right secret, another algorithm
        ({"tenant": "acme"}, "HS384"),
    ],
    ids=["valid", "no-tenant", "HS512", "HS384"],
)
def test_jwts_need_hs256_and_a_tenant(
    jwt_server: LocalServer, claims: dict[str, Any], algorithm: str
) -> None:
    import jwt

    token = jwt.encode(claims, SECRET, algorithm=algorithm)
    with make_client(jwt_server.endpoint, {"Authorization": f"Bearer {token}"}) as http:
        response = http.get("/logs")
    valid = "tenant" in claims and algorithm == "HS256"
    assert response.status_code == (200 if valid else 401), response.text


def test_unsigned_jwts_are_refused(neurallog_local: LocalTenant) -> None:
    import base64

    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    token = (
        part({"alg": "none", "typ": "JWT"}) + "." + part({"tenant": neurallog_local.tenant}) + "."
    )
    with make_client(neurallog_local.endpoint, {"Authorization": f"Bearer {token}"}) as http:
        assert http.get("/logs").status_code == 401


def test_pruning_keeps_the_windows_that_have_not_ended(monkeypatch: pytest.MonkeyPatch) -> None:
    from neurallog_local import auth

    monkeypatch.setattr(auth, "PRUNE_ABOVE", 2)
    limiter = auth.RateLimiter()
    hourly = auth.Principal("acme", frozenset(), "key:hourly", 1, 3600)
    assert limiter.hit(hourly).allowed
    for n in range(3):  # credentials with one-second windows make the limiter prune
        limiter.hit(auth.Principal("acme", frozenset(), f"key:{n}", 10, 1))
    assert not limiter.hit(hourly).allowed


def test_retry_after_of_failed_authentications_stays_within_the_window() -> None:
    limiter = FailureLimiter(limit=1, window=60)
    limiter.fail("192.0.2.1")
    blocked = limiter.state("192.0.2.1")
    assert not blocked.allowed
    assert 1 <= int(blocked.headers()["Retry-After"]) <= 60
