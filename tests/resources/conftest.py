"""Fixtures of the resource tests: clients pointed at pytest-httpserver, anyio's backend,
and a bound on every live tail."""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable, Iterator
from types import TracebackType
from typing import Any

import anyio
import orjson
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Response

from neurallog.client import NeuralLog
from neurallog.resources import AsyncLogs, AsyncLogStream, Logs, LogStream
from neurallog.types import LogEntry

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


STREAM_WAIT = 20.0
"""Seconds a live tail opened under ``bounded_streams`` may wait for its entries."""


class _DeadlineStream:
    """An async stream whose every step fails with ``TimeoutError`` past ``deadline``."""

    def __init__(self, stream: AsyncLogStream, deadline: float) -> None:
        self._stream = stream
        self._deadline = deadline

    @property
    def last_event_id(self) -> str | None:
        return self._stream.last_event_id

    def __aiter__(self) -> _DeadlineStream:
        return self

    async def __anext__(self) -> LogEntry:
        with anyio.fail_after(max(self._deadline - time.monotonic(), 0.0)):
            return await self._stream.__anext__()

    async def aclose(self) -> None:
        await self._stream.aclose()

    async def __aenter__(self) -> _DeadlineStream:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._stream.aclose()


@pytest.fixture
def bounded_streams(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every live tail opened during the test gives up ``STREAM_WAIT`` seconds after it was
    made: a sync stream is closed from a timer thread (its loop ends), an async one raises
    ``TimeoutError``. A ``follow=True`` loop whose entries never come then fails the test
    instead of hanging it."""
    timers: list[threading.Timer] = []
    expired: list[str] = []

    def sync(original: Callable[..., LogStream]) -> Callable[..., LogStream]:
        def stream(self: Logs, *args: Any, **kwargs: Any) -> LogStream:
            made = original(self, *args, **kwargs)
            ref = weakref.ref(made)  # a dropped stream still closes as it is dropped

            def expire() -> None:
                alive = ref()
                if alive is not None:
                    expired.append(f"stream{args or ''}{kwargs or ''}")
                    alive.close()

            timer = threading.Timer(STREAM_WAIT, expire)
            timer.daemon = True
            timer.start()
            timers.append(timer)
            return made

        return stream

    def asynchronous(original: Callable[..., AsyncLogStream]) -> Callable[..., _DeadlineStream]:
        def stream(self: Any, *args: Any, **kwargs: Any) -> _DeadlineStream:
            made = original(self, *args, **kwargs)
            return _DeadlineStream(made, time.monotonic() + STREAM_WAIT)

        return stream

    monkeypatch.setattr(Logs, "stream", sync(Logs.stream))
    monkeypatch.setattr(Logs, "astream", asynchronous(Logs.astream))
    monkeypatch.setattr(AsyncLogs, "stream", asynchronous(AsyncLogs.stream))
    monkeypatch.setattr(AsyncLogs, "astream", asynchronous(AsyncLogs.astream))
    yield
    for timer in timers:
        timer.cancel()
    assert expired == [], f"still waiting for entries after {STREAM_WAIT} s: {expired}"
