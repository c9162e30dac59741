"""Flask integration through Flask's test client and under gunicorn, against a real server."""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from flask import Flask, Response, stream_with_context

from neurallog.client import NeuralLog
from neurallog.integrations.flask import NeuralLogFlask
from neurallog.integrations.logging import NeuralLogHandler

from .conftest import BIN, WAIT, Collector, ServerProcess, by_message, free_socket, server_env

HEX32 = re.compile(r"[0-9a-f]{32}")


@pytest.fixture
def app_logger() -> Iterator[logging.Logger]:
    made = logging.getLogger("tests.flask.app")
    made.setLevel(logging.INFO)
    made.propagate = False
    yield made
    for handler in list(made.handlers):
        made.removeHandler(handler)


def make_app(client: NeuralLog, **options: Any) -> tuple[Flask, NeuralLogFlask]:
    app = Flask("tests_flask")
    return app, NeuralLogFlask(app, client, **options)


def test_spec_example_verbatim(collector: Collector, api_key: str) -> None:
    # The SDK spec's Flask example; only the endpoint (and the data source) differ.
    from flask import Flask, request

    from neurallog.integrations.flask import NeuralLogFlask

    db_up = True

    def get_users_from_db() -> list[str]:
        if not db_up:
            raise ConnectionError("database unreachable")
        return ["ada", "grace"]

    app = Flask(__name__)
    neurallog = NeuralLogFlask(
        app,
        api_key=api_key,
        endpoint=collector.endpoint,
    )

    @app.route("/api/users")
    def get_users() -> Any:
        try:
            # Log request
            neurallog.info(
                "User API request",
                {"path": request.path, "method": request.method, "ip": request.remote_addr},
            )

            # Process request
            users = get_users_from_db()
            return {"users": users}
        except Exception as e:
            # Log error
            neurallog.error(
                "User API error",
                {"path": request.path, "method": request.method, "error": str(e)},
            )

            return {"error": "Internal server error"}, 500

    web = app.test_client()
    ok = web.get("/api/users")
    assert ok.status_code == 200
    assert ok.get_json() == {"users": ["ada", "grace"]}
    db_up = False
    failed = web.get("/api/users", headers={"X-Request-ID": "spec-request-2"})
    assert failed.status_code == 500
    assert failed.headers["X-Request-ID"] == "spec-request-2"
    neurallog.flush()

    entries = collector.wait_count(api_key, 3)
    first, second = by_message(entries, "User API request")
    assert first["level"] == "INFO"
    assert first["metadata"]["path"] == "/api/users"
    assert first["metadata"]["method"] == "GET"
    assert first["metadata"]["ip"] == "127.0.0.1"
    assert first["metadata"]["request"]["id"] == ok.headers["X-Request-ID"]
    assert HEX32.fullmatch(first["metadata"]["request"]["id"])
    error = by_message(entries, "User API error")[0]
    assert error["level"] == "ERROR"
    assert error["metadata"]["error"] == "database unreachable"
    assert error["metadata"]["request"]["id"] == second["metadata"]["request"]["id"]
    assert error["metadata"]["request"]["id"] == "spec-request-2"


def test_request_context_on_every_record(
    collector: Collector, api_key: str, client: NeuralLog, app_logger: logging.Logger
) -> None:
    app, neurallog = make_app(client)
    app_logger.addHandler(NeuralLogHandler(client))
    other = NeuralLog(api_key=api_key, endpoint=collector.endpoint, batch_interval=0.05)

    @app.before_request
    def before() -> None:
        app_logger.info("before request hook")

    @app.get("/api/users/<int:user_id>")
    def get_user(user_id: int) -> dict[str, int]:
        neurallog.info("via the integration", {"user_id": user_id})
        app_logger.info("via stdlib logging")
        other.info("via another client")
        return {"id": user_id}

    response = app.test_client().get(
        "/api/users/42?x=1",
        headers={"X-Request-ID": "abc-123"},
        environ_base={"REMOTE_ADDR": "10.1.2.3"},
    )
    assert response.status_code == 200
    assert response.headers["X-Request-ID"] == "abc-123"
    neurallog.info("outside any request")
    client.flush()
    other.close()

    entries = collector.wait_count(api_key, 5)
    expected = {
        "id": "abc-123",
        "method": "GET",
        "path": "/api/users/42",
        "route": "/api/users/<int:user_id>",
        "client": "10.1.2.3",
    }
    for message in (
        "before request hook",
        "via the integration",
        "via stdlib logging",
        "via another client",
    ):
        assert by_message(entries, message)[0]["metadata"]["request"] == expected, message
    assert by_message(entries, "via the integration")[0]["metadata"]["user_id"] == 42
    assert "request" not in by_message(entries, "outside any request")[0].get("metadata", {})
    # No automatic request log unless asked for.
    assert not [e for e in entries if e["message"].startswith("GET ")]


