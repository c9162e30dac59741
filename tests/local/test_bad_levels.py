"""A list or an object where a level is expected is a client error naming the field, on
every operation that reads a level from free-form JSON: rule conditions (however deeply
nested) and the ``filter`` parameter of list, search, stream and delete."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from .test_rules_actions import create_rule, level

# Every shape of a `filter` that puts something other than a level name where a level goes.
BAD_LEVEL_FILTERS: dict[str, Any] = {
    "eq-list": {"level": {"eq": ["ERROR"]}},
    "eq-object": {"level": {"eq": {"name": "ERROR"}}},
    "ne-list": {"level": {"ne": ["ERROR"]}},
    "gt-list": {"level": {"gt": ["ERROR"]}},
    "lte-object": {"level": {"lte": {}}},
    "in-nested-list": {"level": {"in": [["ERROR"]]}},
    "in-object": {"level": {"in": [{"name": "ERROR"}]}},
    "any-of-lists": {"level": [["ERROR", "FATAL"]]},
}
OPERATIONS = {
    "list": ("GET", "/logs", {}),
    "search": ("GET", "/logs/search", {"query": "error"}),
    "stream": ("GET", "/logs/stream", {"follow": "false"}),
    "delete": ("DELETE", "/logs", {}),
}


@pytest.mark.parametrize("operation", list(OPERATIONS))
@pytest.mark.parametrize("shape", list(BAD_LEVEL_FILTERS))
def test_a_filter_with_a_non_level_is_a_400(
    client: httpx.Client, operation: str, shape: str
) -> None:
    method, path, params = OPERATIONS[operation]
    query = {**params, "filter": json.dumps(BAD_LEVEL_FILTERS[shape])}
    response = client.request(method, path, params=query)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["code"] == "bad_request"
    assert [e["field"] for e in error["details"]["errors"]] == ["query.filter.level"]
    assert "DEBUG, INFO, WARN, ERROR, FATAL" in error["details"]["errors"][0]["message"]


def _level(value: Any) -> dict[str, Any]:
    return {"type": "log_level", "parameters": {"level": value}}


def _nested(condition: dict[str, Any]) -> dict[str, Any]:
    return {"type": "composite", "parameters": {"operator": "or", "conditions": [condition]}}


def _counted(condition: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "frequency",
        "parameters": {"threshold": 2, "window_seconds": 60, "condition": condition},
    }


P = "body.condition.parameters"
# (condition, the field the 422 must name)
BAD_LEVEL_CONDITIONS: dict[str, tuple[dict[str, Any], str]] = {
    "log_level-list": (_level(["ERROR"]), f"{P}.level"),
    "log_level-object": (_level({"min": "ERROR"}), f"{P}.level"),
    "in-composite": (_nested(_level(["ERROR"])), f"{P}.conditions[0].parameters.level"),
    "in-frequency": (_counted(_level({})), f"{P}.condition.parameters.level"),
    "frequency-in-composite": (
        _nested(_counted(_level(["WARN"]))),
        f"{P}.conditions[0].parameters.condition.parameters.level",
    ),
    "match-level-gt-list": (
        {"type": "match", "parameters": {"field": "level", "operator": "gt", "value": ["WARN"]}},
        f"{P}.value",
    ),
    "match-level-eq-object": (
        _nested({"type": "match", "parameters": {"field": "level", "value": {"a": 1}}}),
        f"{P}.conditions[0].parameters.value",
    ),
}


@pytest.mark.parametrize("kind", list(BAD_LEVEL_CONDITIONS))
def test_a_condition_with_a_non_level_is_a_422(client: httpx.Client, kind: str) -> None:
    condition, field = BAD_LEVEL_CONDITIONS[kind]
    response = client.post("/rules", json={"name": "bad", "condition": condition})
    assert response.status_code == 422, response.text
    errors = response.json()["error"]["details"]["errors"]
    assert [e["field"] for e in errors] == [field]
    assert "DEBUG" in errors[0]["message"]
    assert client.get("/rules").json()["data"] == []


def test_an_update_with_a_non_level_is_a_422_and_keeps_the_rule(client: httpx.Client) -> None:
    rule = create_rule(client, level("ERROR"))
    bad = _counted(_nested(_level(["ERROR"])))
    response = client.patch(f"/rules/{rule['id']}", json={"condition": bad})
    assert response.status_code == 422, response.text
    (problem,) = response.json()["error"]["details"]["errors"]
    assert problem["field"] == f"{P}.condition.parameters.conditions[0].parameters.level"
    assert client.get(f"/rules/{rule['id']}").json()["data"]["condition"] == level("ERROR")
