"""What the sync and async resources share: they differ only in how they send."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from neurallog.resources import _parse
from neurallog.resources._build import Call, ListCall
from neurallog.resources._pages import AsyncPage, Page

if TYPE_CHECKING:
    from neurallog._core import ClientCore
    from neurallog._pipeline import Pipeline

T = TypeVar("T")


class HasCore(Protocol):
    """A facade (``NeuralLog`` or ``AsyncNeuralLog``) and its :class:`ClientCore`."""

    @property
    def _core(self) -> ClientCore: ...

    @property
    def _pipeline(self) -> Pipeline: ...


class SyncResource:
    """Sends through the client's configured sync httpx client."""

    def __init__(self, client: HasCore) -> None:
        self._client = client

    def _send(self, call: Call[T]) -> T:
        return call.parse(self._client._core.http.request(**call.kwargs))

    def _paged(self, call: ListCall) -> Page[Any]:
        http = self._client._core.http

        def fetch(offset: int) -> Page[Any]:
            items, info = _parse.page(http.request(**call.at(offset)))
            return Page(items, info, fetch)

        return fetch(call.offset)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {self._client!r}>"


class AsyncResource:
    """Sends through the client's configured async httpx client."""

    def __init__(self, client: HasCore) -> None:
        self._client = client

    async def _send(self, call: Call[T]) -> T:
        return call.parse(await self._client._core.async_http.request(**call.kwargs))

    async def _paged(self, call: ListCall) -> AsyncPage[Any]:
        http = self._client._core.async_http

        async def fetch(offset: int) -> AsyncPage[Any]:
            items, info = _parse.page(await http.request(**call.at(offset)))
            return AsyncPage(items, info, fetch)

        return await fetch(call.offset)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {self._client!r}>"
