"""``NeuralLogMiddleware``: request context, request logging, and hooks for subclasses."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.utils.deprecation import MiddlewareMixin

from neurallog.integrations._request import (
    REQUEST_ID_HEADER,
    AsyncScopedIterator,
    RequestState,
    ScopedIterator,
    request_id_from,
)
from neurallog.integrations.django.apps import REQUEST_ATTR, get_client, get_options, route_of

if TYPE_CHECKING:
    from collections.abc import Callable

    from django.http import HttpRequest
    from django.http.response import HttpResponseBase

    from neurallog.client import NeuralLog

__all__ = ["NeuralLogMiddleware"]


class NeuralLogMiddleware(MiddlewareMixin):
    """Bind each request's context; the base for application middleware that logs.

    Put it first in ``MIDDLEWARE`` so everything logged while a request is handled,
    including by other middleware, carries ``metadata["request"] = {"id", "method",
    "path", "route", "client"}``. The request id comes from ``X-Request-ID`` or is
    generated, and is set on the response's ``X-Request-ID``.

    ``self.neurallog`` is the app's client. Subclasses may override the classic hooks;
    they run inside the request's context::

        class MyNeuralLogMiddleware(NeuralLogMiddleware):
            def process_request(self, request):
                self.neurallog.info("Request started", {"path": request.path})

    ``process_request`` may return a response to short-circuit, ``process_response`` must
    return the response, ``process_exception`` may return a response to handle an
    exception (returning None lets Django handle it). ``process_view`` records the route:
    an override should call ``super().process_view(...)``, or records logged by the view
    may lack it. Works under WSGI and ASGI. Unhandled exceptions are sent by the app
    through Django's ``got_request_exception`` signal, once, only when Django turns them
    into a 500 (a 404 or 403 is not an error).
    """

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        super().__init__(get_response)
        self.neurallog: NeuralLog = get_client()
        options = get_options()
        self._request_logging = options.request_logging
        self._capture_exceptions = options.capture_exceptions
        self._async = iscoroutinefunction(get_response)
        if self._async:
            markcoroutinefunction(self)

    # -- hooks for subclasses --------------------------------------------------------------

    def process_request(self, request: HttpRequest) -> HttpResponseBase | None:
        """Called before the view, inside the request's context. Return None to go on."""
        return None

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponseBase | None:
        """Called once the URL is resolved: records from here on carry the route."""
        state = getattr(request, REQUEST_ATTR, None)
        if isinstance(state, RequestState):
            state.set_route(route_of(getattr(request, "resolver_match", None)))
        return None

    def process_exception(
        self, request: HttpRequest, exception: Exception
    ) -> HttpResponseBase | None:
        """Called when the view raises. Return a response to handle the exception."""
        return None

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        """Called with the view's response, inside the request's context."""
        return response

    # -- request handling ------------------------------------------------------------------

    def __call__(self, request: HttpRequest) -> Any:
        if self._async:
            return self.__acall__(request)
        if isinstance(getattr(request, REQUEST_ATTR, None), RequestState):
            # An outer NeuralLogMiddleware already handles this request's context.
            return super().__call__(request)
        state = self._begin(request)
        token = state.bind()
        try:
            response = cast("HttpResponseBase", super().__call__(request))
        except Exception as exc:  # only with DEBUG_PROPAGATE_EXCEPTIONS or test clients
            state.report_exception(exc)
            state.finish(500)
            raise
        finally:
            state.unbind(token)
        return self._end(state, request, response)

    async def __acall__(self, request: HttpRequest) -> Any:
        if isinstance(getattr(request, REQUEST_ATTR, None), RequestState):
            return await super().__acall__(request)
        state = self._begin(request)
        token = state.bind()
        try:
            response = await super().__acall__(request)
        except Exception as exc:
            state.report_exception(exc)
            state.finish(500)
            raise
        finally:
            state.unbind(token)
        return self._end(state, request, response)

    def _begin(self, request: HttpRequest) -> RequestState:
        meta = request.META
        state = RequestState(
            self.neurallog,
            request_id=request_id_from(meta.get("HTTP_X_REQUEST_ID")),
            method=request.method or "GET",
            path=request.path,
            client_address=meta.get("REMOTE_ADDR") or None,
            request_logging=self._request_logging,
            capture_exceptions=self._capture_exceptions,
        )
        setattr(request, REQUEST_ATTR, state)
        return state

    @staticmethod
    def _end(state: RequestState, request: HttpRequest, response: HttpResponseBase) -> Any:
        if state.info["route"] is None:
            state.set_route(route_of(getattr(request, "resolver_match", None)))
        if not response.has_header(REQUEST_ID_HEADER):
            response[REQUEST_ID_HEADER] = state.request_id
        state.status = response.status_code
        streaming: Any = response
        if (
            getattr(streaming, "streaming", False)
            and getattr(streaming, "file_to_stream", None) is None
        ):
            # The body is produced after the middleware returns: records logged while it
            # streams still carry the request, and the request finishes when it is done.
            if getattr(response, "is_async", False):
                streaming.streaming_content = AsyncScopedIterator(
                    streaming.streaming_content, state
                )
            else:
                streaming.streaming_content = ScopedIterator(streaming.streaming_content, state)
            return response
        state.finish()
        return response
