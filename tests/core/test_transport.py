"""The one transport layer: retry decisions, backoff cap, Retry-After, keys, error mapping."""

from __future__ import annotations

import json
import logging
import pickle
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import trustme
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from neurallog import NeuralLog, exceptions
from neurallog._http import RETRIES_EXTENSION, SLEEP_EXTENSION, USER_AGENT, RetryPolicy

from .conftest import API_KEY


@pytest.fixture
def server(_threaded_server: HTTPServer) -> Iterator[HTTPServer]:
    _threaded_server.clear()
    yield _threaded_server
    _threaded_server.clear()


@pytest.fixture
def client(server: HTTPServer) -> Iterator[NeuralLog]:
    nl = NeuralLog(api_key=API_KEY, endpoint=server.url_for("/v1"), retries=0, timeout=5)
    yield nl
    nl.close(timeout=1)


class Script:
    """Answers requests from a list (the last answer repeats) and records them."""

    def __init__(self, *answers: Response) -> None:
        self.answers = list(answers)
        self.seen: list[Request] = []
        self.bodies: list[bytes] = []

    def __call__(self, request: Request) -> Response:
        self.seen.append(request)
        self.bodies.append(request.get_data())
        return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]


def envelope(
    status: int,
    code: str | None = "some_code",
    message: str | None = "Something failed",
    headers: dict[str, str] | None = None,
    details: dict[str, Any] | None = None,
) -> Response:
    error: dict[str, Any] = {"details": details or {}}
    if code is not None:
        error["code"] = code
    if message is not None:
        error["message"] = message
    return Response(
        json.dumps({"error": error, "meta": {"request_id": "meta-id"}}),
        status=status,
        content_type="application/json",
        headers={"X-Request-ID": "req-123", **(headers or {})},
    )


OK = Response(json.dumps({"data": {"ok": True}}), status=200, content_type="application/json")


def recorder() -> tuple[list[float], Any]:
    delays: list[float] = []

    def sleep(delay: float) -> bool:
        delays.append(delay)
        return True

    return delays, sleep


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, exceptions.ValidationError),
        (401, exceptions.AuthenticationError),
        (403, exceptions.PermissionDeniedError),
        (404, exceptions.NotFoundError),
        (409, exceptions.ApiError),
        (413, exceptions.ApiError),
        (422, exceptions.ValidationError),
        (429, exceptions.RateLimitError),
        (500, exceptions.ServerError),
        (502, exceptions.ServerError),
        (503, exceptions.ServerError),
        (504, exceptions.ServerError),
        (520, exceptions.ServerError),
    ],
)
def test_every_error_status_maps_to_its_exception(
    server: HTTPServer, client: NeuralLog, status: int, cls: type[exceptions.ApiError]
) -> None:
    server.expect_request("/v1/rules/r1").respond_with_response(
        envelope(status, headers={"Retry-After": "7"} if status == 429 else None)
    )
    with pytest.raises(cls) as info:
        client._core.http.get("rules/r1")
    error = info.value
    assert type(error) is cls
    assert isinstance(error, exceptions.ApiError)
    assert isinstance(error, exceptions.NeuralLogError)
    assert error.status == status
    assert error.code == "some_code"
    assert error.message == "Something failed"
    assert error.request_id == "req-123"
    assert f"status={status}" in str(error)
    if status == 429:
        assert isinstance(error, exceptions.RateLimitError)
        assert error.retry_after == 7.0
    clone = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own object
    assert (type(clone), clone.status, clone.code, clone.request_id) == (
        cls,
        status,
        "some_code",
        "req-123",
    )


def test_validation_errors_carry_details(server: HTTPServer, client: NeuralLog) -> None:
    details = {"errors": [{"field": "name", "message": "is required"}]}
    server.expect_request("/v1/rules").respond_with_response(
        envelope(422, "validation_error", "Invalid rule", details=details)
    )
    with pytest.raises(exceptions.ValidationError) as info:
        client._core.http.post("rules", json={})
    assert info.value.errors == [{"field": "name", "message": "is required"}]
    assert "name: is required" in str(info.value)


