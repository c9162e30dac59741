"""The pytest plugin: what the fixtures give, and that pytest survives without the extra."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from neurallog_local import pytest_plugin
from neurallog_local.pytest_plugin import LocalServerProcess, LocalTenant


def test_fixture_gives_a_fresh_tenant(
    neurallog_local: LocalTenant, neurallog_local_server: LocalServerProcess
) -> None:
    assert neurallog_local.endpoint == neurallog_local_server.base_url + "/v1"
    assert neurallog_local.base_url.startswith("http://127.0.0.1:")
    assert neurallog_local.tenant
    assert "logs:write" in neurallog_local.scopes
    response = httpx.get(neurallog_local.endpoint + "/logs", headers=neurallog_local.headers)
    assert response.json()["data"] == []


def test_new_tenant_and_jwts(neurallog_local: LocalTenant) -> None:
    other = neurallog_local.new_tenant(scopes=["logs:read"])
    assert other.tenant != neurallog_local.tenant
    assert other.scopes == ("logs:read",)
    second_key = neurallog_local.new_tenant(tenant=neurallog_local.tenant)
    assert second_key.tenant == neurallog_local.tenant
    assert second_key.api_key != neurallog_local.api_key
    httpx.post(
        neurallog_local.endpoint + "/logs",
        json={"logs": [{"level": "INFO", "message": "shared"}]},
        headers=second_key.headers,
    )
    token = neurallog_local.mint_jwt(scopes=["logs:read"])
    by_token = httpx.get(
        neurallog_local.endpoint + "/logs", headers={"Authorization": f"Bearer {token}"}
    )
    assert [e["message"] for e in by_token.json()["data"]] == ["shared"]


def test_admin_route_needs_the_secret(neurallog_local_server: LocalServerProcess) -> None:
    url = neurallog_local_server.base_url + "/_admin/api-keys"
    assert httpx.post(url, json={}).status_code == 401
    assert httpx.post(url, json={}, headers={"X-Admin-Secret": "guess"}).status_code == 401
    odd = httpx.post(url, json={}, headers={"X-Admin-Secret": b"\xff\xfe"})
    assert odd.status_code == 401
    assert odd.json()["error"]["code"] == "unauthorized"


def test_an_interrupted_start_leaves_no_server_running(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[subprocess.Popen[bytes]] = []
    popen = subprocess.Popen

    def recording_popen(*args: Any, **kwargs: Any) -> subprocess.Popen[bytes]:
        started.append(popen(*args, **kwargs))
        return started[-1]

    class Interrupted(Exception):
        pass

    sleep = time.sleep

    def interrupted(seconds: float) -> None:
        monkeypatch.setattr(time, "sleep", sleep)  # once: stop() may wait for the child
        raise Interrupted  # as a pytest-timeout or a Ctrl-C would, while start() waits

    monkeypatch.setattr(pytest_plugin.subprocess, "Popen", recording_popen)
    monkeypatch.setattr(time, "sleep", interrupted)
    server = LocalServerProcess(tmp_path)
    try:
        with pytest.raises(Interrupted):
            server.start()
        (child,) = started
        assert child.poll() is not None
    finally:
        for child in started:
            if child.poll() is None:
                child.kill()
                child.wait()


def test_plugin_module_imports_only_the_standard_library() -> None:
    code = (
        "import sys, neurallog_local.pytest_plugin\n"
        "heavy = ('starlette', 'uvicorn', 'openapi_core', 'jwt', 'yaml', 'httpx', 'sqlite3')\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in heavy)\n"
        "assert not loaded, loaded\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_without_the_extra_the_fixture_says_what_to_install(tmp_path: Path) -> None:
    (tmp_path / "conftest.py").write_text(
        textwrap.dedent(
            """
            import sys

            class Missing:
                # Pretends the `local` extra is not installed.
                def find_spec(self, name, path=None, target=None):
                    if name.split(".")[0] in ("starlette", "uvicorn"):
                        raise ModuleNotFoundError(f"No module named {name!r}")
                    return None

            sys.meta_path.insert(0, Missing())
            """
        )
    )
    (tmp_path / "test_user.py").write_text(
        "def test_plain():\n    assert True\n\ndef test_needs_server(neurallog_local):\n    pass\n"
    )
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert "1 passed" in result.stdout, result.stdout
    assert "pip install 'neurallog[local]'" in result.stdout
