"""Live tail over SSE: parsing, resume with Last-Event-ID, dead connections, closing."""

from __future__ import annotations

import gc
import itertools
import logging
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import anyio
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from neurallog.async_client import AsyncNeuralLog
from neurallog.client import NeuralLog
from neurallog.exceptions import ApiError, AuthenticationError, NetworkError
from neurallog.resources._streaming import Event, LogStream, _EventParser

from .conftest import close_client, entry, error_response, make_client
from .sse_server import Connection, ScriptedServer, encode_event


def _sse(*events: bytes) -> Response:
    return Response(b"".join(events), headers={"Content-Type": "text/event-stream"})


def _log_event(n: int) -> bytes:
    return encode_event("log", entry(n), f"cursor-{n}")


HEARTBEAT = encode_event("heartbeat", {"timestamp": "2024-01-01T00:00:00Z"})
WAIT = 10.0  # upper bound of every wait for an event; never a timing assertion


def _endless(conn: Connection) -> None:
    conn.start()
    conn.event("log", entry(1), "cursor-1")
    conn.event("log", entry(2), "cursor-2")
    conn.wait_until_client_closes(WAIT)


def _open_connections(client: AsyncNeuralLog) -> int:
    pool = client._core.async_http._transport._inner._pool  # type: ignore[attr-defined]
    return sum(1 for c in pool.connections if not c.is_closed())


@pytest.fixture
def scripted() -> Iterator[list[ScriptedServer]]:
    servers: list[ScriptedServer] = []
    yield servers
    for server in servers:
        server.close()
        assert server.errors == []


def _server(servers: list[ScriptedServer], *scripts: Any) -> ScriptedServer:
    server = ScriptedServer(list(scripts))
    servers.append(server)
    return server


def test_follow_false_replays_history_skips_heartbeats_and_ends(
    httpserver: HTTPServer, client: NeuralLog
) -> None:
    httpserver.expect_request("/v1/logs/stream").respond_with_response(
        _sse(HEARTBEAT, _log_event(1), HEARTBEAT, _log_event(2), encode_event("end", {"count": 2}))
    )
    entries = list(
        client.logs.stream(
            query="error", filter={"level": ["ERROR", "FATAL"]}, follow=False, history=5
        )
    )
    assert [e["id"] for e in entries] == ["log-1", "log-2"]
    [(request, _)] = httpserver.log
    assert parse_qs(urlsplit(request.url).query) == {
        "query": ["error"],
        "filter": ['{"level":["ERROR","FATAL"]}'],
        "follow": ["false"],
        "history": ["5"],
    }
    assert request.headers["Accept"] == "text/event-stream"
    assert request.headers["X-API-Key"] == "test-key"
    assert "Last-Event-ID" not in request.headers


def test_unknown_events_and_malformed_entries_are_skipped(
    httpserver: HTTPServer, client: NeuralLog
) -> None:
    httpserver.expect_request("/v1/logs/stream").respond_with_response(
        _sse(
            encode_event("something-new", {"x": 1}),
            encode_event("log", "not json", "cursor-0"),
            _log_event(1),
            encode_event("end", {"count": 1}),
        )
    )
    assert [e["id"] for e in client.logs.stream(follow=False)] == ["log-1"]


def test_a_closed_stream_is_resumed_from_the_last_cursor(
    httpserver: HTTPServer, client: NeuralLog
) -> None:
    seen_cursors: list[str | None] = []

    def handler(request: Request) -> Response:
        seen_cursors.append(request.headers.get("Last-Event-ID"))
        if len(seen_cursors) == 1:
            # The connection ends without `end`: the tail must resume, not stop.
            return _sse(_log_event(1), HEARTBEAT, _log_event(2), _log_event(3))
        return _sse(HEARTBEAT, _log_event(4), _log_event(5))

    httpserver.expect_request("/v1/logs/stream").respond_with_handler(handler)
    got = []
    with client.logs.stream(query="error", follow=True) as stream:
        for log in stream:
            got.append(log["id"])
            if len(got) == 5:
                break
        assert stream.last_event_id == "cursor-5"
    assert got == ["log-1", "log-2", "log-3", "log-4", "log-5"]
    assert seen_cursors == [None, "cursor-3"]
    # The resumed request keeps the query.
    assert all(parse_qs(urlsplit(r.url).query)["query"] == ["error"] for r, _ in httpserver.log)


