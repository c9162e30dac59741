"""Bad credentials at volume: guesses from one address are limited; other addresses, and
clients that send no credential at all, are not held back by them."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from neurallog_local.server import LocalServer
from neurallog_local.settings import KeySpec, Settings

KEY = "right-key-123"
LIMIT = 20


@pytest.fixture
def server() -> Iterator[LocalServer]:
    settings = Settings(db=":memory:", api_keys=[KeySpec(KEY)], auth_failure_limit=LIMIT)
    with LocalServer(settings) as running:
        yield running


def _client(server: LocalServer, source: str = "127.0.0.1") -> httpx.Client:
    transport = httpx.HTTPTransport(local_address=source)
    return httpx.Client(base_url=server.endpoint, transport=transport, timeout=15)


def test_wrong_keys_past_the_limit_are_429_for_that_address(server: LocalServer) -> None:
    with _client(server) as guesser:
        answers = [
            guesser.get("/logs", headers={"X-API-Key": f"guess-{n:08d}"}) for n in range(300)
        ]
        statuses = [a.status_code for a in answers]
        assert statuses == [401] * LIMIT + [429] * (300 - LIMIT)
        # Each 401 says how many failures the address has left.
        remaining = [int(a.headers["x-ratelimit-remaining"]) for a in answers[:LIMIT]]
        assert remaining == list(range(LIMIT - 1, -1, -1))
        assert {a.headers["x-ratelimit-limit"] for a in answers} == {str(LIMIT)}
        blocked = answers[-1]
        assert blocked.json()["error"]["code"] == "rate_limited"
        assert "failed authentications" in blocked.json()["error"]["message"]
        wait = int(blocked.headers["retry-after"])
        assert 1 <= wait <= server.settings.auth_failure_window
        assert int(blocked.headers["x-ratelimit-reset"]) >= time.time()
        # Until the window ends, even the right key from that address waits: a guess that
        # happens to be right learns nothing sooner.
        assert guesser.get("/logs", headers={"X-API-Key": KEY}).status_code == 429
    # Another address (all of 127/8 is loopback) is served as ever.
    with _client(server, "127.0.0.2") as other:
        assert other.get("/logs", headers={"X-API-Key": KEY}).status_code == 200
        assert other.get("/logs", headers={"X-API-Key": "wrong-key-1"}).status_code == 401


def test_missing_credentials_count_as_no_guess(server: LocalServer) -> None:
    with _client(server) as anonymous:
        statuses = {anonymous.get("/logs").status_code for _ in range(LIMIT * 2)}
        assert statuses == {401}
        assert anonymous.get("/logs", headers={"X-API-Key": KEY}).status_code == 200


def test_bad_jwts_count_as_guesses(server: LocalServer) -> None:
    with _client(server) as guesser:
        bearer = {"Authorization": "Bearer not.a.token"}
        statuses = [guesser.get("/rules", headers=bearer).status_code for _ in range(LIMIT + 1)]
    assert statuses == [401] * LIMIT + [429]
