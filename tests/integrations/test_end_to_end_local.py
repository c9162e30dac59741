"""End to end against NeuralLog Local: what the integrations send is accepted and searchable."""

from __future__ import annotations

import logging
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from neurallog.client import NeuralLog
from neurallog.integrations.fastapi import NeuralLogFastAPI
from neurallog.integrations.logging import NeuralLogHandler

pytestmark = pytest.mark.slow


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.mark.anyio
async def test_fastapi_records_are_accepted_and_searchable(neurallog_local: Any) -> None:
    client = NeuralLog(
        api_key=neurallog_local.api_key, endpoint=neurallog_local.endpoint, batch_interval=0.05
    )
    app = FastAPI()
    neurallog = NeuralLogFastAPI(client, request_logging=True)
    app.add_middleware(neurallog.middleware)
    logger = logging.getLogger("tests.e2e")
    logger.setLevel(logging.INFO)
    logger.propagate = False
    handler = NeuralLogHandler(client)
    logger.addHandler(handler)

    @app.get("/orders/{order_id}")
    async def order(order_id: int) -> dict[str, int]:
        await neurallog.info("order viewed", {"order_id": order_id})
        try:
            raise LookupError(f"order {order_id} has no invoice")
        except LookupError:
            logger.exception("invoice lookup failed")
        return {"order_id": order_id}

    @app.get("/crash")
    async def crash() -> None:
        raise RuntimeError("end to end crash")

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as web:
            assert (await web.get("/orders/5", headers={"X-Request-ID": "e2e-1"})).is_success
            assert (await web.get("/crash", headers={"X-Request-ID": "e2e-2"})).status_code == 500
        # Everything was accepted by the server's validation of the contract.
        assert await neurallog.flush()
        assert client.stats.dropped_total == 0

        first = client.logs.list(filter={"metadata.request.id": "e2e-1"}, limit=50)
        assert sorted(entry["message"] for entry in first) == [
            "GET /orders/5 200",
            "invoice lookup failed",
            "order viewed",
        ]
        failed = client.logs.search(query="invoice", filter={"level": ["ERROR"]})
        (entry,) = list(failed)
        assert entry["metadata"]["exception"]["type"] == "LookupError"
        assert entry["metadata"]["request"]["route"] == "/orders/{order_id}"
        crash = client.logs.list(filter={"metadata.request.id": "e2e-2", "level": "ERROR"})
        messages = sorted(e["message"] for e in crash)
        assert messages == ["GET /crash 500", "Unhandled exception: RuntimeError: end to end crash"]
    finally:
        logger.removeHandler(handler)
        client.close()
