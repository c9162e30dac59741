"""FastAPI (and Starlette) integration.

::

    from fastapi import FastAPI, Request
    from neurallog.integrations.fastapi import NeuralLogFastAPI

    app = FastAPI()
    neurallog = NeuralLogFastAPI(api_key="...", endpoint="https://api.<tenant>.neurallog.com/v1")
    app.add_middleware(neurallog.middleware)

    @app.get("/api/users/{user_id}")
    async def get_user(user_id: int):
        await neurallog.info("Loading user", {"user_id": user_id})  # carries the request
        ...

``neurallog.middleware`` is a pure ASGI middleware class bound to this client: responses
are not buffered, so streaming responses, server-sent events and background tasks keep
working (background tasks carry the request's context too). Every record sent while a
request is handled carries ``metadata["request"] = {"id", "method", "path", "route",
"client"}`` (``route`` is the path template, ``/api/users/{user_id}``); the request id
comes from ``X-Request-ID`` or is generated, and is echoed in the response. Unhandled
exceptions are sent once (ERROR, with their traceback) and re-raised, so FastAPI's and the
server's handling is unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from typing import TYPE_CHECKING, Any

try:
    import fastapi  # noqa: F401 (only checks that the extra is installed)
except ImportError as _exc:  # pragma: no cover - depends on the environment
    from neurallog.integrations._common import missing_extra

    raise ImportError(missing_extra("fastapi", "fastapi")) from _exc

from neurallog._methods import AsyncLogging
from neurallog.integrations._common import resolve_async_client
from neurallog.integrations.asgi import ASGIApp, NeuralLogASGIMiddleware

if TYPE_CHECKING:
    from neurallog.async_client import AsyncNeuralLog
    from neurallog.client import NeuralLog
    from neurallog.resources.actions import AsyncActionsModule
    from neurallog.resources.logs import AsyncLogsModule
    from neurallog.resources.rules import AsyncRulesModule

__all__ = ["NeuralLogFastAPI"]


class NeuralLogFastAPI(AsyncLogging):
    """Awaitable NeuralLog logging for FastAPI, and a middleware bound to it.

    Args:
        client: An existing :class:`~neurallog.async_client.AsyncNeuralLog` (or a
            :class:`~neurallog.NeuralLog` or another integration object such as
            ``NeuralLogFlask``, wrapped without a second pipeline).
        app: Optionally, the application: the middleware is added to it.
        request_logging: One record per request (``"GET /path 200"`` with
            ``metadata["response"] = {"status", "duration_ms"}``; INFO, WARN for 4xx, ERROR
            for 5xx). Off by default.
        capture_exceptions: Send unhandled exceptions before re-raising them. On by default.
        **client_kwargs: Without ``client``, the :class:`~neurallog.NeuralLog` constructor
            arguments (``api_key``, ``endpoint``, ...).

    ``await neurallog.info(...)`` (and ``log``, ``debug``, ``warn``, ``error``, ``fatal``,
    ``exception``) only enqueues: no network I/O happens on the event loop; ``bind(...)``
    returns an awaitable logger carrying fields. ``await flush()`` and ``await close()``
    run the blocking parts in a worker thread. ``logs``, ``rules`` and ``actions`` are the
    async API resources.
    """

    def __init__(
        self,
        client: Any = None,
        *,
        app: Any = None,
        request_logging: bool = False,
        capture_exceptions: bool = True,
        **client_kwargs: Any,
    ) -> None:
        self.client: AsyncNeuralLog
        self.client, self._owns_client = resolve_async_client(
            client, client_kwargs, what="NeuralLogFastAPI"
        )
        self.request_logging = request_logging
        self.capture_exceptions = capture_exceptions
        if app is not None:
            app.add_middleware(self.middleware)

    @property
    def sync_client(self) -> NeuralLog:
        """The :class:`NeuralLog` behind the async client (same pipeline)."""
        return self.client.sync_client

    @cached_property
    def middleware(self) -> type[NeuralLogASGIMiddleware]:
        """Pure ASGI middleware class bound to this client: ``app.add_middleware(...)``."""
        integration = self

        class NeuralLogMiddleware(NeuralLogASGIMiddleware):
            """Request context, exception capture and request logging for one client."""

            def __init__(
                self,
                app: ASGIApp,
                *,
                request_logging: bool | None = None,
                capture_exceptions: bool | None = None,
            ) -> None:
                super().__init__(
                    app,
                    integration.sync_client,
                    request_logging=(
                        integration.request_logging if request_logging is None else request_logging
                    ),
                    capture_exceptions=(
                        integration.capture_exceptions
                        if capture_exceptions is None
                        else capture_exceptions
                    ),
                )

        return NeuralLogMiddleware

    # -- logging (enqueue only): log, debug ... fatal, exception, bind from AsyncLogging ------

    @property
    def _logger(self) -> NeuralLog:
        return self.client.sync_client

    async def flush(self, timeout: float | None = None) -> bool:
        """Send pending records (in a worker thread); True when all were delivered."""
        return await self.client.flush(timeout=timeout)

    async def close(self, timeout: float | None = None) -> bool:
        """Deliver pending records and close the client (unless it was passed in).

        A client passed in is only flushed. Returns what ``flush`` would.
        """
        if self._owns_client:
            return await self.client.close(timeout)
        return await self.client.flush(timeout=timeout)

    def configure_context(self, fields: Mapping[str, Any]) -> None:
        """Fields added to the metadata of every record this client sends."""
        self.client.configure_context(fields)

    @property
    def logs(self) -> AsyncLogsModule:
        """Search, list, get, delete, stream and batch-log entries (async)."""
        return self.client.logs

    @property
    def rules(self) -> AsyncRulesModule:
        """Create and manage rules (async)."""
        return self.client.rules

    @property
    def actions(self) -> AsyncActionsModule:
        """Create, manage and execute actions (async)."""
        return self.client.actions
