"""The viewer's routes.

``/`` and ``/ui/static/*`` are a static page and its assets: they hold no log content and no
credential. The page signs in at ``/ui/session`` (with an API key, or through the one-time
``/ui/login?token=...`` link that ``neurallog local`` prints), which sets an HttpOnly,
SameSite=Strict cookie naming a server-side session. ``/ui/api/v1/...`` then serves the
API's own operations for that session: the gateway puts the session's key on the request
and hands it to the API, so scopes, validation, rate limits and tenant isolation are the
API's. Requests that change something must also carry the session's CSRF token in
``X-CSRF-Token``, which only a page of this origin can read.
"""

from __future__ import annotations

from importlib import resources
from typing import Any
from urllib.parse import urlsplit

import anyio.to_thread
import orjson
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.types import Receive, Scope, Send

from neurallog_local.errors import ApiError
from neurallog_local.request_flow import error_response, json_response, request_id_of
from neurallog_local.services import Services
from neurallog_local.spec import API_PREFIX

from .sessions import Session

_STATIC = {
    "viewer.js": "text/javascript; charset=utf-8",
    "viewer.css": "text/css; charset=utf-8",
    "favicon.svg": "image/svg+xml",
}
# The page runs only its own script and style, loads nothing from elsewhere, and cannot
# be framed: log content is put in the page as text, and this is the second line of defence.
_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
_PAGE_HEADERS = {
    "Content-Security-Policy": _CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}
_GATEWAY = "/ui/api" + API_PREFIX
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Headers of the browser's request that never reach the API: its credential is the session's.
_DROPPED = frozenset({b"cookie", b"x-api-key", b"authorization", b"x-csrf-token"})


def _asset(name: str) -> bytes:
    return resources.files("neurallog_local.web").joinpath("static", name).read_bytes()


def cookie_name(scope: Scope) -> str:
    """The session cookie's name. Cookies are shared by every port of a host, so the port
    is part of the name: two servers on one machine keep their own sign-ins."""
    server = scope.get("server") or ("", 0)
    return f"neurallog_viewer_{server[1]}"


def _error(request: Request, status: int, code: str, message: str) -> Response:
    response = error_response(ApiError(status, code, message), request_id_of(request.scope))
    response.headers["Cache-Control"] = "no-store"
    return response


def _cross_site(request: Request) -> bool:
    """Whether the browser says the request comes from another site or origin."""
    if request.headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
        return True
    origin = request.headers.get("origin")
    if origin is None:
        return False
    return urlsplit(origin).netloc != request.headers.get("host", "")


def _session_payload(session: Session) -> dict[str, Any]:
    return {"tenant": session.tenant, "scopes": list(session.scopes), "csrf": session.csrf}


def _set_cookie(response: Response, request: Request, session: Session, max_age: int) -> None:
    response.set_cookie(
        cookie_name(request.scope),
        session.id,
        max_age=max_age,
        path="/",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )


def viewer_routes(services: Services) -> list[BaseRoute]:
    """The viewer's routes, mounted beside the API."""
    sessions = services.viewer
    lifetime = int(sessions.lifetime)

    def session_of(request: Request) -> Session | None:
        return sessions.get(request.cookies.get(cookie_name(request.scope)))

    async def page(request: Request) -> Response:
        body = await anyio.to_thread.run_sync(_asset, "index.html")
        return Response(body, headers=_PAGE_HEADERS, media_type="text/html; charset=utf-8")

    async def static(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in _STATIC:
            return _error(request, 404, "not_found", f"no such path: {request.url.path}")
        body = await anyio.to_thread.run_sync(_asset, name)
        headers = {"X-Content-Type-Options": "nosniff", "Cache-Control": "no-cache"}
        return Response(body, headers=headers, media_type=_STATIC[name])

    def open_session(api_key: str) -> Session:
        principal = services.auth.authenticate(api_key, None)  # 401 ApiError if unknown
        return sessions.open(api_key, principal.tenant, tuple(sorted(principal.scopes)))

    async def login_link(request: Request) -> Response:
        api_key = sessions.redeem(request.query_params.get("token", ""))
        if api_key is None:
            return RedirectResponse("/?signin=expired", 303, headers=_PAGE_HEADERS)
        try:
            session = open_session(api_key)
        except ApiError:
            return RedirectResponse("/?signin=expired", 303, headers=_PAGE_HEADERS)
        response = RedirectResponse("/", 303, headers=_PAGE_HEADERS)
        _set_cookie(response, request, session, lifetime)
        return response

    async def session_endpoint(request: Request) -> Response:
        if _cross_site(request):
            return _error(request, 403, "forbidden", "cross-site requests are refused")
        current = session_of(request)
        if request.method == "GET":
            if current is None:
                return _error(request, 401, "unauthorized", "not signed in")
            payload = _session_payload(current)
            return json_response(200, payload, {"Cache-Control": "no-store"})
        if request.method == "DELETE":
            if current is not None:
                if not current.csrf_matches(request.headers.get("x-csrf-token")):
                    return _error(request, 403, "forbidden", "the CSRF token is missing or wrong")
                sessions.close(current.id)
            response = Response(status_code=204)
            response.delete_cookie(cookie_name(request.scope), path="/")
            return response
        # POST: sign in with an API key. A JSON body cannot be sent across sites without a
        # CORS preflight, which this server never grants.
        if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
            return _error(request, 415, "bad_request", "send the API key as JSON")
        try:
            body = orjson.loads(await request.body())
        except orjson.JSONDecodeError:
            body = None
        api_key = body.get("api_key") if isinstance(body, dict) else None
        if not isinstance(api_key, str) or not api_key.strip():
            return _error(request, 400, "bad_request", 'send {"api_key": "..."}')
        try:
            session = open_session(api_key.strip())
        except ApiError:
            return _error(request, 401, "unauthorized", "the API key is not valid")
        response = json_response(200, _session_payload(session), {"Cache-Control": "no-store"})
        _set_cookie(response, request, session, lifetime)
        return response

    def refusal(request: Request) -> tuple[Session | None, Response | None]:
        if _cross_site(request):
            return None, _error(request, 403, "forbidden", "cross-site requests are refused")
        session = session_of(request)
        if session is None:
            return None, _error(request, 401, "unauthorized", "sign in to the viewer first")
        if request.method not in _SAFE_METHODS and not session.csrf_matches(
            request.headers.get("x-csrf-token")
        ):
            return None, _error(request, 403, "forbidden", "the CSRF token is missing or wrong")
        return session, None

    async def gateway(scope: Scope, receive: Receive, send: Send) -> None:
        session, refused = refusal(Request(scope, receive))
        if session is None:
            assert refused is not None
            await refused(scope, receive, send)
            return
        path = API_PREFIX + scope["path"][len(_GATEWAY) :]
        headers = [(k, v) for k, v in scope["headers"] if k not in _DROPPED]
        headers.append((b"x-api-key", session.api_key.encode()))
        inner = {
            key: value
            for key, value in scope.items()
            if key not in ("path_params", "endpoint", "route", "router", "app_root_path")
        }
        inner.update(
            path=path,
            raw_path=path.encode(),
            root_path="",
            headers=headers,
            state=dict(scope.get("state") or {}),
        )
        await scope["app"](inner, receive, send)

    return [
        Route("/", page, methods=["GET"]),
        Route("/ui/static/{name}", static, methods=["GET"]),
        Route("/ui/login", login_link, methods=["GET"]),
        Route("/ui/session", session_endpoint, methods=["GET", "POST", "DELETE"]),
        Mount(_GATEWAY, app=gateway),
    ]
