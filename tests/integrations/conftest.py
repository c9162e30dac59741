"""Fixtures for the integration tests: a real HTTP server that receives the logs.

The server (pytest-httpserver) answers ``POST /v1/logs`` the way the API does (202 with an
ingest result) and keeps every entry it received, keyed by the API key that sent it. Each
test gets its own API key, so tests never see each other's records even when a client
from an earlier test delivers late.
"""

from __future__ import annotations

import gzip
import json
import logging
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from neurallog.client import NeuralLog

HERE = Path(__file__).resolve().parent
APPS = HERE / "apps"
REPO = HERE.parent.parent

#: Bounded waits for something to arrive (never a timing assertion: they end early).
WAIT = 20.0

Entry = dict[str, Any]


class Collector:
    """What the log endpoint received."""

    def __init__(self, server: HTTPServer) -> None:
        self.server = server
        self._cond = threading.Condition()
        self._entries: list[tuple[str | None, Entry]] = []
        self._requests: list[str | None] = []

    @property
    def endpoint(self) -> str:
        return self.server.url_for("/v1")

    def handle(self, request: Request) -> Response:
        body = request.get_data()
        if request.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        logs = json.loads(body)["logs"]
        key = request.headers.get("X-API-Key")
        with self._cond:
            self._requests.append(key)
            self._entries.extend((key, entry) for entry in logs)
            self._cond.notify_all()
        answer = {
            "data": {
                "accepted": len(logs),
                "duplicates": 0,
                "rejected": [],
                "ids": [entry.get("id") or uuid.uuid4().hex for entry in logs],
            },
            "meta": {"request_id": uuid.uuid4().hex, "timestamp": "2026-01-01T00:00:00Z"},
        }
        return Response(json.dumps(answer), status=202, content_type="application/json")

    def entries(self, api_key: str) -> list[Entry]:
        with self._cond:
            return [entry for key, entry in self._entries if key == api_key]

    def request_count(self, api_key: str) -> int:
        with self._cond:
            return sum(1 for key in self._requests if key == api_key)

    def wait_for(
        self,
        api_key: str,
        predicate: Callable[[list[Entry]], bool],
        timeout: float = WAIT,
    ) -> list[Entry]:
        """Wait until ``predicate(entries)`` holds; fail showing what arrived if it never does."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                entries = [entry for key, entry in self._entries if key == api_key]
                if predicate(entries):
                    return entries
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    shown = [(e.get("level"), e.get("message")) for e in entries][:50]
                    pytest.fail(f"expected records never arrived; got {len(entries)}: {shown}")
                self._cond.wait(remaining)

    def wait_count(self, api_key: str, count: int, timeout: float = WAIT) -> list[Entry]:
        return self.wait_for(api_key, lambda entries: len(entries) >= count, timeout)

    def wait_message(self, api_key: str, message: str, timeout: float = WAIT) -> Entry:
        entries = self.wait_for(
            api_key, lambda es: any(e.get("message") == message for e in es), timeout
        )
        return next(e for e in entries if e.get("message") == message)


@pytest.fixture(scope="session")
def collector() -> Iterator[Collector]:
    # The receiving server runs in this process: its own request log (werkzeug) must not
    # reach the handlers under test, or tests with a root handler would feed it back.
    quiet = logging.getLogger("werkzeug")
    quiet.setLevel(logging.ERROR)
    quiet.propagate = False
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    found = Collector(server)
    server.expect_request("/v1/logs", method="POST").respond_with_handler(found.handle)
    server.start()
    try:
        yield found
    finally:
        server.clear()
        server.stop()


@pytest.fixture
def api_key() -> str:
    """A key of this test's own: the collector files what it sends under it."""
    return f"test-{uuid.uuid4().hex}"


@pytest.fixture
def client_kwargs(collector: Collector, api_key: str) -> dict[str, Any]:
    """Constructor arguments of a client that delivers to the collector quickly."""
    return {"api_key": api_key, "endpoint": collector.endpoint, "batch_interval": 0.05}


