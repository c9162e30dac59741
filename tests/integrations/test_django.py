"""Django integration through Django's test clients and under gunicorn, against a real server."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import AsyncClient, Client

from neurallog.integrations.django import NeuralLogMiddleware, get_client
from neurallog.integrations.django.apps import parse_settings
from neurallog.integrations.logging import NeuralLogHandler

from .conftest import (
    BIN,
    WAIT,
    Collector,
    ServerProcess,
    by_message,
    free_socket,
    server_env,
)
from .django_project import urls

pytestmark = pytest.mark.usefixtures("django_key")


def records_of(collector: Collector, key: str, request_id: str) -> list[dict[str, Any]]:
    return [
        e
        for e in collector.entries(key)
        if (e.get("metadata") or {}).get("request", {}).get("id") == request_id
    ]


def wait_request(
    collector: Collector, key: str, request_id: str, count: int
) -> list[dict[str, Any]]:
    collector.wait_for(key, lambda es: len(records_of(collector, key, request_id)) >= count)
    return records_of(collector, key, request_id)


def test_spec_settings_and_middleware_subclass(collector: Collector, django_key: str) -> None:
    response = Client().get("/api/users/7", headers={"X-Request-ID": "dj-1"})
    assert response.status_code == 200
    assert response["X-Request-ID"] == "dj-1"

    # process_request of the spec's subclass, the view, the django logger (captured with
    # CAPTURE_DJANGO_LOGS) and the request log: all with the request's context.
    entries = wait_request(collector, django_key, "dj-1", 4)
    started = by_message(entries, "Request started")[0]
    assert started["level"] == "INFO"
    assert started["metadata"]["path"] == "/api/users/7"
    assert started["metadata"]["method"] == "GET"
    assert started["metadata"]["user_id"] is None
    loading = by_message(entries, "Loading user")[0]
    assert loading["metadata"]["user_id"] == 7
    assert loading["metadata"]["request"] == {
        "id": "dj-1",
        "method": "GET",
        "path": "/api/users/7",
        "route": "/api/users/<int:user_id>",
        "client": "127.0.0.1",
    }
    captured = by_message(entries, "through the django logger")[0]
    assert captured["source"] == "django.shop"
    logged = by_message(entries, "GET /api/users/7 200")[0]
    assert logged["metadata"]["response"]["status"] == 200


def test_the_app_builds_one_client_and_the_middleware_exposes_it() -> None:
    client = get_client()
    middleware = NeuralLogMiddleware(lambda request: None)  # type: ignore[arg-type,return-value]
    assert middleware.neurallog is client
    assert client._min_level == logging.INFO
    handlers = [h for h in logging.getLogger("django").handlers if isinstance(h, NeuralLogHandler)]
    assert [h.client for h in handlers] == [client]


@pytest.mark.parametrize("raise_request_exception", [False, True])
def test_unhandled_exception_logged_once_with_traceback(
    collector: Collector, django_key: str, raise_request_exception: bool
) -> None:
    request_id = f"dj-boom-{raise_request_exception}"
    web = Client(raise_request_exception=raise_request_exception)
    if raise_request_exception:
        with pytest.raises(ValueError, match="django kaboom"):
            web.get("/boom", headers={"X-Request-ID": request_id})
    else:
        assert web.get("/boom", headers={"X-Request-ID": request_id}).status_code == 500
    get_client().info("marker", {"request": {"id": request_id}})

    entries = wait_request(collector, django_key, request_id, 3)
    errors = [e for e in entries if e["level"] == "ERROR" and "exception" in e["metadata"]]
    # Django's own "Internal Server Error" record (captured from the django logger) carries
    # the same exception: it is not sent a second time.
    assert len(errors) == 1, [e["message"] for e in entries]
    error = errors[0]
    assert error["message"] == "Unhandled exception: ValueError: django kaboom"
    assert error["metadata"]["request"]["route"] == "/boom"
    assert error["metadata"]["exception"]["type"] == "ValueError"
    assert 'raise ValueError("django kaboom")' in error["metadata"]["exception"]["traceback"]
    if not raise_request_exception:
        assert by_message(entries, "GET /boom 500")[0]["level"] == "ERROR"


def test_async_view_exception_under_asgi_logged_once(collector: Collector, django_key: str) -> None:
    # Under ASGI Django sends got_request_exception from a worker thread (sync_to_async):
    # the exception must still be found there, with the request's context.
    async def main() -> int:
        web = AsyncClient(raise_request_exception=False)
        response = await web.get("/async-boom", headers={"X-Request-ID": "dja-boom"})
        return response.status_code

    assert asyncio.run(main()) == 500
    get_client().info("marker", {"request": {"id": "dja-boom"}})

    entries = wait_request(collector, django_key, "dja-boom", 4)
    errors = [e for e in entries if e["level"] == "ERROR" and "exception" in e["metadata"]]
    assert len(errors) == 1, [e["message"] for e in entries]
    assert errors[0]["message"] == "Unhandled exception: ValueError: async django kaboom"
    assert errors[0]["metadata"]["request"]["route"] == "/async-boom"
    assert by_message(entries, "GET /async-boom 500")[0]["level"] == "ERROR"


def test_a_404_is_not_an_unhandled_exception(collector: Collector, django_key: str) -> None:
    assert Client().get("/missing", headers={"X-Request-ID": "dj-404"}).status_code == 404
    entries = wait_request(collector, django_key, "dj-404", 3)
    assert not [e for e in entries if e["message"].startswith("Unhandled")]
    # Django's own warning, captured with CAPTURE_DJANGO_LOGS, carries the request context.
    warning = by_message(entries, "Not Found: /missing")[0]
    assert warning["level"] == "WARN"
    assert warning["source"] == "django.request"
    assert warning["metadata"]["status_code"] == 404
    assert by_message(entries, "GET /missing 404")[0]["level"] == "WARN"


def test_fifty_concurrent_requests_keep_their_own_context(
    collector: Collector, django_key: str
) -> None:
    urls.BARRIERS["sync"] = threading.Barrier(50, timeout=WAIT)

    def call(i: int) -> str:
        response = Client().get(f"/concurrent/c{i}", headers={"X-Request-ID": f"djc-{i}"})
        assert response.status_code == 200
        return str(response["X-Request-ID"])

    with ThreadPoolExecutor(max_workers=50) as pool:
        assert list(pool.map(call, range(50))) == [f"djc-{i}" for i in range(50)]

    for i in range(50):
        entries = wait_request(collector, django_key, f"djc-{i}", 4)
        messages = sorted(e["message"] for e in entries)
        assert messages == sorted(
            ["Request started", f"start c{i}", f"end c{i}", f"GET /concurrent/c{i} 200"]
        )


def test_async_views_under_asgi_keep_their_own_context(
    collector: Collector, django_key: str
) -> None:
    async def main() -> None:
        web = AsyncClient()
        responses = await asyncio.gather(
            *(web.get(f"/async/a{i}", headers={"X-Request-ID": f"dja-{i}"}) for i in range(20))
        )
        assert [r.status_code for r in responses] == [200] * 20

    asyncio.run(main())
    for i in range(20):
        entries = wait_request(collector, django_key, f"dja-{i}", 4)
        assert {e["message"] for e in entries} == {
            "Request started",
            f"async start a{i}",
            f"async end a{i}",
            f"GET /async/a{i} 200",
        }


def test_streaming_response_keeps_the_context(collector: Collector, django_key: str) -> None:
    response = Client().get("/stream", headers={"X-Request-ID": "dj-stream"})
    assert b"".join(response.streaming_content) == b"0\n1\n2\n"  # type: ignore[attr-defined]
    response.close()
    entries = wait_request(collector, django_key, "dj-stream", 5)
    assert {e["message"] for e in entries} >= {
        "django chunk 0",
        "django chunk 2",
        "GET /stream 200",
    }


def test_settings_keys_map_to_client_arguments() -> None:
    kwargs, options = parse_settings(
        {
            "API_KEY": "k",
            "ENDPOINT": "https://api.example.com/v1",
            "MIN_LEVEL": "WARN",
            "SHUTDOWN_TIMEOUT": 2,
            "max_queue_size": 50,
            "LOGGER": "myapp.neurallog",
            "CAPTURE_DJANGO_LOGS": "ERROR",
            "REQUEST_LOGGING": True,
        }
    )
    assert kwargs == {
        "api_key": "k",
        "endpoint": "https://api.example.com/v1",
        "log_level": "WARN",
        "shutdown_timeout": 2,
        "max_queue_size": 50,
        "logger": logging.getLogger("myapp.neurallog"),
    }
    assert options.capture_django_logs == "ERROR"
    assert options.request_logging is True
    assert options.capture_exceptions is True


def test_unknown_settings_keys_are_improperly_configured() -> None:
    with pytest.raises(ImproperlyConfigured, match="BATCHSIZE") as info:
        parse_settings({"API_KEY": "k", "BATCHSIZE": 5})
    assert "BATCH_SIZE" in str(info.value)
    assert "MIN_LEVEL" in str(info.value)
    with pytest.raises(ImproperlyConfigured, match="must be a dict"):
        parse_settings(["API_KEY"])


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("CAPTURE_DJANGO_LOGS", "VERBOSE"),
        ("CAPTURE_DJANGO_LOGS", "false"),
        ("REQUEST_LOGGING", "yes"),
        ("CAPTURE_EXCEPTIONS", 0),
    ],
)
def test_invalid_integration_options_are_improperly_configured(key: str, value: object) -> None:
    # Not a ValueError from logging when Django starts, nor a string that is merely truthy.
    with pytest.raises(ImproperlyConfigured, match=f"NEURALLOG\\['{key}'\\] must be True"):
        parse_settings({key: value})


def test_capture_django_logs_takes_a_level_in_any_case() -> None:
    assert parse_settings({"CAPTURE_DJANGO_LOGS": "warning"})[1].capture_django_logs == "WARNING"
    assert parse_settings({"CAPTURE_DJANGO_LOGS": 30})[1].capture_django_logs == 30
    assert parse_settings({"CAPTURE_DJANGO_LOGS": True})[1].capture_django_logs is True


@pytest.mark.slow
def test_gunicorn_two_workers(
    collector: Collector, api_key: str, start_server: Callable[..., ServerProcess]
) -> None:
    sock = free_socket()
    args = [
        str(BIN / "gunicorn"),
        "--workers",
        "2",
        "--bind",
        f"fd://{sock.fileno()}",
        "nl_django_wsgi:application",
    ]
    server: ServerProcess = start_server(args, server_env(collector, api_key), sock)
    server.wait_ready()

    def call(i: int) -> None:
        response = httpx.get(f"{server.url}/hello/{i}", headers={"X-Request-ID": f"gd-{i}"})
        assert response.status_code == 200

    with ThreadPoolExecutor(max_workers=10) as pool:
        list(pool.map(call, range(30)))
    entries = collector.wait_for(
        api_key, lambda es: len([e for e in es if e["message"].startswith("hello")]) >= 30
    )
    for i in range(30):
        (entry,) = by_message(entries, f"hello {i}")
        assert entry["metadata"]["request"]["id"] == f"gd-{i}"
        assert entry["metadata"]["request"]["route"] == "/hello/<int:n>"
