"""One tenant's rules and actions cannot stall the server: patterns match in linear time,
rules are evaluated off the request path, and deliveries are bounded."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from neurallog_local.server import LocalServer
from neurallog_local.settings import KeySpec, Settings

from .conftest import WAIT, entry, executions, ingest, make_client, wait_for_executions
from .test_rules_actions import create_action, create_rule, level
from .test_stream import next_log, open_stream

CATASTROPHIC = {"type": "pattern", "parameters": {"pattern": "(a+)+$"}}


def test_a_catastrophic_pattern_stalls_nothing(client: httpx.Client, other: httpx.Client) -> None:
    action = create_action(client)
    rule = create_rule(client, CATASTROPHIC, actions=[{"action_id": action["id"]}])
    evil = "a" * 60_000 + "!"  # exponential for a backtracking engine
    result = ingest(client, entry(evil), entry("baaa"), entry(evil, "ERROR"))
    assert result["accepted"] == 3
    # The server goes on answering, this tenant and the others.
    listed = client.get("/logs", params={"limit": 3})
    assert listed.status_code == 200
    assert len(listed.json()["data"]) == 3
    assert ingest(other, entry("another tenant"))["accepted"] == 1
    # Only "baaa" matches; the firing comes once the whole batch was evaluated.
    (fired,) = wait_for_executions(client, action["id"], 1)
    assert (fired["status"], fired["rule_id"]) == ("succeeded", rule["id"])
    for message, matched in ((evil, False), ("xaaa", True)):
        dry = client.post(f"/rules/{rule['id']}/test", json={"sample_data": {"message": message}})
        assert dry.status_code == 200
        assert dry.json()["data"]["matched"] is matched


@pytest.mark.parametrize(
    "pattern",
    [
        "error(?=: disk)",  # look-ahead
        "(?<!no )error",  # look-behind
        r"(\w+) \1",  # a backreference
        "(a{1000}){1000}",  # RE2 bounds repetitions
    ],
)
def test_patterns_outside_re2_are_422(client: httpx.Client, pattern: str) -> None:
    condition = {"type": "pattern", "parameters": {"pattern": pattern}}
    response = client.post("/rules", json={"name": "bad", "condition": condition})
    assert response.status_code == 422, response.text
    (problem,) = response.json()["error"]["details"]["errors"]
    assert problem["field"] == "body.condition.parameters.pattern"
    assert "RE2" in problem["message"]


# rule evaluation runs apart from requests, one tenant apart from another ------------------


@pytest.fixture(scope="module")
def two_tenants() -> Iterator[LocalServer]:
    keys = [KeySpec("key-of-tenant-a", "a"), KeySpec("key-of-tenant-b", "b")]
    with LocalServer(Settings(db=":memory:", api_keys=keys)) as server:
        yield server


def test_a_stuck_rule_evaluation_delays_neither_ingest_nor_other_tenants(
    two_tenants: LocalServer,
) -> None:
    services = two_tenants.services
    assert services is not None
    release, entered = threading.Event(), threading.Event()
    evaluate = services.engine.evaluate

    def stuck(tenant: str, rules: Any, entries: Any) -> Any:
        if tenant == "a":  # tenant a's rules take as long as the test says
            entered.set()
            release.wait(WAIT)
        return evaluate(tenant, rules, entries)

    services.engine.evaluate = stuck  # type: ignore[method-assign]
    endpoint = two_tenants.endpoint
    try:
        with (
            make_client(endpoint, {"X-API-Key": "key-of-tenant-a"}) as a,
            make_client(endpoint, {"X-API-Key": "key-of-tenant-b"}) as b,
        ):
            a_action = create_action(a)
            create_rule(a, level("ERROR"), actions=[{"action_id": a_action["id"]}])
            b_action = create_action(b)
            create_rule(b, level("ERROR"), actions=[{"action_id": b_action["id"]}])

            assert ingest(a, entry("a one", "ERROR"))["accepted"] == 1
            assert entered.wait(WAIT)
            # a's rules are stuck on that batch; its ingest and reads are not.
            assert ingest(a, entry("a two", "ERROR"))["accepted"] == 1
            assert len(a.get("/logs").json()["data"]) == 2
            # Nor are b's ingest, rules, actions and stream.
            with open_stream(b, history=0) as events:
                ingest(b, entry("b one", "ERROR"))
                assert json.loads(next_log(events).data)["message"] == "b one"
            assert [e["status"] for e in wait_for_executions(b, b_action["id"], 1)] == ["succeeded"]
            assert executions(a, a_action["id"]) == []
            release.set()
            fired = wait_for_executions(a, a_action["id"], 2)
            assert [e["status"] for e in fired] == ["succeeded", "succeeded"]
    finally:
        release.set()
        services.engine.evaluate = evaluate  # type: ignore[method-assign]


@pytest.fixture(scope="module")
def no_budget() -> Iterator[LocalServer]:
    with LocalServer(Settings(db=":memory:", rule_budget=0.0)) as server:
        yield server


def test_a_rule_over_its_budget_skips_the_rest_of_the_batch_and_says_so(
    no_budget: LocalServer,
) -> None:
    assert no_budget.api_key is not None
    with make_client(no_budget.endpoint, {"X-API-Key": no_budget.api_key}) as http:
        action = create_action(http)
        rule = create_rule(
            http,
            {"type": "pattern", "parameters": {"pattern": "x"}},
            actions=[{"action_id": action["id"]}],
        )
        # With no budget at all, the first entry uses it up.
        ingest(http, entry("x1"), entry("x2"), entry("x3"))
        found = wait_for_executions(http, action["id"], 2)
    by_status = {e["status"]: e for e in found}
    assert sorted(by_status) == ["failed", "succeeded"]
    assert all(e["rule_id"] == rule["id"] for e in found)
    failed = by_status["failed"]
    assert failed["result"] is None
    assert "not evaluated on the batch's last 2 entries" in failed["error"]


# deliveries ---------------------------------------------------------------------------


def test_a_blocked_webhook_delays_neither_ingest_nor_streams(
    client: httpx.Client, httpserver: HTTPServer
) -> None:
    release, entered = threading.Event(), threading.Event()

    def blocked(request: Request) -> Response:
        entered.set()
        release.wait(WAIT)
        return Response("late")

    httpserver.expect_request("/blocked").respond_with_handler(blocked)
    action = create_action(
        client, type="webhook", parameters={"url": httpserver.url_for("/blocked")}
    )
    create_rule(client, level("ERROR"), actions=[{"action_id": action["id"]}])
    try:
        ingest(client, entry("fires the webhook", "ERROR"))
        assert entered.wait(WAIT)
        with open_stream(client, history=0) as events:
            assert ingest(client, entry("while it hangs", "ERROR"))["accepted"] == 1
            assert json.loads(next_log(events).data)["message"] == "while it hangs"
    finally:
        release.set()
    assert wait_for_executions(client, action["id"], 2)


@pytest.mark.parametrize(
    "location", ["file:///etc/passwd", "/elsewhere", "https://example.invalid/x"]
)
def test_deliveries_never_follow_redirects(
    client: httpx.Client, httpserver: HTTPServer, location: str
) -> None:
    httpserver.expect_request("/moved").respond_with_data(
        "", status=302, headers={"Location": location}
    )
    httpserver.expect_request("/elsewhere").respond_with_data("should not be reached")
    action = create_action(client, type="webhook", parameters={"url": httpserver.url_for("/moved")})
    execution = client.post(f"/actions/{action['id']}/execute").json()["data"]
    assert execution["status"] == "failed"
    assert execution["result"] == {"status_code": 302}
    assert "redirects are not followed" in execution["error"]
    assert location in execution["error"]
    assert [request.path for request, _ in httpserver.log] == ["/moved"]


def test_deliveries_read_a_bounded_part_of_the_answer(
    client: httpx.Client, httpserver: HTTPServer
) -> None:
    # The receiver (one request at a time) sends more than a delivery reads, then nothing
    # until the test releases it: a delivery that read the whole answer would wait there
    # until its timeout.
    released = {200: threading.Event(), 500: threading.Event()}

    def endless(status: int) -> Response:
        def body() -> Iterator[bytes]:
            for _ in range(4):
                yield b"x" * 65536
            released[status].wait(WAIT)

        return Response(body(), status=status)

    httpserver.expect_request("/endless").respond_with_handler(lambda r: endless(200))
    httpserver.expect_request("/endless-error").respond_with_handler(lambda r: endless(500))
    ok = create_action(client, type="webhook", parameters={"url": httpserver.url_for("/endless")})
    bad = create_action(
        client, type="webhook", parameters={"url": httpserver.url_for("/endless-error")}
    )
    try:
        succeeded = client.post(f"/actions/{ok['id']}/execute").json()["data"]
        released[200].set()
        failed = client.post(f"/actions/{bad['id']}/execute").json()["data"]
    finally:
        for event in released.values():
            event.set()
    assert (succeeded["status"], succeeded["error"]) == ("succeeded", None)
    assert failed["status"] == "failed"
    assert failed["error"].startswith("the receiver answered HTTP 500: xxx")
    assert len(failed["error"]) < 300  # a short quote of the answer, not the answer


@pytest.fixture(scope="module")
def impatient() -> Iterator[LocalServer]:
    with LocalServer(Settings(db=":memory:", action_timeout=0.5)) as server:
        yield server


def test_the_delivery_timeout_bounds_the_whole_delivery(
    impatient: LocalServer, httpserver: HTTPServer
) -> None:
    def drip() -> Iterator[bytes]:
        # A byte now and then, each well within the timeout, never the whole answer.
        for _ in range(200):
            yield b"."
            time.sleep(0.05)

    httpserver.expect_request("/drip").respond_with_handler(
        lambda request: Response(drip(), status=200)
    )
    assert impatient.api_key is not None
    with make_client(impatient.endpoint, {"X-API-Key": impatient.api_key}) as http:
        action = create_action(
            http, type="webhook", parameters={"url": httpserver.url_for("/drip")}
        )
        execution = http.post(f"/actions/{action['id']}/execute").json()["data"]
    assert execution["status"] == "failed"
    assert "timed out" in execution["error"]
