"""Read-only settings of a client, and an async client sharing a sync one."""

from __future__ import annotations

import asyncio
import logging

import pytest

from neurallog import NeuralLog
from neurallog.async_client import AsyncNeuralLog

from .conftest import ClientFactory, Sink


@pytest.mark.parametrize(
    ("given", "name"),
    [
        ("debug", "DEBUG"),
        ("INFO", "INFO"),
        ("warning", "WARN"),
        (logging.WARNING, "WARN"),
        (25, "INFO"),
        ("critical", "FATAL"),
        (logging.CRITICAL, "FATAL"),
    ],
)
def test_log_level_is_the_wire_name_of_the_minimum_level(
    make_client: ClientFactory, given: str | int, name: str
) -> None:
    client = make_client(log_level=given)
    assert client.log_level == name
    assert make_client(log_level=client.log_level).log_level == name  # round-trips
    assert logging.getLevelName(client.log_level) == logging.getLevelName(name)  # a number


def test_log_level_and_source_are_read_only(make_client: ClientFactory) -> None:
    client = make_client(source="billing")
    assert client.source == "billing"
    assert make_client().source is None
    with pytest.raises(AttributeError):
        client.log_level = "DEBUG"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        client.source = "other"  # type: ignore[misc]


def test_async_client_has_the_same_settings(sink: Sink) -> None:
    async def main() -> None:
        async with AsyncNeuralLog(
            api_key="k", endpoint=sink.url, log_level="ERROR", source="jobs"
        ) as client:
            assert (client.log_level, client.source) == ("ERROR", "jobs")

    asyncio.run(main())


def test_from_client_shares_the_pipeline_and_does_not_close_the_client(
    sink: Sink, make_client: ClientFactory
) -> None:
    client = make_client(source="web", log_level="DEBUG")

    async def main() -> None:
        async with AsyncNeuralLog.from_client(client) as async_client:
            assert async_client.sync_client is client
            assert (async_client.log_level, async_client.source) == ("DEBUG", "web")
            await async_client.debug("from a coroutine")
            client.info("from sync code")
            assert async_client.stats.enqueued == 2  # one queue, one set of counters
            assert client._core.async_http is not None  # this loop's HTTP client
        # Leaving the block waited for delivery and closed only the async HTTP client.
        assert client._core._async_http is None
        assert sorted(sink.messages) == ["from a coroutine", "from sync code"]

    asyncio.run(main())
    client.info("the client is still open")
    assert client.flush(10)
    assert client.stats.dropped["closed"] == 0
    assert "the client is still open" in sink.messages


def test_from_client_wants_a_neurallog() -> None:
    with pytest.raises(TypeError, match="takes a NeuralLog"):
        AsyncNeuralLog.from_client("not a client")  # type: ignore[arg-type]


def test_an_owning_async_client_closes_its_client(sink: Sink) -> None:
    async def main() -> NeuralLog:
        async with AsyncNeuralLog(api_key="k", endpoint=sink.url) as client:
            await client.info("owned")
            return client.sync_client

    inner = asyncio.run(main())
    inner.info("after close")
    assert inner.stats.dropped["closed"] == 1
    assert sink.messages == ["owned"]


def test_the_async_client_has_every_level_method_of_the_sync_one(sink: Sink) -> None:
    names = ["debug", "info", "warn", "warning", "error", "fatal", "critical"]
    assert all(callable(getattr(NeuralLog, name)) for name in names)

    async def main() -> None:
        async with AsyncNeuralLog(api_key="k", endpoint=sink.url, log_level="DEBUG") as client:
            for name in names:
                await getattr(client, name)(name, {"via": name})

    asyncio.run(main())
    assert sorted(sink.messages) == sorted(names)
