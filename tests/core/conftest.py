"""A real HTTP sink for the logging pipeline: records every request, stores entries by id.

The sink behaves like the API's ``POST /logs``: it decodes gzip, answers 202 with
``accepted``/``duplicates``/``rejected``/``ids`` and ignores an id it already stored, so a
test can check that retries never store a record twice. ``sink.script`` queues responses
(a status code, a werkzeug Response, or a callable) returned before normal handling.
"""

from __future__ import annotations

import gzip
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from neurallog import NeuralLog

API_KEY = "test-key-123"


@dataclass
class Captured:
    """One request as the sink saw it."""

    method: str
    path: str
    headers: dict[str, str]
    raw: bytes
    body: bytes
    doc: Any

    @property
    def ids(self) -> list[str]:
        return [entry.get("id") for entry in self.doc["logs"]]


Step = int | Response | Callable[[Captured], Response | None]


def error_response(
    status: int, code: str = "error", message: str = "failed", headers: dict[str, str] | None = None
) -> Response:
    body = {
        "error": {"code": code, "message": message, "details": {}},
        "meta": {"request_id": "req-1"},
    }
    return Response(
        json.dumps(body),
        status=status,
        content_type="application/json",
        headers={"X-Request-ID": "req-1", **(headers or {})},
    )


@dataclass
class Sink:
    server: HTTPServer
    lock: threading.Condition = field(default_factory=threading.Condition)
    requests: list[Captured] = field(default_factory=list)
    stored: dict[str, dict[str, Any]] = field(default_factory=dict)
    duplicates: int = 0
    script: list[Step] = field(default_factory=list)
    reject: Callable[[dict[str, Any]], str | None] | None = None
    gate: Callable[[Captured], Response | None] | None = None

    @property
    def url(self) -> str:
        return self.server.url_for("/v1")

    def handle(self, request: Request) -> Response:
        raw = request.get_data()
        body = gzip.decompress(raw) if request.headers.get("Content-Encoding") == "gzip" else raw
        captured = Captured(
            request.method, request.path, dict(request.headers), raw, body, json.loads(body)
        )
        with self.lock:
            self.requests.append(captured)
            step = self.script.pop(0) if self.script else None
            self.lock.notify_all()
        if step is not None:
            answer: Response | None
            if isinstance(step, int):
                answer = error_response(step)
            elif isinstance(step, Response):
                answer = step
            else:
                answer = step(captured)
            if answer is not None:
                return answer
        if self.gate is not None:
            gated = self.gate(captured)
            if gated is not None:
                return gated
        return self.store(captured)

    def store(self, captured: Captured) -> Response:
        rejected: list[dict[str, Any]] = []
        ids: list[str | None] = []
        accepted = duplicates = 0
        with self.lock:
            for index, entry in enumerate(captured.doc["logs"]):
                why = self.reject(entry) if self.reject else None
                if why:
                    rejected.append({"index": index, "code": "validation_error", "message": why})
                    ids.append(None)
                    continue
                ids.append(entry["id"])
                if entry["id"] in self.stored:
                    duplicates += 1
                else:
                    self.stored[entry["id"]] = entry
                    accepted += 1
            self.duplicates += duplicates
            self.lock.notify_all()
        data = {"accepted": accepted, "duplicates": duplicates, "rejected": rejected, "ids": ids}
        return Response(
            json.dumps({"data": data, "meta": {"request_id": "req-ok"}}),
            status=202,
            content_type="application/json",
        )

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 10.0) -> bool:
        """Wait (bounded) until ``predicate()`` holds; re-checked after every request."""
        deadline = time.monotonic() + timeout
        with self.lock:
            while not predicate():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self.lock.wait(min(remaining, 0.05))
        return True

    def wait_stored(self, count: int, timeout: float = 10.0) -> bool:
        return self.wait_for(lambda: len(self.stored) >= count, timeout)

    @property
    def messages(self) -> list[str]:
        with self.lock:
            return [entry["message"] for entry in self.stored.values()]

    @property
    def entries(self) -> list[dict[str, Any]]:
        with self.lock:
            return list(self.stored.values())


def wait_until(predicate: Callable[[], bool], timeout: float = 10.0) -> bool:
    """Poll ``predicate`` until it holds (a bounded wait for an event, not a timing check)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.005)
    return True


@pytest.fixture(scope="session")
def _threaded_server() -> Iterator[HTTPServer]:
    # Threaded: a handler that stalls (read-timeout tests) must not block the retry.
    server = HTTPServer(host="127.0.0.1", threaded=True)
    server.start()
    yield server
    server.clear()
    if server.is_running():
        server.stop()


@pytest.fixture
def sink(_threaded_server: HTTPServer) -> Iterator[Sink]:
    server = _threaded_server
    server.clear()
    state = Sink(server)
    server.expect_request("/v1/logs", method="POST").respond_with_handler(state.handle)
    yield state
    server.clear()


@pytest.fixture
def blackhole() -> Iterator[str]:
    """An endpoint that accepts connections and never answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/v1"


ClientFactory = Callable[..., NeuralLog]


@pytest.fixture
def make_client(sink: Sink) -> Iterator[ClientFactory]:
    """Build clients aimed at the sink with fast test settings; all closed at teardown."""
    clients: list[NeuralLog] = []

    def factory(**options: Any) -> NeuralLog:
        settings: dict[str, Any] = {
            "api_key": API_KEY,
            "endpoint": sink.url,
            "batch_interval": 0.05,
            "max_retry_delay": 0.05,
            "timeout": 5,
        }
        settings.update(options)
        client = NeuralLog(**settings)
        clients.append(client)
        return client

    yield factory
    for client in clients:
        client.close(timeout=2)


@pytest.fixture(autouse=True)
def _no_neurallog_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("NEURALLOG_API_KEY", "NEURALLOG_TOKEN", "NEURALLOG_ENDPOINT"):
        monkeypatch.delenv(name, raising=False)
