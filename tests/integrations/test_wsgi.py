"""NeuralLogWSGIMiddleware around a plain WSGI application (no framework)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from werkzeug.test import Client

from neurallog.client import NeuralLog
from neurallog.integrations.wsgi import NeuralLogWSGIMiddleware

from .conftest import Collector, by_message


def test_body_is_produced_in_context_and_closed(
    collector: Collector, api_key: str, client: NeuralLog
) -> None:
    closed: list[bool] = []

    class Body:
        def __iter__(self) -> Iterator[bytes]:
            client.info("producing the body")
            yield b"ok"

        def close(self) -> None:  # the WSGI server must reach this through the middleware
            client.info("closing the body")
            closed.append(True)

    def app(environ: dict[str, Any], start_response: Any) -> Body:
        start_response("200 OK", [("Content-Type", "text/plain")])
        return Body()

    web = Client(NeuralLogWSGIMiddleware(app, client, request_logging=True))
    response = web.get("/plain", headers={"X-Request-ID": "w-1"}, buffered=True)
    assert response.data == b"ok"
    assert response.headers["X-Request-ID"] == "w-1"
    assert closed == [True]
    client.flush()

    entries = collector.wait_count(api_key, 3)
    for message in ("producing the body", "closing the body", "GET /plain 200"):
        assert by_message(entries, message)[0]["metadata"]["request"]["id"] == "w-1", message


def test_an_error_while_producing_the_body_is_reported_once(
    collector: Collector, api_key: str, client: NeuralLog
) -> None:
    def app(environ: dict[str, Any], start_response: Any) -> Iterator[bytes]:
        start_response("200 OK", [("Content-Type", "text/plain")])
        yield b"partial"
        raise OSError("disk gone")

    web = Client(NeuralLogWSGIMiddleware(app, client))
    with pytest.raises(OSError, match="disk gone"):  # re-raised to the server
        web.get("/broken", headers={"X-Request-ID": "w-2"}, buffered=True)
    client.info("marker")
    client.flush()

    collector.wait_message(api_key, "marker")
    errors = [e for e in collector.entries(api_key) if e["level"] == "ERROR"]
    assert [e["message"] for e in errors] == ["Unhandled exception: OSError: disk gone"]
    assert errors[0]["metadata"]["request"]["id"] == "w-2"
