"""Exact HTTP behaviour of the sync resources, against pytest-httpserver."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import orjson
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from neurallog.client import NeuralLog
from neurallog.exceptions import ApiError, NotFoundError, ServerError, ValidationError

from .conftest import API_KEY, entry, envelope, error_response, json_response

RULE = {
    "id": "rule-1",
    "name": "Error Notification",
    "description": "Send notification when errors occur",
    "condition": {"type": "log_level", "parameters": {"level": "ERROR"}},
    "actions": [{"action_id": "action-123", "parameters": {"channel": "slack"}}],
    "enabled": True,
    "cooldown_seconds": 0,
    "created_at": "2024-01-01T00:00:00Z",
    "updated_at": "2024-01-01T00:00:00Z",
    "last_triggered_at": None,
}
ACTION = {
    "id": "action-1",
    "name": "Slack Notification",
    "description": "Send notification to Slack",
    "type": "slack",
    "parameters": {"webhook": "https://hooks.slack.com/services/x", "channel": "#alerts"},
    "created_at": "2024-01-01T00:00:00Z",
    "updated_at": "2024-01-01T00:00:00Z",
}
EXECUTION = {
    "id": "exec-1",
    "action_id": "action-1",
    "rule_id": None,
    "status": "succeeded",
    "result": {"status_code": 200},
    "error": None,
    "executed_at": "2024-01-01T00:00:00Z",
}


def _query(request: Request) -> dict[str, list[str]]:
    return parse_qs(urlsplit(request.url).query, keep_blank_values=True)


def _page(items: list[dict[str, object]], total: int, limit: int, offset: int) -> Response:
    return json_response(
        envelope(items, total=total, limit=limit, offset=offset, has_more=offset + limit < total)
    )


def test_search_sends_the_sdk_spec_example_as_query_parameters(
    httpserver: HTTPServer, client: NeuralLog
) -> None:
    httpserver.expect_request("/v1/logs/search", method="GET").respond_with_response(
        _page([entry(1), entry(2)], total=12, limit=10, offset=0)
    )
    logs = client.logs.search(
        query="error",
        filter={"level": ["ERROR", "FATAL"], "source": ["api-service", "auth-service"]},
        time_range={"start": "2023-04-01T00:00:00Z", "end": "2023-04-08T23:59:59Z"},
        sort=[{"field": "timestamp", "order": "desc"}],
        limit=10,
    )
    [(request, _)] = httpserver.log
    assert _query(request) == {
        "query": ["error"],
        "filter": ['{"level":["ERROR","FATAL"],"source":["api-service","auth-service"]}'],
        "from": ["2023-04-01T00:00:00+00:00"],
        "to": ["2023-04-08T23:59:59+00:00"],
        "sort": ["timestamp:desc"],
        "limit": ["10"],
        "offset": ["0"],
    }
    assert request.headers["X-API-Key"] == API_KEY
    assert "Authorization" not in request.headers
    assert request.headers["User-Agent"].startswith("neurallog-python/")

    lines = [f"{log['timestamp']} [{log['level']}] {log['message']}" for log in logs]
    assert lines == ["2024-01-01T00:00:01Z [ERROR] error 1", "2024-01-01T00:00:02Z [ERROR] error 2"]
    assert (len(logs), logs.total, logs.has_more, logs.limit, logs.offset) == (2, 12, True, 10, 0)
    assert logs[0]["id"] == "log-1"
    assert logs.request_id == "req-1"
    assert isinstance(logs, list)
    assert logs == [entry(1), entry(2)]


def test_pages_are_fetched_lazily_one_at_a_time(httpserver: HTTPServer, client: NeuralLog) -> None:
    all_entries = [entry(n) for n in range(5)]

    def handler(request: Request) -> Response:
        offset = int(_query(request)["offset"][0])
        return _page(all_entries[offset : offset + 2], total=5, limit=2, offset=offset)

    httpserver.expect_request("/v1/logs").respond_with_handler(handler)
    page = client.logs.list(filter={"source": "api-service"}, limit=2)
    assert len(httpserver.log) == 1

    walked = page.iter_all()
    assert [next(walked)["id"], next(walked)["id"]] == ["log-0", "log-1"]
    assert len(httpserver.log) == 1  # the second page is not fetched until it is needed
    assert next(walked)["id"] == "log-2"
    assert len(httpserver.log) == 2
    assert [e["id"] for e in walked] == ["log-3", "log-4"]
    assert [int(_query(r)["offset"][0]) for r, _ in httpserver.log] == [0, 2, 4]
    # Every page keeps the original filter and size.
    assert {_query(r)["filter"][0] for r, _ in httpserver.log} == {'{"source":"api-service"}'}

    last = client.logs.list(limit=2, offset=4)
    assert last.has_more is False
    assert last.next_page() is None


def test_next_page(httpserver: HTTPServer, client: NeuralLog) -> None:
    httpserver.expect_ordered_request(
        "/v1/logs/search", query_string={"query": "error", "limit": "2", "offset": "0"}
    ).respond_with_response(_page([entry(1), entry(2)], total=3, limit=2, offset=0))
    httpserver.expect_ordered_request(
        "/v1/logs/search", query_string={"query": "error", "limit": "2", "offset": "2"}
    ).respond_with_response(_page([entry(3)], total=3, limit=2, offset=2))
    first = client.logs.search(query="error", limit=2)
    second = first.next_page()
    assert second is not None
    assert [e["id"] for e in second] == ["log-3"]
    assert (second.offset, second.total, second.has_more) == (2, 3, False)
    assert second.next_page() is None


def test_a_page_that_claims_more_but_is_empty_ends_the_walk(
    httpserver: HTTPServer, client: NeuralLog
) -> None:
    # One answer only: a walk that asked again would get pytest-httpserver's 500 and fail,
    # rather than hang asking for the same empty page forever.
    httpserver.expect_oneshot_request("/v1/rules").respond_with_json(
        envelope([], total=5, limit=10, offset=0, has_more=True)
    )
    assert list(client.rules.list().iter_all()) == []
    assert len(httpserver.log) == 1


def test_validation_errors_carry_the_servers_details(
    httpserver: HTTPServer, client: NeuralLog
) -> None:
    httpserver.expect_request("/v1/rules", method="POST").respond_with_response(
        error_response(
            422,
            "validation_error",
            "the rule is invalid",
            [{"field": "body.condition.type", "message": "must be one of log_level, ..."}],
        )
    )
    with pytest.raises(ValidationError) as caught:
        client.rules.create(name="r", condition={"type": "nope", "parameters": {}})
    error = caught.value
    assert (error.status, error.code, error.request_id) == (422, "validation_error", "req-1")
    assert error.errors == [
        {"field": "body.condition.type", "message": "must be one of log_level, ..."}
    ]
    assert "body.condition.type" in str(error)


def test_bad_request_and_not_found(httpserver: HTTPServer, client: NeuralLog) -> None:
    httpserver.expect_request("/v1/logs/search").respond_with_response(
        error_response(400, "bad_request", "malformed query")
    )
    httpserver.expect_request("/v1/logs/nope").respond_with_response(
        error_response(404, "not_found", "no such log entry")
    )
    with pytest.raises(ValidationError, match="malformed query") as caught:
        client.logs.search(query='"unbalanced')
    assert caught.value.status == 400
    with pytest.raises(NotFoundError):
        client.logs.get("nope")


def test_server_errors_are_retried_then_raised(httpserver: HTTPServer, client: NeuralLog) -> None:
    httpserver.expect_ordered_request("/v1/rules/rule-1").respond_with_response(
        error_response(503, "unavailable", "try later")
    )
    httpserver.expect_ordered_request("/v1/rules/rule-1").respond_with_json(envelope(RULE))
    assert client.rules.get("rule-1") == RULE

    httpserver.expect_request("/v1/rules/rule-2").respond_with_response(
        error_response(500, "internal_error", "boom")
    )
    with pytest.raises(ServerError):
        client.rules.get("rule-2")
    assert sum(r.path == "/v1/rules/rule-2" for r, _ in httpserver.log) == 3  # 1 + 2 retries


def test_a_non_json_answer_is_an_api_error(httpserver: HTTPServer, client: NeuralLog) -> None:
    httpserver.expect_request("/v1/actions/a1").respond_with_data(
        "<html>proxy</html>", content_type="text/html"
    )
    with pytest.raises(Exception, match="not JSON") as caught:
        client.actions.get("a1")
    assert type(caught.value).__name__ == "UnexpectedResponseError"
    assert isinstance(caught.value, ApiError)


def test_logs_get_delete_and_ingest(httpserver: HTTPServer, client: NeuralLog) -> None:
    # The server decodes the path; the raw request line shows the slash was escaped.
    httpserver.expect_request("/v1/logs/a/b").respond_with_json(envelope(entry(1)))
    assert client.logs.get("a/b")["id"] == "log-1"
    assert httpserver.log[0][0].environ["RAW_URI"] == "/v1/logs/a%2Fb"

    httpserver.expect_request("/v1/logs", method="DELETE").respond_with_json(
        envelope({"deleted": 3})
    )
    assert client.logs.delete({"level": "DEBUG"}, time_range="7d") == {"deleted": 3}
    assert client.logs.delete(all=True) == {"deleted": 3}
    deletes = [r for r, _ in httpserver.log if r.method == "DELETE"]
    first = _query(deletes[0])
    assert first["filter"] == ['{"level":"DEBUG"}']
    assert "from" in first
    assert "all" not in first
    assert _query(deletes[1]) == {"all": ["true"]}

    ids = ["id-1", None]
    httpserver.expect_request("/v1/logs", method="POST").respond_with_json(
        envelope(
            {
                "accepted": 1,
                "duplicates": 0,
                "rejected": [{"index": 1, "code": "validation_error", "message": "bad"}],
                "ids": ids,
            }
        ),
        status=202,
    )
    result = client.logs.ingest(
        [{"level": "INFO", "message": "ok"}, {"level": "INFO", "message": "x", "extra": 1}]
    )
    assert result["accepted"] == 1
    assert result["rejected"][0]["index"] == 1
    post = next(r for r, _ in httpserver.log if r.method == "POST")
    assert orjson.loads(post.data) == {
        "logs": [{"level": "INFO", "message": "ok"}, {"level": "INFO", "message": "x", "extra": 1}]
    }
    assert post.headers["Idempotency-Key"]


def test_rules_wire(httpserver: HTTPServer, client: NeuralLog) -> None:
    httpserver.expect_request("/v1/rules", method="POST").respond_with_json(
        envelope(RULE), status=201
    )
    httpserver.expect_request("/v1/rules/rule-1", method="PATCH").respond_with_json(
        envelope({**RULE, "enabled": False})
    )
    httpserver.expect_request("/v1/rules/rule-1", method="DELETE").respond_with_data(status=204)
    httpserver.expect_request("/v1/rules", method="GET").respond_with_response(
        _page([RULE], total=1, limit=10, offset=0)
    )
    httpserver.expect_request("/v1/rules/rule-1/test", method="POST").respond_with_json(
        envelope({"matched": True, "actions": []})
    )
    httpserver.expect_request("/v1/rules/rule-1/enable", method="POST").respond_with_json(
        envelope(RULE)
    )
    httpserver.expect_request("/v1/rules/rule-1/disable", method="POST").respond_with_json(
        envelope({**RULE, "enabled": False})
    )

    rule = client.rules.create(
        name="Error Notification",
        description="Send notification when errors occur",
        condition={"type": "log_level", "parameters": {"level": "ERROR"}},
        actions=[
            {
                "action_id": "action-123",
                "parameters": {"channel": "slack", "message": "Error detected: {{log.message}}"},
            }
        ],
        enabled=True,
    )
    assert rule["id"] == "rule-1"
    updated = client.rules.update(rule_id=rule["id"], enabled=False)
    assert updated["enabled"] is False
    client.rules.update(rule["id"], description=None, cooldown_seconds=60)
    assert client.rules.delete(rule["id"]) is None
    rules = client.rules.list(filter={"enabled": True}, limit=10)
    assert rules.total == 1
    result = client.rules.test(
        rule_id=rule["id"],
        sample_data={"level": "ERROR", "message": "Test error message", "source": "api-service"},
    )
    assert result == {"matched": True, "actions": []}
    assert client.rules.enable("rule-1")["enabled"] is True
    assert client.rules.disable("rule-1")["enabled"] is False

    bodies = {
        (r.method, r.path, i): (orjson.loads(r.data) if r.data else None, _query(r))
        for i, (r, _) in enumerate(httpserver.log)
    }
    items = list(bodies.values())
    assert items[0][0] == {
        "name": "Error Notification",
        "description": "Send notification when errors occur",
        "condition": {"type": "log_level", "parameters": {"level": "ERROR"}},
        "actions": [
            {
                "action_id": "action-123",
                "parameters": {"channel": "slack", "message": "Error detected: {{log.message}}"},
            }
        ],
        "enabled": True,
    }
    assert items[1][0] == {"enabled": False}  # PATCH sends only the given fields
    assert items[2][0] == {"description": None, "cooldown_seconds": 60}
    assert items[4][1] == {"enabled": ["true"], "limit": ["10"], "offset": ["0"]}
    assert items[5][0] == {
        "sample_data": {"level": "ERROR", "message": "Test error message", "source": "api-service"}
    }


def test_actions_wire(httpserver: HTTPServer, client: NeuralLog) -> None:
    httpserver.expect_request("/v1/actions", method="POST").respond_with_json(
        envelope(ACTION), status=201
    )
    httpserver.expect_request("/v1/actions/action-1/execute", method="POST").respond_with_json(
        envelope(EXECUTION)
    )
    httpserver.expect_request("/v1/actions/action-1/executions").respond_with_response(
        _page([EXECUTION], total=1, limit=5, offset=0)
    )
    httpserver.expect_request("/v1/actions", method="GET").respond_with_response(
        _page([ACTION], total=1, limit=10, offset=0)
    )
    httpserver.expect_request("/v1/actions/action-1", method="PATCH").respond_with_json(
        envelope({**ACTION, "name": "renamed"})
    )
    httpserver.expect_request("/v1/actions/action-1", method="DELETE").respond_with_data(status=204)

    action = client.actions.create(
        name="Slack Notification",
        description="Send notification to Slack",
        type="slack",
        parameters={"webhook": "https://hooks.slack.com/services/...", "channel": "#alerts"},
    )
    result = client.actions.execute(
        action_id=action["id"],
        parameters={"message": "Custom alert message"},
        context={"source": "manual-trigger"},
    )
    assert result["status"] == "succeeded"
    history = client.actions.executions("action-1", limit=5, status="succeeded", rule_id="rule-1")
    assert history.total == 1
    assert client.actions.list(filter={"type": "slack"}).total == 1
    assert client.actions.update("action-1", name="renamed")["name"] == "renamed"
    assert client.actions.delete("action-1") is None

    log = [(r, orjson.loads(r.data) if r.data else None) for r, _ in httpserver.log]
    assert log[0][1] == {
        "name": "Slack Notification",
        "type": "slack",
        "parameters": {"webhook": "https://hooks.slack.com/services/...", "channel": "#alerts"},
        "description": "Send notification to Slack",
    }
    assert log[1][1] == {
        "parameters": {"message": "Custom alert message"},
        "context": {"source": "manual-trigger"},
    }
    assert _query(log[2][0]) == {
        "status": ["succeeded"],
        "rule_id": ["rule-1"],
        "limit": ["5"],
        "offset": ["0"],
    }
    assert _query(log[3][0]) == {"type": ["slack"], "limit": ["10"], "offset": ["0"]}
    assert log[4][1] == {"name": "renamed"}
