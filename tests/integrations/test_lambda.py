"""AWS Lambda: handlers called as the runtime calls them, against NeuralLog Local."""

from __future__ import annotations

import socket
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

import neurallog
from neurallog import NeuralLog
from neurallog.integrations.aws_lambda import lambda_handler

pytestmark = pytest.mark.slow  # NeuralLog Local


class LambdaContext:
    """The attributes and method of the context object the Python runtime passes."""

    def __init__(self, timeout_ms: int = 30_000, name: str = "orders") -> None:
        self.aws_request_id = str(uuid.uuid4())
        self.function_name = name
        self.function_version = "$LATEST"
        self.memory_limit_in_mb = "128"
        self.invoked_function_arn = f"arn:aws:lambda:eu-west-1:123456789012:function:{name}"
        self.log_group_name = f"/aws/lambda/{name}"
        self.log_stream_name = "2026/12/03/[$LATEST]0123456789abcdef"
        self._deadline_ms = time.monotonic() * 1000 + timeout_ms

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int(self._deadline_ms - time.monotonic() * 1000))


@pytest.fixture
def client(neurallog_local: Any) -> Iterator[NeuralLog]:
    # A long interval: nothing is sent unless the decorator flushes.
    client = NeuralLog(
        api_key=neurallog_local.api_key,
        endpoint=neurallog_local.endpoint,
        batch_interval=600,
        batch_size=1000,
    )
    yield client
    client.close()


def _stored(client: NeuralLog, **filter: Any) -> list[dict[str, Any]]:
    return [dict(entry) for entry in client.logs.list(filter=filter or None, limit=100)]


def test_records_carry_the_invocation_and_are_delivered_before_returning(
    client: NeuralLog,
) -> None:
    @lambda_handler(client)
    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        client.info("Order received", order_id=event["order_id"])
        return {"statusCode": 200}

    first, second = LambdaContext(), LambdaContext()
    assert handler({"order_id": 7}, first) == {"statusCode": 200}
    # Delivered by the decorator: no flush here, and the client's interval is ten minutes.
    assert client.stats.sent == 1
    handler({"order_id": 8}, second)
    client.info("outside any invocation")
    assert client.flush()

    by_order = {e["metadata"].get("order_id"): e["metadata"] for e in _stored(client)}
    assert by_order[7]["lambda"] == {
        "request_id": first.aws_request_id,
        "function_name": "orders",
        "function_version": "$LATEST",
        "cold_start": True,
    }
    assert by_order[8]["lambda"]["request_id"] == second.aws_request_id
    assert by_order[8]["lambda"]["cold_start"] is False
    assert "lambda" not in by_order[None]
    assert handler.__name__ == "handler"


def test_an_escaping_exception_is_sent_once_delivered_and_reraised(client: NeuralLog) -> None:
    @lambda_handler(client)
    def handler(event: dict[str, Any], context: Any) -> None:
        client.info("validating")
        raise ValueError(f"bad event: {event!r}")

    context = LambdaContext()
    with pytest.raises(ValueError, match="bad event"):
        handler({}, context)
    assert client.stats.sent == 2  # delivered before the exception reached the runtime

    (error,) = _stored(client, level="ERROR")
    assert error["message"] == "Unhandled exception: ValueError: bad event: {}"
    assert error["metadata"]["lambda"]["request_id"] == context.aws_request_id
    exception = error["metadata"]["exception"]
    assert exception["type"] == "ValueError"
    assert "raise ValueError" in exception["traceback"]


def test_delivery_waits_no_longer_than_the_invocation_has_left() -> None:
    # A server that takes connections and never answers: an unbounded flush would wait
    # for the request's timeout and then count the record as dropped.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = silent.getsockname()[1]
        client = NeuralLog(
            api_key="k", endpoint=f"http://127.0.0.1:{port}/v1", timeout=2, retries=0
        )
        try:

            @lambda_handler(client, margin=0.05)
            def handler(event: Any, context: Any) -> str:
                client.info("about to time out")
                return "done"

            assert handler({}, LambdaContext(timeout_ms=100)) == "done"
            stats = client.stats
            assert stats.queued == 1  # still in flight: the handler did not wait it out
            assert stats.dropped_total == 0
        finally:
            client.close(timeout=0)


def test_every_client_is_delivered_and_the_bare_decorator_is_refused(
    client: NeuralLog, neurallog_local: Any
) -> None:
    other = NeuralLog(
        api_key=neurallog_local.api_key, endpoint=neurallog_local.endpoint, batch_interval=600
    )
    try:
        assert neurallog.lambda_handler is lambda_handler

        @neurallog.lambda_handler(client)
        def handler(event: Any, context: Any) -> None:
            other.warn("low stock", sku=event)  # a client of the handler's own

        handler("A-1", LambdaContext())
        assert other.stats.sent == 1
        (entry,) = _stored(client)
        assert entry["metadata"]["sku"] == "A-1"
        assert "request_id" in entry["metadata"]["lambda"]
    finally:
        other.close()
    with pytest.raises(TypeError, match=r"use @lambda_handler\(client\)"):
        lambda_handler(handler)  # type: ignore[arg-type]


def test_margin_is_checked() -> None:
    with pytest.raises(ValueError, match="margin must be a number of seconds >= 0"):
        lambda_handler(NeuralLog(api_key="k", endpoint="http://127.0.0.1:9/v1"), margin=-1)
