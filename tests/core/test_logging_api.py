"""The logging methods users call: exceptions, keyword fields, bind(), the message rule.

Every record goes through a real HTTP sink; what the tests check is what the API received.
"""

from __future__ import annotations

import logging
import sys
from datetime import UTC, datetime
from typing import Any

import pytest

from neurallog import LogBatch, NeuralLog, context
from neurallog._levels import LEVEL_NAMES
from neurallog.async_client import AsyncBoundLogger, AsyncNeuralLog
from neurallog.client import BoundLogger
from neurallog.integrations.logging import NeuralLogHandler

from .conftest import ClientFactory, Sink


def _entries(sink: Sink, client: NeuralLog) -> list[dict[str, Any]]:
    assert client.flush(5)
    return sorted(sink.entries, key=lambda entry: entry["id"])  # ids are time-ordered


def _only(sink: Sink, client: NeuralLog) -> dict[str, Any]:
    (entry,) = _entries(sink, client)
    return entry


def _fail_with_cause() -> None:
    try:
        {}["missing"]
    except KeyError as exc:
        raise RuntimeError("could not load the user") from exc


# -- one definition -----------------------------------------------------------------------------

SYNC_LOGGERS = [NeuralLog, LogBatch, BoundLogger]
METHODS = [name.lower() for name in LEVEL_NAMES.values()] + [
    "warning",
    "critical",
    "exception",
    "log",
    "bind",
]


@pytest.mark.parametrize("name", METHODS)
def test_every_logger_has_the_same_methods_from_one_definition(name: str) -> None:
    from neurallog.integrations.fastapi import NeuralLogFastAPI
    from neurallog.integrations.flask import NeuralLogFlask

    sync = {getattr(cls, name) for cls in [*SYNC_LOGGERS, NeuralLogFlask]}
    # One function object, not copies (a bound logger's bind() adds to its own fields).
    assert len(sync) == (2 if name == "bind" else 1)
    awaitable = {getattr(cls, name) for cls in (AsyncNeuralLog, AsyncBoundLogger)}
    awaitable.add(getattr(NeuralLogFastAPI, name))
    assert len(awaitable) == 1


def test_the_level_methods_send_their_level(sink: Sink, make_client: ClientFactory) -> None:
    client = make_client(log_level="DEBUG")
    for name in ("debug", "info", "warn", "warning", "error", "fatal", "critical"):
        getattr(client, name)(name)
    levels = {entry["message"]: entry["level"] for entry in _entries(sink, client)}
    assert levels == {
        "debug": "DEBUG",
        "info": "INFO",
        "warn": "WARN",
        "warning": "WARN",
        "error": "ERROR",
        "fatal": "FATAL",
        "critical": "FATAL",
    }


# -- exceptions ---------------------------------------------------------------------------------


def test_exception_sends_error_with_the_active_exception_and_its_causes(
    sink: Sink, make_client: ClientFactory
) -> None:
    client = make_client()
    try:
        _fail_with_cause()
    except RuntimeError:
        client.exception("Loading failed", {"user_id": "123"}, attempt=2)
    entry = _only(sink, client)
    assert entry["level"] == "ERROR"
    assert entry["message"] == "Loading failed"
    metadata = entry["metadata"]
    assert metadata["user_id"] == "123"
    assert metadata["attempt"] == 2
    exception = metadata["exception"]
    assert exception["type"] == "RuntimeError"
    assert exception["message"] == "could not load the user"
    text = exception["traceback"]
    assert "KeyError: 'missing'" in text  # the cause, as Python prints the chain
    assert "direct cause of the following exception" in text
    assert text.rstrip().endswith("RuntimeError: could not load the user")
    assert "_fail_with_cause" in text


def test_exception_outside_except_sends_an_error_without_exception(
    sink: Sink, make_client: ClientFactory
) -> None:
    client = make_client()
    client.exception("No exception here")
    entry = _only(sink, client)
    assert entry["level"] == "ERROR"
    assert "metadata" not in entry


@pytest.mark.parametrize("form", ["true", "exception", "tuple"])
def test_exc_info_accepts_what_logging_accepts(
    sink: Sink, make_client: ClientFactory, form: str
) -> None:
    client = make_client()
    try:
        raise ValueError("bad input")
    except ValueError as exc:
        given: Any = {"true": True, "exception": exc, "tuple": sys.exc_info()}[form]
    if form == "true":
        try:
            raise ValueError("bad input")
        except ValueError:
            client.warn("Retrying", exc_info=given)
    else:
        client.warn("Retrying", exc_info=given)  # outside the except block
    entry = _only(sink, client)
    assert entry["level"] == "WARN"
    assert entry["metadata"]["exception"]["type"] == "ValueError"
    assert entry["metadata"]["exception"]["message"] == "bad input"
    assert "raise ValueError" in entry["metadata"]["exception"]["traceback"]


