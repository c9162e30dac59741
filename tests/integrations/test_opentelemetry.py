"""Records logged while an OpenTelemetry span is active carry its trace and span ids."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from flask import Flask
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.trace import Tracer

from neurallog.client import NeuralLog
from neurallog.integrations.flask import NeuralLogFlask
from neurallog.integrations.logging import NeuralLogHandler

from .conftest import Collector, by_message


@pytest.fixture
def tracer() -> Tracer:
    # A real SDK provider, not installed globally: the active span lives in OTel's context.
    return TracerProvider().get_tracer("tests.integrations")


@pytest.fixture
def logger(client: NeuralLog) -> Iterator[logging.Logger]:
    made = logging.getLogger("tests.otel")
    made.setLevel(logging.INFO)
    made.propagate = False
    handler = NeuralLogHandler(client)
    made.addHandler(handler)
    yield made
    made.removeHandler(handler)


def test_handler_records_carry_the_active_span(
    collector: Collector, api_key: str, client: NeuralLog, tracer: Tracer, logger: logging.Logger
) -> None:
    with tracer.start_as_current_span("checkout") as span:
        logger.info("inside a span")
        context = span.get_span_context()
    logger.info("outside any span")
    client.flush()

    entries = collector.wait_count(api_key, 2)
    inside = by_message(entries, "inside a span")[0]["metadata"]
    assert inside["trace_id"] == f"{context.trace_id:032x}"
    assert inside["span_id"] == f"{context.span_id:016x}"
    outside = by_message(entries, "outside any span")[0]["metadata"]
    assert "trace_id" not in outside
    assert "span_id" not in outside


def test_request_records_carry_the_span_of_the_view(
    collector: Collector, api_key: str, client: NeuralLog, tracer: Tracer
) -> None:
    app = Flask("otel")
    neurallog = NeuralLogFlask(app, client)
    ids: dict[str, str] = {}

    @app.get("/traced")
    def traced() -> str:
        with tracer.start_as_current_span("view") as span:
            context = span.get_span_context()
            ids.update(trace=f"{context.trace_id:032x}", span=f"{context.span_id:016x}")
            neurallog.info("traced view")
        return "ok"

    assert app.test_client().get("/traced", headers={"X-Request-ID": "t-1"}).status_code == 200
    client.flush()
    entry = collector.wait_message(api_key, "traced view")
    assert entry["metadata"]["trace_id"] == ids["trace"]
    assert entry["metadata"]["span_id"] == ids["span"]
    assert entry["metadata"]["request"]["id"] == "t-1"
    assert len(ids["trace"]) == 32
    assert len(ids["span"]) == 16