@pytest.mark.parametrize(
    ("status", "body", "content_type", "expected"),
    [
        (502, "<html><body>Bad Gateway</body></html>", "text/html", "HTTP 502 BAD GATEWAY: <html>"),
        (520, "", "text/plain", "HTTP 520"),
        (500, "not json at all", "application/json", "HTTP 500 INTERNAL SERVER ERROR: not json"),
        (409, json.dumps({"detail": "nope"}), "application/json", "HTTP 409 CONFLICT"),
    ],
)
def test_non_envelope_error_bodies_still_map(
    server: HTTPServer,
    client: NeuralLog,
    status: int,
    body: str,
    content_type: str,
    expected: str,
) -> None:
    server.expect_request("/v1/health").respond_with_response(
        Response(body, status=status, content_type=content_type)
    )
    with pytest.raises(exceptions.ApiError) as info:
        client._core.http.get("health")
    assert info.value.status == status
    assert info.value.message.upper().startswith(expected.upper())
    assert info.value.code is None
    assert info.value.request_id is None


def test_request_id_falls_back_to_meta(server: HTTPServer, client: NeuralLog) -> None:
    body = {"error": {"code": "not_found", "message": "No rule"}, "meta": {"request_id": "m-1"}}
    server.expect_request("/v1/rules/x").respond_with_json(body, status=404)
    with pytest.raises(exceptions.NotFoundError) as info:
        client._core.http.get("rules/x")
    assert info.value.request_id == "m-1"


def test_520_maps_before_the_generated_parser_sees_it(
    server: HTTPServer, client: NeuralLog
) -> None:
    from neurallog_api.api.rules import get_rule

    server.expect_request("/v1/rules/r1").respond_with_response(Response("", status=520))
    with pytest.raises(exceptions.ServerError) as info:
        get_rule.sync(rule_id="r1", client=client.api)
    assert info.value.status == 520


@pytest.mark.parametrize("status", [500, 502, 503, 504, 408, 429])
def test_retried_statuses(server: HTTPServer, status: int) -> None:
    script = Script(envelope(status), envelope(status), OK)
    server.expect_request("/v1/rules", method="POST").respond_with_handler(script)
    delays, sleep = recorder()
    with NeuralLog(api_key=API_KEY, endpoint=server.url_for("/v1"), retries=3) as nl:
        response = nl._core.http.post("rules", json={"a": 1}, extensions={SLEEP_EXTENSION: sleep})
    assert response.status_code == 200
    assert len(script.seen) == 3
    assert len(delays) == 2
    keys = {r.headers["Idempotency-Key"] for r in script.seen}
    assert len(keys) == 1  # one key, reused by every attempt
    assert len(set(script.bodies)) == 1


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 413, 422])
def test_client_errors_are_not_retried(server: HTTPServer, status: int) -> None:
    script = Script(envelope(status), OK)
    server.expect_request("/v1/rules", method="POST").respond_with_handler(script)
    delays, sleep = recorder()
    with (
        NeuralLog(api_key=API_KEY, endpoint=server.url_for("/v1"), retries=5) as nl,
        # A 404 on POST /rules (a path the API always has) is a ConfigurationError.
        pytest.raises(exceptions.ApiError if status != 404 else exceptions.ConfigurationError),
    ):
        nl._core.http.post("rules", json={}, extensions={SLEEP_EXTENSION: sleep})
    assert len(script.seen) == 1
    assert delays == []


def test_backoff_is_capped_by_max_retry_delay(server: HTTPServer) -> None:
    script = Script(envelope(503))
    server.expect_request("/v1/rules").respond_with_handler(script)
    delays, sleep = recorder()
    with (
        NeuralLog(
            api_key=API_KEY, endpoint=server.url_for("/v1"), retries=10, max_retry_delay=0.25
        ) as nl,
        pytest.raises(exceptions.ServerError),
    ):
        nl._core.http.get("rules", extensions={SLEEP_EXTENSION: sleep})
    assert len(script.seen) == 11
    assert len(delays) == 10
    assert all(0.0 <= d <= 0.25 for d in delays)


def test_full_jitter_bounds() -> None:
    policy = RetryPolicy(retries=10, max_retry_delay=3.0, base_delay=0.5)
    for attempt in range(12):
        ceiling = min(3.0, 0.5 * 2**attempt)
        samples = [policy.backoff(attempt) for _ in range(200)]
        assert all(0.0 <= s <= ceiling for s in samples)
        assert max(samples) > ceiling / 2  # spread over the range, not a fixed delay


def test_retry_after_is_honoured(server: HTTPServer) -> None:
    script = Script(envelope(429, headers={"Retry-After": "2"}), OK)
    server.expect_request("/v1/rules").respond_with_handler(script)
    delays, sleep = recorder()
    with NeuralLog(api_key=API_KEY, endpoint=server.url_for("/v1"), retries=3) as nl:
        nl._core.http.get("rules", extensions={SLEEP_EXTENSION: sleep})
    assert delays == [2.0]