@pytest.fixture
def client(client_kwargs: dict[str, Any]) -> Iterator[NeuralLog]:
    made = NeuralLog(**client_kwargs)
    try:
        yield made
    finally:
        made.close()


def by_message(entries: list[Entry], message: str) -> list[Entry]:
    return [entry for entry in entries if entry.get("message") == message]


# -- real servers ----------------------------------------------------------------------------


def free_socket() -> socket.socket:
    """A listening loopback socket on a free port, to hand to a server process."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def server_env(collector: Collector, api_key: str, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        NEURALLOG_API_KEY=api_key,
        NEURALLOG_ENDPOINT=collector.endpoint,
        PYTHONPATH=os.pathsep.join([str(APPS), str(REPO), env.get("PYTHONPATH", "")]),
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


class ServerProcess:
    """A server started as a subprocess on an inherited listening socket."""

    def __init__(self, args: list[str], env: dict[str, str], sock: socket.socket) -> None:
        self.sock = sock
        self.port = sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(
            args,
            env=env,
            cwd=str(APPS),
            pass_fds=(sock.fileno(),),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )

    def wait_ready(self, path: str = "/health") -> None:
        import httpx

        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(
                    f"server exited early:\n{self.proc.stdout.read() if self.proc.stdout else ''}"
                )
            try:
                if httpx.get(self.url + path, timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        pytest.fail("server never answered")

    def stop(self) -> str:
        """Stop gracefully (SIGTERM) and return the server's output."""
        if self.proc.poll() is None:
            self.proc.terminate()
        try:
            out, _ = self.proc.communicate(timeout=WAIT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            out, _ = self.proc.communicate()
        self.sock.close()
        return out or ""


@pytest.fixture
def start_server() -> Iterator[Callable[[list[str], dict[str, str], socket.socket], ServerProcess]]:
    started: list[ServerProcess] = []

    def start(args: list[str], env: dict[str, str], sock: socket.socket) -> ServerProcess:
        server = ServerProcess(args, env, sock)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


PYTHON = sys.executable
BIN = Path(sys.executable).parent


# -- Django ----------------------------------------------------------------------------------

DJANGO_PROJECT = f"{__name__.rsplit('.', 1)[0]}.django_project"


@pytest.fixture(scope="session")
def django_key(collector: Collector) -> str:
    """The API key of the Django project's client; configures and starts Django once.

    Django's settings are process-wide: a minimal project (``django_project``) whose
    ``NEURALLOG`` settings point at the collector.
    """
    import django
    from django.conf import settings

    key = f"django-{uuid.uuid4().hex}"
    if settings.configured:
        return str(settings.NEURALLOG["API_KEY"])
    settings.configure(
        DEBUG=False,
        SECRET_KEY="tests-only",
        ALLOWED_HOSTS=["testserver", "127.0.0.1", "localhost"],
        ROOT_URLCONF=f"{DJANGO_PROJECT}.urls",
        USE_TZ=True,
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
        # The SDK spec's settings.py, plus a short batch interval and request logging.
        INSTALLED_APPS=[
            "django.contrib.auth",
            "django.contrib.contenttypes",
            "django.contrib.sessions",
            "neurallog.integrations.django",
        ],
        NEURALLOG={
            "API_KEY": key,
            "ENDPOINT": collector.endpoint,
            "MIN_LEVEL": "INFO",
            "CAPTURE_DJANGO_LOGS": True,
            "BATCH_INTERVAL": 0.05,
            "REQUEST_LOGGING": True,
        },
        MIDDLEWARE=[
            "django.contrib.sessions.middleware.SessionMiddleware",
            "django.contrib.auth.middleware.AuthenticationMiddleware",
            f"{DJANGO_PROJECT}.middleware.MyNeuralLogMiddleware",
        ],
    )
    django.setup()
    return key
