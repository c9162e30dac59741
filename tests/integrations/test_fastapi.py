"""FastAPI integration through httpx's ASGI transport and under uvicorn, against a real server."""

from __future__ import annotations

import asyncio
import logging
import re
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest

# Request at module level too: FastAPI resolves the string annotations in module globals.
from fastapi import BackgroundTasks, FastAPI, HTTPException, Request, WebSocket
from fastapi.responses import StreamingResponse

from neurallog.async_client import AsyncNeuralLog
from neurallog.client import NeuralLog
from neurallog.integrations.asgi import NeuralLogASGIMiddleware, route_template
from neurallog.integrations.fastapi import NeuralLogFastAPI
from neurallog.integrations.logging import NeuralLogHandler

from .conftest import BIN, WAIT, Collector, ServerProcess, by_message, free_socket, server_env

pytestmark = pytest.mark.anyio
HEX32 = re.compile(r"[0-9a-f]{32}")


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def api_logger() -> Iterator[logging.Logger]:
    made = logging.getLogger("tests.fastapi.api")
    made.setLevel(logging.INFO)
    made.propagate = False
    yield made
    for handler in list(made.handlers):
        made.removeHandler(handler)


def asgi_client(app: Any, *, raise_app_exceptions: bool = True) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=raise_app_exceptions)
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


async def test_spec_example_verbatim(collector: Collector, api_key: str) -> None:
    # The SDK spec's FastAPI example; only the endpoint (and the data source) differ.
    from fastapi import FastAPI, Request  # noqa: F401

    from neurallog.integrations.fastapi import NeuralLogFastAPI

    db_up = True

    async def get_users_from_db() -> list[str]:
        if not db_up:
            raise ConnectionError("database unreachable")
        return ["ada", "grace"]

    app = FastAPI()
    neurallog = NeuralLogFastAPI(
        api_key=api_key,
        endpoint=collector.endpoint,
    )

    app.add_middleware(neurallog.middleware)

    @app.get("/api/users")
    async def get_users(request: Request) -> Any:
        try:
            # Log request
            await neurallog.info(
                "User API request",
                {
                    "path": request.url.path,
                    "method": request.method,
                    "client": request.client.host,  # type: ignore[union-attr]
                },
            )

            # Process request
            users = await get_users_from_db()
            return {"users": users}
        except Exception as e:
            # Log error
            await neurallog.error(
                "User API error",
                {"path": request.url.path, "method": request.method, "error": str(e)},
            )

            return {"error": "Internal server error"}

    async with asgi_client(app) as web:
        ok = await web.get("/api/users")
        assert ok.json() == {"users": ["ada", "grace"]}
        db_up = False
        failed = await web.get("/api/users", headers={"X-Request-ID": "spec-fastapi-2"})
        assert failed.json() == {"error": "Internal server error"}
    assert await neurallog.flush()
    await neurallog.close()

    entries = collector.wait_count(api_key, 3)
    first, second = by_message(entries, "User API request")
    assert first["metadata"]["path"] == "/api/users"
    assert first["metadata"]["method"] == "GET"
    assert first["metadata"]["client"] == "127.0.0.1"
    assert first["metadata"]["request"]["id"] == ok.headers["X-Request-ID"]
    assert HEX32.fullmatch(ok.headers["X-Request-ID"])
    assert first["metadata"]["request"]["route"] == "/api/users"
    error = by_message(entries, "User API error")[0]
    assert error["level"] == "ERROR"
    assert error["metadata"]["error"] == "database unreachable"
    assert error["metadata"]["request"]["id"] == "spec-fastapi-2"
    assert second["metadata"]["request"]["id"] == "spec-fastapi-2"


def make_app(client: NeuralLog, **options: Any) -> tuple[FastAPI, NeuralLogFastAPI]:
    app = FastAPI()
    neurallog = NeuralLogFastAPI(client, **options)
    app.add_middleware(neurallog.middleware)
    return app, neurallog