def test_retry_after_beyond_the_cap_is_not_waited_for(server: HTTPServer) -> None:
    script = Script(envelope(429, headers={"Retry-After": "120"}), OK)
    server.expect_request("/v1/rules").respond_with_handler(script)
    delays, sleep = recorder()
    with (
        NeuralLog(
            api_key=API_KEY, endpoint=server.url_for("/v1"), retries=3, max_retry_delay=60
        ) as nl,
        pytest.raises(exceptions.RateLimitError) as info,
    ):
        nl._core.http.get("rules", extensions={SLEEP_EXTENSION: sleep})
    assert info.value.retry_after == 120.0
    assert delays == []
    assert len(script.seen) == 1


def test_retries_extension_overrides_the_count(server: HTTPServer) -> None:
    script = Script(envelope(500))
    server.expect_request("/v1/rules").respond_with_handler(script)
    _delays, sleep = recorder()
    with (
        NeuralLog(api_key=API_KEY, endpoint=server.url_for("/v1"), retries=5) as nl,
        pytest.raises(exceptions.ServerError),
    ):
        nl._core.http.get("rules", extensions={SLEEP_EXTENSION: sleep, RETRIES_EXTENSION: 1})
    assert len(script.seen) == 2


def test_an_interrupting_sleep_stops_the_retries(server: HTTPServer) -> None:
    script = Script(envelope(500))
    server.expect_request("/v1/rules").respond_with_handler(script)
    with (
        NeuralLog(api_key=API_KEY, endpoint=server.url_for("/v1"), retries=5) as nl,
        pytest.raises(exceptions.NetworkError, match="interrupted"),
    ):
        nl._core.http.get("rules", extensions={SLEEP_EXTENSION: lambda delay: False})
    assert len(script.seen) == 1


def test_refused_connection_is_a_network_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with (
        NeuralLog(api_key=API_KEY, endpoint=f"http://127.0.0.1:{port}/v1", retries=0) as nl,
        pytest.raises(exceptions.NetworkError) as info,
    ):
        nl._core.http.get("health")
    assert not isinstance(info.value, exceptions.TimeoutError)
    assert "GET" in info.value.message


def test_read_timeout_is_a_timeout_error(server: HTTPServer) -> None:
    release = threading.Event()

    def slow(request: Request) -> Response:
        release.wait(5)
        return OK

    server.expect_request("/v1/health").respond_with_handler(slow)
    with (
        NeuralLog(api_key=API_KEY, endpoint=server.url_for("/v1"), retries=0, timeout=0.1) as nl,
        pytest.raises(exceptions.TimeoutError) as info,
    ):
        nl._core.http.get("health")
    assert isinstance(info.value, exceptions.NetworkError)
    # Let the handler finish now: answered after the next test began, it would show up in
    # that test's server.log.
    release.set()
    for _ in range(500):
        if server.log:
            break
        time.sleep(0.01)


def test_a_body_that_stalls_after_the_headers_is_retried() -> None:
    # The status line and headers arrive, then the body stalls: the timeout happens while
    # reading the body, which the transport does inside its retry loop.
    attempts = []
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    port = listener.getsockname()[1]

    def answer(conn: socket.socket, first: bool) -> None:
        body = b'{"data": {"ok": true}}'
        head = (
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\n\r\n" % len(body)
        )
        if first:
            conn.sendall(head + body[:5])  # then stall
            time.sleep(1.0)
        else:
            conn.sendall(head + body)
        conn.close()

    def serve() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            conn.recv(65536)
            attempts.append(1)
            threading.Thread(target=answer, args=(conn, len(attempts) == 1), daemon=True).start()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        _delays, sleep = recorder()
        with NeuralLog(
            api_key=API_KEY, endpoint=f"http://127.0.0.1:{port}/v1", retries=2, timeout=0.2
        ) as nl:
            response = nl._core.http.get("health", extensions={SLEEP_EXTENSION: sleep})
        assert response.json() == {"data": {"ok": True}}
        assert len(attempts) == 2
    finally:
        listener.close()