def test_follow_false_also_resumes_until_end(httpserver: HTTPServer, client: NeuralLog) -> None:
    httpserver.expect_ordered_request("/v1/logs/stream").respond_with_response(_sse(_log_event(1)))
    httpserver.expect_ordered_request(
        "/v1/logs/stream", headers={"Last-Event-ID": "cursor-1"}
    ).respond_with_response(_sse(_log_event(2), encode_event("end", {"count": 1})))
    assert [e["id"] for e in client.logs.stream(follow=False)] == ["log-1", "log-2"]


def test_resume_from_a_given_cursor(httpserver: HTTPServer, client: NeuralLog) -> None:
    httpserver.expect_request(
        "/v1/logs/stream", headers={"Last-Event-ID": "cursor-7"}
    ).respond_with_response(_sse(_log_event(8), encode_event("end", {"count": 1})))
    stream = client.logs.stream(follow=False, last_event_id="cursor-7")
    assert [e["id"] for e in stream] == ["log-8"]


def test_an_abrupt_cut_mid_event_loses_and_repeats_nothing(
    scripted: list[ScriptedServer],
) -> None:
    def first(conn: Connection) -> None:
        conn.start()
        conn.chunk(_log_event(1) + HEARTBEAT)
        conn.chunk(_log_event(2))
        half = _log_event(3)
        conn.chunk(half[: len(half) // 2])  # the rest never arrives
        conn.close()

    def second(conn: Connection) -> None:
        assert conn.headers.get("last-event-id") == "cursor-2"
        conn.start()
        conn.chunk(_log_event(3) + _log_event(4))
        conn.event("end", {"count": 2})
        conn.finish()

    server = _server(scripted, first, second)
    client = make_client(server.endpoint)
    try:
        entries = list(client.logs.stream(follow=False))
    finally:
        close_client(client)
    assert [e["id"] for e in entries] == ["log-1", "log-2", "log-3", "log-4"]
    assert len(server.connections) == 2


def test_silence_longer_than_heartbeat_timeout_reconnects(
    scripted: list[ScriptedServer],
) -> None:
    def silent(conn: Connection) -> None:
        conn.start()
        conn.event("log", entry(1), "cursor-1")
        conn.wait_until_client_closes()  # no heartbeat: the client must give up on us

    def healthy(conn: Connection) -> None:
        assert conn.headers.get("last-event-id") == "cursor-1"
        conn.start()
        conn.event("log", entry(2), "cursor-2")
        conn.event("end", {"count": 1})
        conn.finish()

    server = _server(scripted, silent, healthy)
    client = make_client(server.endpoint)
    try:
        entries = list(client.logs.stream(follow=True, heartbeat_timeout=1.0))
    finally:
        close_client(client)
    assert [e["id"] for e in entries] == ["log-1", "log-2"]
    assert server.connections[0].client_closed.is_set()


def test_heartbeats_keep_a_quiet_stream_alive(scripted: list[ScriptedServer]) -> None:
    def quiet(conn: Connection) -> None:
        conn.start()
        conn.event("log", entry(1), "cursor-1")
        # Heartbeats ten times as often as the timeout, for longer than the timeout in
        # total: a stall of the test machine would have to last a whole second to matter.
        for _ in range(12):
            time.sleep(0.1)
            conn.event("heartbeat", {"timestamp": "2024-01-01T00:00:00Z"})
        conn.event("log", entry(2), "cursor-2")
        conn.event("end", {"count": 2})
        conn.finish()

    server = _server(scripted, quiet)
    client = make_client(server.endpoint)
    try:
        entries = list(client.logs.stream(follow=False, heartbeat_timeout=1.0))
    finally:
        close_client(client)
    assert [e["id"] for e in entries] == ["log-1", "log-2"]
    assert len(server.connections) == 1


def test_leaving_the_loop_closes_the_connection(scripted: list[ScriptedServer]) -> None:
    def endless(conn: Connection) -> None:
        conn.start()
        conn.event("log", entry(1), "cursor-1")
        conn.event("log", entry(2), "cursor-2")
        conn.wait_until_client_closes()

    server = _server(scripted, endless, endless, endless)
    client = make_client(server.endpoint)
    try:
        # break out of a `with` block
        with client.logs.stream() as stream:
            for _ in stream:
                break
        assert server.connections[0].client_closed.wait(5)

        # break out of a bare loop: the connection is closed as the stream is dropped
        for _ in client.logs.stream():
            break
        assert server.connections[1].client_closed.wait(5)

        # an exception in the loop body
        def consume_and_fail() -> None:
            with client.logs.stream() as stream:
                for _ in stream:
                    raise RuntimeError("consumer failed")

        with pytest.raises(RuntimeError):
            consume_and_fail()
        assert server.connections[2].client_closed.wait(5)
    finally:
        close_client(client)


def test_reconnecting_gives_up_after_retries_without_progress(
    scripted: list[ScriptedServer],
) -> None:
    def one_then_drop(conn: Connection) -> None:
        conn.start()
        conn.event("log", entry(1), "cursor-1")
        conn.close()

    def drop(conn: Connection) -> None:
        conn.start()
        conn.close()

    server = _server(scripted, one_then_drop, drop, drop, drop, drop)
    client = make_client(server.endpoint, retries=2)
    got: list[str] = []

    def consume() -> None:
        got.extend(log["id"] for log in client.logs.stream())

    try:
        with pytest.raises(NetworkError):
            consume()
    finally:
        close_client(client)
    assert got == ["log-1"]
    # the first connection, then retries=2 reconnections that made no progress, then 1 more
    # that exceeded the budget
    assert len(server.connections) == 4
    assert all(c.headers.get("last-event-id") == "cursor-1" for c in server.connections[1:])


def test_errors_on_the_first_connection_are_raised(
    httpserver: HTTPServer, client: NeuralLog
) -> None:
    httpserver.expect_request("/v1/logs/stream").respond_with_response(
        error_response(401, "unauthorized", "bad key")
    )
    with pytest.raises(AuthenticationError):
        next(client.logs.stream())
    assert len(httpserver.log) == 1


def test_an_answer_that_is_not_an_event_stream_is_refused(
    httpserver: HTTPServer, client: NeuralLog
) -> None:
    httpserver.expect_request("/v1/logs/stream").respond_with_data(
        "<html>login</html>", content_type="text/html"
    )
    with pytest.raises(ApiError, match="instead of text/event-stream"):
        next(client.logs.stream())


def _consume_in_thread(
    stream: LogStream, got: list[str], failures: list[BaseException]
) -> threading.Thread:
    def consume() -> None:
        try:
            got.extend(log["id"] for log in stream)
        except BaseException as error:  # reported by the test
            failures.append(error)

    consumer = threading.Thread(target=consume, daemon=True)
    consumer.start()
    return consumer


def test_close_from_another_thread_ends_a_blocked_read(scripted: list[ScriptedServer]) -> None:
    # The consumer thread is parked reading a connection that stays silent far longer than
    # the test waits: only close() can end its loop.
    server = _server(scripted, _endless)
    client = make_client(server.endpoint)
    stream = client.logs.stream(follow=True, heartbeat_timeout=600)
    got: list[str] = []
    failures: list[BaseException] = []
    try:
        consumer = _consume_in_thread(stream, got, failures)
        _wait_until(lambda: len(got) == 2 and stream._busy)  # back in next(), reading
        with pytest.raises(RuntimeError, match="already iterating"):
            next(stream)  # the consumer is in its own next()
        stream.close()
        consumer.join(WAIT)
        assert not consumer.is_alive()
        assert failures == []
        assert got == ["log-1", "log-2"]
        assert server.connection(0).client_closed.wait(WAIT)
        assert len(server.connections) == 1
    finally:
        stream.close()
        close_client(client)


def test_close_from_another_thread_ends_a_wait_to_reconnect(
    scripted: list[ScriptedServer],
) -> None:
    def one_then_cut(conn: Connection) -> None:
        conn.start()
        conn.chunk(b"retry: 60000\n")  # the server asks for a minute before reconnecting
        conn.event("log", entry(1), "cursor-1")
        conn.close()

    server = _server(scripted, one_then_cut)
    waiting = threading.Event()
    logger = logging.getLogger("neurallog.test.reconnect")
    logger.setLevel(logging.INFO)
    logger.propagate = False
    handler = _Recorder(waiting, "NeuralLog: log stream interrupted")
    logger.addHandler(handler)
    client = make_client(server.endpoint, max_retry_delay=60.0, logger=logger)
    stream = client.logs.stream(follow=True)
    got: list[str] = []
    failures: list[BaseException] = []
    try:
        consumer = _consume_in_thread(stream, got, failures)
        assert waiting.wait(WAIT)  # the consumer is now in its delay
        stream.close()
        consumer.join(WAIT)  # a bound on waiting for the consumer, far below a minute
        assert not consumer.is_alive()
        assert failures == []
        assert got == ["log-1"]
        assert len(server.connections) == 1
    finally:
        stream.close()
        logger.removeHandler(handler)
        close_client(client)


def _wait_until(predicate: Callable[[], bool]) -> None:
    deadline = time.monotonic() + WAIT
    while not predicate():
        assert time.monotonic() < deadline, "gave up waiting"
        time.sleep(0.01)


# -- async ------------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_astream_resumes_and_closes_its_own_client(
    httpserver: HTTPServer, client: NeuralLog
) -> None:
    seen: list[str | None] = []

    def handler(request: Request) -> Response:
        seen.append(request.headers.get("Last-Event-ID"))
        if len(seen) == 1:
            return _sse(_log_event(1), HEARTBEAT, _log_event(2))
        return _sse(_log_event(3), encode_event("end", {"count": 1}))

    httpserver.expect_request("/v1/logs/stream").respond_with_handler(handler)
    got = [
        log["id"]
        async for log in client.logs.astream(
            query="error", filter={"level": ["ERROR", "FATAL"]}, follow=False
        )
    ]
    assert got == ["log-1", "log-2", "log-3"]
    assert seen == [None, "cursor-2"]


def test_astream_works_from_several_event_loops(httpserver: HTTPServer, client: NeuralLog) -> None:
    httpserver.expect_request("/v1/logs/stream").respond_with_response(
        _sse(_log_event(1), encode_event("end", {"count": 1}))
    )

    async def tail() -> list[str]:
        return [log["id"] async for log in client.logs.astream(follow=False)]

    import asyncio

    assert asyncio.run(tail()) == ["log-1"]
    assert asyncio.run(tail()) == ["log-1"]


@pytest.mark.anyio
async def test_cancelling_an_async_stream_closes_the_connection(
    scripted: list[ScriptedServer],
) -> None:
    def endless(conn: Connection) -> None:
        conn.start()
        conn.event("log", entry(1), "cursor-1")
        conn.wait_until_client_closes()

    server = _server(scripted, endless)
    client = make_client(server.endpoint)
    first = anyio.Event()

    async def consume() -> None:
        async for _ in client.logs.astream(follow=True):
            first.set()

    try:
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(consume)
            await first.wait()
            tasks.cancel_scope.cancel()  # the consumer is parked waiting for the next event
        closed = await anyio.to_thread.run_sync(server.connections[0].client_closed.wait, 5)
        assert closed
    finally:
        close_client(client)


@pytest.mark.anyio
async def test_aclose_and_async_with_close_the_connection(
    scripted: list[ScriptedServer],
) -> None:
    def endless(conn: Connection) -> None:
        conn.start()
        conn.event("log", entry(1), "cursor-1")
        conn.wait_until_client_closes()

    server = _server(scripted, endless, endless)
    client = make_client(server.endpoint)
    try:
        async with client.logs.astream() as stream:
            async for _ in stream:
                break
        assert await anyio.to_thread.run_sync(server.connections[0].client_closed.wait, 5)

        stream = client.logs.astream()
        assert (await stream.__anext__())["id"] == "log-1"
        await stream.aclose()
        assert await anyio.to_thread.run_sync(server.connections[1].client_closed.wait, 5)
        with pytest.raises(StopAsyncIteration):
            await stream.__anext__()
    finally:
        close_client(client)


@pytest.mark.anyio
async def test_a_bare_async_loop_left_with_break_closes_once_the_stream_is_dropped(
    scripted: list[ScriptedServer],
) -> None:
    # The SDK spec's pattern: no `async with`, no aclose(). The stream is dropped at `break`;
    # its connection must be closed while the loop keeps running, not at some later point.
    server = _server(scripted, _endless, _endless)
    client = make_client(server.endpoint)
    try:
        async for _ in client.logs.astream(follow=True):
            break
        assert await anyio.to_thread.run_sync(server.connection(0).client_closed.wait, WAIT)

        async with AsyncNeuralLog(api_key="k", endpoint=server.endpoint) as anl:
            async for _ in anl.logs.stream(follow=True):
                break
            assert await anyio.to_thread.run_sync(server.connection(1).client_closed.wait, WAIT)
            assert _open_connections(anl) == 0
    finally:
        close_client(client)


@pytest.mark.anyio
async def test_an_abandoned_stream_in_a_reference_cycle_is_closed_by_its_finalizer(
    scripted: list[ScriptedServer],
) -> None:
    # Collected by the garbage collector rather than by reference counting: the socket and
    # httpx's generators must not be finalized on their own (an "unclosed transport"
    # warning, or generators closed out of order), which pytest reports as unraisable.
    server = _server(scripted, _endless)
    client = make_client(server.endpoint)
    try:

        async def tail() -> None:
            stream = client.logs.astream(follow=True)
            stream.itself = stream  # type: ignore[attr-defined]
            async for _ in stream:
                break

        await tail()
        gc.collect()
        assert await anyio.to_thread.run_sync(server.connection(0).client_closed.wait, WAIT)
    finally:
        close_client(client)


@pytest.mark.anyio
async def test_aclose_from_another_task_ends_the_iteration(
    scripted: list[ScriptedServer],
) -> None:
    server = _server(scripted, _endless)
    client = make_client(server.endpoint)
    try:
        stream = client.logs.astream(follow=True)
        got: list[str] = []
        first = anyio.Event()

        async def consume() -> None:
            async for log in stream:
                got.append(log["id"])
                if len(got) == 2:
                    first.set()

        async with anyio.create_task_group() as tasks:
            tasks.start_soon(consume)
            await first.wait()
            with pytest.raises(RuntimeError, match="already iterating"):
                await stream.__anext__()  # the consumer is parked in its own __anext__
            await stream.aclose()  # the consumer's loop then ends normally
        assert got == ["log-1", "log-2"]
        assert await anyio.to_thread.run_sync(server.connection(0).client_closed.wait, WAIT)
    finally:
        close_client(client)


@pytest.mark.anyio
async def test_aclose_from_another_task_ends_a_wait_to_reconnect(
    scripted: list[ScriptedServer],
) -> None:
    def one_then_cut(conn: Connection) -> None:
        conn.start()
        conn.chunk(b"retry: 60000\n")  # the server asks for a minute before reconnecting
        conn.event("log", entry(1), "cursor-1")
        conn.close()

    server = _server(scripted, one_then_cut)
    waiting = threading.Event()
    logger = logging.getLogger("neurallog.test.reconnect")
    logger.setLevel(logging.INFO)
    logger.propagate = False
    handler = _Recorder(waiting, "NeuralLog: log stream interrupted")
    logger.addHandler(handler)
    client = make_client(server.endpoint, max_retry_delay=60.0, logger=logger)
    try:
        stream = client.logs.astream(follow=True)
        got: list[str] = []

        async def consume() -> None:
            async for log in stream:
                got.append(log["id"])

        with anyio.fail_after(WAIT):  # a bound on waiting for the consumer, far below a minute
            async with anyio.create_task_group() as tasks:
                tasks.start_soon(consume)
                assert await anyio.to_thread.run_sync(waiting.wait, WAIT)  # now in its delay
                await stream.aclose()  # the consumer's loop ends: the group can exit
        assert got == ["log-1"]
        assert len(server.connections) == 1
    finally:
        logger.removeHandler(handler)
        close_client(client)


class _Recorder(logging.Handler):
    def __init__(self, event: threading.Event, prefix: str) -> None:
        super().__init__(logging.INFO)
        self._event = event
        self._prefix = prefix

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage().startswith(self._prefix):
            self._event.set()


# -- the resume cursor comes from any event that carries an id --------------------------------


def _heartbeat(conn: Connection, event_id: str | None) -> None:
    conn.event("heartbeat", {"timestamp": "2024-01-01T00:00:00Z"}, event_id)


@pytest.mark.parametrize("flavour", ["sync", "async"])
def test_a_drop_before_the_first_entry_resumes_from_the_opening_heartbeat(
    scripted: list[ScriptedServer], flavour: str
) -> None:
    def opened_then_cut(conn: Connection) -> None:
        conn.start()
        _heartbeat(conn, "cursor-7")  # sent as the stream opens: the current position
        conn.close()  # dropped before any entry

    def resumed(conn: Connection) -> None:
        conn.start()
        _heartbeat(conn, "cursor-7")
        conn.event("log", entry(8), "cursor-8")  # stored during the gap
        conn.event("end", {"count": 1})
        conn.finish()

    server = _server(scripted, opened_then_cut, resumed)
    client = make_client(server.endpoint)
    try:
        if flavour == "sync":
            stream = client.logs.stream(follow=False, history=0)
            got = [log["id"] for log in stream]
            cursor = stream.last_event_id
        else:

            async def tail() -> tuple[list[str], str | None]:
                astream = client.logs.astream(follow=False, history=0)
                return [log["id"] async for log in astream], astream.last_event_id

            got, cursor = anyio.run(tail)
    finally:
        close_client(client)
    assert got == ["log-8"]  # no heartbeat is ever an entry
    assert cursor == "cursor-8"
    first, second = server.connections
    assert "last-event-id" not in first.headers
    assert second.headers.get("last-event-id") == "cursor-7"
    assert parse_qs(urlsplit(second.path).query)["history"] == ["0"]


def test_a_heartbeat_id_after_entries_moves_the_cursor(scripted: list[ScriptedServer]) -> None:
    def first(conn: Connection) -> None:
        conn.start()
        conn.event("log", entry(1), "cursor-1")
        _heartbeat(conn, "cursor-5")  # entries 2..5 were stored but did not match
        _heartbeat(conn, None)  # no id: the cursor stays
        conn.chunk(b"id: cursor-6\n\n")  # an id alone, no data: the cursor moves too
        conn.close()

    def second(conn: Connection) -> None:
        conn.start()
        conn.event("log", entry(7), "cursor-7")
        conn.event("end", {"count": 1})
        conn.finish()

    server = _server(scripted, first, second)
    client = make_client(server.endpoint)
    seen: list[str | None] = []
    try:
        stream = client.logs.stream(follow=False)
        for log in stream:
            seen.append(stream.last_event_id)
            if log["id"] == "log-1":
                assert stream.last_event_id == "cursor-1"
    finally:
        close_client(client)
    assert seen == ["cursor-1", "cursor-7"]
    assert server.connections[1].headers.get("last-event-id") == "cursor-6"


def test_an_empty_id_never_clears_the_cursor(scripted: list[ScriptedServer]) -> None:
    # The SSE specification lets an empty `id:` reset the last event id; a reconnection
    # without a cursor would replay the history, so the stream keeps the cursor it has.
    def first(conn: Connection) -> None:
        conn.start()
        conn.event("log", entry(1), "cursor-1")
        _heartbeat(conn, "")
        conn.close()

    def second(conn: Connection) -> None:
        conn.start()
        conn.event("end", {"count": 0})
        conn.finish()

    server = _server(scripted, first, second)
    client = make_client(server.endpoint)
    try:
        stream = client.logs.stream(follow=False)
        assert [log["id"] for log in stream] == ["log-1"]
    finally:
        close_client(client)
    assert stream.last_event_id == "cursor-1"
    assert server.connections[1].headers.get("last-event-id") == "cursor-1"


def test_the_opening_heartbeat_alone_is_no_progress(scripted: list[ScriptedServer]) -> None:
    # A server that accepts streams and drops them straight after the opening heartbeat
    # must not be retried forever: `retries` still bounds the reconnections.
    def opened_then_cut(conn: Connection) -> None:
        conn.start()
        _heartbeat(conn, "cursor-3")
        conn.close()

    server = _server(scripted, *[opened_then_cut] * 4)
    client = make_client(server.endpoint, retries=2)
    try:
        with pytest.raises(NetworkError):
            next(client.logs.stream())
    finally:
        close_client(client)
    assert len(server.connections) == 3  # the first connection, then 2 reconnections
    assert [c.headers.get("last-event-id") for c in server.connections] == [
        None,
        "cursor-3",
        "cursor-3",
    ]


def test_a_quiet_tail_survives_any_number_of_drops(scripted: list[ScriptedServer]) -> None:
    # No entry at all, but each connection lives through a heartbeat after the opening one:
    # that is progress, so drops never add up to `retries`.
    def quiet_then_cut(conn: Connection) -> None:
        conn.start()
        _heartbeat(conn, "cursor-3")
        _heartbeat(conn, "cursor-3")
        conn.close()

    def last(conn: Connection) -> None:
        conn.start()
        conn.event("log", entry(4), "cursor-4")
        conn.event("end", {"count": 1})
        conn.finish()

    server = _server(scripted, *[quiet_then_cut] * 4, last)
    client = make_client(server.endpoint, retries=1)
    try:
        assert [log["id"] for log in client.logs.stream(follow=False)] == ["log-4"]
    finally:
        close_client(client)
    assert len(server.connections) == 5


# -- the event stream format -------------------------------------------------------------------

_BODY = (
    b"\xef\xbb\xbfevent: log\r\nid: 1\rdata: a\ndata:b\n: a comment\nretry: 1500\n\n"
    b"data\r\n\r\n"
    b"event: heartbeat\nunknown: field\nid: bad\0id\ndata: {}\n\n"
    b"id: 2\n\n"
    b"event: log\ndata: cut off by the end of the body"
)
_EVENTS = [
    Event("log", "a\nb", "1", 1500),
    Event("", "", "1", None),
    Event("heartbeat", "{}", "1", None),
    Event("", "", "2", None),
]


def _parse(chunks: list[bytes]) -> list[Event]:
    parser = _EventParser()
    return [event for chunk in chunks for event in parser.feed(chunk)]


def test_the_parser_follows_the_event_stream_format() -> None:
    assert _parse([_BODY]) == _EVENTS
    assert _parse([bytes([b]) for b in _BODY]) == _EVENTS


@given(st.sets(st.integers(min_value=1, max_value=len(_BODY) - 1), max_size=12))
def test_the_parser_does_not_care_where_chunks_end(cuts: set[int]) -> None:
    bounds = [0, *sorted(cuts), len(_BODY)]
    assert _parse([_BODY[a:b] for a, b in itertools.pairwise(bounds)]) == _EVENTS


def test_an_empty_chunk_between_cr_and_lf_keeps_them_one_line_end() -> None:
    assert _parse([b"data: x\r", b"", b"\ndata: y\n\n"]) == [Event("", "x\ny", "", None)]