def test_exc_info_of_another_kind_is_refused(make_client: ClientFactory) -> None:
    client = make_client()
    with pytest.raises(TypeError, match="exc_info must be True"):
        client.error("x", exc_info="yes")  # type: ignore[arg-type]
    client.error("x", exc_info=False)  # no exception, as in logging
    assert client.stats.enqueued == 1


def test_exceptions_anywhere_in_metadata_carry_type_message_and_traceback(
    sink: Sink, make_client: ClientFactory
) -> None:
    client = make_client()
    try:
        _fail_with_cause()
    except RuntimeError as exc:
        caught = exc
    client.error("Failed", {"error": caught, "nested": {"errors": [ZeroDivisionError("zero")]}})
    metadata = _only(sink, client)["metadata"]
    assert metadata["error"]["type"] == "RuntimeError"
    assert metadata["error"]["message"] == "could not load the user"
    assert "KeyError: 'missing'" in metadata["error"]["traceback"]
    (never_raised,) = metadata["nested"]["errors"]
    assert never_raised == {
        "type": "ZeroDivisionError",
        "message": "zero",
        "traceback": "ZeroDivisionError: zero",
    }


def test_the_client_and_the_logging_handler_send_the_same_exception_shape(
    sink: Sink, make_client: ClientFactory
) -> None:
    client = make_client()
    logger = logging.getLogger("tests.same_shape")
    logger.propagate = False
    handler = NeuralLogHandler(client)
    logger.addHandler(handler)
    try:
        try:
            _fail_with_cause()
        except RuntimeError:
            client.exception("from the client")
            logger.exception("from the handler")
    finally:
        logger.removeHandler(handler)
    by_message = {entry["message"]: entry for entry in _entries(sink, client)}
    ours = by_message["from the client"]["metadata"]["exception"]
    theirs = by_message["from the handler"]["metadata"]["exception"]
    assert ours.keys() == theirs.keys() == {"type", "message", "traceback"}
    assert ours["type"] == theirs["type"]
    assert ours["message"] == theirs["message"]
    # The same chain; only the frame of the call differs.
    assert ours["traceback"].splitlines()[-3:] == theirs["traceback"].splitlines()[-3:]


def test_exception_on_a_batch_and_a_bound_logger(sink: Sink, make_client: ClientFactory) -> None:
    client = make_client()
    try:
        raise OSError("disk full")
    except OSError:
        with client.batch() as batch:
            batch.exception("in a batch")
        client.bind(job="export").exception("bound")
    entries = {entry["message"]: entry for entry in _entries(sink, client)}
    for message in ("in a batch", "bound"):
        assert entries[message]["level"] == "ERROR"
        assert entries[message]["metadata"]["exception"]["type"] == "OSError"
    assert entries["bound"]["metadata"]["job"] == "export"


def test_exception_below_log_level_is_dropped_at_the_call(make_client: ClientFactory) -> None:
    client = make_client(log_level="FATAL")
    try:
        raise ValueError("x")
    except ValueError:
        client.exception("ignored")
    assert client.stats.enqueued == 0


# -- keyword fields -----------------------------------------------------------------------------


def test_keyword_fields_become_metadata(sink: Sink, make_client: ClientFactory) -> None:
    client = make_client()
    client.info("User logged in", user_id="123", admin=False)
    assert _only(sink, client)["metadata"] == {"user_id": "123", "admin": False}


def test_keyword_fields_win_over_metadata_keys(sink: Sink, make_client: ClientFactory) -> None:
    client = make_client()
    given = {"user_id": "1", "ip": "10.0.0.1"}
    client.info("Login", given, user_id="2")
    assert _only(sink, client)["metadata"] == {"user_id": "2", "ip": "10.0.0.1"}
    assert given == {"user_id": "1", "ip": "10.0.0.1"}  # the caller's dict is not changed


def test_the_methods_own_keywords_keep_their_meaning(
    sink: Sink, make_client: ClientFactory
) -> None:
    client = make_client()
    when = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    client.info("Imported", source="importer", tags=["batch"], timestamp=when, rows=3)
    client.log("WARN", "Slow", {"ms": 840}, "db", ["perf"], "2024-01-02T03:04:05Z", host="db-1")
    first, second = _entries(sink, client)
    assert first["source"] == "importer"
    assert first["tags"] == ["batch"]
    assert first["timestamp"] == "2024-01-02T03:04:05.000000Z"
    assert first["metadata"] == {"rows": 3}
    assert second["level"] == "WARN"
    assert second["source"] == "db"
    assert second["tags"] == ["perf"]
    assert second["metadata"] == {"ms": 840, "host": "db-1"}


def test_the_spec_forms_work_as_before(sink: Sink, make_client: ClientFactory) -> None:
    client = make_client()
    client.log(
        level="ERROR",
        message="Database connection failed",
        source="database-service",
        metadata={"error_code": "DB_CONN_FAILED"},
        tags=["database"],
    )
    client.info("User logged in", {"user_id": "123"})
    client.error("Operation failed", metadata={"error_code": "OP_FAILED"})
    first, second, third = _entries(sink, client)
    assert first["level"] == "ERROR"
    assert first["source"] == "database-service"
    assert first["tags"] == ["database"]
    assert first["metadata"] == {"error_code": "DB_CONN_FAILED"}
    assert second["metadata"] == {"user_id": "123"}
    assert third["metadata"] == {"error_code": "OP_FAILED"}


