"""`neurallog local` / `python -m neurallog_local`: start, Ctrl-C, restart on the same file."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from neurallog_local.cli import main

from .conftest import entry, ingest

START_TIMEOUT = 60.0  # a hang guard, not a timing assertion


@contextmanager
def run_server(
    tmp_path: Path, *args: str, env: dict[str, str] | None = None
) -> Iterator[dict[str, str]]:
    """Run the CLI; yield its ready info plus ``output`` once it was stopped with Ctrl-C."""
    ready = tmp_path / "ready.json"
    ready.unlink(missing_ok=True)
    process = subprocess.Popen(
        [sys.executable, "-m", "neurallog_local", "--port", "0", "--ready-file", str(ready), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**os.environ, **(env or {})},
    )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not ready.exists():
            assert process.poll() is None, process.stdout.read().decode() if process.stdout else ""
            assert time.monotonic() < deadline
            time.sleep(0.02)
        info = json.loads(ready.read_text())
        yield info
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=30)
        info["output"] = output.decode()
        info["returncode"] = str(process.returncode)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def _dev_key(output: str) -> str:
    for line in output.splitlines():
        if line.strip().startswith("api key:"):
            return line.split()[2]
    raise AssertionError(output)


def test_data_and_dev_key_survive_a_restart(tmp_path: Path) -> None:
    db = str(tmp_path / "local.db")
    with run_server(tmp_path, "--db", db) as first:
        pass
    assert first["returncode"] == "0"
    assert "NeuralLog Local stopped." in first["output"]
    assert f"endpoint:  {first['endpoint']}" in first["output"]
    key = _dev_key(first["output"])

    headers = {"X-API-Key": key}
    with (
        run_server(tmp_path, "--db", db) as second,
        httpx.Client(base_url=second["endpoint"], headers=headers) as http,
    ):
        ingest(http, entry("kept across restarts", id="persisted"))
        condition = {"type": "log_level", "parameters": {"level": "ERROR"}}
        rule = http.post("/rules", json={"name": "kept", "condition": condition}).json()["data"]
    assert _dev_key(second["output"]) == key

    with (
        run_server(tmp_path, "--db", db) as third,
        httpx.Client(base_url=third["endpoint"], headers=headers) as http,
    ):
        assert http.get("/logs/persisted").json()["data"]["message"] == "kept across restarts"
        assert http.get(f"/rules/{rule['id']}").status_code == 200
        found = http.get("/logs/search", params={"query": "restarts"}).json()["data"]
        assert [e["id"] for e in found] == ["persisted"]
    assert third["returncode"] == "0"


def test_api_keys_map_to_tenants_and_scopes(tmp_path: Path) -> None:
    with run_server(
        tmp_path,
        "--db",
        ":memory:",
        "--api-key",
        "writer-key-1:acme:logs:write",
        # Scopes are comma-separated in the variable too (as in --api-key).
        env={
            "NEURALLOG_LOCAL_API_KEYS": "reader-key-1:acme:logs:read,logs:delete,other-key-1:globex"
        },
    ) as info:
        base = info["endpoint"]
        with httpx.Client(base_url=base) as http:
            written = http.post(
                "/logs", json={"logs": [entry("acme data")]}, headers={"X-API-Key": "writer-key-1"}
            )
            assert written.status_code == 202
            denied = http.get("/logs", headers={"X-API-Key": "writer-key-1"})
            assert denied.status_code == 403
            read = http.get("/logs", headers={"X-API-Key": "reader-key-1"}).json()["data"]
            assert [e["message"] for e in read] == ["acme data"]
            deleted = http.delete(
                "/logs", params={"all": "true"}, headers={"X-API-Key": "reader-key-1"}
            )
            assert deleted.json()["data"] == {"deleted": 1}
            assert http.get("/logs", headers={"X-API-Key": "other-key-1"}).json()["data"] == []
    output = info["output"]
    assert "api keys:  3" in output
    # Configured keys are never printed.
    assert "writer-key-1" not in output
    assert "reader-key-1" not in output


def test_jwt_secret_option(tmp_path: Path) -> None:
    import jwt

    secret = "a-local-secret-that-is-long-enough-for-hs256"
    with run_server(tmp_path, "--db", ":memory:", "--jwt-secret", secret) as info:
        token = jwt.encode({"tenant": "acme", "scope": "logs:read"}, secret, algorithm="HS256")
        response = httpx.get(
            info["endpoint"] + "/logs", headers={"Authorization": f"Bearer {token}"}
        )
        assert response.status_code == 200
    assert secret not in info["output"]


def test_a_taken_port_is_a_clear_error(tmp_path: Path) -> None:
    with run_server(tmp_path, "--db", ":memory:") as info:
        port = info["base_url"].rsplit(":", 1)[1]
        result = subprocess.run(
            [sys.executable, "-m", "neurallog_local", "--db", ":memory:", "--port", port],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr


def test_help_documents_the_key_syntax(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--help"])
    assert exited.value.code == 0
    text = capsys.readouterr().out
    for option in ("--host", "--port", "--db", "--api-key", "--jwt-secret", "--rate-limit"):
        assert option in text
    assert "KEY[:TENANT[:SCOPES]]" in text


@pytest.mark.parametrize(
    "argv",
    [
        ["--api-key", "short"],
        ["--api-key", "long-enough-key:bad tenant"],
        ["--api-key", "long-enough-key:acme:logs:fly"],
        ["--rate-limit", "-1"],
    ],
)
def test_bad_options_are_usage_errors(argv: list[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 2
