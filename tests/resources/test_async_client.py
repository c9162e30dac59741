"""AsyncNeuralLog: the same surface as NeuralLog, awaited; logging only enqueues."""

from __future__ import annotations

import gzip
import inspect
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import orjson
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from neurallog.async_client import AsyncNeuralLog
from neurallog.client import NeuralLog
from neurallog.exceptions import NotFoundError, ValidationError

from .conftest import API_KEY, entry, envelope, error_response, json_response
from .test_wire import ACTION, EXECUTION, RULE


@pytest.fixture
async def aclient(endpoint: str) -> AsyncIterator[AsyncNeuralLog]:
    async with AsyncNeuralLog(
        api_key=API_KEY, endpoint=endpoint, retries=2, max_retry_delay=0.01
    ) as client:
        yield client


def _ingested(httpserver: HTTPServer) -> list[dict[str, Any]]:
    found = []
    for request, _ in httpserver.log:
        if request.method == "POST" and request.path == "/v1/logs":
            body = request.get_data()
            if request.headers.get("Content-Encoding") == "gzip":
                body = gzip.decompress(body)
            found.extend(orjson.loads(body)["logs"])
    return found


def _accept_logs(request: Request) -> Response:
    body = request.get_data()
    if request.headers.get("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    ids = [e.get("id") for e in orjson.loads(body)["logs"]]
    return json_response(
        envelope({"accepted": len(ids), "duplicates": 0, "rejected": [], "ids": ids}), 202
    )


def test_importable_as_the_sdk_spec_says() -> None:
    import neurallog

    assert neurallog.AsyncNeuralLog is AsyncNeuralLog
    # Same constructor arguments as NeuralLog, forwarded.
    assert inspect.signature(AsyncNeuralLog) == inspect.signature(NeuralLog)


@pytest.mark.anyio
async def test_info_only_enqueues_and_flush_delivers(
    httpserver: HTTPServer, aclient: AsyncNeuralLog
) -> None:
    httpserver.expect_request("/v1/logs", method="POST").respond_with_handler(_accept_logs)

    call = aclient.info("User logged in", {"user_id": "123"})
    # The coroutine finishes on its first step: it never waits on I/O in the event loop.
    with pytest.raises(StopIteration):
        call.send(None)

    await aclient.error("Operation failed", {"error_code": "OP_FAILED"}, source="billing")
    await aclient.log(level="WARN", message="slow", metadata={"ms": 900}, tags=["perf"])
    assert await aclient.flush(timeout=10) is True
    sent = _ingested(httpserver)
    assert [(e["level"], e["message"]) for e in sent] == [
        ("INFO", "User logged in"),
        ("ERROR", "Operation failed"),
        ("WARN", "slow"),
    ]
    assert sent[0]["metadata"]["user_id"] == "123"
    assert sent[1]["source"] == "billing"
    assert aclient.stats.sent == 3


@pytest.mark.anyio
async def test_batch_log_and_batch(httpserver: HTTPServer, aclient: AsyncNeuralLog) -> None:
    httpserver.expect_request("/v1/logs", method="POST").respond_with_handler(_accept_logs)
    ids = await aclient.logs.batch_log(
        [
            {"level": "INFO", "message": "User logged in", "metadata": {"user_id": "123"}},
            {"level": "INFO", "message": "User updated profile", "metadata": {"user_id": "123"}},
        ]
    )
    assert len(ids) == 2
    async with aclient.batch() as batch:
        batch.info("User logged out", {"user_id": "123"})
    assert batch.delivered is True
    sent = _ingested(httpserver)
    assert [e["message"] for e in sent] == [
        "User logged in",
        "User updated profile",
        "User logged out",
    ]
    assert [e["id"] for e in sent[:2]] == ids


@pytest.mark.anyio
async def test_async_with_closes_both_http_clients(endpoint: str) -> None:
    client = AsyncNeuralLog(api_key=API_KEY, endpoint=endpoint)
    async with client as entered:
        assert entered is client
        assert client._core.async_http is not None
    assert client._core._async_http is None
    assert client._core._http is None


@pytest.mark.anyio
async def test_search_pages_and_errors(httpserver: HTTPServer, aclient: AsyncNeuralLog) -> None:
    everything = [entry(n) for n in range(5)]

    def handler(request: Request) -> Response:
        query = parse_qs(urlsplit(request.url).query)
        assert query["query"] == ["error"]
        offset = int(query["offset"][0])
        return json_response(
            envelope(
                everything[offset : offset + 2],
                total=5,
                limit=2,
                offset=offset,
                has_more=offset + 2 < 5,
            )
        )

    httpserver.expect_request("/v1/logs/search").respond_with_handler(handler)
    logs = await aclient.logs.search(query="error", limit=2)
    assert [log["id"] for log in logs] == ["log-0", "log-1"]  # this page
    assert (logs.total, logs.has_more) == (5, True)
    assert len(httpserver.log) == 1
    assert [log["id"] async for log in logs] == ["log-0", "log-1"]  # this page, as `for` does
    assert [log["id"] async for log in logs.iter_all()] == [f"log-{n}" for n in range(5)]
    nxt = await logs.next_page()
    assert nxt is not None
    assert nxt.offset == 2

    httpserver.expect_request("/v1/logs/missing").respond_with_response(
        error_response(404, "not_found", "no such entry")
    )
    with pytest.raises(NotFoundError):
        await aclient.logs.get("missing")


@pytest.mark.anyio
async def test_rules_and_actions(httpserver: HTTPServer, aclient: AsyncNeuralLog) -> None:
    httpserver.expect_request("/v1/rules", method="POST").respond_with_json(envelope(RULE), 201)
    httpserver.expect_request("/v1/rules/rule-1", method="PATCH").respond_with_json(
        envelope({**RULE, "enabled": False})
    )
    httpserver.expect_request("/v1/actions/action-1/execute").respond_with_json(envelope(EXECUTION))
    httpserver.expect_request("/v1/actions", method="POST").respond_with_response(
        error_response(
            422,
            "validation_error",
            "invalid action",
            [{"field": "body.type", "message": "must be webhook, slack or log"}],
        )
    )
    httpserver.expect_request("/v1/actions/action-1", method="GET").respond_with_json(
        envelope(ACTION)
    )

    rule = await aclient.rules.create(
        name="Error Notification",
        condition={"type": "log_level", "parameters": {"level": "ERROR"}},
    )
    assert (await aclient.rules.update(rule_id=rule["id"], enabled=False))["enabled"] is False
    assert (await aclient.actions.get("action-1"))["type"] == "slack"
    result = await aclient.actions.execute(
        action_id="action-1",
        parameters={"message": "Custom alert message"},
        context={"source": "manual-trigger"},
    )
    assert result["status"] == "succeeded"
    with pytest.raises(ValidationError) as caught:
        await aclient.actions.create(name="x", type="email")
    assert caught.value.errors[0]["field"] == "body.type"
    patch = next(r for r, _ in httpserver.log if r.method == "PATCH")
    assert orjson.loads(patch.data) == {"enabled": False}
