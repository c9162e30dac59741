"""What the sync and async resources share: they differ only in how they send.

Each API operation is written once, as a *request function* in its resource module: the
public signature, the docstring, the input checks, and the request it makes (a :class:`Call`
or a :class:`ListCall`). :func:`method` and :func:`coroutine_method` turn one request function
into the method of ``Logs`` and of ``AsyncLogs``, so the twins cannot drift apart: same
parameters, same documentation, one place to change.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Coroutine
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, Protocol, TypeVar

from neurallog.resources import _parse
from neurallog.resources._build import Call, ListCall
from neurallog.resources._pages import AsyncPage, Page

if TYPE_CHECKING:
    from neurallog._core import ClientCore
    from neurallog._pipeline import Pipeline

P = ParamSpec("P")
T = TypeVar("T")
B = TypeVar("B")
S = TypeVar("S")

F = TypeVar("F", bound=Callable[..., Any])


class HasCore(Protocol):
    """A facade (``NeuralLog`` or ``AsyncNeuralLog``) and its :class:`ClientCore`."""

    @property
    def _core(self) -> ClientCore: ...

    @property
    def _pipeline(self) -> Pipeline: ...


def request(resource: str) -> Callable[[F], F]:
    """Mark a request function of ``resource`` (``"logs"``...): ``_search`` is ``logs.search``.

    The name is what a wrong call reports (``logs.search() got an unexpected keyword
    argument 'q'``), in either client.
    """

    def name(function: F) -> F:
        function.__name__ = function.__name__.lstrip("_")
        function.__qualname__ = f"{resource}.{function.__name__}"
        return function

    return name


def _as_method(derived: Callable[..., Any], build: Callable[..., Any], doc: str | None) -> None:
    derived.__name__ = build.__name__
    derived._derived_from = build  # type: ignore[attr-defined]  # named by Resource
    derived.__doc__ = doc if doc is not None else build.__doc__
    signature = inspect.signature(build)
    this = inspect.Parameter("self", inspect.Parameter.POSITIONAL_ONLY)
    derived.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=[this, *signature.parameters.values()],
        return_annotation=inspect.Signature.empty,
    )


def method(
    build: Callable[P, B], finish: Callable[[S, B], T], *, doc: str | None = None
) -> Callable[Concatenate[S, P], T]:
    """A method that checks its arguments with ``build`` and hands the request to ``finish``."""

    def derived(self: S, /, *args: P.args, **kwargs: P.kwargs) -> T:
        return finish(self, build(*args, **kwargs))

    _as_method(derived, build, doc)
    return derived


def coroutine_method(
    build: Callable[P, B], finish: Callable[[S, B], Awaitable[T]], *, doc: str | None = None
) -> Callable[Concatenate[S, P], Coroutine[Any, Any, T]]:
    """The ``async def`` twin of :func:`method`: arguments are checked when it is awaited."""

    async def derived(self: S, /, *args: P.args, **kwargs: P.kwargs) -> T:
        return await finish(self, build(*args, **kwargs))

    _as_method(derived, build, doc)
    return derived


class Resource:
    def __init__(self, client: HasCore) -> None:
        self._client = client

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # A derived method takes the name it has in the class: ``Logs.astream``, not ``stream``.
        for name, value in vars(cls).items():
            if inspect.isfunction(value) and hasattr(value, "_derived_from"):
                value.__name__ = name
                value.__qualname__ = f"{cls.__qualname__}.{name}"
                value.__module__ = cls.__module__

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {self._client!r}>"


class SyncResource(Resource):
    """Sends through the client's configured sync httpx client."""

    def _send(self, call: Call[T]) -> T:
        return call.parse(self._client._core.http.request(**call.kwargs))

    def _paged(self, call: ListCall[T]) -> Page[T]:
        http = self._client._core.http

        def fetch(offset: int) -> Page[T]:
            items, info = _parse.page(http.request(**call.at(offset)))
            return Page(items, info, fetch)

        return fetch(call.offset)


class AsyncResource(Resource):
    """Sends through the client's configured async httpx client."""

    async def _send(self, call: Call[T]) -> T:
        return call.parse(await self._client._core.async_http.request(**call.kwargs))

    async def _paged(self, call: ListCall[T]) -> AsyncPage[T]:
        http = self._client._core.async_http

        async def fetch(offset: int) -> AsyncPage[T]:
            items, info = _parse.page(await http.request(**call.at(offset)))
            return AsyncPage(items, info, fetch)

        return await fetch(call.offset)


def sync_call(build: Callable[P, Call[T]]) -> Callable[Concatenate[SyncResource, P], T]:
    """The ``NeuralLog`` method of a request function that makes one request."""
    return method(build, SyncResource._send)


def async_call(
    build: Callable[P, Call[T]],
) -> Callable[Concatenate[AsyncResource, P], Coroutine[Any, Any, T]]:
    """The ``AsyncNeuralLog`` method of a request function that makes one request."""
    return coroutine_method(build, AsyncResource._send)


def sync_list(build: Callable[P, ListCall[T]]) -> Callable[Concatenate[SyncResource, P], Page[T]]:
    """The ``NeuralLog`` method of a request function that lists (a :class:`Page`)."""
    return method(build, SyncResource._paged)


def async_list(
    build: Callable[P, ListCall[T]],
) -> Callable[Concatenate[AsyncResource, P], Coroutine[Any, Any, AsyncPage[T]]]:
    """The ``AsyncNeuralLog`` method of a request function that lists (an :class:`AsyncPage`)."""
    return coroutine_method(build, AsyncResource._paged)
