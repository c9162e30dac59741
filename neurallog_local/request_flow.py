"""What every API request goes through, in order: credential, rate limit, scope, body,
contract validation, idempotency, the handler, then response validation."""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import logging
import re
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import anyio.to_thread
import orjson
from starlette.datastructures import MutableHeaders
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .auth import Principal, require_scope
from .contract import RequestParams
from .encoding import gunzip
from .errors import ApiError, bad_request, issue
from .services import Services
from .timeutil import format_us, now_us

log = logging.getLogger("neurallog_local")

_REQUEST_ID = re.compile(r"[A-Za-z0-9._:\-]{1,128}")
_DRAIN_LIMIT = 64 * 1024 * 1024
_ORJSON_MAX_DEPTH = 254  # the nesting orjson.dumps writes at most
_NESTING_ROOM = 8
_JSON = "application/json"


@dataclass
class Reply:
    """A handler's successful outcome, wrapped in the envelope by the request flow."""

    status: int
    data: Any = None
    pagination: dict[str, Any] | None = None


@dataclass
class Call:
    """One validated API request."""

    request: Request
    request_id: str
    principal: Principal
    params: RequestParams
    body: Any
    services: Services

    @property
    def tenant(self) -> str:
        return self.principal.tenant

    @property
    def query(self) -> dict[str, Any]:
        return self.params.query


Handler = Callable[[Call], Awaitable[Reply | Response]]


@dataclass(frozen=True)
class Operation:
    """An operation of the contract and the code that serves it."""

    method: str
    path: str
    operation_id: str
    scope: str | None
    handler: Handler
    has_body: bool = False


# Offsets past this are past any table SQLite can hold; larger ones do not fit its integers.
_MAX_OFFSET = 2**62


def page(query: dict[str, Any]) -> tuple[int, int, int]:
    """``(limit, offset, offset for SQL)`` of a list operation's typed query."""
    limit, offset = int(query["limit"]), int(query["offset"])
    return limit, offset, min(offset, _MAX_OFFSET)


def pagination(total: int, limit: int, offset: int, count: int) -> dict[str, Any]:
    """``meta.pagination``."""
    return {"total": total, "limit": limit, "offset": offset, "has_more": offset + count < total}


def meta(request_id: str) -> dict[str, Any]:
    return {"request_id": request_id, "timestamp": format_us(now_us())}


def json_response(status: int, payload: Any, headers: dict[str, str] | None = None) -> Response:
    return Response(orjson.dumps(payload), status, headers=headers, media_type=_JSON)


def error_response(exc: ApiError, request_id: str) -> Response:
    body = {
        "error": {"code": exc.code, "message": exc.message, "details": exc.details},
        "meta": meta(request_id),
    }
    return json_response(exc.status, body, exc.headers)


# Request ids: a random prefix per process, then a counter. Unique is all they need to
# be; a random id per request cost a getrandom() call, which gives the GIL away and
# waits to get it back from the ingest writer thread (up to milliseconds under load).
_ID_PREFIX = secrets.token_hex(8)
_ID_COUNTER = itertools.count()


def new_request_id() -> str:
    """``req_`` and 32 hex digits, unique across requests and server processes."""
    return f"req_{_ID_PREFIX}{next(_ID_COUNTER):016x}"


def request_id_of(scope: Scope) -> str:
    state = scope.get("state") or {}
    return str(state.get("request_id") or new_request_id())


class RequestIdMiddleware:
    """Gives every request an id (the client's own ``X-Request-ID`` when it is sane) and
    puts it on every response, the router's 404s and 405s included."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = ""
        for name, value in scope.get("headers", []):
            if name == b"x-request-id":
                incoming = value.decode("latin-1")
        rid = incoming if _REQUEST_ID.fullmatch(incoming) else new_request_id()
        scope.setdefault("state", {})["request_id"] = rid

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if "x-request-id" not in headers:
                    headers.append("X-Request-ID", rid)
            await send(message)

        await self.app(scope, receive, send_with_id)


def too_large(limit: int) -> ApiError:
    return ApiError(
        413,
        "payload_too_large",
        f"the request body is larger than the limit of {limit} bytes",
        {"limit_bytes": limit},
    )


async def _received(request: Request) -> AsyncIterator[bytes]:
    try:
        async for chunk in request.stream():
            yield chunk
    except ClientDisconnect:
        # Closed by the client, or by the server for a body that was too slow: nobody
        # reads the answer, and this is no failure of the server.
        raise bad_request("the connection closed before the body was received") from None


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, gzip-decoded, at most ``limit`` bytes (else 413)."""
    chunks: list[bytes] = []
    size = 0
    oversize = False
    async for chunk in _received(request):
        size += len(chunk)
        if size > limit:
            oversize = True
            # Keep reading (and dropping) so that the client, still sending, sees the 413
            # instead of a reset connection.
            if size > _DRAIN_LIMIT:
                break
            continue
        chunks.append(chunk)
    if oversize:
        raise too_large(limit)
    raw = b"".join(chunks)
    encoding = request.headers.get("content-encoding", "").strip().lower()
    if encoding in ("", "identity"):
        return raw
    if encoding not in ("gzip", "x-gzip"):
        raise bad_request(
            f"unsupported Content-Encoding {encoding!r}: send gzip or nothing",
            [issue("header.Content-Encoding", "must be gzip or identity")],
        )
    return gunzip(raw, limit, too_large)


