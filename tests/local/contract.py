"""Client-side contract check: every response a test receives is validated against
openapi.yaml with openapi-core, independently of the server's own validation."""

from __future__ import annotations

import copy
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import yaml
from openapi_core import OpenAPI
from openapi_core.datatypes import RequestParameters
from openapi_core.templating.paths.exceptions import PathError
from starlette.datastructures import Headers, QueryParams

SPEC_PATH = Path(__file__).resolve().parents[2] / "openapi.yaml"
HOST = "http://contract.test"


@cache
def _api() -> OpenAPI:
    spec: dict[str, Any] = copy.deepcopy(yaml.safe_load(SPEC_PATH.read_text()))
    spec["servers"] = [{"url": HOST + "/v1"}]
    return OpenAPI.from_dict(spec)


class _Request:
    host_url = HOST

    def __init__(self, request: httpx.Request) -> None:
        url = urlsplit(str(request.url))
        self.path = url.path
        self.method = request.method.lower()
        self.body = None
        self.content_type = request.headers.get("content-type", "application/json")
        self.parameters = RequestParameters(
            query=QueryParams(url.query), header=Headers(dict(request.headers)), cookie={}
        )


class _Response:
    def __init__(self, response: httpx.Response) -> None:
        self.status_code = response.status_code
        self.headers = Headers(dict(response.headers))
        self.content_type = response.headers.get("content-type", "")
        self.data = response.content or None


def contract_problems(response: httpx.Response) -> list[str]:
    """How ``response`` breaks openapi.yaml (empty when it conforms)."""
    if not urlsplit(str(response.request.url)).path.startswith("/v1/"):
        return []
    errors = list(_api().iter_response_errors(_Request(response.request), _Response(response)))
    if any(isinstance(e, PathError) for e in errors):
        return []  # not an operation of the contract (an unknown path or method)
    return [f"{type(e).__name__}: {e} {e.__cause__ or ''}" for e in errors]


def check_contract(response: httpx.Response) -> None:
    """An httpx response hook failing the test on a response outside the contract."""
    if "text/event-stream" in response.headers.get("content-type", ""):
        return  # a stream's body is not a document; its status and headers are checked elsewhere
    response.read()
    problems = contract_problems(response)
    assert not problems, (
        f"{response.request.method} {response.request.url} -> {response.status_code} "
        f"breaks openapi.yaml: {problems}\n{response.text[:2000]}"
    )
