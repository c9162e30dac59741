"""The Starlette application: the contract's operations under ``/v1``."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import anyio.to_thread
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route

from . import handlers_actions as actions
from . import handlers_logs as logs
from . import handlers_rules as rules
from .admin import admin_routes
from .errors import ApiError
from .request_flow import (
    Call,
    Operation,
    Reply,
    RequestFlow,
    RequestIdMiddleware,
    error_response,
    request_id_of,
)
from .services import Services
from .settings import Settings
from .spec import API_PREFIX, load_spec
from .web.routes import viewer_routes

log = logging.getLogger("neurallog_local")


async def health(call: Call) -> Reply:
    return Reply(200, {"status": "ok", "version": call.services.version})


# (method, path, operationId, scope, handler). Static paths come before templated ones,
# so that /logs/search never matches /logs/{log_id}.
OPERATIONS: list[Operation] = [
    Operation("GET", "/health", "getHealth", None, health),
    Operation("POST", "/logs", "ingestLogs", "logs:write", logs.ingest),
    Operation("GET", "/logs", "listLogs", "logs:read", logs.list_logs),
    Operation("DELETE", "/logs", "deleteLogs", "logs:delete", logs.delete_logs),
    Operation("GET", "/logs/search", "searchLogs", "logs:read", logs.list_logs),
    Operation("GET", "/logs/stream", "streamLogs", "logs:read", logs.stream_logs),
    Operation("GET", "/logs/{log_id}", "getLog", "logs:read", logs.get_log),
    Operation("POST", "/rules", "createRule", "rules:write", rules.create_rule),
    Operation("GET", "/rules", "listRules", "rules:read", rules.list_rules),
    Operation("GET", "/rules/{rule_id}", "getRule", "rules:read", rules.get_rule),
    Operation("PATCH", "/rules/{rule_id}", "updateRule", "rules:write", rules.update_rule),
    Operation("DELETE", "/rules/{rule_id}", "deleteRule", "rules:write", rules.delete_rule),
    Operation("POST", "/rules/{rule_id}/test", "testRule", "rules:read", rules.dry_run_rule),
    Operation("POST", "/rules/{rule_id}/enable", "enableRule", "rules:write", rules.enable_rule),
    Operation("POST", "/rules/{rule_id}/disable", "disableRule", "rules:write", rules.disable_rule),
    Operation("POST", "/actions", "createAction", "actions:write", actions.create_action),
    Operation("GET", "/actions", "listActions", "actions:read", actions.list_actions),
    Operation("GET", "/actions/{action_id}", "getAction", "actions:read", actions.get_action),
    Operation(
        "PATCH", "/actions/{action_id}", "updateAction", "actions:write", actions.update_action
    ),
    Operation(
        "DELETE", "/actions/{action_id}", "deleteAction", "actions:write", actions.delete_action
    ),
    Operation(
        "POST",
        "/actions/{action_id}/execute",
        "executeAction",
        "actions:execute",
        actions.execute_action,
    ),
    Operation(
        "GET",
        "/actions/{action_id}/executions",
        "listActionExecutions",
        "actions:read",
        actions.list_executions,
    ),
]


def _bind_to_spec(operations: list[Operation]) -> list[Operation]:
    """Check the table against openapi.yaml, and take ``has_body`` from it."""
    spec_ops = {}
    for path, item in load_spec()["paths"].items():
        for method, op in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                spec_ops[op["operationId"]] = (method.upper(), path, "requestBody" in op)
    ours = {op.operation_id for op in operations}
    if ours != set(spec_ops):
        raise RuntimeError(
            "NeuralLog Local does not match openapi.yaml: "
            f"missing {sorted(set(spec_ops) - ours)}, unknown {sorted(ours - set(spec_ops))}"
        )
    bound = []
    for op in operations:
        method, path, has_body = spec_ops[op.operation_id]
        if (method, path) != (op.method, op.path):
            raise RuntimeError(f"{op.operation_id} is {method} {path} in openapi.yaml")
        bound.append(Operation(op.method, op.path, op.operation_id, op.scope, op.handler, has_body))
    return bound


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    rid = request_id_of(request.scope)
    if exc.status_code == 405:
        error = ApiError(405, "method_not_allowed", "this path does not take that method")
    elif exc.status_code == 404:
        error = ApiError(404, "not_found", f"no such path: {request.url.path}")
    else:
        error = ApiError(exc.status_code, "bad_request", str(exc.detail))
    response = error_response(error, rid)
    response.headers.update(dict(exc.headers or {}))
    if request.url.path.startswith(API_PREFIX + "/"):
        response.headers.update(_rate_headers(request))
    return response


def _rate_headers(request: Request) -> dict[str, str]:
    """``X-RateLimit-*`` of a request the router answered (an unknown path or method):
    those of its credential, counting the request, or of its address's failures."""
    services: Services = request.app.state.services
    try:
        principal = services.auth.authenticate(
            request.headers.get("x-api-key"),
            request.headers.get("authorization"),
            request.client.host if request.client else "",
        )
    except ApiError as exc:
        return {k: v for k, v in exc.headers.items() if k.lower().startswith("x-ratelimit-")}
    return services.limiter.hit(principal).headers()


Endpoint = Callable[[Request], Awaitable[Response]]


def _by_method(endpoints: dict[str, Endpoint]) -> Endpoint:
    async def endpoint(request: Request) -> Response:
        return await endpoints[request.method](request)

    return endpoint


def _routes(flow: RequestFlow, operations: list[Operation]) -> list[BaseRoute]:
    """One route per path, serving each of its operations, so that a 405 names every
    method the path takes in ``Allow``."""
    by_path: dict[str, dict[str, Endpoint]] = {}
    for op in operations:  # dicts keep the table's order: static paths stay first
        by_path.setdefault(op.path, {})[op.method] = flow.endpoint(op)
    routes: list[BaseRoute] = []
    for path, endpoints in by_path.items():
        route = Route(path, _by_method(endpoints), methods=list(endpoints))
        # Starlette answers HEAD wherever there is a GET; the contract has no HEAD
        # operation to validate or serve it as, so it is a 405 like any other method.
        assert route.methods is not None  # a Route given methods keeps a set of them
        route.methods.discard("HEAD")
        routes.append(route)
    return routes


def create_app(settings: Settings | None = None, services: Services | None = None) -> Starlette:
    """Build NeuralLog Local's ASGI application.

    The database is opened here; it is closed when the application's lifespan ends.
    """
    if services is None:
        services = Services.open(settings or Settings())
    api = _routes(RequestFlow(services), _bind_to_spec(OPERATIONS))

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        services.runner.start()
        try:
            yield
        finally:
            services.broker.close()
            await services.evaluator.stop()
            await services.runner.stop()
            await services.delivery.aclose()
            await anyio.to_thread.run_sync(services.writer.close)
            services.db.close()

    app = Starlette(
        routes=[Mount(API_PREFIX, routes=api), *admin_routes(services), *viewer_routes(services)],
        middleware=[Middleware(RequestIdMiddleware)],
        exception_handlers={HTTPException: _http_error},
        lifespan=lifespan,
    )
    app.state.services = services
    return app
