"""Regression tests of the misbehaviours first found by attacking the SDK (one per finding)."""

from __future__ import annotations

import gzip
import json
import threading
from collections.abc import Iterator

import httpx
import pytest

from neurallog import NeuralLog
from neurallog.exceptions import (
    ConfigurationError,
    NetworkError,
    NotFoundError,
    TimeoutError,
    UnexpectedResponseError,
)

from .scenarios import sync_client
from .server import Conn, HostileServer, answer, drip, head, json_head, raw

pytestmark = pytest.mark.timeout(15)

ENTRY = {"level": "INFO", "message": "m"}


@pytest.fixture
def client(hostile: HostileServer) -> Iterator[NeuralLog]:
    made = sync_client(hostile.endpoint, timeout=0.5)
    yield made
    made.close(timeout=0)


# -- a malformed success body is an UnexpectedResponseError saying what was wrong ------------


@pytest.mark.parametrize(
    ("document", "words"),
    [
        ({"data": {}}, "'accepted' is missing"),
        ({"data": None}, "'data' is null"),
        ("a string", "the body is a string"),
        (
            {"data": {"accepted": "1", "duplicates": 0, "rejected": [], "ids": ["a"]}},
            "'accepted' is a string",
        ),
        (
            {"data": {"accepted": 1, "duplicates": 0, "rejected": [{"index": "0"}], "ids": []}},
            "'rejected'",
        ),
    ],
)
def test_a_malformed_ingest_answer_says_what_was_wrong(
    hostile: HostileServer, client: NeuralLog, document: object, words: str
) -> None:
    hostile.behaviour = answer(202, document)
    with pytest.raises(UnexpectedResponseError, match=words) as info:
        client.logs.ingest([ENTRY])
    assert info.value.status == 202
    assert info.value.code == "unexpected_response"


def test_a_body_that_is_not_the_gzip_it_claims_is_an_sdk_error_with_its_cause(
    hostile: HostileServer, client: NeuralLog
) -> None:
    hostile.behaviour = answer(
        200, body=b'{"data": {"id": "e1"}}', headers={"Content-Encoding": "gzip"}
    )
    with pytest.raises(UnexpectedResponseError, match="not valid gzip") as info:
        client.logs.get("e1")
    assert isinstance(info.value.__cause__, httpx.DecodingError)


def test_a_truncated_gzip_body_is_an_sdk_error(hostile: HostileServer, client: NeuralLog) -> None:
    body = gzip.compress(b'{"data": {"id": "e1"}}')[:-10]
    hostile.behaviour = answer(200, body=body, headers={"Content-Encoding": "gzip"})
    with pytest.raises(UnexpectedResponseError):
        client.logs.get("e1")


def test_a_good_gzip_body_is_still_read(hostile: HostileServer, client: NeuralLog) -> None:
    body = gzip.compress(b'{"data": {"id": "e1"}}')
    hostile.behaviour = answer(200, body=body, headers={"Content-Encoding": "gzip"})
    assert client.logs.get("e1") == {"id": "e1"}


def test_an_event_stream_cut_short_on_a_plain_call_is_a_network_error(
    hostile: HostileServer, client: NeuralLog
) -> None:
    cut = head("200 OK", {"Content-Type": "text/event-stream", "Content-Length": "100"})
    hostile.behaviour = raw(cut + b"event: log\n")
    with pytest.raises(NetworkError) as info:
        client.logs.get("e1")
    assert isinstance(info.value.__cause__, httpx.RemoteProtocolError)


def test_the_async_client_maps_a_bad_gzip_body_too(hostile: HostileServer) -> None:
    import asyncio

    from .scenarios import async_client

    hostile.behaviour = answer(200, body=b"{}", headers={"Content-Encoding": "gzip"})

    async def run() -> None:
        client = async_client(hostile.endpoint)
        try:
            with pytest.raises(UnexpectedResponseError):
                await client.logs.get("e1")
        finally:
            await client.close(timeout=0)

    asyncio.run(run())


# -- timeout is a limit on each attempt --------------------------------------------------------


def _dripping_answer() -> bytes:
    return b" " * 300 + json.dumps({"data": {"id": "e1"}}).encode()


@pytest.mark.parametrize("transport", ["httpx", "requests"])
def test_a_dripping_body_cannot_outlast_the_timeout(hostile: HostileServer, transport: str) -> None:
    # 300+ bytes at one per 0.05 s: the answer would take over 15 s (past this test's hang
    # guard) and would succeed in the end; with timeout=0.5 the call gives up first.
    body = _dripping_answer()
    hostile.behaviour = drip(json_head(len(body)), body, every=0.05)
    with (
        sync_client(hostile.endpoint, timeout=0.5, transport=transport) as client,
        pytest.raises(TimeoutError),
    ):
        client.logs.get("e1")


