"""Loopback-only provisioning routes, outside the API, for test fixtures.

They exist only when the server was given an admin secret, answer only to loopback
clients that send it in ``X-Admin-Secret``, and can do one thing: issue an API key.
"""

from __future__ import annotations

import ipaddress
import secrets
from typing import Any

import anyio.to_thread
import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .auth import Authenticator
from .errors import ApiError
from .request_flow import error_response, json_response, request_id_of
from .services import Services
from .settings import ALL_SCOPES, KeySpec, parse_scopes, validate_tenant
from .timeutil import now_us


def _is_loopback(host: str | None) -> bool:
    try:
        return host is not None and ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _key_request(body: Any) -> tuple[KeySpec, int | None, int | None]:
    if not isinstance(body, dict):
        raise ValueError("the body must be a JSON object")
    tenant = body.get("tenant") or "t-" + secrets.token_hex(6)
    scopes = body.get("scopes")
    if scopes is None:
        granted = frozenset(ALL_SCOPES)
    elif isinstance(scopes, list) and all(isinstance(s, str) for s in scopes):
        granted = parse_scopes(" ".join(scopes))
    else:
        raise ValueError("scopes must be a list of strings")
    limits = []
    for name in ("rate_limit", "rate_window"):
        value = body.get(name)
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int) or value < 0
        ):
            raise ValueError(f"{name} must be a non-negative integer")
        limits.append(value)
    spec = KeySpec("nl_test_" + secrets.token_hex(16), validate_tenant(str(tenant)), granted)
    return spec, limits[0], limits[1]


def admin_routes(services: Services) -> list[Route]:
    """The admin routes (none without an admin secret)."""
    if not services.settings.admin_secret:
        return []

    async def create_key(request: Request) -> Response:
        rid = request_id_of(request.scope)
        client = request.client.host if request.client else None
        if not _is_loopback(client):
            return error_response(ApiError(403, "forbidden", "admin routes are loopback-only"), rid)
        if not services.auth.check_admin(request.headers.get("x-admin-secret")):
            return error_response(ApiError(401, "unauthorized", "wrong admin secret"), rid)
        try:
            spec, rate_limit, rate_window = _key_request(
                orjson.loads(await request.body() or b"{}")
            )
        except (ValueError, orjson.JSONDecodeError) as exc:
            return error_response(ApiError(400, "bad_request", str(exc)), rid)
        stored = Authenticator.stored_key(spec, rate_limit, rate_window)
        await anyio.to_thread.run_sync(services.store.add_key, stored, now_us())
        services.auth.add(stored)
        payload = {"api_key": spec.key, "tenant": spec.tenant, "scopes": sorted(spec.scopes)}
        return json_response(201, payload)

    return [Route("/_admin/api-keys", create_key, methods=["POST"])]
