"""pytest plugin of NeuralLog Local (registered through the ``pytest11`` entry point).

Fixtures:

``neurallog_local``
    A fresh tenant on a running NeuralLog Local, for one test. Tests never see each
    other's data, and no server is restarted between them::

        def test_errors_are_searchable(neurallog_local):
            client = NeuralLog(api_key=neurallog_local.api_key, endpoint=neurallog_local.endpoint)
            ...

    The object has ``endpoint`` (``http://127.0.0.1:<port>/v1``), ``api_key``, ``tenant``,
    ``base_url`` and ``headers``; ``new_tenant()`` provisions another tenant with its own
    key (for isolation tests, limited scopes or a small rate limit), and ``mint_jwt()``
    signs an HS256 token for a tenant.

``neurallog_local_server``
    The session's server itself: one process per test session, started on first use on
    a free loopback port with a temporary database, stopped at the end of the session.

The module imports only the standard library, so that pytest keeps working for users who
installed ``neurallog`` without the ``local`` extra; the fixtures then fail with a message
saying what to install.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

_START_TIMEOUT = 60.0
_INSTALL_HINT = "NeuralLog Local needs the 'local' extra: pip install 'neurallog[local]'"


def _require_local_extra() -> None:
    try:
        import jwt  # noqa: F401
        import uvicorn  # noqa: F401

        import neurallog_local.app  # noqa: F401
    except ImportError as exc:
        pytest.fail(f"{_INSTALL_HINT} ({exc})", pytrace=False)


@dataclass(frozen=True)
class LocalTenant:
    """A tenant of NeuralLog Local and an API key for it."""

    server: LocalServerProcess
    tenant: str
    api_key: str
    scopes: tuple[str, ...]

    @property
    def endpoint(self) -> str:
        """The API endpoint (``.../v1``), what ``NeuralLog(endpoint=...)`` takes."""
        return self.server.endpoint

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        return self.server.base_url

    @property
    def headers(self) -> dict[str, str]:
        """The authentication header, for plain HTTP clients."""
        return {"X-API-Key": self.api_key}

    def new_tenant(
        self,
        *,
        tenant: str | None = None,
        scopes: list[str] | None = None,
        rate_limit: int | None = None,
        rate_window: int | None = None,
    ) -> LocalTenant:
        """Another tenant (or another key for ``tenant``); see ``LocalServerProcess.new_tenant``."""
        return self.server.new_tenant(
            tenant=tenant, scopes=scopes, rate_limit=rate_limit, rate_window=rate_window
        )

    def mint_jwt(
        self,
        *,
        tenant: str | None = None,
        scopes: list[str] | None = None,
        expires_in: float | None = 3600,
        **claims: Any,
    ) -> str:
        """An HS256 JWT for this tenant (or ``tenant``); see ``LocalServerProcess.mint_jwt``."""
        return self.server.mint_jwt(
            tenant=tenant or self.tenant, scopes=scopes, expires_in=expires_in, **claims
        )


@dataclass
class LocalServerProcess:
    """NeuralLog Local running as a child process (``python -m neurallog_local``)."""

    directory: Path
    extra_args: list[str] = field(default_factory=list)
    base_url: str = ""
    process: subprocess.Popen[bytes] | None = None
    _admin_secret: str = field(default_factory=lambda: secrets.token_urlsafe(24), repr=False)
    _jwt_secret: str = field(default_factory=lambda: secrets.token_urlsafe(24), repr=False)

    @property
    def endpoint(self) -> str:
        return self.base_url + "/v1"

    @property
    def log_path(self) -> Path:
        """Where the server's output goes (read it when a test puzzles you)."""
        return self.directory / "server.log"

    def start(self) -> LocalServerProcess:
        """Start the server and wait until it serves."""
        ready = self.directory / "ready.json"
        env = dict(os.environ)
        # Secrets travel in the environment, never on the command line.
        env["NEURALLOG_LOCAL_ADMIN_SECRET"] = self._admin_secret
        env["NEURALLOG_LOCAL_JWT_SECRET"] = self._jwt_secret
        command = [
            sys.executable,
            "-m",
            "neurallog_local",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--db",
            str(self.directory / "neurallog-local.db"),
            "--ready-file",
            str(ready),
            "--rate-limit",
            "0",
            # A test session is one client address that sends wrong credentials on purpose.
            "--auth-failure-limit",
            "0",
            "--no-state-file",  # a test's server is not the one the user's commands find
            *self.extra_args,
        ]
        with self.log_path.open("wb") as log:
            # Our own interpreter running our own module.
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
        deadline = time.monotonic() + _START_TIMEOUT
        try:
            while not ready.exists():
                if self.process.poll() is not None or time.monotonic() > deadline:
                    output = self.log_path.read_text(errors="replace")
                    raise RuntimeError(f"NeuralLog Local did not start:\n{output}")
                time.sleep(0.02)
            self.base_url = json.loads(ready.read_text())["base_url"]
        except BaseException:
            # Failed, or interrupted while waiting (Ctrl-C, pytest-timeout): the fixture
            # never gets to stop a server whose start did not return.
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop the server (Ctrl-C first, then harder)."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)

    def new_tenant(
        self,
        *,
        tenant: str | None = None,
        scopes: list[str] | None = None,
        rate_limit: int | None = None,
        rate_window: int | None = None,
    ) -> LocalTenant:
        """Provision an API key, for a new tenant unless ``tenant`` is given.

        ``scopes`` limits what the key may do (default: every scope); ``rate_limit``
        requests per ``rate_window`` seconds (default: unlimited, 60 s) sets its own limit.
        """
        body: dict[str, Any] = {"tenant": tenant, "scopes": scopes}
        if rate_limit is not None:
            body["rate_limit"] = rate_limit
        if rate_window is not None:
            body["rate_window"] = rate_window
        request = urllib.request.Request(  # noqa: S310 (a fixed http URL on loopback)
            self.base_url + "/_admin/api-keys",
            data=json.dumps({k: v for k, v in body.items() if v is not None}).encode(),
            headers={"Content-Type": "application/json", "X-Admin-Secret": self._admin_secret},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            created = json.loads(response.read())
        return LocalTenant(self, created["tenant"], created["api_key"], tuple(created["scopes"]))

    def mint_jwt(
        self,
        *,
        tenant: str,
        scopes: list[str] | None = None,
        expires_in: float | None = 3600,
        **claims: Any,
    ) -> str:
        """An HS256 JWT the server accepts: ``tenant`` claim, ``scope`` when ``scopes`` is
        given, ``exp`` unless ``expires_in`` is ``None`` (negative: already expired)."""
        import jwt

        payload: dict[str, Any] = {"tenant": tenant, "iat": int(time.time()), **claims}
        if scopes is not None:
            payload["scope"] = " ".join(scopes)
        if expires_in is not None:
            payload["exp"] = int(time.time() + expires_in)
        return jwt.encode(payload, self._jwt_secret, algorithm="HS256")


@pytest.fixture(scope="session")
def neurallog_local_server(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[LocalServerProcess]:
    """NeuralLog Local for the whole test session (free loopback port, temporary database)."""
    _require_local_extra()
    server = LocalServerProcess(tmp_path_factory.mktemp("neurallog-local"))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def neurallog_local(neurallog_local_server: LocalServerProcess) -> LocalTenant:
    """A fresh tenant with an all-scopes API key on the session's NeuralLog Local."""
    return neurallog_local_server.new_tenant()
