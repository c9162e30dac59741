"""Fixtures of the resource tests: clients pointed at pytest-httpserver, anyio's backend."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import orjson
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Response

from neurallog.client import NeuralLog

API_KEY = "test-key"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def endpoint(httpserver: HTTPServer) -> str:
    return httpserver.url_for("/v1")


def make_client(endpoint: str, **options: Any) -> NeuralLog:
    """A client with fast retries, so backoff never slows a test down."""
    options.setdefault("retries", 2)
    options.setdefault("max_retry_delay", 0.01)
    return NeuralLog(api_key=API_KEY, endpoint=endpoint, **options)


def close_client(client: NeuralLog) -> None:
    close = getattr(client, "close", None)
    if callable(close):
        close()
    else:
        client._core.close()


@pytest.fixture
def client(endpoint: str) -> Iterator[NeuralLog]:
    nl = make_client(endpoint)
    yield nl
    close_client(nl)


def envelope(data: Any, **pagination: Any) -> dict[str, Any]:
    meta: dict[str, Any] = {"request_id": "req-1", "timestamp": "2024-01-01T00:00:00Z"}
    if pagination:
        meta["pagination"] = pagination
    return {"data": data, "meta": meta}


def json_response(body: Any, status: int = 200, **headers: str) -> Response:
    return Response(
        orjson.dumps(body),
        status=status,
        headers={"Content-Type": "application/json", "X-Request-ID": "req-1", **headers},
    )


def error_response(status: int, code: str, message: str, errors: Any = None) -> Response:
    details = {"errors": errors} if errors is not None else None
    body = {
        "error": {"code": code, "message": message, "details": details},
        "meta": {"request_id": "req-err", "timestamp": "2024-01-01T00:00:00Z"},
    }
    return json_response(body, status)


def entry(n: int, **fields: Any) -> dict[str, Any]:
    base = {
        "id": f"log-{n}",
        "timestamp": f"2024-01-01T00:00:{n:02d}Z",
        "received_at": f"2024-01-01T00:00:{n:02d}Z",
        "level": "ERROR",
        "message": f"error {n}",
        "source": "api-service",
        "metadata": {},
        "tags": [],
    }
    base.update(fields)
    return base
