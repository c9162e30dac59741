"""Fixtures of the NeuralLog Local tests: real HTTP against a running server."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from neurallog_local.pytest_plugin import LocalTenant

from .contract import check_contract

# A hang guard for background work, not a timing assertion.
WAIT = 20.0


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def make_client(endpoint: str, headers: dict[str, str], **options: Any) -> httpx.Client:
    """An HTTP client whose every response is checked against openapi.yaml."""
    return httpx.Client(
        base_url=endpoint,
        headers=headers,
        timeout=30,
        event_hooks={"response": [check_contract]},
        **options,
    )


@pytest.fixture
def client(neurallog_local: LocalTenant) -> Iterator[httpx.Client]:
    """A contract-checked client of a fresh tenant."""
    with make_client(neurallog_local.endpoint, neurallog_local.headers) as http:
        yield http


@pytest.fixture
def other(neurallog_local: LocalTenant) -> Iterator[httpx.Client]:
    """A contract-checked client of another fresh tenant on the same server."""
    tenant = neurallog_local.new_tenant()
    with make_client(tenant.endpoint, tenant.headers) as http:
        yield http


def ingest(client: httpx.Client, *entries: dict[str, Any]) -> dict[str, Any]:
    """Ingest ``entries``; return the result (asserting the 202)."""
    response = client.post("/logs", json={"logs": list(entries)})
    assert response.status_code == 202, response.text
    result: dict[str, Any] = response.json()["data"]
    return result


def entry(message: str, level: str = "INFO", **fields: Any) -> dict[str, Any]:
    return {"level": level, "message": message, **fields}


def executions(client: httpx.Client, action_id: str, **params: Any) -> list[dict[str, Any]]:
    response = client.get(f"/actions/{action_id}/executions", params=params)
    assert response.status_code == 200, response.text
    result: list[dict[str, Any]] = response.json()["data"]
    return result


def wait_for_executions(client: httpx.Client, action_id: str, count: int) -> list[dict[str, Any]]:
    """The action's executions once there are ``count`` (actions run in the background).

    The executions of an id that no action has are listed once one is recorded; until then
    the id is unknown (404), which counts as none yet.
    """
    deadline = time.monotonic() + WAIT
    while True:
        response = client.get(f"/actions/{action_id}/executions", params={"limit": 100})
        assert response.status_code in (200, 404), response.text
        found: list[dict[str, Any]] = response.json()["data"] if response.status_code == 200 else []
        if len(found) >= count or time.monotonic() > deadline:
            return found
        time.sleep(0.05)
