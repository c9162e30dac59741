"""A rule's action parameters pass the same checks as ``execute``: what ``execute``
refuses is refused when the rule is saved, and never sent when the rule fires."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from pytest_httpserver import HTTPServer

from .conftest import entry, ingest, wait_for_executions
from .test_rules_actions import create_action, create_rule, level

BAD_OVERRIDES = [
    ({"method": "DELETE"}, "method"),
    ({"url": "ftp://example.com/x"}, "url"),
    ({"headers": {"n": 1}}, "headers"),
    ({"body_template": 7}, "body_template"),
]


@pytest.mark.parametrize(("overrides", "name"), BAD_OVERRIDES)
def test_execute_and_a_rule_refuse_the_same_parameters(
    client: httpx.Client, httpserver: HTTPServer, overrides: dict[str, Any], name: str
) -> None:
    hook = create_action(client, type="webhook", parameters={"url": httpserver.url_for("/h")})
    executed = client.post(f"/actions/{hook['id']}/execute", json={"parameters": overrides})
    assert executed.status_code == 422, executed.text
    ok = [{"action_id": hook["id"]}]
    bad = [{"action_id": hook["id"], "parameters": overrides}]

    created = client.post("/rules", json={"name": "r", "condition": level("ERROR"), "actions": bad})
    assert created.status_code == 422, created.text
    (problem,) = created.json()["error"]["details"]["errors"]
    assert problem["field"] == f"body.actions[0].parameters.{name}"
    assert client.get("/rules").json()["data"] == []

    rule = create_rule(client, level("ERROR"), actions=ok)
    patched = client.patch(f"/rules/{rule['id']}", json={"actions": [*ok, *bad]})
    assert patched.status_code == 422, patched.text
    (problem,) = patched.json()["error"]["details"]["errors"]
    assert problem["field"] == f"body.actions[1].parameters.{name}"
    assert client.get(f"/rules/{rule['id']}").json()["data"]["actions"] == [
        {"action_id": hook["id"], "parameters": {}}
    ]
    assert httpserver.log == []


def test_parameters_that_became_unusable_are_never_sent(
    client: httpx.Client, httpserver: HTTPServer
) -> None:
    # Accepted while the action logs (any parameters suit it); it becomes a webhook later.
    action = create_action(client, type="log")
    rule = create_rule(
        client,
        level("ERROR"),
        actions=[{"action_id": action["id"], "parameters": {"method": "DELETE"}}],
    )
    changed = client.patch(
        f"/actions/{action['id']}",
        json={"type": "webhook", "parameters": {"url": httpserver.url_for("/h")}},
    )
    assert changed.status_code == 200, changed.text
    dry = client.post(f"/rules/{rule['id']}/test", json={"sample_data": {"level": "ERROR"}})
    assert dry.json()["data"]["actions"][0]["would_execute"] is False

    ingest(client, entry("boom", "ERROR"))
    (execution,) = wait_for_executions(client, action["id"], 1)
    assert execution["status"] == "failed"
    assert "method" in execution["error"]
    assert httpserver.log == []