def parse_json(raw: bytes) -> Any:
    """Parse a JSON body; 400 when it is not JSON, or nests deeper than the server can
    write back.

    Only orjson reads bodies: what it reads (valid UTF-8 without lone surrogates, finite
    numbers) can be stored and answered; text that only a laxer parser reads would fail
    later, in SQLite or in a response. orjson reads up to 1024 levels of nesting but
    writes only 254, and a body's values end up a few levels deeper in what is stored and
    answered (envelopes, executions), so a body must fit within the write limit with
    ``_NESTING_ROOM`` levels to spare.
    """
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise bad_request("the request body is not valid JSON", [issue("body", str(exc))]) from None
    wrapped = body
    for _ in range(_NESTING_ROOM):
        wrapped = [wrapped]
    try:
        orjson.dumps(wrapped)
    except orjson.JSONEncodeError:
        limit = _ORJSON_MAX_DEPTH - _NESTING_ROOM
        raise bad_request(
            f"the request body nests more than {limit} levels deep",
            [issue("body", f"nests more than {limit} levels deep")],
        ) from None
    return body


class RequestFlow:
    """Turns an ``Operation`` into a Starlette endpoint."""

    def __init__(self, services: Services) -> None:
        self.services = services

    def endpoint(self, operation: Operation) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            return await self.handle(request, operation)

        endpoint.__name__ = operation.operation_id
        return endpoint

    async def handle(self, request: Request, operation: Operation) -> Response:
        services = self.services
        rid = request_id_of(request.scope)
        extra_headers: dict[str, str] = {}
        try:
            response = await self._run(request, operation, rid, extra_headers)
        except ApiError as exc:
            response = error_response(exc, rid)
        except Exception:
            log.exception("%s failed (request %s)", operation.operation_id, rid)
            response = error_response(
                ApiError(500, "internal_error", "the server failed; see its log"), rid
            )
        response.headers.update(extra_headers)
        response.headers["X-Request-ID"] = rid
        body = getattr(response, "body", None)  # streaming responses have none
        if services.settings.validate_responses and isinstance(body, bytes):
            problems = services.contract.check_response(
                operation.operation_id, response.status_code, response.headers, body or None
            )
            if problems:
                log.error(
                    "%s answered outside the contract (request %s): %s",
                    operation.operation_id,
                    rid,
                    "; ".join(problems),
                )
                response = error_response(
                    ApiError(
                        500,
                        "internal_error",
                        "the server's response broke the API contract",
                        {"problems": problems},
                    ),
                    rid,
                )
                response.headers["X-Request-ID"] = rid
        return response

    async def _run(
        self, request: Request, operation: Operation, rid: str, extra_headers: dict[str, str]
    ) -> Response:
        services = self.services
        principal = Principal("", frozenset(), "", 0, 1)
        if operation.scope is not None:
            principal = services.auth.authenticate(
                request.headers.get("x-api-key"),
                request.headers.get("authorization"),
                request.client.host if request.client else "",
            )
            state = services.limiter.hit(principal)
            extra_headers.update(state.headers())
            if not state.allowed:
                raise ApiError(
                    429,
                    "rate_limited",
                    f"more than {state.limit} requests in {principal.rate_window} s",
                    {"limit": state.limit, "window_seconds": principal.rate_window},
                )
            require_scope(principal, operation.scope)
        raw = b""
        body = None
        if operation.has_body:
            raw = await read_body(request, services.settings.max_body_bytes)
            if raw:
                body = parse_json(raw)
        params = services.contract.check_request(
            operation.operation_id,
            request.method,
            request.url.path,
            request.query_params,
            request.headers,
            raw,
            body,
        )
        call = Call(request, rid, principal, params, body, services)
        key = params.header.get("Idempotency-Key")
        if request.method == "POST" and key:
            return await self._idempotent(call, operation, str(key))
        return await self._invoke(call, operation)

    async def _invoke(self, call: Call, operation: Operation) -> Response:
        outcome = await operation.handler(call)
        if isinstance(outcome, Response):
            return outcome
        if outcome.status == 204:
            return Response(status_code=204)
        payload: dict[str, Any] = {"data": outcome.data, "meta": meta(call.request_id)}
        if outcome.pagination is not None:
            payload["meta"]["pagination"] = outcome.pagination
        return json_response(outcome.status, payload)

    async def _idempotent(self, call: Call, operation: Operation, key: str) -> Response:
        request = call.request
        fingerprint = hashlib.sha256(
            orjson.dumps(
                [request.method, request.url.path, str(request.query_params), call.body],
                option=orjson.OPT_SORT_KEYS,
            )
        ).hexdigest()
        store = self.services.store
        slot = (call.tenant, key)
        locks = self.services.idempotency_locks
        lock, users = locks.get(slot, (asyncio.Lock(), 0))
        locks[slot] = (lock, users + 1)
        try:
            async with lock:
                found = await anyio.to_thread.run_sync(
                    store.get_idempotent, call.tenant, key, now_us()
                )
                if found is not None:
                    stored_hash, status, body = found
                    if stored_hash != fingerprint:
                        raise ApiError(
                            422,
                            "idempotency_key_reused",
                            "this Idempotency-Key was used with a different request",
                            {"errors": [issue("header.Idempotency-Key", "already used")]},
                        )
                    return Response(
                        body, status, headers={"Idempotent-Replayed": "true"}, media_type=_JSON
                    )
                response = await self._invoke(call, operation)
                stored = getattr(response, "body", None)  # streaming responses have none
                if 200 <= response.status_code < 300 and isinstance(stored, bytes):
                    await anyio.to_thread.run_sync(
                        store.put_idempotent,
                        call.tenant,
                        key,
                        fingerprint,
                        response.status_code,
                        stored,
                        now_us(),
                    )
                return response
        finally:
            lock, users = locks[slot]
            if users <= 1:
                del locks[slot]
            else:
                locks[slot] = (lock, users - 1)