def test_auth_and_user_agent_headers(server: HTTPServer) -> None:
    script = Script(OK)
    server.expect_request("/v1/rules").respond_with_handler(script)
    with NeuralLog(token="a.b.c", endpoint=server.url_for("/v1")) as nl:
        nl._core.http.get("rules")
        nl.set_api_key("key-2")
        nl._core.http.get("rules")
    first, second = script.seen
    assert first.headers["Authorization"] == "Bearer a.b.c"
    assert "X-API-Key" not in first.headers
    assert second.headers["X-API-Key"] == "key-2"
    assert "Authorization" not in second.headers
    assert first.headers["User-Agent"] == USER_AGENT
    assert USER_AGENT.startswith("neurallog-python/")
    assert "Idempotency-Key" not in first.headers  # GETs are idempotent already


def test_requests_transport_delivers_logs(server: HTTPServer) -> None:
    server.expect_request("/v1/logs", method="POST").respond_with_handler(_accept_logs)
    with NeuralLog(api_key=API_KEY, endpoint=server.url_for("/v1"), transport="requests") as nl:
        nl.info("through requests")
        assert nl.flush(5)
    ((request, _),) = server.log
    assert request.headers["X-API-Key"] == API_KEY
    assert json.loads(request.get_data())["logs"][0]["message"] == "through requests"


@pytest.fixture
def https_server(tmp_path: Path) -> Iterator[tuple[HTTPServer, str]]:
    """A real HTTPS server, and the path of the CA bundle that verifies it."""
    authority = trustme.CA()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    authority.issue_cert("127.0.0.1").configure_cert(context)
    bundle = tmp_path / "ca.pem"
    authority.cert_pem.write_to_path(str(bundle))
    https = HTTPServer(host="127.0.0.1", port=0, ssl_context=context)
    https.start()
    try:
        yield https, str(bundle)
    finally:
        https.clear()
        https.stop()


def test_requests_transport_delivers_over_verified_https(
    https_server: tuple[HTTPServer, str],
) -> None:
    server, bundle = https_server
    server.expect_request("/v1/logs", method="POST").respond_with_handler(_accept_logs)
    endpoint = server.url_for("/v1")
    assert endpoint.startswith("https://")
    with NeuralLog(api_key=API_KEY, endpoint=endpoint, transport="requests", verify=bundle) as nl:
        nl.info("over https")
        assert nl.flush(5)
        nl.info("over the same connection")
        assert nl.flush(5)
    messages = [json.loads(r.get_data())["logs"][0]["message"] for r, _ in server.log]
    assert messages == ["over https", "over the same connection"]


def test_requests_transport_refuses_a_server_its_ca_bundle_does_not_verify(
    https_server: tuple[HTTPServer, str],
) -> None:
    server, _ = https_server
    with (
        NeuralLog(
            api_key=API_KEY, endpoint=server.url_for("/v1"), transport="requests", retries=0
        ) as nl,
        pytest.raises(exceptions.NetworkError),
    ):
        nl._core.http.get("health")  # certifi's bundle does not know the test's CA
    assert server.log == []


def _accept_logs(request: Request) -> Response:
    """A 202 accepting every entry of a log batch."""
    ids = [entry["id"] for entry in json.loads(request.get_data())["logs"]]
    data = {"accepted": len(ids), "duplicates": 0, "rejected": [], "ids": ids}
    return Response(json.dumps({"data": data}), status=202, content_type="application/json")


def test_requests_transport_maps_errors(server: HTTPServer) -> None:
    server.expect_request("/v1/rules/r1").respond_with_response(envelope(404))
    with (
        NeuralLog(
            api_key=API_KEY, endpoint=server.url_for("/v1"), transport="requests", retries=0
        ) as nl,
        pytest.raises(exceptions.NotFoundError),
    ):
        nl._core.http.get("rules/r1")