def test_invalid_incoming_request_ids_are_replaced(client: NeuralLog) -> None:
    app, _ = make_app(client)
    app.add_url_rule("/", "index", lambda: "ok")
    web = app.test_client()
    for bad in ("has space", "x" * 300, "\u00e9t\u00e9"):
        response = web.get("/", headers={"X-Request-ID": bad})
        assert HEX32.fullmatch(response.headers["X-Request-ID"]), bad
    assert web.get("/").headers["X-Request-ID"] != web.get("/").headers["X-Request-ID"]


def test_fifty_concurrent_requests_keep_their_own_context(
    collector: Collector, api_key: str, client: NeuralLog, app_logger: logging.Logger
) -> None:
    app, neurallog = make_app(client)
    app_logger.addHandler(NeuralLogHandler(client))
    barrier = threading.Barrier(50, timeout=WAIT)

    @app.get("/items/<name>")
    def item(name: str) -> str:
        neurallog.info(f"start {name}")
        barrier.wait()  # all fifty requests are in flight at once
        app_logger.info("end %s", name)
        return name

    def call(i: int) -> str:
        response = app.test_client().get(f"/items/{i}", headers={"X-Request-ID": f"req-{i}"})
        assert response.status_code == 200
        return response.headers["X-Request-ID"]

    with ThreadPoolExecutor(max_workers=50) as pool:
        ids = list(pool.map(call, range(50)))
    assert ids == [f"req-{i}" for i in range(50)]
    client.flush()

    entries = collector.wait_count(api_key, 100)
    assert len(entries) == 100
    for entry in entries:
        number = entry["message"].split()[1]
        assert entry["metadata"]["request"]["id"] == f"req-{number}"
        assert entry["metadata"]["request"]["path"] == f"/items/{number}"


@pytest.mark.parametrize("testing", [False, True])
def test_unhandled_exception_logged_once_with_traceback(
    collector: Collector,
    api_key: str,
    client: NeuralLog,
    testing: bool,
    restore_flask_logger: Callable[[Flask], None],
) -> None:
    app, _ = make_app(client)
    app.testing = testing  # True: Flask re-raises into the test client
    restore_flask_logger(app)
    # Flask's own logger reports the exception too; the handler must not send it again.
    app.logger.addHandler(NeuralLogHandler(client))

    @app.get("/boom")
    def boom() -> str:
        raise ValueError("kaboom")

    web = app.test_client()
    if testing:
        with pytest.raises(ValueError, match="kaboom"):
            web.get("/boom", headers={"X-Request-ID": "boom-1"})
    else:
        assert web.get("/boom", headers={"X-Request-ID": "boom-1"}).status_code == 500
    client.info("marker")
    client.flush()

    collector.wait_message(api_key, "marker")
    errors = [e for e in collector.entries(api_key) if e["level"] == "ERROR"]
    assert len(errors) == 1, errors
    error = errors[0]
    assert error["message"] == "Unhandled exception: ValueError: kaboom"
    assert error["metadata"]["request"]["id"] == "boom-1"
    assert error["metadata"]["request"]["route"] == "/boom"
    exception = error["metadata"]["exception"]
    assert exception["type"] == "ValueError"
    assert exception["message"] == "kaboom"
    assert 'raise ValueError("kaboom")' in exception["traceback"]


@pytest.fixture
def restore_flask_logger() -> Iterator[Callable[[Flask], None]]:
    apps: list[Flask] = []
    yield apps.append
    for app in apps:
        for handler in list(app.logger.handlers):
            if isinstance(handler, NeuralLogHandler):
                app.logger.removeHandler(handler)


def test_http_errors_are_not_unhandled_exceptions(
    collector: Collector, api_key: str, client: NeuralLog
) -> None:
    app, _ = make_app(client, request_logging=True)
    app.add_url_rule("/forbidden", "forbidden", lambda: ("no", 403))
    web = app.test_client()
    # buffered: the test client then closes the response, as every WSGI server does.
    assert web.get("/missing", buffered=True).status_code == 404
    assert web.get("/forbidden", buffered=True).status_code == 403
    client.flush()
    entries = collector.wait_count(api_key, 2)
    assert sorted((e["level"], e["message"]) for e in entries) == [
        ("WARN", "GET /forbidden 403"),
        ("WARN", "GET /missing 404"),
    ]
    missing = by_message(entries, "GET /missing 404")[0]
    assert missing["metadata"]["request"]["route"] is None


