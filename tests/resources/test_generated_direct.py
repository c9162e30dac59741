"""Generated endpoint functions called with ``client.api`` get auth, retries and error mapping."""

from __future__ import annotations

import pytest
from neurallog_api.api.actions import get_action
from neurallog_api.api.logs import search_logs
from neurallog_api.api.rules import get_rule
from neurallog_api.models.action_response import ActionResponse
from neurallog_api.models.log_list_response import LogListResponse
from neurallog_api.models.rule_response import RuleResponse
from pytest_httpserver import HTTPServer

from neurallog.client import NeuralLog
from neurallog.exceptions import NotFoundError, ValidationError

from .conftest import API_KEY, entry, envelope, error_response
from .test_wire import ACTION, RULE


def _flaky_then(httpserver: HTTPServer, path: str, body: object) -> None:
    httpserver.expect_ordered_request(path).respond_with_response(
        error_response(503, "unavailable", "try later")
    )
    httpserver.expect_ordered_request(path, headers={"X-API-Key": API_KEY}).respond_with_json(body)


def test_logs_sync(httpserver: HTTPServer, client: NeuralLog) -> None:
    _flaky_then(
        httpserver,
        "/v1/logs/search",
        envelope([entry(1)], total=1, limit=5, offset=0, has_more=False),
    )
    page = search_logs.sync(client=client.api, query="error", limit=5)
    assert isinstance(page, LogListResponse)
    assert [e.id for e in page.data] == ["log-1"]
    assert page.meta.pagination.total == 1

    httpserver.expect_request("/v1/logs/search").respond_with_response(
        error_response(400, "bad_request", "malformed query")
    )
    with pytest.raises(ValidationError, match="malformed query"):
        search_logs.sync(client=client.api, query='"unbalanced')


def test_rules_sync(httpserver: HTTPServer, client: NeuralLog) -> None:
    _flaky_then(httpserver, "/v1/rules/rule-1", envelope(RULE))
    rule = get_rule.sync(rule_id="rule-1", client=client.api)
    assert isinstance(rule, RuleResponse)
    assert rule.data.name == "Error Notification"

    httpserver.expect_request("/v1/rules/missing").respond_with_response(
        error_response(404, "not_found", "no such rule")
    )
    with pytest.raises(NotFoundError) as caught:
        get_rule.sync(rule_id="missing", client=client.api)
    assert caught.value.code == "not_found"


def test_actions_sync(httpserver: HTTPServer, client: NeuralLog) -> None:
    _flaky_then(httpserver, "/v1/actions/action-1", envelope(ACTION))
    action = get_action.sync(action_id="action-1", client=client.api)
    assert isinstance(action, ActionResponse)
    assert action.data.type_.value == "slack"

    httpserver.expect_request("/v1/actions/gone").respond_with_response(
        error_response(404, "not_found", "no such action")
    )
    with pytest.raises(NotFoundError):
        get_action.sync(action_id="gone", client=client.api)


@pytest.mark.anyio
async def test_logs_async(httpserver: HTTPServer, client: NeuralLog) -> None:
    _flaky_then(
        httpserver,
        "/v1/logs/search",
        envelope([entry(1)], total=1, limit=5, offset=0, has_more=False),
    )
    page = await search_logs.asyncio(client=client.api, query="error", limit=5)
    assert isinstance(page, LogListResponse)
    assert page.data[0].message == "error 1"


@pytest.mark.anyio
async def test_rules_async(httpserver: HTTPServer, client: NeuralLog) -> None:
    _flaky_then(httpserver, "/v1/rules/rule-1", envelope(RULE))
    rule = await get_rule.asyncio(rule_id="rule-1", client=client.api)
    assert isinstance(rule, RuleResponse)
    httpserver.expect_request("/v1/rules/missing").respond_with_response(
        error_response(404, "not_found", "no such rule")
    )
    with pytest.raises(NotFoundError):
        await get_rule.asyncio(rule_id="missing", client=client.api)


@pytest.mark.anyio
async def test_actions_async(httpserver: HTTPServer, client: NeuralLog) -> None:
    _flaky_then(httpserver, "/v1/actions/action-1", envelope(ACTION))
    action = await get_action.asyncio(action_id="action-1", client=client.api)
    assert isinstance(action, ActionResponse)
    assert action.data.id == "action-1"
