"""Rules and actions: CRUD, every condition type, cooldowns, real HTTP deliveries."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from neurallog_local.server import LocalServer
from neurallog_local.settings import Settings

from .conftest import entry, executions, ingest, make_client, wait_for_executions


def create_action(client: httpx.Client, **body: Any) -> dict[str, Any]:
    body.setdefault("name", "an action")
    body.setdefault("type", "log")
    response = client.post("/actions", json=body)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()["data"]
    return result


def create_rule(client: httpx.Client, condition: dict[str, Any], **body: Any) -> dict[str, Any]:
    body.setdefault("name", "a rule")
    response = client.post("/rules", json={"condition": condition, **body})
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()["data"]
    return result


def level(minimum: str, **extra: Any) -> dict[str, Any]:
    return {"type": "log_level", "parameters": {"level": minimum, **extra}}


# CRUD -------------------------------------------------------------------------------


def test_rule_crud(client: httpx.Client) -> None:
    action = create_action(client)
    rule = create_rule(
        client,
        level("ERROR"),
        description="errors",
        actions=[{"action_id": action["id"], "parameters": {"note": "{{log.message}}"}}],
        cooldown_seconds=30,
    )
    assert rule["enabled"] is True
    assert rule["last_triggered_at"] is None
    assert rule["created_at"] == rule["updated_at"]
    assert client.get(f"/rules/{rule['id']}").json()["data"] == rule

    patched = client.patch(f"/rules/{rule['id']}", json={"name": "renamed", "description": None})
    assert patched.status_code == 200
    data = patched.json()["data"]
    assert (data["name"], data["description"], data["cooldown_seconds"]) == ("renamed", None, 30)
    assert data["updated_at"] >= rule["updated_at"]

    disabled = client.post(f"/rules/{rule['id']}/disable").json()["data"]
    assert disabled["enabled"] is False
    assert [r["id"] for r in client.get("/rules", params={"enabled": "false"}).json()["data"]] == [
        rule["id"]
    ]
    assert client.get("/rules", params={"enabled": "true"}).json()["data"] == []
    assert client.post(f"/rules/{rule['id']}/enable").json()["data"]["enabled"] is True

    assert client.delete(f"/rules/{rule['id']}").status_code == 204
    assert client.get(f"/rules/{rule['id']}").status_code == 404
    assert client.delete(f"/rules/{rule['id']}").status_code == 404
    assert client.post(f"/rules/{rule['id']}/enable").status_code == 404


def test_rule_list_paginates_oldest_first(client: httpx.Client) -> None:
    made = [create_rule(client, level("ERROR"), name=f"r{i}")["id"] for i in range(3)]
    page = client.get("/rules", params={"limit": 2}).json()
    assert [r["id"] for r in page["data"]] == made[:2]
    assert page["meta"]["pagination"] == {"total": 3, "limit": 2, "offset": 0, "has_more": True}


@pytest.mark.parametrize(
    ("condition", "field"),
    [
        (level("LOUD"), "body.condition.parameters.level"),
        ({"type": "log_level", "parameters": {}}, "body.condition.parameters.level"),
        (
            {"type": "pattern", "parameters": {"pattern": "(unclosed"}},
            "body.condition.parameters.pattern",
        ),
        (
            {"type": "pattern", "parameters": {"pattern": "x", "field": "colour"}},
            "body.condition.parameters.field",
        ),
        (
            {
                "type": "match",
                "parameters": {"field": "metadata.code", "operator": "like", "value": 1},
            },
            "body.condition.parameters.operator",
        ),
        (
            {"type": "match", "parameters": {"field": "metadata.code"}},
            "body.condition.parameters.value",
        ),
        (
            {
                "type": "frequency",
                "parameters": {"threshold": 0, "window_seconds": 60, "condition": level("ERROR")},
            },
            "body.condition.parameters.threshold",
        ),
        (
            {
                "type": "frequency",
                "parameters": {
                    "threshold": 2,
                    "window_seconds": 60,
                    "condition": {"type": "nope", "parameters": {}},
                },
            },
            "body.condition.parameters.condition.type",
        ),
        (
            {
                "type": "composite",
                "parameters": {"operator": "not", "conditions": [level("ERROR"), level("WARN")]},
            },
            "body.condition.parameters.conditions",
        ),
        (
            {
                "type": "composite",
                "parameters": {"operator": "xor", "conditions": [level("ERROR")]},
            },
            "body.condition.parameters.operator",
        ),
        (
            {
                "type": "composite",
                "parameters": {
                    "operator": "and",
                    "conditions": [{"type": "pattern", "parameters": {"pattern": "["}}],
                },
            },
            "body.condition.parameters.conditions[0].parameters.pattern",
        ),
    ],
)
def test_unusable_conditions_are_422(
    client: httpx.Client, condition: dict[str, Any], field: str
) -> None:
    response = client.post("/rules", json={"name": "bad", "condition": condition})
    assert response.status_code == 422, response.text
    assert field in [i["field"] for i in response.json()["error"]["details"]["errors"]]


def test_rules_may_reference_actions_that_do_not_exist(
    client: httpx.Client, other: httpx.Client
) -> None:
    theirs = create_action(other)  # another tenant's action does not exist for this one
    mine = create_action(client, name="mine")
    rule = create_rule(
        client,
        level("ERROR"),
        actions=[
            {"action_id": "action-123", "parameters": {"message": "{{log.message}}"}},
            {"action_id": theirs["id"]},
        ],
    )
    assert [a["action_id"] for a in rule["actions"]] == ["action-123", theirs["id"]]
    patched = client.patch(
        f"/rules/{rule['id']}",
        json={"actions": [{"action_id": "action-123"}, {"action_id": mine["id"]}]},
    )
    assert patched.status_code == 200, patched.text
    sample = {"level": "ERROR", "message": "boom"}
    result = client.post(f"/rules/{rule['id']}/test", json={"sample_data": sample}).json()["data"]
    assert [(a["action_id"], a["action_name"], a["would_execute"]) for a in result["actions"]] == [
        ("action-123", None, False),
        (mine["id"], "mine", True),
    ]
    # Firing skips the missing action and records it as a failed execution under its id.
    ingest(client, entry("boom", "ERROR"))
    assert wait_for_executions(client, mine["id"], 1)[0]["status"] == "succeeded"
    (skipped,) = wait_for_executions(client, "action-123", 1)
    assert skipped["action_id"] == "action-123"
    assert skipped["rule_id"] == rule["id"]
    assert skipped["status"] == "failed"
    assert skipped["result"] is None
    assert "no action has this id" in skipped["error"]
    assert client.get("/actions/action-123").status_code == 404
    assert executions(other, theirs["id"]) == []
    # An id with neither an action nor a recorded execution is still unknown.
    assert client.get("/actions/action-456/executions").status_code == 404
    assert other.get("/actions/action-123/executions").status_code == 404


def test_action_crud(client: httpx.Client) -> None:
    action = create_action(
        client, name="hook", type="webhook", parameters={"url": "http://127.0.0.1:9/x"}
    )
    assert client.get(f"/actions/{action['id']}").json()["data"] == action
    renamed = client.patch(f"/actions/{action['id']}", json={"name": "renamed"}).json()["data"]
    assert renamed["name"] == "renamed"
    assert renamed["parameters"] == action["parameters"]
    # Changing the type needs parameters that suit the new type.
    bad = client.patch(f"/actions/{action['id']}", json={"type": "slack"})
    assert bad.status_code == 422
    good = client.patch(
        f"/actions/{action['id']}",
        json={"type": "slack", "parameters": {"webhook": "https://hooks.example/x"}},
    )
    assert good.json()["data"]["type"] == "slack"
    create_action(client, name="second")
    by_type = client.get("/actions", params={"type": "log"}).json()
    assert [a["name"] for a in by_type["data"]] == ["second"]
    assert client.delete(f"/actions/{action['id']}").status_code == 204
    assert client.get(f"/actions/{action['id']}").status_code == 404
    assert client.get(f"/actions/{action['id']}/executions").status_code == 404


@pytest.mark.parametrize(
    ("kind", "parameters"),
    [
        ("webhook", {}),
        ("webhook", {"url": "ftp://example.com"}),
        ("webhook", {"url": "http://x", "method": "DELETE"}),
        ("webhook", {"url": "https://[not-an-ipv6"}),  # urlsplit raises on it
        ("slack", {"webhook": "http://a]b/x"}),
        ("webhook", {"url": "http://x", "headers": {"n": 1}}),
        ("slack", {"channel": "#alerts"}),
    ],
)
def test_invalid_action_parameters_are_422(
    client: httpx.Client, kind: str, parameters: dict[str, Any]
) -> None:
    response = client.post("/actions", json={"name": "x", "type": kind, "parameters": parameters})
    assert response.status_code == 422


# conditions, through the dry run ------------------------------------------------------


@pytest.mark.parametrize(
    ("condition", "sample", "matched"),
    [
        (level("ERROR"), {"level": "FATAL"}, True),
        (level("ERROR"), {"level": "WARN"}, False),
        (level("WARN", sources=["api"]), {"level": "ERROR", "source": "api"}, True),
        (level("WARN", sources=["api"]), {"level": "ERROR", "source": "db"}, False),
        (
            {"type": "pattern", "parameters": {"pattern": r"time(d )?out"}},
            {"message": "Request TIMED OUT"},
            True,
        ),
        (
            {"type": "pattern", "parameters": {"pattern": "TIMEOUT", "case_sensitive": True}},
            {"message": "timeout"},
            False,
        ),
        (
            {"type": "pattern", "parameters": {"pattern": "^db-", "field": "metadata.host"}},
            {"metadata": {"host": "db-1"}},
            True,
        ),
        (
            {"type": "pattern", "parameters": {"pattern": "^pay", "field": "tags"}},
            {"tags": ["auth", "payments"]},
            True,
        ),
        (
            {"type": "match", "parameters": {"field": "metadata.error_code", "value": "DB_DOWN"}},
            {"metadata": {"error_code": "DB_DOWN"}},
            True,
        ),
        (
            {
                "type": "match",
                "parameters": {"field": "metadata.status", "operator": "gt", "value": 499},
            },
            {"metadata": {"status": 503}},
            True,
        ),
        (
            {
                "type": "match",
                "parameters": {"field": "metadata.status", "operator": "lt", "value": 499},
            },
            {"metadata": {"status": "503"}},
            False,
        ),
        (
            {"type": "match", "parameters": {"field": "metadata.user", "operator": "exists"}},
            {"metadata": {"user": "u1"}},
            True,
        ),
        (
            {"type": "match", "parameters": {"field": "metadata.user", "operator": "exists"}},
            {"metadata": {}},
            False,
        ),
        (
            {
                "type": "match",
                "parameters": {"field": "message", "operator": "contains", "value": "disk"},
            },
            {"message": "disk full"},
            True,
        ),
        (
            {"type": "match", "parameters": {"field": "source", "operator": "ne", "value": "api"}},
            {"source": "db"},
            True,
        ),
        (
            {"type": "match", "parameters": {"field": "level", "operator": "gt", "value": "WARN"}},
            {"level": "ERROR"},
            True,
        ),
        (
            {
                "type": "composite",
                "parameters": {
                    "operator": "and",
                    "conditions": [
                        level("ERROR"),
                        {"type": "pattern", "parameters": {"pattern": "db"}},
                    ],
                },
            },
            {"level": "ERROR", "message": "db down"},
            True,
        ),
        (
            {
                "type": "composite",
                "parameters": {
                    "operator": "or",
                    "conditions": [
                        level("FATAL"),
                        {"type": "pattern", "parameters": {"pattern": "db"}},
                    ],
                },
            },
            {"level": "INFO", "message": "nothing"},
            False,
        ),
        (
            {"type": "composite", "parameters": {"operator": "not", "conditions": [level("WARN")]}},
            {"level": "DEBUG"},
            True,
        ),
        # A value of any JSON type is a value that does not match, never an error.
        (
            {
                "type": "match",
                "parameters": {"field": "metadata.x", "operator": "contains", "value": [1]},
            },
            {"metadata": {"x": {"a": 1}}},
            False,
        ),
        (
            {
                "type": "match",
                "parameters": {"field": "metadata.x", "operator": "gt", "value": ["x"]},
            },
            {"metadata": {"x": 2}},
            False,
        ),
    ],
)
def test_conditions(
    client: httpx.Client, condition: dict[str, Any], sample: dict[str, Any], matched: bool
) -> None:
    rule = create_rule(client, condition)
    response = client.post(f"/rules/{rule['id']}/test", json={"sample_data": sample})
    assert response.status_code == 200, response.text
    assert response.json()["data"] == {"matched": matched, "actions": []}


def test_a_rule_that_cannot_match_leaves_the_others_firing(client: httpx.Client) -> None:
    action = create_action(client)
    odd = {"type": "match", "parameters": {"field": "metadata.x", "operator": "lt", "value": {}}}
    create_rule(client, odd, name="odd")
    rule = create_rule(client, level("ERROR"), actions=[{"action_id": action["id"]}])
    ingest(client, entry("boom", "ERROR"))
    (fired,) = wait_for_executions(client, action["id"], 1)
    assert (fired["status"], fired["rule_id"]) == ("succeeded", rule["id"])


def test_dry_run_renders_parameters_and_records_nothing(client: httpx.Client) -> None:
    action = create_action(client, name="notify", parameters={"channel": "#ops", "who": "x"})
    rule = create_rule(
        client,
        level("ERROR"),
        name="Errors",
        actions=[
            {
                "action_id": action["id"],
                "parameters": {
                    "text": "{{rule.name}}: {{log.message}} for "
                    "{{log.metadata.user_id}}{{log.nope}}",
                    "who": "{{parameters.channel}}",
                },
            }
        ],
        cooldown_seconds=3600,
    )
    sample = {"level": "ERROR", "message": "Test error", "metadata": {"user_id": "123"}}
    result = client.post(f"/rules/{rule['id']}/test", json={"sample_data": sample}).json()["data"]
    assert result == {
        "matched": True,
        "actions": [
            {
                "action_id": action["id"],
                "action_name": "notify",
                "parameters": {
                    "channel": "#ops",
                    "who": "#ops",
                    "text": "Errors: Test error for 123",
                },
                "would_execute": True,
            }
        ],
    }
    assert executions(client, action["id"]) == []
    assert client.get(f"/rules/{rule['id']}").json()["data"]["last_triggered_at"] is None
    # After a real firing the cooldown holds the action back, and the dry run says so.
    ingest(client, entry("real", "ERROR"))
    wait_for_executions(client, action["id"], 1)
    again = client.post(f"/rules/{rule['id']}/test", json={"sample_data": sample}).json()["data"]
    assert again["actions"][0]["would_execute"] is False
    client.delete(f"/actions/{action['id']}")
    gone = client.post(f"/rules/{rule['id']}/test", json={"sample_data": sample}).json()["data"]
    assert gone["actions"][0]["action_name"] is None
    assert gone["actions"][0]["would_execute"] is False


def test_frequency_counts_matches_in_the_window(client: httpx.Client) -> None:
    action = create_action(client)
    create_rule(
        client,
        {
            "type": "frequency",
            "parameters": {"threshold": 3, "window_seconds": 3600, "condition": level("ERROR")},
        },
        actions=[{"action_id": action["id"]}],
    )
    ingest(client, entry("e1", "ERROR"), entry("i1", "INFO"), entry("e2", "ERROR"))
    ingest(client, entry("i2", "INFO"))
    ingest(client, entry("e3", "ERROR"), entry("e4", "ERROR"))
    fired = wait_for_executions(client, action["id"], 2)
    assert [e["status"] for e in fired] == ["succeeded", "succeeded"]
    # The dry run counts the sample on top of the window (4 errors) without recording it.
    rules = client.get("/rules").json()["data"]
    dry = client.post(f"/rules/{rules[0]['id']}/test", json={"sample_data": {"level": "ERROR"}})
    assert dry.json()["data"]["matched"] is True
    info = client.post(f"/rules/{rules[0]['id']}/test", json={"sample_data": {"level": "INFO"}})
    assert info.json()["data"]["matched"] is False


def test_cooldown_is_honoured(client: httpx.Client) -> None:
    action = create_action(client)
    rule = create_rule(
        client, level("ERROR"), actions=[{"action_id": action["id"]}], cooldown_seconds=3600
    )
    ingest(client, entry("first", "ERROR"), entry("second", "ERROR"))
    ingest(client, entry("third", "ERROR"))
    fired = wait_for_executions(client, action["id"], 1)
    assert len(fired) == 1
    assert fired[0]["rule_id"] == rule["id"]
    assert fired[0]["result"]["parameters"] == {}
    assert client.get(f"/rules/{rule['id']}").json()["data"]["last_triggered_at"] is not None


def test_disabled_rules_do_not_fire(client: httpx.Client) -> None:
    action = create_action(client)
    rule = create_rule(client, level("ERROR"), actions=[{"action_id": action["id"]}])
    client.post(f"/rules/{rule['id']}/disable")
    ingest(client, entry("ignored", "ERROR"))
    client.post(f"/rules/{rule['id']}/enable")
    ingest(client, entry("counted", "ERROR"))
    fired = wait_for_executions(client, action["id"], 1)
    assert len(fired) == 1


# deliveries over real HTTP -----------------------------------------------------------


def test_rule_fires_a_webhook_off_the_request_path(
    client: httpx.Client, httpserver: HTTPServer
) -> None:
    received: list[Request] = []

    def receive(request: Request) -> Response:
        received.append(request)
        return Response("ok")

    httpserver.expect_request("/hook", method="PUT").respond_with_handler(receive)
    action = create_action(
        client,
        name="hook",
        type="webhook",
        parameters={
            "url": httpserver.url_for("/hook"),
            "method": "PUT",
            "headers": {"X-Token": "t-{{parameters.team}}"},
            "body_template": '{"text": "{{log.message}} ({{log.metadata.user_id}})", '
            '"rule": "{{rule.name}}", "ctx": "{{context.source}}"}',
        },
    )
    rule = create_rule(
        client,
        {"type": "pattern", "parameters": {"pattern": "payment"}},
        name="Payments",
        actions=[{"action_id": action["id"], "parameters": {"team": "billing"}}],
    )
    ingest(client, entry("payment failed {{rule.id}}", "ERROR", metadata={"user_id": "42"}))
    fired = wait_for_executions(client, action["id"], 1)
    assert fired[0]["status"] == "succeeded", fired
    assert fired[0]["result"] == {"status_code": 200}
    assert fired[0]["rule_id"] == rule["id"]
    (request,) = received
    assert request.headers["X-Token"] == "t-billing"
    assert request.headers["Content-Type"] == "application/json"
    # A template inside the log message stays literal text.
    assert json.loads(request.data) == {
        "text": "payment failed {{rule.id}} (42)",
        "rule": "Payments",
        "ctx": "rule",
    }


def test_default_webhook_body_carries_log_rule_parameters_context(
    client: httpx.Client, httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/default", method="POST").respond_with_data("ok")
    action = create_action(
        client, type="webhook", parameters={"url": httpserver.url_for("/default"), "x": "1"}
    )
    execution = client.post(
        f"/actions/{action['id']}/execute",
        json={"parameters": {"y": "{{context.who}}"}, "context": {"who": "me"}},
    ).json()["data"]
    assert execution["status"] == "succeeded"
    assert execution["rule_id"] is None
    body = json.loads(httpserver.log[0][0].data)
    assert body["parameters"]["x"] == "1"
    assert body["parameters"]["y"] == "me"
    assert body["context"] == {"who": "me"}
    assert body["log"] == {}
    assert body["rule"] == {}


def test_slack_action_posts_channel_and_text(client: httpx.Client, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/slack", method="POST").respond_with_data("ok")
    action = create_action(
        client,
        type="slack",
        parameters={"webhook": httpserver.url_for("/slack"), "channel": "#alerts"},
    )
    create_rule(client, level("ERROR"), actions=[{"action_id": action["id"]}])
    ingest(client, entry("Database down", "FATAL"))
    wait_for_executions(client, action["id"], 1)
    assert json.loads(httpserver.log[0][0].data) == {"text": "Database down", "channel": "#alerts"}
    manual = client.post(
        f"/actions/{action['id']}/execute", json={"parameters": {"message": "Custom alert"}}
    ).json()["data"]
    assert manual["status"] == "succeeded"
    assert json.loads(httpserver.log[1][0].data)["text"] == "Custom alert"


def test_failed_deliveries_are_failed_executions(
    client: httpx.Client, httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/broken").respond_with_data("no", status=503)
    broken = create_action(
        client, type="webhook", parameters={"url": httpserver.url_for("/broken")}
    )
    result = client.post(f"/actions/{broken['id']}/execute")
    assert result.status_code == 200
    failed = result.json()["data"]
    assert failed["status"] == "failed"
    assert failed["result"] == {"status_code": 503}
    assert "503" in failed["error"]
    refused = create_action(client, type="webhook", parameters={"url": "http://127.0.0.1:9/closed"})
    closed = client.post(f"/actions/{refused['id']}/execute").json()["data"]
    assert closed["status"] == "failed"
    assert closed["error"]
    assert executions(client, broken["id"], status="failed")[0]["id"] == failed["id"]
    assert executions(client, broken["id"], status="succeeded") == []


@pytest.fixture(scope="module")
def impatient() -> Iterator[LocalServer]:
    with LocalServer(Settings(db=":memory:", action_timeout=0.2)) as server:
        yield server


def test_slow_receivers_time_out(impatient: LocalServer, httpserver: HTTPServer) -> None:
    def slow(request: Request) -> Response:
        time.sleep(1)
        return Response("late")

    httpserver.expect_request("/slow").respond_with_handler(slow)
    assert impatient.api_key is not None
    with make_client(impatient.endpoint, {"X-API-Key": impatient.api_key}) as http:
        action = create_action(
            http, type="webhook", parameters={"url": httpserver.url_for("/slow")}
        )
        execution = http.post(f"/actions/{action['id']}/execute").json()["data"]
    assert execution["status"] == "failed"
    assert "timed out" in execution["error"]


def test_execute_rejects_unusable_merged_parameters(client: httpx.Client) -> None:
    action = create_action(client, type="webhook", parameters={"url": "http://127.0.0.1:9/x"})
    response = client.post(f"/actions/{action['id']}/execute", json={"parameters": {"url": 5}})
    assert response.status_code == 422
    assert client.post("/actions/act_missing/execute").status_code == 404


def test_deleted_actions_are_recorded_as_failed(client: httpx.Client) -> None:
    kept = create_action(client, name="kept")
    gone = create_action(client, name="gone")
    create_rule(
        client,
        level("ERROR"),
        actions=[{"action_id": gone["id"]}, {"action_id": kept["id"]}],
    )
    client.delete(f"/actions/{gone['id']}")
    ingest(client, entry("boom", "ERROR"))
    assert wait_for_executions(client, kept["id"], 1)[0]["status"] == "succeeded"
    (skipped,) = wait_for_executions(client, gone["id"], 1)
    assert skipped["status"] == "failed"
    assert skipped["error"]


def test_execution_history_filters_and_order(client: httpx.Client) -> None:
    action = create_action(client)
    rule = create_rule(client, level("ERROR"), actions=[{"action_id": action["id"]}])
    manual = client.post(f"/actions/{action['id']}/execute").json()["data"]
    ingest(client, entry("boom", "ERROR"))
    history = wait_for_executions(client, action["id"], 2)
    assert history[1]["id"] == manual["id"]  # newest first
    by_rule = executions(client, action["id"], rule_id=rule["id"])
    assert [e["rule_id"] for e in by_rule] == [rule["id"]]
    page = client.get(f"/actions/{action['id']}/executions", params={"limit": 1}).json()
    assert page["meta"]["pagination"] == {"total": 2, "limit": 1, "offset": 0, "has_more": True}


def test_execute_is_idempotent(client: httpx.Client) -> None:
    action = create_action(client)
    headers = {"Idempotency-Key": "exec-1"}
    first = client.post(f"/actions/{action['id']}/execute", json={}, headers=headers)
    second = client.post(f"/actions/{action['id']}/execute", json={}, headers=headers)
    assert first.json()["data"] == second.json()["data"]
    assert len(executions(client, action["id"])) == 1
