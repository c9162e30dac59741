"""Every response under /v1 but /health carries X-RateLimit-*: the credential's, or, when
the credential is missing or wrong, those of the address's failed authentications; the
router's own 404s and 405s included."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from neurallog_local.server import LocalServer
from neurallog_local.settings import KeySpec, Settings

from .conftest import make_client

KEY = "headers-key-123"
RATE_HEADERS = ("x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset")


@pytest.fixture(scope="module")
def server() -> Iterator[LocalServer]:
    settings = Settings(db=":memory:", api_keys=[KeySpec(KEY)], rate_limit=500)
    with LocalServer(settings) as running:
        yield running


@pytest.mark.parametrize(
    ("method", "path", "key", "status", "limit"),
    [
        ("GET", "/logs", "wrong-key-123", 401, "100"),
        ("GET", "/logs", None, 401, "100"),
        ("GET", "/no/such/path", KEY, 404, "500"),
        ("GET", "/no/such/path", None, 404, "100"),
        ("PUT", "/logs", KEY, 405, "500"),
        ("PUT", "/rules/r1", "wrong-key-123", 405, "100"),
        ("GET", "/rules/no-such-rule", KEY, 404, "500"),
        ("GET", "/logs?limit=0", KEY, 400, "500"),
    ],
)
def test_rate_limit_headers_on_every_answer(
    server: LocalServer, method: str, path: str, key: str | None, status: int, limit: str
) -> None:
    headers = {"X-API-Key": key} if key else {}
    with make_client(server.endpoint, headers) as http:
        response = http.request(method, path)
    assert response.status_code == status, response.text
    assert response.headers["x-ratelimit-limit"] == limit
    assert int(response.headers["x-ratelimit-remaining"]) >= 0
    assert int(response.headers["x-ratelimit-reset"]) > 0
    if status == 405:
        assert response.json()["error"]["code"] == "method_not_allowed"
        assert response.headers["allow"]


def test_health_needs_no_credential_and_counts_nothing(server: LocalServer) -> None:
    response = httpx.get(server.endpoint + "/health")
    assert response.status_code == 200
    assert not any(name in response.headers for name in RATE_HEADERS)