async def test_context_crosses_awaits_threads_and_background_tasks(
    collector: Collector, api_key: str, client: NeuralLog, api_logger: logging.Logger
) -> None:
    app, neurallog = make_app(client)
    api_logger.addHandler(NeuralLogHandler(neurallog))

    @app.get("/users/{user_id}/orders/{order_id}")
    async def order(user_id: int, order_id: int, background: BackgroundTasks) -> dict[str, int]:
        await neurallog.info("before await", {"order_id": order_id})
        await asyncio.sleep(0)
        api_logger.info("after await")
        background.add_task(api_logger.info, "in a background task")
        return {"order": order_id}

    @app.get("/sync")
    def sync_endpoint() -> str:  # runs in a worker thread
        client.info("from a sync endpoint")
        return "ok"

    async with asgi_client(app) as web:
        response = await web.get("/users/1/orders/2", headers={"X-Request-ID": "f-1"})
        assert response.status_code == 200
        assert response.headers["X-Request-ID"] == "f-1"
        assert (await web.get("/sync", headers={"X-Request-ID": "f-2"})).status_code == 200
    await neurallog.info("outside")
    await neurallog.flush()

    entries = collector.wait_count(api_key, 5)
    expected = {
        "id": "f-1",
        "method": "GET",
        "path": "/users/1/orders/2",
        "route": "/users/{user_id}/orders/{order_id}",
        "client": "127.0.0.1",
    }
    for message in ("before await", "after await", "in a background task"):
        assert by_message(entries, message)[0]["metadata"]["request"] == expected, message
    assert by_message(entries, "from a sync endpoint")[0]["metadata"]["request"]["id"] == "f-2"
    assert "request" not in (by_message(entries, "outside")[0].get("metadata") or {})


async def test_fifty_concurrent_requests_keep_their_own_context(
    collector: Collector, api_key: str, client: NeuralLog, api_logger: logging.Logger
) -> None:
    app, neurallog = make_app(client)
    api_logger.addHandler(NeuralLogHandler(client))
    arrived = 0
    everyone_in = asyncio.Event()

    @app.get("/items/{name}")
    async def item(name: str) -> str:
        nonlocal arrived
        await neurallog.info(f"start {name}")
        arrived += 1
        if arrived == 50:
            everyone_in.set()
        await asyncio.wait_for(everyone_in.wait(), WAIT)  # all fifty are in flight at once
        api_logger.info("end %s", name)
        return name

    async with asgi_client(app) as web:
        responses = await asyncio.gather(
            *(web.get(f"/items/{i}", headers={"X-Request-ID": f"c-{i}"}) for i in range(50))
        )
    assert [r.headers["X-Request-ID"] for r in responses] == [f"c-{i}" for i in range(50)]
    await neurallog.flush()

    entries = collector.wait_count(api_key, 100)
    assert len(entries) == 100
    for entry in entries:
        number = entry["message"].split()[1]
        assert entry["metadata"]["request"]["id"] == f"c-{number}"
        assert entry["metadata"]["request"]["route"] == "/items/{name}"


async def test_unhandled_exception_logged_once_and_reraised(
    collector: Collector, api_key: str, client: NeuralLog, api_logger: logging.Logger
) -> None:
    app, neurallog = make_app(client, request_logging=True)
    # The server reports the exception on its own logger too (uvicorn.error): not resent.
    uvicorn_error = logging.getLogger("uvicorn.error")
    handler = NeuralLogHandler(client)
    uvicorn_error.addHandler(handler)

    @app.get("/boom")
    async def boom() -> None:
        raise ValueError("async kaboom")

    @app.get("/teapot")
    async def teapot() -> None:
        raise HTTPException(status_code=418, detail="short and stout")

    try:
        async with asgi_client(app) as web:
            with pytest.raises(ValueError, match="async kaboom"):
                await web.get("/boom", headers={"X-Request-ID": "boom-1"})
        async with asgi_client(app, raise_app_exceptions=False) as web:
            response = await web.get("/boom", headers={"X-Request-ID": "boom-2"})
            assert response.status_code == 500
            assert (await web.get("/teapot")).status_code == 418
        try:
            raise ValueError("async kaboom")
        except ValueError as exc:
            uvicorn_error.error("Exception in ASGI application", exc_info=exc)
    finally:
        uvicorn_error.removeHandler(handler)
    await neurallog.flush()

    entries = collector.wait_count(api_key, 6)
    errors = by_message(entries, "Unhandled exception: ValueError: async kaboom")
    assert sorted(e["metadata"]["request"]["id"] for e in errors) == ["boom-1", "boom-2"]
    for error in errors:
        assert error["metadata"]["request"]["route"] == "/boom"
        assert 'raise ValueError("async kaboom")' in error["metadata"]["exception"]["traceback"]
    assert by_message(entries, "GET /boom 500")[0]["level"] == "ERROR"
    assert by_message(entries, "GET /teapot 418")[0]["level"] == "WARN"
    assert len(by_message(entries, "Exception in ASGI application")) == 1  # a new exception


