"""pytest fixtures of the SDK (registered through the ``pytest11`` entry point).

``neurallog_client``
    A :class:`~neurallog.client.NeuralLog` connected to the test's ``neurallog_local``
    tenant (NeuralLog Local, from the ``local`` extra), closed after the test.

``assert_logged``
    ``assert_logged(message=..., level=..., **fields)`` flushes ``neurallog_client``, then
    checks that the tenant holds an entry with that message, level and metadata fields
    (each optional) and returns it. When none matches, the failure lists what *was*
    logged::

        def test_checkout_logs_the_order(neurallog_client, assert_logged):
            checkout(neurallog_client, order_id=7)
            assert_logged(message="Order placed", level="INFO", order_id=7)
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Protocol

import pytest

from neurallog.testing import describe, matches

if TYPE_CHECKING:
    from neurallog.client import NeuralLog

__all__ = ["AssertLogged", "assert_logged", "neurallog_client"]

# Enough for any test's own records; the failure message shows at most 20 of them.
_MAX_ENTRIES = 1000


class AssertLogged(Protocol):
    """The ``assert_logged`` fixture's helper."""

    def __call__(
        self, message: str | None = None, level: str | int | None = None, **fields: Any
    ) -> dict[str, Any]: ...


@pytest.fixture
def neurallog_client(neurallog_local: Any) -> Iterator[NeuralLog]:
    """A NeuralLog client of this test's NeuralLog Local tenant (``log_level="DEBUG"``)."""
    from neurallog.client import NeuralLog

    client = NeuralLog(
        api_key=neurallog_local.api_key, endpoint=neurallog_local.endpoint, log_level="DEBUG"
    )
    try:
        yield client
    finally:
        client.close()


@pytest.fixture
def assert_logged(neurallog_client: NeuralLog) -> AssertLogged:
    """Check that an entry reached the tenant; on no match, show what was logged."""
    return _checker(neurallog_client)


def _checker(client: NeuralLog) -> AssertLogged:
    def check(
        message: str | None = None, level: str | int | None = None, **fields: Any
    ) -> dict[str, Any]:
        delivered = client.flush()
        listing = client.logs.list(sort="timestamp:asc", limit=100)
        entries = [dict(entry) for entry in itertools.islice(listing, _MAX_ENTRIES)]
        for entry in entries:
            if matches(entry, message=message, level=level, **fields):
                return entry
        wanted = _wanted(message, level, fields)
        note = "" if delivered else f"\n(not everything was delivered: {client.stats})"
        pytest.fail(f"no entry matched {wanted}; {describe(entries)}{note}", pytrace=False)

    return check


def _wanted(message: str | None, level: str | int | None, fields: dict[str, Any]) -> str:
    parts = [f"{name}={value!r}" for name, value in (("message", message), ("level", level))]
    parts = [p for p, v in zip(parts, (message, level), strict=True) if v is not None]
    parts += [f"{key}={value!r}" for key, value in fields.items()]
    return ", ".join(parts) or "anything"
