"""Every app in examples/ runs against NeuralLog Local and does what its README says."""

from __future__ import annotations

import asyncio
import importlib.util
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

from neurallog import NeuralLog

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
pytestmark = pytest.mark.slow


@pytest.fixture
def local_env(neurallog_local: Any, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The environment `neurallog local` tells an application to set."""
    monkeypatch.setenv("NEURALLOG_ENDPOINT", neurallog_local.endpoint)
    monkeypatch.setenv("NEURALLOG_API_KEY", neurallog_local.api_key)
    monkeypatch.delenv("NEURALLOG_TOKEN", raising=False)
    monkeypatch.delenv("NEURALLOG_CONSOLE", raising=False)
    return dict(os.environ)


@pytest.fixture
def reader(neurallog_local: Any) -> Iterator[NeuralLog]:
    with NeuralLog(api_key=neurallog_local.api_key, endpoint=neurallog_local.endpoint) as client:
        yield client


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _run(args: list[str], env: dict[str, str], cwd: Path = EXAMPLES) -> str:
    done = subprocess.run(
        [sys.executable, *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr


def test_flask_app(local_env: dict[str, str], reader: NeuralLog) -> None:
    example = _load("flask_app")
    with example.app.test_client() as client:
        # A request's own record is written when the server closes its response.
        with client.get("/orders/42", headers={"X-Request-ID": "f-1"}) as response:
            assert response.json is not None
            assert response.json["item"] == "coffee beans"
        with client.get("/orders/7") as response:
            assert response.status_code == 404
        with client.post("/orders/42/pay") as response:
            assert response.status_code == 500
    assert example.neurallog.flush()
    example.neurallog.close()

    shown = reader.logs.search(query='"Order shown"')
    assert shown[0]["metadata"]["request"]["id"] == "f-1"
    assert shown[0]["metadata"]["request"]["route"] == "/orders/<int:order_id>"
    assert reader.logs.search(query='"Order not found"').total == 1
    crash = reader.logs.search(query="unhandled")[0]
    assert crash["metadata"]["exception"]["type"] == "RuntimeError"
    requests = reader.logs.list(filter={"metadata.response.status": {"exists": True}})
    assert sorted(entry["metadata"]["response"]["status"] for entry in requests) == [200, 404, 500]


def test_fastapi_app(local_env: dict[str, str], reader: NeuralLog) -> None:
    example = _load("fastapi_app")

    async def visit() -> None:
        # httpx's ASGI transport, not starlette's TestClient (which is leaving httpx).
        transport = httpx.ASGITransport(app=example.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://shop") as client:
            assert (await client.get("/orders/42")).json()["item"] == "coffee beans"
            assert (await client.get("/orders/7")).status_code == 404
        await example.neurallog.close()  # delivers what is pending, then closes

    asyncio.run(visit())

    shown = reader.logs.search(query='"Order shown"')[0]
    assert shown["source"] == "shop-api"
    assert shown["metadata"]["request"]["route"] == "/orders/{order_id}"
    assert reader.logs.search(query='"Order not found"').total == 1


def test_django_project_tests_pass(local_env: dict[str, str], reader: NeuralLog) -> None:
    out = _run(["manage.py", "test", "-v", "1"], local_env, cwd=EXAMPLES / "django_project")
    assert "Ran 2 tests" in out
    assert "OK" in out
    assert reader.logs.search(query='"Order shown"')[0]["source"] == "shop-django"


def test_worker_delivers_everything(local_env: dict[str, str], reader: NeuralLog) -> None:
    out = _run(["worker.py", "--items", "25"], local_env)
    # 25 item records and the summary, every one delivered before the script exits.
    assert "25 items, 2 failed; 26 records delivered" in out
    assert reader.logs.list(filter={"source": "nightly-import"}).total == 26
    failures = reader.logs.search(query='"Item failed"')
    assert failures.total == 2
    assert failures[0]["metadata"]["exception"]["type"] == "ValueError"
    summary = reader.logs.search(query='"Job finished"')[0]
    assert summary["metadata"] == {"job": "nightly-import", "processed": 23, "failed": 2}


def test_structlog_setup(local_env: dict[str, str], reader: NeuralLog) -> None:
    out = _run(["structlog_setup.py"], local_env)
    assert "Invoices sent" in out  # the console renderer after the processor still runs
    assert "sent 2 events to NeuralLog" in out
    bounced = reader.logs.search(query="bounced")[0]
    assert bounced["level"] == "WARN"
    assert bounced["source"] == "billing"
    assert bounced["metadata"]["invoice_run"] == "2026-12"
    assert bounced["metadata"]["invoice_id"] == "INV-7"


def test_webhook_rule_fires(local_env: dict[str, str], reader: NeuralLog) -> None:
    out = _run(["webhook_rule.py"], local_env)
    assert (
        "The rule fired. The webhook received: {'alert': 'Payment failures', "
        "'message': 'Card payment declined for order 1042'}" in out
    )
    assert reader.rules.list().total == 0  # it cleans up after itself
