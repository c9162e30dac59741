"""The logging pipeline against NeuralLog Local, an independent implementation of the API."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from neurallog import NeuralLog

pytestmark = pytest.mark.slow


def _stored(client: NeuralLog, **params: Any) -> dict[str, Any]:
    answer = client._core.http.get("logs", params={"limit": 1000, **params})
    document: dict[str, Any] = answer.json()
    return document


def test_records_arrive_once_with_their_fields(neurallog_local: Any) -> None:
    with NeuralLog(
        api_key=neurallog_local.api_key,
        endpoint=neurallog_local.endpoint,
        batch_interval=0.05,
        source="checkout",
    ) as client:
        client.configure_context({"app": "shop"})
        for i in range(1500):
            client.info(f"order {i}", {"i": i, "price": Decimal("9.99"), "password": "pw"})
        client.log(
            "ERROR",
            "payment failed",
            metadata={"at": datetime(2024, 1, 2, tzinfo=UTC), "codes": {"E1"}},
            tags=["payments"],
        )
        assert client.flush(30)
        stats = client.stats
        assert stats.sent == 1501
        assert stats.dropped_total == 0

        everything = _stored(client, limit=1)
        assert everything["meta"]["pagination"]["total"] == 1501
        (error,) = _stored(client, level="ERROR")["data"]
        assert error["message"] == "payment failed"
        assert error["source"] == "checkout"
        assert error["tags"] == ["payments"]
        assert error["metadata"] == {
            "app": "shop",
            "at": "2024-01-02T00:00:00+00:00",
            "codes": ["E1"],
        }
        sample = _stored(client, limit=1, sort="timestamp:asc")["data"][0]
        assert sample["metadata"]["password"] == "[REDACTED]"
        assert sample["metadata"]["price"] == "9.99"


def test_rate_limited_tenant_receives_everything_once(
    neurallog_local: Any, caplog: pytest.LogCaptureFixture
) -> None:
    tenant = neurallog_local.new_tenant(rate_limit=3, rate_window=1)
    caplog.set_level(logging.INFO, logger="neurallog")
    with NeuralLog(
        api_key=tenant.api_key,
        endpoint=tenant.endpoint,
        batch_size=20,
        batch_interval=0.01,
        max_retry_delay=0.2,
    ) as client:
        for i in range(200):
            client.info(f"m{i}")
            if i % 20 == 19:
                client.flush(30)  # many small requests: more than the limit allows
        assert client.flush(30)
        stats = client.stats
        assert stats.sent == 200
        assert stats.dropped_total == 0
        assert _stored(client, limit=1)["meta"]["pagination"]["total"] == 200
    assert any("429" in record.getMessage() for record in caplog.records)  # it was limited
