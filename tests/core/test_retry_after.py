"""A server's Retry-After never holds delivery beyond the client's ``max_retry_delay``."""

from __future__ import annotations

import math

import httpx
import pytest

from neurallog._errors import parse_retry_after

from .conftest import ClientFactory, Sink, error_response

# Hints a misbehaving (or hostile) server may send with a 429.
HOSTILE_HINTS = [
    {"Retry-After": "1e9"},
    {"Retry-After": "inf"},
    {"Retry-After": "Infinity"},
    {"Retry-After": "nan"},
    {"Retry-After": "-5"},
    {"Retry-After": "3600"},
    {"Retry-After": "Fri, 31 Dec 9999 23:59:59 GMT"},
    {"retry-after-ms": "1e12"},
    {"retry-after-ms": "inf"},
    {"retry-after-ms": "nan", "Retry-After": "1e300"},
]


@pytest.mark.parametrize("hint", HOSTILE_HINTS, ids=lambda hint: repr(hint))
def test_a_huge_or_invalid_retry_after_does_not_stall_delivery(
    sink: Sink, make_client: ClientFactory, hint: dict[str, str]
) -> None:
    sink.script = [error_response(429, "rate_limited", headers=hint)]
    client = make_client(retries=2, max_retry_delay=0.2)
    client.info("after the 429")
    # One 429, then a healthy server: everything is delivered within a flush's wait.
    assert client.flush(10)
    assert sink.messages == ["after the 429"]
    assert client.stats.dropped_total == 0
    assert len(sink.requests) == 2


@pytest.mark.parametrize("hint", HOSTILE_HINTS, ids=lambda hint: repr(hint))
def test_parse_retry_after_returns_a_finite_delay_or_none(hint: dict[str, str]) -> None:
    delay = parse_retry_after(httpx.Headers(hint))
    assert delay is None or (math.isfinite(delay) and delay >= 0)


def test_a_valid_retry_after_is_read_in_seconds_and_milliseconds() -> None:
    assert parse_retry_after(httpx.Headers({"Retry-After": "2.5"})) == 2.5
    assert parse_retry_after(httpx.Headers({"retry-after-ms": "250"})) == 0.25
    assert parse_retry_after(httpx.Headers({})) is None
