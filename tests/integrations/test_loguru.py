"""NeuralLogSink: loguru records delivered to a real HTTP server."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from loguru import logger

from neurallog.client import NeuralLog
from neurallog.integrations.loguru import NeuralLogSink

from .conftest import Collector, by_message


@pytest.fixture
def sink_ids() -> Iterator[list[int]]:
    ids: list[int] = []
    yield ids
    for sink_id in ids:
        logger.remove(sink_id)


def test_records_levels_extra_and_exceptions(
    collector: Collector, api_key: str, client: NeuralLog, sink_ids: list[int]
) -> None:
    sink_ids.append(logger.add(NeuralLogSink(client), level="DEBUG"))
    logger.bind(user_id="123").info("User logged in")
    logger.success("deployed")
    logger.warning("slow query")
    with logger.contextualize(job="nightly"):
        try:
            1 / 0  # noqa: B018
        except ZeroDivisionError:
            logger.exception("job failed")
    logger.critical("out of memory")
    client.flush()

    entries = collector.wait_count(api_key, 5)
    levels = {e["message"]: e["level"] for e in entries}
    assert levels == {
        "User logged in": "INFO",
        "deployed": "INFO",
        "slow query": "WARN",
        "job failed": "ERROR",
        "out of memory": "FATAL",
    }
    logged_in = by_message(entries, "User logged in")[0]
    assert logged_in["metadata"]["user_id"] == "123"
    assert logged_in["source"] == __name__
    assert logged_in["metadata"]["origin"]["function"] == "test_records_levels_extra_and_exceptions"
    failed = by_message(entries, "job failed")[0]
    assert failed["metadata"]["job"] == "nightly"
    assert failed["metadata"]["exception"]["type"] == "ZeroDivisionError"
    assert "1 / 0" in failed["metadata"]["exception"]["traceback"]


def test_owned_client_is_closed_when_the_sink_is_removed(
    collector: Collector, api_key: str, client_kwargs: dict[str, Any]
) -> None:
    sink = NeuralLogSink(**{**client_kwargs, "batch_interval": 3600, "batch_size": 1000})
    sink_id = logger.add(sink)
    logger.info("pending at removal")
    logger.remove(sink_id)  # loguru calls sink.stop(): delivers what is pending
    assert collector.entries(api_key)[0]["message"] == "pending at removal"
    assert sink.client.stats.queued == 0
