"""openapi.yaml is valid OpenAPI 3.1 with the shape docs/architecture.md ("Layers") describes."""

from pathlib import Path

import pytest
import yaml
from openapi_spec_validator import validate

SPEC_PATH = Path(__file__).resolve().parent.parent / "openapi.yaml"


@pytest.fixture(scope="module")
def spec() -> dict:
    return yaml.safe_load(SPEC_PATH.read_text())


def test_spec_is_valid_openapi(spec: dict) -> None:
    validate(spec)


EXPECTED_OPERATIONS = {
    ("get", "/health"),
    ("post", "/logs"),
    ("get", "/logs"),
    ("delete", "/logs"),
    ("get", "/logs/search"),
    ("get", "/logs/stream"),
    ("get", "/logs/{log_id}"),
    ("post", "/rules"),
    ("get", "/rules"),
    ("get", "/rules/{rule_id}"),
    ("patch", "/rules/{rule_id}"),
    ("delete", "/rules/{rule_id}"),
    ("post", "/rules/{rule_id}/test"),
    ("post", "/rules/{rule_id}/enable"),
    ("post", "/rules/{rule_id}/disable"),
    ("post", "/actions"),
    ("get", "/actions"),
    ("get", "/actions/{action_id}"),
    ("patch", "/actions/{action_id}"),
    ("delete", "/actions/{action_id}"),
    ("post", "/actions/{action_id}/execute"),
    ("get", "/actions/{action_id}/executions"),
}
METHODS = {"get", "post", "put", "patch", "delete"}


def test_every_operation_of_the_design_is_present(spec: dict) -> None:
    found = {(m, p) for p, item in spec["paths"].items() for m in item if m in METHODS}
    assert found == EXPECTED_OPERATIONS


def test_every_secured_operation_documents_auth_and_server_errors(spec: dict) -> None:
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method not in METHODS:
                continue
            codes = set(op["responses"])
            assert "500" in codes, (method, path)
            if op.get("security") == []:
                continue
            assert {"401", "403", "429"} <= codes, (method, path)


def test_every_post_accepts_an_idempotency_key(spec: dict) -> None:
    for path, item in spec["paths"].items():
        if "post" in item:
            refs = [p.get("$ref") for p in item["post"].get("parameters", [])]
            assert "#/components/parameters/IdempotencyKey" in refs, path


def test_both_auth_schemes_are_declared(spec: dict) -> None:
    schemes = spec["components"]["securitySchemes"]
    assert schemes["ApiKeyAuth"] == {"type": "apiKey", "in": "header", "name": "X-API-Key"}
    assert schemes["BearerAuth"]["scheme"] == "bearer"
    assert spec["security"] == [{"ApiKeyAuth": []}, {"BearerAuth": []}]


def test_rate_limited_response_documents_retry_after(spec: dict) -> None:
    headers = spec["components"]["responses"]["RateLimited"]["headers"]
    assert {
        "Retry-After",
        "X-RateLimit-Limit",
        "X-RateLimit-Remaining",
        "X-RateLimit-Reset",
        "X-Request-ID",
    } <= set(headers)


def test_stream_is_server_sent_events(spec: dict) -> None:
    op = spec["paths"]["/logs/stream"]["get"]
    assert "text/event-stream" in op["responses"]["200"]["content"]
    names = {p.get("name") for p in op["parameters"]}
    assert {"follow", "history", "Last-Event-ID"} <= names