async def test_server_logger_does_not_resend_a_reported_exception(
    collector: Collector, api_key: str, client: NeuralLog
) -> None:
    app, neurallog = make_app(client)
    handler = NeuralLogHandler(client)
    server_logger = logging.getLogger("uvicorn.error")
    server_logger.addHandler(handler)
    caught: list[BaseException] = []

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("reported once")

    try:
        async with asgi_client(app) as web:
            try:
                await web.get("/boom")
            except RuntimeError as exc:
                caught.append(exc)
                # What uvicorn does with an exception that escaped the app.
                server_logger.error("Exception in ASGI application", exc_info=exc)
    finally:
        server_logger.removeHandler(handler)
    await neurallog.info("marker")
    await neurallog.flush()
    collector.wait_message(api_key, "marker")
    assert len(caught) == 1
    assert [e["message"] for e in collector.entries(api_key) if e["level"] == "ERROR"] == [
        "Unhandled exception: RuntimeError: reported once"
    ]


async def test_streaming_responses_keep_working_and_keep_the_context(
    collector: Collector, api_key: str, client: NeuralLog
) -> None:
    app, neurallog = make_app(client, request_logging=True)

    @app.get("/stream")
    async def stream() -> StreamingResponse:
        async def chunks() -> AsyncIterator[str]:
            for i in range(3):
                await neurallog.info(f"chunk {i}")
                yield f"{i}\n"

        return StreamingResponse(chunks(), media_type="text/plain")

    async with (
        asgi_client(app) as web,
        web.stream("GET", "/stream", headers={"X-Request-ID": "s-1"}) as response,
    ):
        assert response.headers["X-Request-ID"] == "s-1"
        body = [line async for line in response.aiter_lines()]
    assert body == ["0", "1", "2"]
    await neurallog.flush()

    entries = collector.wait_count(api_key, 4)
    for i in range(3):
        assert by_message(entries, f"chunk {i}")[0]["metadata"]["request"]["id"] == "s-1"
    logged = by_message(entries, "GET /stream 200")[0]
    assert logged["metadata"]["response"]["status"] == 200


async def test_awaitable_methods_and_client_forms(collector: Collector, api_key: str) -> None:
    async_client = AsyncNeuralLog(api_key=api_key, endpoint=collector.endpoint)
    wrapped = NeuralLogFastAPI(async_client)
    assert wrapped.client is async_client
    await wrapped.log("WARN", "explicit level", {"k": 1}, source="svc", tags=["t"])
    await wrapped.debug("dropped below INFO")
    await wrapped.warn("warned")
    await wrapped.fatal("fatal")
    assert await wrapped.close()  # not owned: flushed, still open
    await async_client.info("client still open")
    await async_client.close()

    entries = collector.wait_count(api_key, 4)
    explicit = by_message(entries, "explicit level")[0]
    assert (explicit["level"], explicit["source"], explicit["tags"]) == ("WARN", "svc", ["t"])
    assert by_message(entries, "dropped below INFO") == []
    assert by_message(entries, "fatal")[0]["level"] == "FATAL"
    with pytest.raises(TypeError, match="not both"):
        NeuralLogFastAPI(async_client, api_key="x")