def test_metadata_is_still_checked_when_fields_are_given(make_client: ClientFactory) -> None:
    client = make_client()
    with pytest.raises(TypeError, match="metadata must be a dict or None, got list"):
        client.info("x", ["not", "a", "mapping"], user_id="1")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="tags must be a list of strings"):
        client.info("x", tags="one", user_id="1")
    assert client.stats.enqueued == 0


def test_field_precedence_from_context_to_keywords(sink: Sink, make_client: ClientFactory) -> None:
    client = make_client()
    client.configure_context({"a": "configured", "b": "configured", "c": "configured"})
    bound = client.bind(b="bound", c="bound", d="bound", e="bound")
    with context.scope(c="scoped", d="scoped"):
        bound.info("x", {"d": "metadata", "e": "metadata"}, e="keyword")
    assert _only(sink, client)["metadata"] == {
        "a": "configured",
        "b": "bound",
        "c": "bound",
        "d": "metadata",
        "e": "keyword",
    }


# -- bind ---------------------------------------------------------------------------------------


def test_bind_returns_a_view_sharing_the_clients_queue(
    sink: Sink, make_client: ClientFactory
) -> None:
    client = make_client(source="api")
    request_log = client.bind(request_id="r-1")
    user_log = request_log.bind(user_id="123")
    user_log.info("Loaded user", cache="miss")
    request_log.warn("Slow request")
    client.info("Unbound")
    assert user_log.fields == {"request_id": "r-1", "user_id": "123"}
    assert request_log.fields == {"request_id": "r-1"}  # binding more makes a new view
    assert client.stats.enqueued == 3  # one queue
    loaded, slow, unbound = _entries(sink, client)
    assert loaded["metadata"] == {"request_id": "r-1", "user_id": "123", "cache": "miss"}
    assert loaded["source"] == "api"
    assert slow["metadata"] == {"request_id": "r-1"}
    assert "metadata" not in unbound


def test_a_bound_logger_follows_the_clients_level(make_client: ClientFactory) -> None:
    client = make_client(log_level="WARN")
    bound = client.bind(user_id="1")
    bound.info("dropped at the call")
    bound.debug("dropped too")
    bound.error("kept")
    assert client.stats.enqueued == 1


def test_bind_on_a_batch_collects_into_the_batch(sink: Sink, make_client: ClientFactory) -> None:
    client = make_client()
    with client.batch() as batch:
        batch.bind(step="load").info("Step done", rows=10)
        assert len(batch) == 1
        assert client.stats.enqueued == 0  # collected, not yet enqueued
    assert batch.delivered
    assert sink.entries[0]["metadata"] == {"step": "load", "rows": 10}


def test_bound_fields_are_read_only(make_client: ClientFactory) -> None:
    bound = make_client().bind(a=1)
    with pytest.raises(TypeError):
        bound.fields["a"] = 2  # type: ignore[index]
    assert "a" in repr(bound)


@pytest.mark.anyio
async def test_the_async_client_has_the_same_methods(sink: Sink) -> None:
    async with AsyncNeuralLog(api_key="k", endpoint=sink.url, batch_interval=0.05) as client:
        await client.info("Async fields", user_id="1")
        bound = client.bind(job="sync")
        await bound.warn("Async bound", step=2)
        try:
            raise KeyError("k")
        except KeyError:
            await client.exception("Async exception")
        assert await client.flush(5)
    entries = {entry["message"]: entry for entry in sink.entries}
    assert entries["Async fields"]["metadata"] == {"user_id": "1"}
    assert entries["Async bound"]["metadata"] == {"job": "sync", "step": 2}
    assert entries["Async exception"]["metadata"]["exception"]["type"] == "KeyError"


# -- the message rule ---------------------------------------------------------------------------


class Point:
    def __str__(self) -> str:
        return "Point(1, 2)"


def test_a_non_string_message_is_sent_as_str_everywhere(
    sink: Sink, make_client: ClientFactory
) -> None:
    client = make_client()
    logger = logging.getLogger("tests.message_rule")
    logger.propagate = False
    logger.setLevel(logging.INFO)
    handler = NeuralLogHandler(client, source="handler")
    logger.addHandler(handler)
    try:
        for value in (None, {"msg": "x"}, 42, Point(), ValueError("boom")):
            client.info(value)
            client.bind(b=1).info(value)
            with client.batch() as batch:
                batch.info(value)
            logger.info(value)
    finally:
        logger.removeHandler(handler)
    messages = sorted(entry["message"] for entry in _entries(sink, client))
    expected = ["None", "{'msg': 'x'}", "42", "Point(1, 2)", "boom"]
    assert messages == sorted(expected * 4)
