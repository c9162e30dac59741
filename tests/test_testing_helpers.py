"""neurallog.testing: capture() without a server, and the pytest fixtures with Local."""

from __future__ import annotations

import logging

import pytest

from neurallog import NeuralLog, context
from neurallog.integrations.logging import NeuralLogHandler
from neurallog.testing import capture
from neurallog.testing.pytest_plugin import AssertLogged


def test_capture_records_entries_as_encoded_and_sends_nothing() -> None:
    # Port 9 on loopback: anything actually sent would fail and be counted as dropped.
    client = NeuralLog(
        api_key="k",
        endpoint="http://127.0.0.1:9/v1",
        source="billing",
        tags=["svc"],
        retries=0,
        redact_keys={"password"},
    )
    try:
        log = client.bind(component="cart")
        with capture(client) as logs, context.scope(request={"id": "r-1"}):
            client.info("User logged in", user_id="123")
            log.warn("cart is big", {"items": 40, "password": "hunter2"})
            try:
                1 / 0  # noqa: B018
            except ZeroDivisionError:
                client.exception("division failed")
        first, second, third = logs.entries
        assert first["message"] == "User logged in"
        assert first["level"] == "INFO"
        assert first["source"] == "billing"
        assert first["tags"] == ["svc"]
        assert first["metadata"] == {"request": {"id": "r-1"}, "user_id": "123"}
        assert first["id"]
        assert first["timestamp"]
        # Bound fields made before the block, and redaction, as on the wire.
        assert second["metadata"]["component"] == "cart"
        assert second["metadata"]["password"] != "hunter2"
        assert third["level"] == "ERROR"
        assert third["metadata"]["exception"]["type"] == "ZeroDivisionError"
        assert logs.find(level="WARN", items=40) == [second]
        assert client.stats.sent == 3
        assert client.stats.dropped_total == 0
    finally:
        client.close(timeout=1)


def test_capture_covers_batches_and_the_logging_handler() -> None:
    client = NeuralLog(api_key="k", endpoint="http://127.0.0.1:9/v1", retries=0)
    logger = logging.getLogger("tests.capture")
    logger.propagate = False
    handler = NeuralLogHandler(client)
    logger.addHandler(handler)
    try:
        with capture(client) as logs:
            with client.batch() as batch:
                batch.info("one")
                batch.info("two")
            logger.error("from stdlib logging")
        assert logs.messages == ["one", "two", "from stdlib logging"]
    finally:
        logger.removeHandler(handler)
        client.close(timeout=1)


def test_nested_captures_each_get_their_own_entries() -> None:
    with capture() as outer:
        outer.client.info("before")
        with capture(outer.client) as inner:
            outer.client.info("inside")
        outer.client.info("after")
    assert inner.messages == ["before", "inside"]  # pending when the inner block began
    assert outer.messages == ["after"]
    assert outer.client.stats.sent == 3


def test_capture_without_a_client_makes_its_own() -> None:
    with capture() as logs:
        logs.client.debug("hello", n=1)
    assert [(e["level"], e["message"], e["metadata"]) for e in logs] == [
        ("DEBUG", "hello", {"n": 1})
    ]


def test_capture_rejects_what_is_not_a_client() -> None:
    with pytest.raises(TypeError, match="capture\\(\\) takes a NeuralLog"), capture("client"):
        pass


@pytest.mark.slow
def test_assert_logged_finds_a_delivered_entry(
    neurallog_client: NeuralLog, assert_logged: AssertLogged
) -> None:
    neurallog_client.info("User logged in", user_id="123", plan="pro")
    neurallog_client.error("payment failed", order=7)
    entry = assert_logged(message="payment failed", level="error", order=7)
    assert entry["level"] == "ERROR"
    assert assert_logged(user_id="123")["message"] == "User logged in"


@pytest.mark.slow
def test_assert_logged_shows_what_was_logged_when_nothing_matches(
    neurallog_client: NeuralLog, assert_logged: AssertLogged
) -> None:
    neurallog_client.info("User logged in", user_id="123")
    with pytest.raises(pytest.fail.Exception) as failed:
        assert_logged(message="User logged out", level="INFO")
    text = str(failed.value)
    assert "no entry matched message='User logged out', level='INFO'" in text
    assert "1 entry was logged:" in text
    assert "INFO 'User logged in' {'user_id': '123'}" in text


@pytest.mark.slow
def test_assert_logged_says_when_nothing_was_logged(assert_logged: AssertLogged) -> None:
    with pytest.raises(pytest.fail.Exception, match="nothing was logged"):
        assert_logged(message="anything")
