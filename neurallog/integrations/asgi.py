"""Pure ASGI middleware: request context, unhandled exceptions and request logging.

Used by the FastAPI integration; works with any ASGI application (Starlette, Quart, Django
under ASGI, ...). Being pure ASGI (not ``BaseHTTPMiddleware``), it does not buffer
responses, so streaming responses, server-sent events and background tasks keep working,
and background tasks still carry the request's context::

    from neurallog.integrations.asgi import NeuralLogASGIMiddleware

    app = NeuralLogASGIMiddleware(app, api_key="...", endpoint="...")
    # or, with Starlette/FastAPI:
    app.add_middleware(NeuralLogASGIMiddleware, client=client)
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import TYPE_CHECKING, Any, Final

from neurallog.integrations._common import resolve_client
from neurallog.integrations._request import (
    REQUEST_ID_HEADER,
    RequestState,
    request_id_from,
)

if TYPE_CHECKING:
    from neurallog.client import NeuralLog

__all__ = ["NeuralLogASGIMiddleware"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: ``scope["state"]``-independent key under which the request's state is kept in the scope.
SCOPE_KEY: Final = "neurallog.request"

_REQUEST_ID_BYTES: Final = REQUEST_ID_HEADER.lower().encode("ascii")


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope.get("headers") or ():
        if key.lower() == name:
            return bytes(value)
    return None


def _client_address(scope: Scope) -> str | None:
    client = scope.get("client")
    if client:
        try:
            return str(client[0])
        except (IndexError, TypeError):
            return None
    return None


def route_template(scope: Scope, app: object = None) -> str | None:
    """The route template (``/users/{user_id}``) a Starlette/FastAPI app will dispatch to.

    Matches the application's routes the way its router does (first full match, else the
    first route matching the path but not the method; Mounts followed), without running
    anything. The application is ``app`` when it has a router (this middleware wraps it
    directly, before Starlette has put itself in ``scope["app"]``), else ``scope["app"]``
    (added with ``app.add_middleware``). None for applications without a Starlette-style
    router, or when no route matches (a 404). Uses each route's compiled ``path_regex`` (a
    fraction of the cost of ``route.matches()``), falling back to ``matches()`` for routes
    without one.
    """
    router = getattr(app, "router", None) or getattr(scope.get("app"), "router", None)
    routes = getattr(router, "routes", None)
    if not routes:
        return None
    try:
        if scope.get("type") != "http":
            return _match_routes_fully(routes, dict(scope), "")
        return _match_http(routes, _route_path(scope), str(scope.get("method") or ""), scope, "")
    except Exception:  # a custom route whose matching fails: no route, never a failure
        return None


def _route_path(scope: Scope) -> str:
    """The path the router matches: ``path`` without ``root_path`` (as Starlette does)."""
    path = str(scope.get("path") or "")
    root = str(scope.get("root_path") or "")
    if not root or not path.startswith(root):
        return path
    if path == root:
        return ""
    return path[len(root) :] if path[len(root)] == "/" else path


def _match_http(routes: Any, path: str, method: str, scope: Scope, prefix: str) -> str | None:
    partial: str | None = None
    for route in routes:
        regex = getattr(route, "path_regex", None)
        if regex is None:  # Host, or a custom route: let it decide
            match, child = route.matches({**scope, "path": path, "root_path": ""})
            name = getattr(match, "name", "")
            if name == "FULL":
                return _inner_or_self(route, {**scope, **child}, prefix)
            if name == "PARTIAL" and partial is None:
                partial = f"{prefix}{getattr(route, 'path', '')}" or None
            continue
        found = regex.match(path)
        if found is None:
            continue
        inner = getattr(route, "routes", None)
        if inner is not None and "path" in found.groupdict():  # a Mount: always a full match
            mount = f"{prefix}{route.path}"
            rest = "/" + found.group("path")
            return _match_http(inner, rest, method, scope, mount) or mount
        if not hasattr(route, "methods"):  # a websocket route
            continue
        methods = route.methods
        if methods and method not in methods:
            if partial is None:
                partial = f"{prefix}{route.path}"
            continue
        return f"{prefix}{route.path}"
    return partial


def _match_routes_fully(routes: Any, scope: dict[str, Any], prefix: str) -> str | None:
    partial: tuple[Any, dict[str, Any]] | None = None
    for route in routes:
        match, child_scope = route.matches(scope)
        name = getattr(match, "name", "")
        if name == "FULL":
            return _inner_or_self(route, {**scope, **child_scope}, prefix)
        if name == "PARTIAL" and partial is None:
            partial = (route, child_scope)
    if partial is not None:
        return _inner_or_self(partial[0], {**scope, **partial[1]}, prefix)
    return None


def _inner_or_self(route: Any, scope: dict[str, Any], prefix: str) -> str | None:
    path = f"{prefix}{getattr(route, 'path', '')}"
    inner = getattr(route, "routes", None)  # a Mount (or Host) with its own routes
    if inner:
        found = _match_routes_fully(inner, scope, path)
        return found if found is not None else path or None
    return path or None


class NeuralLogASGIMiddleware:
    """Bind each request's context, report unhandled exceptions, optionally log requests.

    Args:
        app: The ASGI application to wrap.
        client: A NeuralLog client (:class:`~neurallog.NeuralLog` or
            :class:`~neurallog.async_client.AsyncNeuralLog`); without it one is built from
            ``client_kwargs``.
        request_logging: Write one record per request when its response is complete:
            ``"GET /path 200"`` with ``metadata["response"] = {"status", "duration_ms"}``
            (INFO, WARN for 4xx, ERROR for 5xx). Off by default.
        capture_exceptions: Send exceptions that escape the application (ERROR, with the
            traceback in ``metadata["exception"]``) before re-raising them. On by default.

    Handles ``http`` and ``websocket`` scopes; ``lifespan`` passes through untouched.
    """

    def __init__(
        self,
        app: ASGIApp,
        client: Any = None,
        *,
        request_logging: bool = False,
        capture_exceptions: bool = True,
        **client_kwargs: Any,
    ) -> None:
        self.app = app
        self.client: NeuralLog
        self.client, self._owns_client = resolve_client(
            client, client_kwargs, what=type(self).__name__
        )
        self.request_logging = request_logging
        self.capture_exceptions = capture_exceptions

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope.get("type")
        if (kind != "http" and kind != "websocket") or isinstance(
            scope.get(SCOPE_KEY), RequestState
        ):
            # Lifespan, or wrapped twice (an outer middleware of ours handles the request).
            await self.app(scope, receive, send)
            return

        state = RequestState(
            self.client,
            request_id=request_id_from(_header(scope, _REQUEST_ID_BYTES)),
            method=str(scope.get("method") or "WEBSOCKET"),
            path=str(scope.get("path") or "/"),
            client_address=_client_address(scope),
            route=route_template(scope, self.app),
            request_logging=self.request_logging and kind == "http",
            capture_exceptions=self.capture_exceptions,
        )
        scope[SCOPE_KEY] = state
        request_id = state.request_id.encode("ascii")

        async def _send(message: Message) -> None:
            kind = message.get("type")
            if kind == "http.response.start":
                state.status = int(message.get("status", 200))
                headers = list(message.get("headers") or ())
                if not any(bytes(key).lower() == _REQUEST_ID_BYTES for key, _ in headers):
                    headers.append((_REQUEST_ID_BYTES, request_id))
                    message = {**message, "headers": headers}
            await send(message)
            if kind == "http.response.body" and not message.get("more_body", False):
                state.finish()

        token = state.bind()
        try:
            await self.app(scope, receive, _send)
        except Exception as exc:
            state.report_exception(exc)
            state.finish(500 if state.status is None else None)
            raise
        finally:
            state.unbind(token)
            state.finish()

    async def aclose(self) -> None:
        """Close the client if this middleware created it.

        Closing delivers what is pending, which can take up to the client's
        ``shutdown_timeout``: it runs in a worker thread, not on the event loop.
        """
        if self._owns_client:
            import anyio.to_thread

            await anyio.to_thread.run_sync(self.client.close)
