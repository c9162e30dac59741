"""Gzip request bodies: every member of a multi-member body is read, and anything after
the gzip data is refused instead of silently dropped."""

from __future__ import annotations

import gzip
import json

import httpx
import pytest

from .conftest import entry

GZIP = {"Content-Type": "application/json", "Content-Encoding": "gzip"}


def _post(client: httpx.Client, content: bytes) -> httpx.Response:
    return client.post("/logs", content=content, headers=GZIP)


def test_a_multi_member_body_is_read_whole(client: httpx.Client) -> None:
    text = json.dumps({"logs": [entry("first"), entry("second")]}).encode()
    # What `cat a.gz b.gz` or a streaming compressor that flushes members produces.
    members = b"".join(gzip.compress(text[i : i + 7]) for i in range(0, len(text), 7))
    response = _post(client, members)
    assert response.status_code == 202, response.text
    assert response.json()["data"]["accepted"] == 2


@pytest.mark.parametrize(
    "trailer", [b"TRAILING", b"\x00\x00\x00\x00", b"\x1f\x8b", b"\x1f\x8b\x08\x00garbage"]
)
def test_bytes_after_the_gzip_data_are_a_400(client: httpx.Client, trailer: bytes) -> None:
    body = gzip.compress(json.dumps({"logs": [entry("hidden")]}).encode())
    response = _post(client, body + trailer)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["code"] == "bad_request"
    assert "gzip" in error["message"]
    assert client.get("/logs").json()["data"] == []


def test_a_bomb_split_into_members_is_413(client: httpx.Client) -> None:
    chunk = gzip.compress(b" " * (1024 * 1024))
    body = gzip.compress(b'{"logs": [') + chunk * 6 + gzip.compress(b"]}")
    assert _post(client, body).status_code == 413