def test_dripping_headers_cannot_outlast_the_timeout(hostile: HostileServer) -> None:
    body = _dripping_answer()
    hostile.behaviour = drip(b"", json_head(len(body)) + body, every=0.05, headers_too=True)
    with sync_client(hostile.endpoint, timeout=0.5) as client, pytest.raises(TimeoutError):
        client.logs.search("x")


def test_each_retry_gets_its_own_timeout(hostile: HostileServer) -> None:
    body = _dripping_answer()
    hostile.behaviour = drip(json_head(len(body)), body, every=0.05)
    with (
        sync_client(hostile.endpoint, timeout=0.3, retries=2) as client,
        pytest.raises(TimeoutError),
    ):
        client.logs.get("e1")
    assert len(hostile.seen) == 3


# -- https:// to a plain HTTP port --------------------------------------------------------------


@pytest.mark.parametrize("transport", ["httpx", "requests"])
def test_https_to_a_plain_http_port_says_so_at_once(hostile: HostileServer, transport: str) -> None:
    endpoint = f"https://127.0.0.1:{hostile.port}/v1"
    with (
        sync_client(endpoint, retries=3, transport=transport) as client,
        pytest.raises(ConfigurationError) as info,
    ):
        client.logs.search("x")
    text = str(info.value)
    assert "does not speak TLS" in text
    assert f"http://127.0.0.1:{hostile.port}/v1" in text
    assert info.value.__cause__ is not None


# -- an endpoint that is not the API's base URL --------------------------------------------------


def test_a_404_page_that_is_not_the_api_is_a_configuration_error(
    hostile: HostileServer, client: NeuralLog
) -> None:
    hostile.behaviour = answer(404, body=b"<h1>Not Found</h1>", content_type="text/html")
    with pytest.raises(ConfigurationError, match="does not look like the NeuralLog API") as info:
        client.logs.get("e1")
    assert isinstance(info.value.__cause__, NotFoundError)


def test_a_404_on_a_path_the_api_always_has_is_a_configuration_error(
    hostile: HostileServer,
) -> None:
    hostile.behaviour = answer(404, {"error": {"code": "not_found", "message": "no such path"}})
    with sync_client(f"{hostile.origin}/api") as client, pytest.raises(ConfigurationError) as info:
        client.logs.ingest([ENTRY])
    assert f"did you mean {hostile.origin}/api/v1?" in str(info.value)


def test_an_unknown_id_is_still_not_found(hostile: HostileServer, client: NeuralLog) -> None:
    hostile.behaviour = answer(404, {"error": {"code": "not_found", "message": "no such entry"}})
    with pytest.raises(NotFoundError):
        client.logs.get("e1")


# -- redirects never carry the credential to another origin -------------------------------------


def test_a_redirect_to_another_origin_is_not_followed(
    hostile: HostileServer, other_origin: HostileServer, client: NeuralLog
) -> None:
    hostile.behaviour = answer(
        307, body=b"", headers={"Location": f"{other_origin.endpoint}/logs/e1"}
    )
    with pytest.raises(UnexpectedResponseError):
        client.logs.get("e1")
    assert other_origin.seen == []


# -- LogStream.close() from another thread while it connects -------------------------------------


def test_closing_a_stream_while_it_connects_stops_it(hostile: HostileServer) -> None:
    # Every connection is answered 503: the stream keeps retrying the opening request
    # (retries=20, up to 0.5 s apart) unless close() stops it.
    reached = threading.Event()

    def unavailable(conn: Conn) -> None:
        reached.set()
        answer(503, {"error": {"code": "unavailable", "message": "later"}})(conn)

    hostile.behaviour = unavailable
    outcome: list[object] = []
    with sync_client(hostile.endpoint, retries=20, max_retry_delay=0.5) as client:
        stream = client.logs.stream()

        def iterate() -> None:
            try:
                outcome.append(list(stream))
            except Exception as error:
                outcome.append(error)

        reader = threading.Thread(target=iterate)
        reader.start()
        assert reached.wait(5)
        stream.close()
        reader.join(timeout=10)
        assert not reader.is_alive()
        attempts = len(hostile.seen)
    assert outcome == [[]]
    # No attempt after close(): at most the one in flight when it was called.
    assert attempts <= 2


def test_closing_a_stream_waiting_for_its_answer_stops_it(hostile: HostileServer) -> None:
    # The server takes the request and never answers; the client's timeout is long.
    reached = threading.Event()

    def silent(conn: Conn) -> None:
        reached.set()
        conn.wait(60)

    hostile.behaviour = silent
    outcome: list[object] = []
    with sync_client(hostile.endpoint, timeout=60) as client:
        stream = client.logs.stream()
        reader = threading.Thread(target=lambda: outcome.append(list(stream)))
        reader.start()
        assert reached.wait(5)
        stream.close()
        reader.join(timeout=10)
        assert not reader.is_alive()
    assert outcome == [[]]