def test_request_logging(collector: Collector, api_key: str, client: NeuralLog) -> None:
    app, _ = make_app(client, request_logging=True)

    @app.post("/orders/<int:order_id>")
    def order(order_id: int) -> tuple[str, int]:
        return "created", 201

    @app.get("/fail")
    def fail() -> str:
        raise RuntimeError("nope")

    web = app.test_client()
    response = web.post("/orders/7", headers={"X-Request-ID": "order-7"}, buffered=True)
    assert response.status_code == 201
    assert web.get("/fail", buffered=True).status_code == 500
    client.flush()

    entries = collector.wait_count(api_key, 3)
    logged = by_message(entries, "POST /orders/7 201")[0]
    assert logged["level"] == "INFO"
    assert logged["metadata"]["response"]["status"] == 201
    assert logged["metadata"]["response"]["duration_ms"] >= 0
    assert logged["metadata"]["request"] == {
        "id": "order-7",
        "method": "POST",
        "path": "/orders/7",
        "route": "/orders/<int:order_id>",
        "client": "127.0.0.1",
    }
    failed = by_message(entries, "GET /fail 500")[0]
    assert failed["level"] == "ERROR"
    assert len(by_message(entries, "Unhandled exception: RuntimeError: nope")) == 1


def test_streaming_response_keeps_the_context(
    collector: Collector, api_key: str, client: NeuralLog
) -> None:
    app, neurallog = make_app(client, request_logging=True)

    @app.get("/stream")
    def stream() -> Response:
        def generate() -> Iterator[str]:
            for i in range(3):
                neurallog.info(f"chunk {i}")
                yield f"{i}\n"

        return Response(stream_with_context(generate()), mimetype="text/plain")

    @app.get("/plain-generator")
    def plain_generator() -> Response:
        def generate() -> Iterator[str]:
            neurallog.info("from a plain generator")
            yield "x"

        return Response(generate())

    web = app.test_client()
    response = web.get("/stream", headers={"X-Request-ID": "stream-1"})
    assert response.get_data(as_text=True) == "0\n1\n2\n"
    assert web.get("/plain-generator", headers={"X-Request-ID": "gen-1"}).data == b"x"
    client.flush()

    entries = collector.wait_count(api_key, 6)
    for i in range(3):
        assert by_message(entries, f"chunk {i}")[0]["metadata"]["request"]["id"] == "stream-1"
    plain = by_message(entries, "from a plain generator")[0]
    assert plain["metadata"]["request"]["id"] == "gen-1"
    assert by_message(entries, "GET /stream 200")[0]["metadata"]["request"]["id"] == "stream-1"


def test_app_factory_with_init_app_and_config(collector: Collector, api_key: str) -> None:
    neurallog = NeuralLogFlask()

    def create_app() -> Flask:
        app = Flask("factory")
        app.config["NEURALLOG_API_KEY"] = api_key
        app.config["NEURALLOG_ENDPOINT"] = collector.endpoint
        app.config["NEURALLOG_BATCH_INTERVAL"] = 0.05
        app.config["NEURALLOG_REQUEST_LOGGING"] = True
        neurallog.init_app(app)

        @app.get("/hello")
        def hello() -> str:
            neurallog.warn("hello from the factory")
            return "hi"

        return app

    app = create_app()
    assert app.extensions["neurallog"] is neurallog
    assert app.test_client().get("/hello", buffered=True).status_code == 200
    assert neurallog.flush()
    entries = collector.wait_count(api_key, 2)
    warned = by_message(entries, "hello from the factory")[0]
    assert warned["level"] == "WARN"
    assert warned["metadata"]["request"]["route"] == "/hello"
    assert by_message(entries, "GET /hello 200")
    neurallog.close()


def test_options_from_config_and_arguments_together(collector: Collector, api_key: str) -> None:
    app = Flask("both")
    app.config["NEURALLOG_ENDPOINT"] = collector.endpoint
    neurallog = NeuralLogFlask(app, api_key=api_key, source="from-arguments")
    neurallog.info("merged options")
    neurallog.close()
    assert collector.wait_message(api_key, "merged options")["source"] == "from-arguments"


# -- a real WSGI server ----------------------------------------------------------------------


