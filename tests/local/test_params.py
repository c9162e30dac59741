"""The compiled parameter checks against openapi-core, the reference reader of the
contract: what the compiled checks accept they type exactly as openapi-core does, what
they do not accept is left to openapi-core (and its error answers), and the requests
clients send every day are served by the compiled checks."""

from __future__ import annotations

import pytest
from starlette.datastructures import Headers, QueryParams

from neurallog_local.contract import Contract, RequestParams
from neurallog_local.errors import ApiError

PATHS = {
    "listLogs": "/v1/logs",
    "searchLogs": "/v1/logs/search",
    "deleteLogs": "/v1/logs",
    "streamLogs": "/v1/logs/stream",
    "listRules": "/v1/rules",
    "listActions": "/v1/actions",
}
METHODS = {"deleteLogs": "DELETE"}

# Served by the compiled checks.
EVERYDAY = [
    ("searchLogs", ""),
    ("searchLogs", "query=declined"),
    ("searchLogs", "query=timeout+NOT+payments&limit=50&offset=100"),
    ("searchLogs", 'filter={"metadata.user_id":"user_4711"}'),
    ("searchLogs", "level=ERROR&level=FATAL&source=api&tags=a&tags=b"),
    ("searchLogs", "from=2024-01-01T00:00:00Z&to=2024-01-02T00:00:00.5%2B02:00"),
    ("searchLogs", "from=2024-01-01t00:00:00.123456z"),
    ("searchLogs", "sort=timestamp:desc,metadata.user_id&fields=id,message"),
    ("searchLogs", "offset=9223372036854775807&limit=1000"),
    ("listLogs", "limit=1&unknown=x"),
    ("deleteLogs", "all=true"),
    ("deleteLogs", "level=DEBUG&all=false"),
    ("streamLogs", "follow=false&history=0&query=x"),
    ("listRules", "enabled=true&limit=5"),
    ("listActions", "type=webhook"),
]

# Left to openapi-core: errors, and what the compiled checks do not try to read.
DECLINED = [
    ("searchLogs", "limit=0"),
    ("searchLogs", "limit=1001"),
    ("searchLogs", "limit=ten"),
    ("searchLogs", "limit="),
    ("searchLogs", "limit=+5"),
    ("searchLogs", "limit=%205"),
    ("searchLogs", "limit=1_0"),
    ("searchLogs", "limit=5&limit=7"),
    ("searchLogs", "offset=-1"),
    ("searchLogs", "offset=9223372036854775808"),
    ("searchLogs", "level=LOUD"),
    ("searchLogs", "level=error"),
    ("searchLogs", "level="),
    ("searchLogs", "source=&tags=a"),
    ("searchLogs", "query="),
    ("searchLogs", "query=a&query=b"),
    ("searchLogs", "from=yesterday"),
    ("searchLogs", "from=2024-01-01"),
    ("searchLogs", "from=2024-01-01T23:59:60Z"),
    ("searchLogs", "from=2024-13-01T00:00:00Z"),
    ("searchLogs", "from=2024-01-01T00:00:00.1234567Z"),
    ("searchLogs", "sort=bad"),
    ("searchLogs", "fields=colour"),
    ("searchLogs", "filter=x"),
    ("deleteLogs", "all=yes"),
    ("deleteLogs", "all=True"),
    ("streamLogs", "history=1001"),
    ("listActions", "type=carrier-pigeon"),
]


@pytest.fixture(scope="module")
def contract() -> Contract:
    return Contract()


def both(
    contract: Contract, operation: str, query: str, path: str | None = None
) -> tuple[RequestParams | None, object]:
    """(the compiled checks' answer, openapi-core's parameters or error)."""
    path = path or PATHS[operation]
    compiled = contract._compiled_params(
        contract._operations[operation], path, QueryParams(query), Headers({})
    )
    method = METHODS.get(operation, "GET")
    try:
        reference: object = contract._unmarshal(method, path, QueryParams(query), Headers({}))
    except ApiError as exc:
        reference = exc
    return compiled, reference


