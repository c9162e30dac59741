"""The logging API through the integrations: the same exception shape, message rule and options.

stdlib logging, structlog and loguru are the real libraries; Flask and FastAPI run the real
frameworks in-process; every record reaches a real HTTP server.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import structlog
from fastapi import FastAPI
from flask import Flask
from loguru import logger as loguru_logger

from neurallog.client import NeuralLog
from neurallog.integrations.fastapi import NeuralLogFastAPI
from neurallog.integrations.flask import NeuralLogFlask
from neurallog.integrations.logging import NeuralLogHandler
from neurallog.integrations.loguru import NeuralLogSink
from neurallog.integrations.structlog import NeuralLogProcessor

from .conftest import Collector, by_message


@pytest.fixture
def stdlib_logger() -> Iterator[logging.Logger]:
    made = logging.getLogger("tests.logging_api")
    made.setLevel(logging.INFO)
    made.propagate = False
    yield made
    for handler in list(made.handlers):
        made.removeHandler(handler)


@pytest.fixture
def structlog_logger(client: NeuralLog) -> Iterator[Any]:
    structlog.configure(
        processors=[structlog.stdlib.add_log_level, NeuralLogProcessor(client)],
        logger_factory=structlog.ReturnLoggerFactory(),
    )
    yield structlog.get_logger()
    structlog.reset_defaults()


@pytest.fixture
def loguru_sink(client: NeuralLog) -> Iterator[None]:
    sink_id = loguru_logger.add(NeuralLogSink(client), level="INFO")
    yield
    loguru_logger.remove(sink_id)


def _fail() -> None:
    try:
        int("x")
    except ValueError as exc:
        raise LookupError("no such row") from exc


@pytest.mark.usefixtures("loguru_sink")
def test_every_way_of_logging_an_exception_sends_the_same_shape(
    collector: Collector,
    api_key: str,
    client: NeuralLog,
    stdlib_logger: logging.Logger,
    structlog_logger: Any,
) -> None:
    stdlib_logger.addHandler(NeuralLogHandler(client))
    try:
        _fail()
    except LookupError as exc:
        client.exception("client.exception")
        client.error("client.error exc_info", exc_info=True)
        client.error("client.error metadata", {"error": exc})
        stdlib_logger.exception("stdlib")
        structlog_logger.exception("structlog")
        loguru_logger.exception("loguru")
    assert client.flush(10)
    entries = collector.wait_count(api_key, 6)
    shapes = {}
    for entry in entries:
        metadata = entry["metadata"]
        exception = metadata.get("exception") or metadata["error"]
        assert exception.keys() == {"type", "message", "traceback"}, entry["message"]
        assert exception["type"] == "LookupError"
        assert exception["message"] == "no such row"
        assert "invalid literal for int()" in exception["traceback"]  # the cause
        shapes[entry["message"]] = exception["traceback"].splitlines()[-1]
    assert set(shapes.values()) == {"LookupError: no such row"}
    assert len(shapes) == 6


@pytest.mark.usefixtures("loguru_sink")
def test_a_non_string_message_is_str_in_every_integration(
    collector: Collector,
    api_key: str,
    client: NeuralLog,
    stdlib_logger: logging.Logger,
    structlog_logger: Any,
) -> None:
    stdlib_logger.addHandler(NeuralLogHandler(client))
    message = {"order": 42}
    client.info(message)
    stdlib_logger.info(message)
    structlog_logger.info(message)
    loguru_logger.info(message)
    assert client.flush(10)
    entries = collector.wait_count(api_key, 4)
    assert [entry["message"] for entry in entries] == ["{'order': 42}"] * 4


def test_the_flask_object_has_exception_bind_and_the_new_options(
    collector: Collector,
    api_key: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("NEURALLOG_CONSOLE", raising=False)
    app = Flask("tests_logging_api")
    app.config.update(
        NEURALLOG_API_KEY=api_key,
        NEURALLOG_ENDPOINT=collector.endpoint,
        NEURALLOG_BATCH_INTERVAL=0.05,
        NEURALLOG_CONSOLE=True,
        NEURALLOG_SAMPLE_RATES={"DEBUG": 0},
        NEURALLOG_LOG_LEVEL="DEBUG",
    )
    neurallog = NeuralLogFlask(app)

    @app.route("/orders/<int:order_id>")
    def order(order_id: int) -> str:
        log = neurallog.bind(order_id=order_id)
        log.debug("sampled out")
        try:
            raise PermissionError("not yours")
        except PermissionError:
            log.exception("Order refused", user="u-1")
        return "refused"

    try:
        assert app.test_client().get("/orders/7").data == b"refused"
        assert neurallog.flush(10)
        (entry,) = collector.wait_count(api_key, 1)
    finally:
        neurallog.close()
    assert entry["message"] == "Order refused"
    assert entry["metadata"]["order_id"] == 7
    assert entry["metadata"]["user"] == "u-1"
    assert entry["metadata"]["exception"]["type"] == "PermissionError"
    assert entry["metadata"]["request"]["route"] == "/orders/<int:order_id>"
    assert neurallog.client.stats.filtered == 1
    err = capsys.readouterr().err
    assert "ERROR Order refused" in err
    assert "sampled out" not in err


@pytest.mark.anyio
async def test_the_fastapi_object_awaits_exception_and_bind(
    collector: Collector, api_key: str, capsys: pytest.CaptureFixture[str]
) -> None:
    neurallog = NeuralLogFastAPI(
        api_key=api_key, endpoint=collector.endpoint, batch_interval=0.05, console=True
    )
    app = FastAPI()
    app.add_middleware(neurallog.middleware)

    @app.get("/jobs/{job_id}")
    async def job(job_id: int) -> dict[str, str]:
        log = neurallog.bind(job_id=job_id)
        await log.info("Job started", step=1)
        try:
            raise TimeoutError("took too long")
        except TimeoutError:
            await neurallog.exception("Job failed", job_id=job_id)
        return {"status": "failed"}

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        assert (await http.get("/jobs/3")).json() == {"status": "failed"}
    assert await neurallog.flush(10)
    await neurallog.close()
    entries = collector.wait_count(api_key, 2)
    started = by_message(entries, "Job started")[0]
    failed = by_message(entries, "Job failed")[0]
    assert started["metadata"]["job_id"] == 3
    assert started["metadata"]["step"] == 1
    assert started["metadata"]["request"]["route"] == "/jobs/{job_id}"
    assert failed["level"] == "ERROR"
    assert failed["metadata"]["exception"]["type"] == "TimeoutError"
    assert "Job started" in capsys.readouterr().err


def test_django_settings_take_the_new_options() -> None:
    from neurallog.integrations.django.apps import parse_settings

    client_kwargs, _ = parse_settings(
        {"API_KEY": "k", "CONSOLE": True, "SAMPLE_RATE": 0.5, "SAMPLE_RATES": {"DEBUG": 0.1}}
    )
    assert client_kwargs == {
        "api_key": "k",
        "console": True,
        "sample_rate": 0.5,
        "sample_rates": {"DEBUG": 0.1},
    }