def _gunicorn(
    start_server: Callable[..., ServerProcess], collector: Collector, api_key: str, **env: str
) -> ServerProcess:
    sock = free_socket()
    args = [
        str(BIN / "gunicorn"),
        "--workers",
        "2",
        "--preload",
        "--bind",
        f"fd://{sock.fileno()}",
        "--graceful-timeout",
        "20",
        "nl_flask_app:app",
    ]
    server: ServerProcess = start_server(args, server_env(collector, api_key, **env), sock)
    server.wait_ready()
    return server


def _hit(server: ServerProcess, count: int) -> set[int]:
    def call(i: int) -> int:
        response = httpx.get(
            f"{server.url}/work/{i}", headers={"X-Request-ID": f"g-{i}"}, timeout=WAIT
        )
        assert response.status_code == 200
        assert response.headers["X-Request-ID"] == f"g-{i}"
        return int(response.json()["pid"])

    with ThreadPoolExecutor(max_workers=16) as pool:
        return set(pool.map(call, range(count)))


def _check_work_records(entries: list[dict[str, Any]], count: int) -> None:
    for i in range(count):
        (integration,) = by_message(entries, f"work {i}")
        (stdlib,) = by_message(entries, f"stdlib work {i}")
        (access,) = by_message(entries, f"GET /work/{i} 200")
        for entry in (integration, stdlib, access):
            assert entry["metadata"]["request"]["id"] == f"g-{i}"
            assert entry["metadata"]["request"]["route"] == "/work/<int:n>"


def _serve_and_check(
    start_server: Callable[..., ServerProcess],
    collector: Collector,
    api_key: str,
    **env: str,
) -> None:
    server = _gunicorn(start_server, collector, api_key, **env)
    pids = _hit(server, 40)
    entries = collector.wait_for(
        api_key,
        lambda es: (
            len([e for e in es if e["message"].startswith(("work", "stdlib", "GET /w"))]) >= 120
        ),
    )
    _check_work_records(entries, 40)
    assert server.proc.pid not in pids  # handled by forked workers, not the master
    server.stop()


@pytest.mark.slow
def test_gunicorn_two_preforked_workers_deliver_every_record(
    collector: Collector, api_key: str, start_server: Callable[..., ServerProcess]
) -> None:
    _serve_and_check(start_server, collector, api_key)


@pytest.mark.slow
def test_gunicorn_preload_with_records_logged_in_the_master_before_fork(
    collector: Collector, api_key: str, start_server: Callable[..., ServerProcess]
) -> None:
    _serve_and_check(start_server, collector, api_key, NL_LOG_AT_IMPORT="1")
    assert len(by_message(collector.entries(api_key), "app loaded")) == 1  # master, once


@pytest.mark.slow
def test_gunicorn_workers_deliver_pending_records_on_graceful_shutdown(
    collector: Collector, api_key: str, start_server: Callable[..., ServerProcess]
) -> None:
    # Nothing is sent while serving (huge batch size and interval): only the workers'
    # exit can deliver these records.
    server = _gunicorn(
        start_server, collector, api_key, NL_BATCH_INTERVAL="3600", NL_BATCH_SIZE="1000"
    )
    _hit(server, 30)
    assert not [e for e in collector.entries(api_key) if e["message"].startswith("work")]
    output = server.stop()
    assert server.proc.returncode == 0, output
    entries = collector.wait_for(
        api_key, lambda es: len([e for e in es if e["message"].startswith("GET /work")]) >= 30
    )
    _check_work_records(entries, 30)


def test_server_file_wrapper_is_passed_through(
    collector: Collector, api_key: str, client: NeuralLog, tmp_path: Any
) -> None:
    from flask import send_file

    class FileWrapper:  # what a server offers as wsgi.file_wrapper (sendfile)
        def __init__(self, file: Any, block_size: int = 8192) -> None:
            self.file = file

        def __iter__(self) -> Iterator[bytes]:
            return iter(lambda: self.file.read(8192), b"")

        def close(self) -> None:
            self.file.close()

    target = tmp_path / "report.txt"
    target.write_text("report")
    app, _ = make_app(client, request_logging=True)
    app.add_url_rule("/report", "report", lambda: send_file(target))
    wrapped: list[object] = []

    def capture(environ: dict[str, Any], start_response: Any) -> Any:
        body = app(environ, start_response)
        wrapped.append(body)
        return body

    from werkzeug.test import Client as WerkzeugClient

    web = WerkzeugClient(capture)
    response = web.get("/report", environ_base={"wsgi.file_wrapper": FileWrapper}, buffered=True)
    assert response.get_data() == b"report"
    assert isinstance(wrapped[0], FileWrapper)  # not hidden behind the middleware
    client.flush()
    assert (
        collector.wait_message(api_key, "GET /report 200")["metadata"]["response"]["status"] == 200
    )
