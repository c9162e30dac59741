"""WSGI middleware: request context, unhandled exceptions and request logging.

Used by the Flask integration; usable with any WSGI application (Bottle, Falcon,
Pyramid, ...)::

    from neurallog.integrations.wsgi import NeuralLogWSGIMiddleware

    application = NeuralLogWSGIMiddleware(application, api_key="...", endpoint="...")
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Final

from neurallog.integrations._common import resolve_client
from neurallog.integrations._request import (
    REQUEST_ID_HEADER,
    RequestState,
    ScopedIterator,
    request_id_from,
)

if TYPE_CHECKING:
    from _typeshed import OptExcInfo
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

    from neurallog.client import NeuralLog

__all__ = ["ENVIRON_KEY", "NeuralLogWSGIMiddleware"]

#: WSGI environ key holding the request's :class:`RequestState` (frameworks set its route).
ENVIRON_KEY: Final = "neurallog.request"

_REQUEST_ID_LOWER: Final = REQUEST_ID_HEADER.lower()


def wsgi_path(environ: WSGIEnvironment) -> str:
    """The request path (``SCRIPT_NAME`` + ``PATH_INFO``) as text."""
    raw = f"{environ.get('SCRIPT_NAME', '')}{environ.get('PATH_INFO', '')}"
    try:
        # WSGI carries the path as bytes decoded as latin-1; URLs are UTF-8.
        return raw.encode("latin-1").decode("utf-8", "replace") or "/"
    except UnicodeEncodeError:
        return raw or "/"


class NeuralLogWSGIMiddleware:
    """Bind each request's context, report unhandled exceptions, optionally log requests.

    Args:
        app: The WSGI application to wrap.
        client: A NeuralLog client to send with; without it one is built from
            ``client_kwargs`` (the :class:`~neurallog.NeuralLog` constructor arguments).
        request_logging: Write one record per request when its response is complete:
            ``"GET /path 200"`` with ``metadata["response"] = {"status", "duration_ms"}``
            (INFO, WARN for 4xx, ERROR for 5xx). Off by default.
        capture_exceptions: Send exceptions that escape the application (ERROR, with the
            traceback in ``metadata["exception"]``) before re-raising them. On by default.
    """

    def __init__(
        self,
        app: WSGIApplication,
        client: Any = None,
        *,
        request_logging: bool = False,
        capture_exceptions: bool = True,
        **client_kwargs: Any,
    ) -> None:
        self.app = app
        self.client: NeuralLog
        self.client, self._owns_client = resolve_client(
            client, client_kwargs, what="NeuralLogWSGIMiddleware"
        )
        self.request_logging = request_logging
        self.capture_exceptions = capture_exceptions

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if isinstance(environ.get(ENVIRON_KEY), RequestState):
            # Wrapped twice (an outer WSGI middleware of ours): one request, one context.
            return self.app(environ, start_response)
        state = RequestState(
            self.client,
            request_id=request_id_from(environ.get("HTTP_X_REQUEST_ID")),
            method=str(environ.get("REQUEST_METHOD") or "GET"),
            path=wsgi_path(environ),
            client_address=environ.get("REMOTE_ADDR") or None,
            request_logging=self.request_logging,
            capture_exceptions=self.capture_exceptions,
        )
        environ[ENVIRON_KEY] = state

        def _start_response(
            status: str, headers: list[tuple[str, str]], exc_info: OptExcInfo | None = None
        ) -> Any:
            with contextlib.suppress(ValueError):
                state.status = int(status.split(" ", 1)[0])
            if not any(name.lower() == _REQUEST_ID_LOWER for name, _ in headers):
                headers = [*headers, (REQUEST_ID_HEADER, state.request_id)]
            if exc_info is None:
                return start_response(status, headers)
            return start_response(status, headers, exc_info)

        token = state.bind()
        try:
            body = self.app(environ, _start_response)
        except Exception as exc:
            state.report_exception(exc)
            state.finish(500)
            raise
        finally:
            state.unbind(token)
        file_wrapper = environ.get("wsgi.file_wrapper")
        if isinstance(file_wrapper, type) and isinstance(body, file_wrapper):
            # A file sent by the server (sendfile): wrapping it would disable that, and
            # reading a file logs nothing. The request is complete as far as the app goes.
            state.finish()
            return body
        return ScopedIterator(body, state)

    def close(self) -> None:
        """Close the client if this middleware created it."""
        if self._owns_client:
            self.client.close()
