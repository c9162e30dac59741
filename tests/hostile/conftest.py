"""Two hostile servers per test run: the one under test and an "other origin" for redirects."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .server import HostileServer, answer


@pytest.fixture(scope="session")
def _hostile_pair() -> Iterator[tuple[HostileServer, HostileServer]]:
    main, other = HostileServer(), HostileServer()
    yield main, other
    main.close()
    other.close()


@pytest.fixture
def hostile(_hostile_pair: tuple[HostileServer, HostileServer]) -> HostileServer:
    server = _hostile_pair[0]
    server.seen.clear()
    server.behaviour = answer(200, {"data": {}})
    return server


@pytest.fixture
def other_origin(_hostile_pair: tuple[HostileServer, HostileServer]) -> HostileServer:
    server = _hostile_pair[1]
    server.seen.clear()
    server.behaviour = answer(200, {"data": {}})
    return server
