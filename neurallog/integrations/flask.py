"""Flask integration.

::

    from flask import Flask
    from neurallog.integrations.flask import NeuralLogFlask

    app = Flask(__name__)
    neurallog = NeuralLogFlask(app, api_key="...", endpoint="https://api.<tenant>.neurallog.com/v1")

    @app.route("/api/users/<int:user_id>")
    def get_user(user_id):
        neurallog.info("Loading user", {"user_id": user_id})   # carries the request context
        ...

With an application factory::

    neurallog = NeuralLogFlask()            # options from app.config NEURALLOG_* keys

    def create_app():
        app = Flask(__name__)
        app.config["NEURALLOG_API_KEY"] = "..."
        app.config["NEURALLOG_ENDPOINT"] = "https://api.<tenant>.neurallog.com/v1"
        neurallog.init_app(app)
        return app

Every record sent while a request is handled (by this client, by a
:class:`~neurallog.integrations.logging.NeuralLogHandler`, by any NeuralLog client) carries
``metadata["request"] = {"id", "method", "path", "route", "client"}``; the request id comes
from ``X-Request-ID`` or is generated, and is echoed in the response's ``X-Request-ID``.
Unhandled exceptions are sent once (ERROR, with their traceback), then Flask handles them
as usual. ``request_logging=True`` adds one record per request with status and duration.
"""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Any, Final

try:
    import flask
    from flask import got_request_exception
except ImportError as _exc:  # pragma: no cover - depends on the environment
    from neurallog.integrations._common import missing_extra

    raise ImportError(missing_extra("flask", "flask")) from _exc

from neurallog.integrations._common import ClientMethods, resolve_client
from neurallog.integrations._request import RequestState, report_exception
from neurallog.integrations.wsgi import ENVIRON_KEY, NeuralLogWSGIMiddleware

if TYPE_CHECKING:
    from neurallog.client import NeuralLog

__all__ = ["NeuralLogFlask"]

#: Prefix of the ``app.config`` keys read by :meth:`NeuralLogFlask.init_app`.
CONFIG_PREFIX: Final = "NEURALLOG_"
_EXTENSION: Final = "neurallog"


class NeuralLogFlask(ClientMethods):
    """Send logs from a Flask application to NeuralLog, with per-request context.

    Args:
        app: The Flask application; or call :meth:`init_app` later (application factories).
        client: An existing :class:`~neurallog.NeuralLog` client to use.
        request_logging: One record per request (``"GET /path 200"``, with
            ``metadata["response"] = {"status", "duration_ms"}``; INFO, WARN for 4xx, ERROR
            for 5xx). Default: ``app.config["NEURALLOG_REQUEST_LOGGING"]``, else off.
        capture_exceptions: Send unhandled exceptions. Default:
            ``app.config["NEURALLOG_CAPTURE_EXCEPTIONS"]``, else on.
        **client_kwargs: :class:`~neurallog.NeuralLog` constructor arguments. Each may also
            come from ``app.config`` as ``NEURALLOG_<NAME>`` (``NEURALLOG_API_KEY``,
            ``NEURALLOG_ENDPOINT``, ``NEURALLOG_LOG_LEVEL``, ...); arguments win.

    The object has the client's logging methods (``log``, ``debug``, ``info``, ``warn``,
    ``error``, ``fatal``, ``exception``, ``bind``), ``flush``, ``close``,
    ``configure_context``, ``logs``, ``rules`` and ``actions``. One client serves every
    application the object is initialised with.
    """

    def __init__(
        self,
        app: flask.Flask | None = None,
        client: Any = None,
        *,
        request_logging: bool | None = None,
        capture_exceptions: bool | None = None,
        **client_kwargs: Any,
    ) -> None:
        self._client: NeuralLog | None = None
        self._owns_client = False
        if client is not None:
            self._client, self._owns_client = resolve_client(
                client, client_kwargs, what="NeuralLogFlask"
            )
        self._client_kwargs = client_kwargs
        self.request_logging = request_logging
        self.capture_exceptions = capture_exceptions
        if app is not None:
            self.init_app(app)

    @property
    def client(self) -> NeuralLog:
        """The NeuralLog client (built from the arguments and environment on first use)."""
        client = self._client
        if client is None:
            client = self._client = self._build_client({})
        return client

    @property
    def sync_client(self) -> NeuralLog:
        return self.client

    def init_app(self, app: flask.Flask) -> None:
        """Attach to ``app``: request context, exception reporting, request logging."""
        if app.extensions.get(_EXTENSION) is self:
            return
        if self._client is None:
            self._client = self._build_client(app.config)
        client = self._client
        app.extensions[_EXTENSION] = self
        request_logging = _option(self.request_logging, app.config, "REQUEST_LOGGING", False)
        capture = _option(self.capture_exceptions, app.config, "CAPTURE_EXCEPTIONS", True)
        app.wsgi_app = NeuralLogWSGIMiddleware(  # type: ignore[method-assign]
            app.wsgi_app,
            client,
            request_logging=request_logging,
            capture_exceptions=capture,
        )
        # First, so that the route is known to records logged by other before_request hooks.
        app.before_request_funcs.setdefault(None, []).insert(0, _record_route)
        if capture:
            got_request_exception.connect(self._on_exception, app)

    def close(self) -> None:
        """Deliver pending records and close the client (unless it was passed in)."""
        if self._client is not None and self._owns_client:
            self._client.close()

    def _build_client(self, config: Any) -> NeuralLog:
        from neurallog.client import NeuralLog

        kwargs: dict[str, Any] = {}
        for name in inspect.signature(NeuralLog.__init__).parameters:
            key = f"{CONFIG_PREFIX}{name.upper()}"
            if name != "self" and key in config:
                kwargs[name] = config[key]
        kwargs.update(self._client_kwargs)
        self._owns_client = True
        return NeuralLog(**kwargs)

    def _on_exception(self, sender: flask.Flask, exception: BaseException, **_: Any) -> None:
        state = flask.request.environ.get(ENVIRON_KEY) if flask.has_request_context() else None
        if isinstance(state, RequestState):
            state.report_exception(exception)
        else:  # the WSGI middleware was bypassed (wsgi_app replaced after init_app)
            report_exception(self.client, exception)


def _record_route() -> None:
    state = flask.request.environ.get(ENVIRON_KEY)
    rule = flask.request.url_rule
    if isinstance(state, RequestState) and rule is not None:
        state.set_route(rule.rule)


def _option(value: bool | None, config: Any, name: str, default: bool) -> bool:
    if value is not None:
        return value
    return bool(config.get(f"{CONFIG_PREFIX}{name}", default))
