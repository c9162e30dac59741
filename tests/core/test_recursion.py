"""Records produced while the SDK delivers never come back into the queue."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator

import pytest

from neurallog import NeuralLog, _guard

from .conftest import ClientFactory, Sink


class NaiveForwarder(logging.Handler):
    """A stdlib handler that forwards everything, with no loop protection of its own."""

    def __init__(self, client: NeuralLog) -> None:
        super().__init__(logging.DEBUG)
        self.client = client
        self.seen = 0

    def emit(self, record: logging.LogRecord) -> None:
        if record.name == "werkzeug":
            # The test's sink runs in this process; its access log is not the app's.
            return
        self.seen += 1
        self.client.log(record.levelno, record.getMessage(), {"logger": record.name})


@pytest.fixture
def root_at_debug() -> Iterator[logging.Logger]:
    root = logging.getLogger()
    saved_level, saved_handlers = root.level, root.handlers[:]
    root.setLevel(logging.DEBUG)
    yield root
    root.setLevel(saved_level)
    root.handlers[:] = saved_handlers


def test_root_handler_at_debug_does_not_loop(
    sink: Sink, make_client: ClientFactory, root_at_debug: logging.Logger
) -> None:
    client = make_client(log_level="DEBUG", retries=2)
    handler = NaiveForwarder(client)
    root_at_debug.addHandler(handler)
    sink.script = [503]  # a retry makes the SDK log about it too
    try:
        app = logging.getLogger("app")
        for i in range(3):
            app.info("app record %d", i)
        assert client.flush(10)
        client.warn("direct")
        assert client.flush(10)
    finally:
        root_at_debug.removeHandler(handler)
    assert sorted(sink.messages) == ["app record 0", "app record 1", "app record 2", "direct"]
    # httpx/httpcore debug records and the SDK's retry notice were produced on the worker
    # thread; the handler saw them, the client refused them.
    assert handler.seen > 3
    stats = client.stats
    assert stats.dropped["recursion"] > 0
    assert stats.dropped["recursion"] == handler.seen - 3
    assert len(sink.requests) <= 4


def test_guard_api_for_handlers() -> None:
    assert _guard.is_internal() is False
    with _guard.internal():
        assert _guard.is_internal() is True
        with _guard.internal():
            assert _guard.is_internal() is True
        assert _guard.is_internal() is True
    assert _guard.is_internal() is False
    for name in ("neurallog", "httpx", "httpcore.http11", "hpack.hpack", "urllib3.connectionpool"):
        assert _guard.is_internal_logger(name), name
    for name in ("app", "httpxyz", "neurallogger", ""):
        assert not _guard.is_internal_logger(name), name


def test_guard_is_per_thread() -> None:
    inside = threading.Event()
    release = threading.Event()
    seen: list[bool] = []

    def worker() -> None:
        with _guard.internal():
            inside.set()
            release.wait(5)

    thread = threading.Thread(target=worker)
    thread.start()
    assert inside.wait(5)
    seen.append(_guard.is_internal())
    release.set()
    thread.join()
    assert seen == [False]


def test_worker_thread_is_internal(sink: Sink, make_client: ClientFactory) -> None:
    observed: list[bool] = []

    def hook(entry: dict[str, object]) -> dict[str, object]:
        observed.append(_guard.is_internal())
        return entry

    client = make_client(before_send=hook)
    client.info("x")
    assert client.flush(5)
    assert observed == [True]


def test_sdk_diagnostics_never_enter_the_queue(
    sink: Sink, make_client: ClientFactory, root_at_debug: logging.Logger
) -> None:
    # The SDK logs to its own logger; a handler on it that forwards to the client is the
    # most direct loop there is.
    sdk_logger = logging.getLogger("neurallog.test.diag")
    sdk_logger.setLevel(logging.DEBUG)
    client = make_client(logger=sdk_logger, retries=0)
    handler = NaiveForwarder(client)
    sdk_logger.addHandler(handler)
    sink.script = [500]
    try:
        client.info("first")
        client.flush(5)
    finally:
        sdk_logger.removeHandler(handler)
    assert handler.seen >= 1  # "dropped 1 record(s) (retries_exhausted)"
    assert sink.messages == []
    assert client.stats.dropped["retries_exhausted"] == 1