async def test_a_neurallog_passed_in_is_shared_and_not_closed(
    collector: Collector, api_key: str, client: NeuralLog
) -> None:
    neurallog = NeuralLogFastAPI(client)
    assert neurallog.sync_client is client  # one pipeline for sync and async code
    # Another integration object shares its client too (a Flask app mounted in FastAPI).
    from flask import Flask

    from neurallog.integrations.flask import NeuralLogFlask

    assert NeuralLogFastAPI(NeuralLogFlask(Flask("mounted"), client)).sync_client is client
    assert NeuralLogFastAPI(neurallog).sync_client is client
    with pytest.raises(TypeError, match="NeuralLog or AsyncNeuralLog"):
        NeuralLogFastAPI(object())
    await neurallog.info("from the integration")
    assert await neurallog.close()  # not owned: flushed, still open
    client.info("client still open")
    assert client.flush(10)
    entries = collector.wait_count(api_key, 2)
    assert sorted(e["message"] for e in entries) == ["client still open", "from the integration"]


async def test_middleware_options_and_app_argument(
    collector: Collector, api_key: str, client: NeuralLog
) -> None:
    app = FastAPI()
    neurallog = NeuralLogFastAPI(client, app=app)  # adds its middleware
    app.add_middleware(NeuralLogASGIMiddleware, client=client)  # a second one is a no-op
    app.get("/ping")(lambda: "pong")
    async with asgi_client(app) as web:
        response = await web.get("/ping", headers={"X-Request-ID": "p-1"})
    assert response.headers.get_list("X-Request-ID") == ["p-1"]
    await neurallog.info("after")
    await neurallog.flush()
    assert [e["message"] for e in collector.wait_count(api_key, 1)] == ["after"]


async def test_aclose_delivers_off_the_event_loop(
    collector: Collector, api_key: str, client_kwargs: dict[str, Any]
) -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        raise AssertionError("not called")

    middleware = NeuralLogASGIMiddleware(app, **{**client_kwargs, "batch_interval": 3600})
    middleware.client.info("pending at close")
    loop_thread = threading.get_ident()
    closed_on: list[int] = []
    close = middleware.client.close

    def recording_close(timeout: float | None = None) -> bool:
        closed_on.append(threading.get_ident())
        return close(timeout)

    middleware.client.close = recording_close  # type: ignore[method-assign]
    await middleware.aclose()
    assert len(closed_on) == 1
    assert closed_on[0] != loop_thread  # not on the event loop's thread
    assert collector.wait_message(api_key, "pending at close")