@pytest.mark.parametrize(("operation", "query"), EVERYDAY)
def test_everyday_queries_are_typed_as_openapi_core_types_them(
    contract: Contract, operation: str, query: str
) -> None:
    compiled, reference = both(contract, operation, query)
    assert compiled is not None
    if "t00:00:00.123456z" in query:
        # openapi-core accepts the lower-case form and leaves it a string (the handlers
        # read both); the compiled checks type it as the moment it names.
        assert isinstance(reference, RequestParams)
        assert compiled.query["from"].isoformat() == "2024-01-01T00:00:00.123456+00:00"
        return
    assert compiled == reference


@pytest.mark.parametrize(("operation", "query"), DECLINED)
def test_what_the_compiled_checks_do_not_accept_openapi_core_decides(
    contract: Contract, operation: str, query: str
) -> None:
    compiled, _ = both(contract, operation, query)
    assert compiled is None


def test_a_last_event_id_header_is_typed_as_openapi_core_types_it(contract: Contract) -> None:
    operation = contract._operations["streamLogs"]
    for value in ("42", " 7 "):
        headers = Headers({"last-event-id": value})
        compiled = contract._compiled_params(operation, "/v1/logs/stream", QueryParams(""), headers)
        reference = contract._unmarshal("GET", "/v1/logs/stream", QueryParams(""), headers)
        assert compiled == reference
    bad = Headers({"last-event-id": "x1"})
    assert contract._compiled_params(operation, "/v1/logs/stream", QueryParams(""), bad) is None


# (operation, method, path, query): read by the compiled checks.
EVERYDAY_PATHS = [
    ("getLog", "GET", "/v1/logs/0190b2c4-7d7e-7a1b-8c9d-0123456789ab", ""),
    ("getLog", "GET", "/v1/logs/client id with spaces:and;more", ""),
    ("getRule", "GET", "/v1/rules/rule_0123", ""),
    ("updateRule", "PATCH", "/v1/rules/rule_0123", ""),
    ("deleteAction", "DELETE", "/v1/actions/act_1", ""),
    ("executeAction", "POST", "/v1/actions/act_1/execute", ""),
    ("listActionExecutions", "GET", "/v1/actions/act_1/executions", "status=succeeded&limit=5"),
]

DECLINED_PATHS = [
    ("getLog", "GET", "/v1/logs/" + "x" * 129, ""),
    ("getLog", "GET", "/v1/logs/a%41b", ""),
    ("getRule", "GET", "/v1/rules/a/b", ""),
    ("listActionExecutions", "GET", "/v1/actions/act_1/executions", "status=lost"),
    ("listActionExecutions", "GET", "/v1/actions/act_1/executions", "limit=0"),
]


def both_at(
    contract: Contract, operation: str, method: str, path: str, query: str
) -> tuple[RequestParams | None, object]:
    compiled = contract._compiled_params(
        contract._operations[operation], path, QueryParams(query), Headers({})
    )
    try:
        reference: object = contract._unmarshal(method, path, QueryParams(query), Headers({}))
    except ApiError as exc:
        reference = exc
    return compiled, reference


@pytest.mark.parametrize(("operation", "method", "path", "query"), EVERYDAY_PATHS)
def test_path_parameters_are_typed_as_openapi_core_types_them(
    contract: Contract, operation: str, method: str, path: str, query: str
) -> None:
    compiled, reference = both_at(contract, operation, method, path, query)
    assert compiled is not None
    assert compiled == reference


@pytest.mark.parametrize(("operation", "method", "path", "query"), DECLINED_PATHS)
def test_path_parameters_the_compiled_checks_do_not_accept_openapi_core_decides(
    contract: Contract, operation: str, method: str, path: str, query: str
) -> None:
    compiled, _ = both_at(contract, operation, method, path, query)
    assert compiled is None
