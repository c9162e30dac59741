"""The server's own contract checks: header parameters and response headers are checked
with compiled schemas (not openapi-core); they must refuse what the contract refuses, and
response validation must still turn a response outside the contract into a 500."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from starlette.datastructures import Headers, QueryParams

from neurallog_local import handlers_logs
from neurallog_local.auth import RateState
from neurallog_local.contract import Contract
from neurallog_local.errors import ApiError
from neurallog_local.ingest import Prepared, prepare
from neurallog_local.server import LocalServer
from neurallog_local.settings import Settings


@pytest.fixture(scope="module")
def contract() -> Contract:
    return Contract()


def _outcome(check: Any) -> tuple[str, Any]:
    try:
        return "ok", check()
    except ApiError as exc:
        return "refused", [issue["field"] for issue in exc.details["errors"]]


@pytest.mark.parametrize(
    "key", [None, "", "k", "a key with spaces", "x" * 255, "x" * 256, "cl\xe9", "\t"]
)
def test_header_parameters_are_checked_as_openapi_core_checks_them(
    contract: Contract, key: str | None
) -> None:
    headers = Headers(
        headers={"content-type": "application/json"}
        | ({} if key is None else {"Idempotency-Key": key})
    )
    query = QueryParams("")
    body = {"logs": [{"level": "INFO", "message": "hello"}]}

    def compiled() -> dict[str, Any]:
        return contract.check_request("ingestLogs", "POST", "/v1/logs", query, headers, b"{}", body)

    def reference() -> dict[str, Any]:
        # openapi-core, as it checks the parameters of every other operation.
        return contract._unmarshal("POST", "/v1/logs", query, headers).header

    ours = _outcome(lambda: compiled().header)
    assert ours == _outcome(reference)
    if key is not None and 1 <= len(key) <= 255:
        assert ours == ("ok", {"Idempotency-Key": key})


def test_a_too_long_idempotency_key_is_refused(contract: Contract) -> None:
    headers = Headers(headers={"Idempotency-Key": "x" * 256})
    with pytest.raises(ApiError) as refused:
        contract.check_request(
            "ingestLogs", "POST", "/v1/logs", QueryParams(""), headers, b"", None
        )
    assert refused.value.status == 400
    assert [i["field"] for i in refused.value.details["errors"]] == ["header.Idempotency-Key"]


def _ingest_headers(**overrides: str) -> Headers:
    values = {
        "content-type": "application/json",
        "X-Request-ID": "req_1",
        "X-RateLimit-Limit": "10",
        "X-RateLimit-Remaining": "9",
        "X-RateLimit-Reset": "1700000000",
    }
    return Headers(headers=values | overrides)


_ACCEPTED = (
    b'{"data": {"accepted": 1, "duplicates": 0, "rejected": [], "ids": ["a"]},'
    b' "meta": {"request_id": "req_1", "timestamp": "2024-01-01T00:00:00Z"}}'
)


def test_a_conforming_ingest_response_passes(contract: Contract) -> None:
    assert contract.check_response("ingestLogs", 202, _ingest_headers(), _ACCEPTED) == []


@pytest.mark.parametrize(
    ("status", "headers", "body", "named"),
    [
        (202, {"X-RateLimit-Limit": "ten"}, _ACCEPTED, "X-RateLimit-Limit"),
        (202, {"X-RateLimit-Reset": "1_700_000_000"}, _ACCEPTED, "X-RateLimit-Reset"),
        (202, {}, _ACCEPTED.replace(b'"duplicates": 0', b'"duplicates": -1'), "duplicates"),
        (202, {}, _ACCEPTED.replace(b'"ids": ["a"]', b'"ids": [1]'), "ids"),
        (202, {}, _ACCEPTED.replace(b'"accepted": 1, ', b""), "accepted"),
        (202, {"content-type": "text/plain"}, _ACCEPTED, "text/plain"),
        (204, {}, None, "204"),
        (202, {}, None, "needs a body"),
    ],
)
def test_an_ingest_response_outside_the_contract_is_caught(
    contract: Contract, status: int, headers: dict[str, str], body: bytes | None, named: str
) -> None:
    problems = contract.check_response("ingestLogs", status, _ingest_headers(**headers), body)
    assert problems
    assert any(named in problem for problem in problems), problems


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with LocalServer(Settings(db=":memory:")) as running:
        yield running


def _post(server: LocalServer) -> httpx.Response:
    assert server.api_key is not None
    return httpx.post(
        server.endpoint + "/logs",
        json={"logs": [{"level": "INFO", "message": "hello"}]},
        headers={"X-API-Key": server.api_key},
    )


def test_an_ingest_answer_with_a_broken_body_becomes_a_500(
    server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A bug that reports a rejected entry without a code: the server must not pass it on.
    def broken(*args: Any) -> Prepared:
        prepared = prepare(*args)
        prepared.rejected.append({"index": 0, "message": "made up"})
        return prepared

    monkeypatch.setattr(handlers_logs, "prepare", broken)
    response = _post(server)
    assert response.status_code == 500
    error = response.json()["error"]
    assert error["code"] == "internal_error"
    assert any("rejected[0].code" in problem for problem in error["details"]["problems"])


def test_an_ingest_answer_with_a_broken_header_becomes_a_500(
    server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A bug that writes a rate-limit header as something other than an integer.
    monkeypatch.setattr(RateState, "headers", lambda self: {"X-RateLimit-Limit": "plenty"})
    response = _post(server)
    assert response.status_code == 500
    problems = response.json()["error"]["details"]["problems"]
    assert any("X-RateLimit-Limit" in problem for problem in problems)
