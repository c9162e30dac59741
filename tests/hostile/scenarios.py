"""Every misbehaviour the hostile server plays, and the calls that meet them.

Shared by the tests (``tests/hostile``) and the figures of ``docs/reliability.md``
(``python -m tests.hostile.report``).
"""

from __future__ import annotations

import gzip
import itertools
import json
from collections.abc import Awaitable, Callable
from typing import Any

from neurallog import AsyncNeuralLog, NeuralLog

from .server import (
    GZIP_OF_JSON,
    Scenario,
    answer,
    drip,
    endless,
    head,
    json_head,
    raw,
    redirect_to,
    stall,
)

#: The clients' timeout: every slow misbehaviour costs at most this per attempt.
TIMEOUT = 0.15
#: Bytes per second of a drip: slower than any sane server, faster than the timeout.
DRIP_EVERY = 0.03

_PAGE = {"total": 1, "limit": 10, "offset": 0, "has_more": False}
_GOOD_JSON = json.dumps({"data": {"ok": True}}).encode()


def _chunked(*pieces: bytes) -> bytes:
    return b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in pieces)


def scenarios(other_origin: str) -> list[Scenario]:
    """The misbehaviours; ``other_origin`` is a second server a redirect may point at."""
    ok_head = json_head(len(_GOOD_JSON))
    return [
        # -- 2xx bodies that are not the contract's ----------------------------------------
        Scenario("data-empty-object", answer(200, {"data": {}})),
        Scenario("data-null", answer(200, {"data": None})),
        Scenario("body-is-a-string", answer(200, "a string")),
        Scenario("body-is-a-list", answer(200, [1, 2])),
        Scenario(
            "wrong-field-types",
            answer(
                200,
                {
                    "data": {"accepted": "3", "duplicates": None, "rejected": "no", "ids": 7},
                    "meta": {"pagination": {"total": "x", "limit": [], "offset": {}}},
                },
            ),
        ),
        Scenario(
            "list-of-scalars",
            answer(200, {"data": ["a", 1, None], "meta": {"pagination": _PAGE}}),
        ),
        Scenario("truncated-json", answer(200, body=b'{"data": {"acc')),
        Scenario("html-200", answer(200, body=b"<html>hi</html>", content_type="text/html")),
        Scenario("empty-200", answer(200, body=b"")),
        Scenario("empty-204", raw(head("204 No Content", {"Connection": "close"}))),
        Scenario("json-as-xml", answer(200, {"data": {}}, content_type="application/xml")),
        Scenario("deep-json", answer(200, body=b'{"data": ' + b"[" * 100_000)),
        # -- content encodings -------------------------------------------------------------
        Scenario(
            "gzip-that-is-not-gzip",
            answer(200, body=_GOOD_JSON, headers={"Content-Encoding": "gzip"}),
        ),
        Scenario(
            "truncated-gzip",
            answer(200, body=GZIP_OF_JSON[:-12], headers={"Content-Encoding": "gzip"}),
        ),
        Scenario(
            "gzip-bomb-ish",
            answer(
                200,
                body=gzip.compress(b'{"data": "' + b"a" * 500_000 + b'"}'),
                headers={"Content-Encoding": "gzip"},
            ),
        ),
        Scenario(
            "unknown-encoding",
            answer(200, body=_GOOD_JSON, headers={"Content-Encoding": "zstd-ish"}),
        ),
        Scenario(
            "error-with-bad-gzip",
            answer(500, body=b"not gzip", headers={"Content-Encoding": "gzip"}),
        ),
        # -- bodies cut short --------------------------------------------------------------
        Scenario("cut-body", raw(json_head(100) + b'{"data": ')),
        Scenario(
            "event-stream-cut",
            raw(
                head(
                    "200 OK",
                    {"Content-Type": "text/event-stream", "Content-Length": "100"},
                )
                + b"event: log\ndata: {"
            ),
        ),
        Scenario("reset-mid-body", raw(json_head(100) + b'{"data": ', reset=True)),
        Scenario("reset-before-answer", raw(b"", reset=True)),
        Scenario("close-without-answer", raw(b"")),
        Scenario(
            "invalid-chunked",
            raw(head("200 OK", {"Transfer-Encoding": "chunked"}) + b"zz\r\nab\r\n"),
        ),
        Scenario(
            "chunked-without-end",
            raw(head("200 OK", {"Transfer-Encoding": "chunked"}) + _chunked(b'{"data"')),
        ),
        Scenario("negative-length", raw(json_head(-1) + _GOOD_JSON)),
        # -- status lines and headers ------------------------------------------------------
        Scenario("garbage-status-line", raw(b"HELLO THERE\r\n\r\n")),
        Scenario("no-status-line", raw(_GOOD_JSON)),
        Scenario("status-not-a-number", raw(head("2xx OK", {"Content-Length": "0"}))),
        Scenario("informational-then-ok", raw(head("100 Continue") + ok_head + _GOOD_JSON)),
        Scenario("informational-only", raw(head("103 Early Hints", {"Link": "</a>"}))),
        Scenario("unknown-status-299", answer(299, {"data": {}})),
        Scenario("unknown-status-799", answer(799, {"data": {}})),
        Scenario("status-599-html", answer(599, body=b"<h1>oops</h1>", content_type="text/html")),
        Scenario(
            "huge-header",
            raw(json_head(len(_GOOD_JSON), **{"X-Huge": "a" * 200_000}) + _GOOD_JSON),
        ),
        Scenario(
            "many-headers",
            raw(
                head("200 OK", [(f"X-H{i}", "v") for i in range(20_000)])[:-2]
                + b"Content-Length: 0\r\n\r\n"
            ),
        ),
        Scenario(
            "invalid-header-bytes",
            raw(b"HTTP/1.1 200 OK\r\nX-Bad\x00Name: \x01\r\nContent-Length: 0\r\n\r\n"),
        ),
        Scenario("header-without-colon", raw(b"HTTP/1.1 200 OK\r\nNoColonHere\r\n\r\n")),
        Scenario(
            "endless-headers",
            endless(b"HTTP/1.1 200 OK\r\n", b"X-More: " + b"b" * 8000 + b"\r\n", every=0.001),
        ),
        # -- redirects and wrong places ----------------------------------------------------
        Scenario("redirect-loop", redirect_to("/v1/logs", 302)),
        Scenario("redirect-to-other-origin", redirect_to(f"{other_origin}/v1/logs", 307)),
        Scenario("redirect-to-https", redirect_to("https://127.0.0.1:1/v1/logs", 308)),
        Scenario(
            "not-found-html", answer(404, body=b"<h1>Not Found</h1>", content_type="text/html")
        ),
        Scenario(
            "not-found-envelope",
            answer(404, {"error": {"code": "not_found", "message": "no such path"}}),
        ),
        Scenario(
            "retry-after-forever",
            answer(
                503,
                {"error": {"code": "unavailable", "message": "later"}},
                headers={"Retry-After": "1e9"},
            ),
        ),
        # -- slow ones: bounded by the timeout, each costs about TIMEOUT ---------------------
        Scenario("drip-body", drip(ok_head, b" " * 200 + _GOOD_JSON, every=DRIP_EVERY), slow=True),
        Scenario(
            "drip-everything",
            drip(b"", ok_head + _GOOD_JSON, every=DRIP_EVERY, headers_too=True),
            slow=True,
        ),
        Scenario("stall-after-headers", stall(json_head(100)), slow=True),
        Scenario("stall-before-answer", stall(b""), slow=True),
        Scenario(
            "endless-body",
            endless(
                head("200 OK", {"Transfer-Encoding": "chunked"}), _chunked(b" " * 1024), every=0.001
            ),
            slow=True,
        ),
    ]