async def test_lifespan_and_websockets_pass_through(
    collector: Collector, api_key: str, client: NeuralLog
) -> None:
    lifespan_events: list[str] = []

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        lifespan_events.append("startup")
        yield
        lifespan_events.append("shutdown")

    app = FastAPI(lifespan=lifespan)
    neurallog = NeuralLogFastAPI(client)
    app.add_middleware(neurallog.middleware)

    @app.websocket("/ws/{room}")
    async def room(websocket: WebSocket, room: str) -> None:
        await websocket.accept()
        text = await websocket.receive_text()
        await neurallog.info(f"{room} got {text}")
        await websocket.send_text(text.upper())
        await websocket.close()

    async def drive(scope: dict[str, Any], incoming: list[dict[str, Any]]) -> list[Any]:
        sent: list[Any] = []

        async def receive() -> dict[str, Any]:
            return incoming.pop(0)

        async def send(message: Any) -> None:
            sent.append(message)

        await app(scope, receive, send)
        return sent

    lifespan_sent = await drive(
        {"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}},
        [{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}],
    )
    assert lifespan_events == ["startup", "shutdown"]
    assert [m["type"] for m in lifespan_sent] == [
        "lifespan.startup.complete",
        "lifespan.shutdown.complete",
    ]
    ws_sent = await drive(
        {
            "type": "websocket",
            "asgi": {"version": "3.0"},
            "path": "/ws/lobby",
            "raw_path": b"/ws/lobby",
            "root_path": "",
            "query_string": b"",
            "headers": [(b"x-request-id", b"ws-1")],
            "client": ("127.0.0.1", 5000),
            "server": ("testserver", 80),
            "subprotocols": [],
        },
        [
            {"type": "websocket.connect"},
            {"type": "websocket.receive", "text": "hi"},
            {"type": "websocket.disconnect", "code": 1000},
        ],
    )
    assert [m["type"] for m in ws_sent] == ["websocket.accept", "websocket.send", "websocket.close"]
    assert ws_sent[1]["text"] == "HI"
    await neurallog.flush()

    request = collector.wait_message(api_key, "lobby got hi")["metadata"]["request"]
    assert request == {
        "id": "ws-1",
        "method": "WEBSOCKET",
        "path": "/ws/lobby",
        "route": "/ws/{room}",
        "client": "127.0.0.1",
    }


async def test_wrapping_the_app_directly_finds_the_route(
    collector: Collector, api_key: str, client: NeuralLog
) -> None:
    app = FastAPI()

    @app.get("/users/{user_id}")
    async def user(user_id: int) -> int:
        client.info("in the endpoint")
        return user_id

    # ``app = NeuralLogASGIMiddleware(app, ...)``: outside Starlette, so scope["app"] is unset.
    async with asgi_client(NeuralLogASGIMiddleware(app, client)) as web:
        assert (await web.get("/users/3", headers={"X-Request-ID": "w-1"})).status_code == 200
    client.flush()
    request = collector.wait_message(api_key, "in the endpoint")["metadata"]["request"]
    assert request["id"] == "w-1"
    assert request["route"] == "/users/{user_id}"


def test_route_template_matches_mounts_and_misses() -> None:
    inner = FastAPI()
    inner.get("/things/{thing_id}")(lambda thing_id: thing_id)
    app = FastAPI()
    app.get("/a/{x}")(lambda x: x)
    app.mount("/sub", inner)

    def scope(path: str, method: str = "GET") -> dict[str, Any]:
        return {
            "type": "http",
            "path": path,
            "root_path": "",
            "method": method,
            "app": app,
            "headers": [],
        }

    assert route_template(scope("/a/1")) == "/a/{x}"
    assert route_template(scope("/sub/things/9")) == "/sub/things/{thing_id}"
    assert route_template(scope("/a/1", "POST")) == "/a/{x}"  # a 405 still names its route
    assert route_template(scope("/nowhere")) is None
    assert route_template({"type": "http", "path": "/"}) is None


# -- a real ASGI server ----------------------------------------------------------------------


@pytest.mark.slow
def test_uvicorn_delivers_every_record(
    collector: Collector, api_key: str, start_server: Callable[..., ServerProcess]
) -> None:
    sock = free_socket()
    args = [
        str(BIN / "uvicorn"),
        "--fd",
        str(sock.fileno()),
        "--no-access-log",
        "nl_fastapi_app:app",
    ]
    server: ServerProcess = start_server(args, server_env(collector, api_key), sock)
    server.wait_ready()

    def call(i: int) -> None:
        response = httpx.get(
            f"{server.url}/items/{i}", headers={"X-Request-ID": f"u-{i}"}, timeout=WAIT
        )
        assert response.status_code == 200
        assert response.headers["X-Request-ID"] == f"u-{i}"

    with ThreadPoolExecutor(max_workers=20) as pool:
        list(pool.map(call, range(40)))
    entries = collector.wait_for(
        api_key,
        lambda es: (
            len([e for e in es if e["message"].startswith(("item", "after", "back", "GET /items"))])
            >= 160
        ),
    )
    for i in range(40):
        for message in (f"item {i}", f"after await {i}", f"background {i}", f"GET /items/{i} 200"):
            (entry,) = by_message(entries, message)
            assert entry["metadata"]["request"]["id"] == f"u-{i}", message
            assert entry["metadata"]["request"]["route"] == "/items/{item_id}"
    output = server.stop()
    # uvicorn shuts down gracefully, then re-raises SIGTERM to exit with it.
    assert "Application shutdown complete" in output