def test_requests_transport_ignores_netrc_credentials(
    server: HTTPServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # requests would otherwise put the ~/.netrc login for the host into Authorization.
    netrc = tmp_path / ".netrc"
    netrc.write_text(f"machine {server.host} login someone password netrc-secret\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    monkeypatch.setenv("HOME", str(tmp_path))
    server.expect_request("/v1/health").respond_with_response(OK)
    with NeuralLog(token="jwt-1", endpoint=server.url_for("/v1"), transport="requests") as nl:
        nl._core.http.get("health")
        nl.set_api_key("key-1")
        nl._core.http.get("health")
    bearer, keyed = (request for request, _ in server.log)
    assert bearer.headers["Authorization"] == "Bearer jwt-1"
    assert keyed.headers["X-API-Key"] == "key-1"
    assert "Authorization" not in keyed.headers


@pytest.mark.parametrize("variable", ["HTTP_PROXY", "http_proxy", "ALL_PROXY"])
def test_proxy_environment_variables_are_honoured(
    server: HTTPServer, monkeypatch: pytest.MonkeyPatch, variable: str
) -> None:
    for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    # The test server plays the proxy: the request reaches it for a host that does not exist.
    monkeypatch.setenv(variable, server.url_for("/").rstrip("/"))
    server.expect_request("/v1/health").respond_with_response(OK)
    with NeuralLog(api_key=API_KEY, endpoint="http://api.neurallog.invalid/v1") as nl:
        assert nl._core.http.get("health").status_code == 200
    ((request, _),) = server.log
    assert request.headers["Host"] == "api.neurallog.invalid"


def test_no_proxy_bypasses_the_proxy(server: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTP_PROXY", server.url_for("/").rstrip("/"))
    monkeypatch.setenv("NO_PROXY", "neurallog.invalid")
    with (
        NeuralLog(api_key=API_KEY, endpoint="http://api.neurallog.invalid/v1", retries=0) as nl,
        pytest.raises(exceptions.NetworkError),
    ):
        nl._core.http.get("health")  # straight to a host that does not resolve
    assert server.log == []


def test_loopback_endpoints_never_go_through_a_proxy(
    server: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")  # nothing listens there
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    server.expect_request("/v1/health").respond_with_response(OK)
    with NeuralLog(api_key=API_KEY, endpoint=server.url_for("/v1"), retries=0) as nl:
        assert nl._core.http.get("health").status_code == 200


def test_an_httpx_transport_instance_is_used(server: HTTPServer) -> None:
    calls = []

    class Counting(httpx.HTTPTransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            calls.append(request.url.path)
            return super().handle_request(request)

    server.expect_request("/v1/health").respond_with_response(OK)
    with NeuralLog(api_key=API_KEY, endpoint=server.url_for("/v1"), transport=Counting()) as nl:
        nl._core.http.get("health")
    assert calls == ["/v1/health"]


def test_async_transport_retries_and_maps(server: HTTPServer) -> None:
    import asyncio

    script = Script(envelope(503), OK)
    server.expect_request("/v1/rules").respond_with_handler(script)
    server.expect_request("/v1/rules/missing").respond_with_response(envelope(404))

    async def run() -> None:
        nl = NeuralLog(
            api_key=API_KEY, endpoint=server.url_for("/v1"), retries=2, max_retry_delay=0.01
        )
        http = nl._core.new_async_http()
        try:
            response = await http.get("rules")
            assert response.json() == {"data": {"ok": True}}
            with pytest.raises(exceptions.NotFoundError):
                await http.get("rules/missing")
        finally:
            await http.aclose()
            nl.close(timeout=0)

    asyncio.run(run())
    assert len(script.seen) == 2


def test_the_sdks_own_http_traffic_stays_out_of_the_applications_logs(
    server: HTTPServer,
) -> None:
    # As with logging.basicConfig(level=...): a root handler that takes everything.
    server.expect_request("/v1/logs/e1").respond_with_json({"data": {"id": "e1"}})
    server.expect_request("/v1/logs", method="POST").respond_with_json(
        {"data": {"accepted": 1, "duplicates": 0, "rejected": [], "ids": ["e2"]}}, status=202
    )
    server.expect_request("/v1/logs/stream").respond_with_data(
        'event: log\nid: c1\ndata: {"id": "e1"}\n\nevent: end\ndata: {}\n\n',
        content_type="text/event-stream",
    )
    server.expect_request("/own").respond_with_data("ok")
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    def http_records() -> list[str]:
        found = [r for r in records if r.name.split(".")[0] in ("httpx", "httpcore", "urllib3")]
        return [f"{r.name}: {r.getMessage()}" for r in found]

    root = logging.getLogger()
    handler, level = Keep(), root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        for transport in ("httpx", "requests"):
            with NeuralLog(
                api_key=API_KEY, endpoint=server.url_for("/v1"), transport=transport
            ) as nl:
                assert nl.logs.get("e1") == {"id": "e1"}
                assert list(nl.logs.stream(follow=False)) == [{"id": "e1"}]
                nl.info("delivered")
                assert nl.flush(10)
        assert http_records() == []
        # The application's own httpx client logs as it always did.
        with httpx.Client() as own:
            own.get(server.url_for("/own"))
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
    assert any("HTTP Request: GET" in text and "/own" in text for text in http_records())