# -- the calls that meet them ----------------------------------------------------------------

_ENTRY = {"level": "INFO", "message": "hostile"}

SyncCall = Callable[[NeuralLog], object]
AsyncCall = Callable[[AsyncNeuralLog], Awaitable[object]]


def _stream(client: NeuralLog) -> object:
    with client.logs.stream(follow=False) as stream:
        return list(itertools.islice(stream, 3))


SYNC_CALLS: dict[str, SyncCall] = {
    "logs.search": lambda c: c.logs.search("x"),
    "logs.list": lambda c: c.logs.list(),
    "logs.get": lambda c: c.logs.get("entry-1"),
    "logs.delete": lambda c: c.logs.delete(all=True),
    "logs.ingest": lambda c: c.logs.ingest([_ENTRY]),
    "logs.stream": _stream,
    "rules.list": lambda c: c.rules.list(),
    "rules.get": lambda c: c.rules.get("rule-1"),
    "rules.enable": lambda c: c.rules.enable("rule-1"),
    "actions.list": lambda c: c.actions.list(),
    "actions.execute": lambda c: c.actions.execute("action-1"),
}


async def _astream(client: AsyncNeuralLog) -> object:
    found: list[Any] = []
    async with client.logs.stream(follow=False) as stream:
        async for entry in stream:
            found.append(entry)
            if len(found) >= 3:
                break
    return found


async def _asearch(client: AsyncNeuralLog) -> object:
    return await client.logs.search("x")


async def _aingest(client: AsyncNeuralLog) -> object:
    return await client.logs.ingest([_ENTRY])


async def _aget(client: AsyncNeuralLog) -> object:
    return await client.rules.get("rule-1")


ASYNC_CALLS: dict[str, AsyncCall] = {
    "async logs.search": _asearch,
    "async logs.ingest": _aingest,
    "async rules.get": _aget,
    "async logs.stream": _astream,
}

#: Calls made through ``transport="requests"``.
REQUESTS_CALLS = ("logs.search", "logs.ingest", "rules.get")


def sync_client(endpoint: str, **options: Any) -> NeuralLog:
    settings: dict[str, Any] = {"timeout": TIMEOUT, "retries": 0, "max_retry_delay": 0.01}
    return NeuralLog(api_key="hostile-key", endpoint=endpoint, **{**settings, **options})


def async_client(endpoint: str, **options: Any) -> AsyncNeuralLog:
    settings: dict[str, Any] = {"timeout": TIMEOUT, "retries": 0, "max_retry_delay": 0.01}
    return AsyncNeuralLog(api_key="hostile-key", endpoint=endpoint, **{**settings, **options})
