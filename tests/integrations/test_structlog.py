"""NeuralLogProcessor: structlog events delivered to a real HTTP server."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
import structlog

from neurallog.client import NeuralLog
from neurallog.integrations import structlog as nl_structlog
from neurallog.integrations.logging import NeuralLogHandler
from neurallog.integrations.structlog import NeuralLogProcessor

from .conftest import Collector, by_message


@pytest.fixture(autouse=True)
def reset_structlog() -> Iterator[None]:
    yield
    structlog.reset_defaults()


def test_spec_example_verbatim(
    collector: Collector, api_key: str, caplog: pytest.LogCaptureFixture
) -> None:
    # The SDK spec's "Structlog Integration" example; only the endpoint differs.
    import structlog

    from neurallog.integrations.structlog import NeuralLogProcessor

    # Configure structlog
    structlog.configure(
        processors=[
            structlog.stdlib.add_log_level,
            structlog.stdlib.add_logger_name,
            structlog.processors.TimeStamper(fmt="iso"),
            structlog.processors.StackInfoRenderer(),
            structlog.processors.format_exc_info,
            NeuralLogProcessor(api_key=api_key, endpoint=collector.endpoint),
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
    )

    # Get logger
    logger = structlog.get_logger()

    # Use structlog
    with caplog.at_level(logging.INFO):
        logger.info("Application started", app_version="1.0.0")
        logger.error("Database error", db_host="db.example.com", error_code="DB_ERROR")

    structlog.get_config()["processors"][-1].client.flush()
    entries = collector.wait_count(api_key, 2)
    started = by_message(entries, "Application started")[0]
    assert started["level"] == "INFO"
    assert started["metadata"] == {"app_version": "1.0.0", "logger": __name__}
    assert started["source"] == __name__
    assert started["timestamp"].endswith("Z")
    failed = by_message(entries, "Database error")[0]
    assert failed["level"] == "ERROR"
    assert failed["metadata"]["db_host"] == "db.example.com"
    assert failed["metadata"]["error_code"] == "DB_ERROR"

    # As the last processor it also rendered the events for the stdlib logger behind it.
    messages = [r.getMessage() for r in caplog.records if r.name == __name__]
    assert messages == [
        "Application started app_version='1.0.0'",
        "Database error db_host='db.example.com' error_code='DB_ERROR'",
    ]


def test_passes_the_event_on_unchanged(
    collector: Collector, api_key: str, client: NeuralLog
) -> None:
    seen: list[dict[str, Any]] = []

    def after(logger: Any, method: str, event: dict[str, Any]) -> dict[str, Any]:
        seen.append(dict(event))
        return event

    structlog.configure(
        processors=[
            structlog.processors.add_log_level,
            NeuralLogProcessor(client),
            after,
            structlog.processors.KeyValueRenderer(key_order=["event"]),
        ],
        logger_factory=structlog.ReturnLoggerFactory(),
    )
    logger = structlog.get_logger().bind(request_id="r-1")
    rendered = logger.warning("disk almost full", free_mb=12)
    assert seen == [
        {"event": "disk almost full", "free_mb": 12, "request_id": "r-1", "level": "warning"}
    ]
    assert rendered == "event='disk almost full' request_id='r-1' free_mb=12 level='warning'"

    entry = collector.wait_message(api_key, "disk almost full")
    assert entry["level"] == "WARN"
    assert entry["metadata"] == {"free_mb": 12, "request_id": "r-1"}


@pytest.mark.parametrize("config_object", [True, False], ids=["config-object", "get_config"])
def test_renders_only_while_it_is_the_last_processor(
    client: NeuralLog, monkeypatch: pytest.MonkeyPatch, config_object: bool
) -> None:
    # The processor reads structlog's configuration object directly (cheaper than
    # get_config()), and get_config() where a structlog version has no such object.
    if config_object:
        assert nl_structlog._STRUCTLOG_CONFIG is structlog._config._CONFIG
    else:
        monkeypatch.setattr(nl_structlog, "_STRUCTLOG_CONFIG", None)
    processor = NeuralLogProcessor(client)
    processors: list[Any] = [processor]
    structlog.configure(processors=processors, logger_factory=structlog.ReturnLoggerFactory())
    logger = structlog.get_logger()
    assert logger.info("first", n=1) == "first n=1"

    processors.append(structlog.processors.KeyValueRenderer(key_order=["event"]))
    assert logger.info("second", n=2) == "event='second' n=2"

    structlog.configure(processors=[processor])
    assert structlog.get_logger().info("third", n=3) == "third n=3"


def test_exceptions_are_rendered(collector: Collector, api_key: str, client: NeuralLog) -> None:
    structlog.configure(
        processors=[
            structlog.processors.add_log_level,
            NeuralLogProcessor(client),
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer(),
        ],
        logger_factory=structlog.ReturnLoggerFactory(),
    )
    logger = structlog.get_logger()
    try:
        raise ValueError("bad input")
    except ValueError:
        logger.exception("could not parse")

    # Already formatted by format_exc_info earlier in the chain: parsed back into fields.
    structlog.configure(
        processors=[
            structlog.processors.add_log_level,
            structlog.processors.format_exc_info,
            NeuralLogProcessor(client),
            structlog.processors.JSONRenderer(),
        ],
        logger_factory=structlog.ReturnLoggerFactory(),
    )
    try:
        raise KeyError("user")
    except KeyError:
        structlog.get_logger().error("lookup failed", exc_info=True)
    client.flush()

    entries = collector.wait_count(api_key, 2)
    parsed = by_message(entries, "could not parse")[0]
    assert parsed["level"] == "ERROR"
    exception = parsed["metadata"]["exception"]
    assert exception["type"] == "ValueError"
    assert exception["message"] == "bad input"
    assert 'raise ValueError("bad input")' in exception["traceback"]
    lookup = by_message(entries, "lookup failed")[0]["metadata"]["exception"]
    assert lookup["type"] == "KeyError"
    assert lookup["message"] == "'user'"
    assert lookup["traceback"].startswith("Traceback (most recent call last):")


def test_last_processor_with_a_neurallog_handler_sends_once(
    collector: Collector, api_key: str, client: NeuralLog
) -> None:
    stdlib_logger = logging.getLogger("structlog.and.handler")
    stdlib_logger.setLevel(logging.INFO)
    stdlib_logger.propagate = False
    handler = NeuralLogHandler(client)
    stdlib_logger.addHandler(handler)
    try:
        structlog.configure(
            processors=[structlog.stdlib.add_log_level, NeuralLogProcessor(client)],
            logger_factory=structlog.stdlib.LoggerFactory(),
        )
        structlog.get_logger("structlog.and.handler").info("only once", n=1)
        stdlib_logger.info("plain stdlib record")
        client.flush()
        entries = collector.wait_count(api_key, 2)
        assert len(by_message(entries, "only once")) == 1
        assert len(by_message(entries, "plain stdlib record")) == 1
    finally:
        stdlib_logger.removeHandler(handler)


def test_non_rfc3339_timestamps_stay_in_metadata(
    collector: Collector, api_key: str, client: NeuralLog
) -> None:
    structlog.configure(
        processors=[
            structlog.processors.TimeStamper(fmt="%H:%M"),
            NeuralLogProcessor(client),
            structlog.processors.KeyValueRenderer(),
        ],
        logger_factory=structlog.ReturnLoggerFactory(),
    )
    structlog.get_logger().info("custom time format")
    entry = collector.wait_message(api_key, "custom time format")
    assert len(entry["metadata"]["timestamp"]) == 5


def test_the_events_own_time_is_sent_in_the_wire_form(
    collector: Collector, api_key: str, client: NeuralLog
) -> None:
    def stamp(value: object) -> Any:
        def processor(logger: Any, method: str, event: dict[str, Any]) -> dict[str, Any]:
            event["timestamp"] = value
            return event

        return processor

    moments = {
        "utc iso": "2026-01-02T03:04:05.678901Z",
        "offset": "2026-01-02T05:04:05.678901+02:00",
        "datetime": datetime(2026, 1, 2, 4, 4, 5, 678901, tzinfo=timezone(timedelta(hours=1))),
        "no fraction": "2026-01-02T03:04:05Z",
        "week date": "2026-W01-5T03:04:05.678901Z",
        "comma": "2026-01-02T03:04:05,678901Z",
    }
    for message, moment in moments.items():
        structlog.configure(
            processors=[
                stamp(moment),
                NeuralLogProcessor(client),
                structlog.processors.KeyValueRenderer(),
            ],
            logger_factory=structlog.ReturnLoggerFactory(),
        )
        structlog.get_logger().info(message)
    client.flush()
    entries = collector.wait_count(api_key, len(moments))
    sent = {entry["message"]: entry["timestamp"] for entry in entries}
    assert sent == {
        "utc iso": "2026-01-02T03:04:05.678901Z",
        "offset": "2026-01-02T03:04:05.678901Z",
        "datetime": "2026-01-02T03:04:05.678901Z",
        "no fraction": "2026-01-02T03:04:05.000000Z",
        "week date": "2026-01-02T03:04:05.678901Z",
        "comma": "2026-01-02T03:04:05.678901Z",
    }


def test_timestamps_of_one_second_are_each_checked(
    collector: Collector, api_key: str, client: NeuralLog
) -> None:
    # Events of one second share their date and time; each one's fraction is still checked.
    stamps = {
        "first": "2026-01-02T03:04:05.678901Z",
        "same second": "2026-01-02T03:04:05.000002Z",
        "bad fraction": "2026-01-02T03:04:05.67890xZ",
        "other digits": "2026-01-02T03:04:05.\u0661\u0662\u0663\u0664\u0665\u0666Z",
        "longer": "2026-01-02T03:04:05.6789012Z",
    }
    stamp = iter(stamps.values())

    def stamper(logger: Any, method: str, event: dict[str, Any]) -> dict[str, Any]:
        event["timestamp"] = next(stamp)
        return event

    structlog.configure(
        processors=[stamper, NeuralLogProcessor(client), structlog.processors.KeyValueRenderer()],
        logger_factory=structlog.ReturnLoggerFactory(),
    )
    for message in stamps:
        structlog.get_logger().info(message)
    client.flush()
    sent = {entry["message"]: entry for entry in collector.wait_count(api_key, len(stamps))}
    assert sent["first"]["timestamp"] == stamps["first"]
    assert sent["same second"]["timestamp"] == stamps["same second"]
    assert sent["longer"]["timestamp"] == "2026-01-02T03:04:05.678901Z"  # parsed, not copied
    for refused in ("bad fraction", "other digits"):
        assert sent[refused]["metadata"]["timestamp"] == stamps[refused]
        assert sent[refused]["timestamp"] != stamps[refused]
