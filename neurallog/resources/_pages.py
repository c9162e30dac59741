"""List results: one page of items that knows how to fetch the pages after it.

Iterating a page (``for`` or ``async for``) walks its own items, as iterating any list does;
``iter_all()`` walks every item from this page on and ``iter_pages()`` every page, fetching
each only when the previous one is used up. The sync and async pages mean the same thing.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from typing import Any, Generic, TypeVar

import attrs

T = TypeVar("T")


@attrs.frozen
class PageInfo:
    """``meta.pagination`` of a list response, plus the request id."""

    total: int
    limit: int
    offset: int
    has_more: bool
    request_id: str | None = None


class _PageBase(list[T], Generic[T]):
    """A ``list`` of this page's items, with the pagination facts of the response."""

    __slots__ = ("_info",)

    def __init__(self, items: Iterable[T], info: PageInfo) -> None:
        super().__init__(items)
        self._info = info

    @property
    def total(self) -> int:
        """Items matching the request across every page."""
        return self._info.total

    @property
    def has_more(self) -> bool:
        """Whether pages follow this one."""
        return self._info.has_more

    @property
    def limit(self) -> int:
        """Page size the server applied."""
        return self._info.limit

    @property
    def offset(self) -> int:
        """Position of this page's first item among all matches."""
        return self._info.offset

    @property
    def request_id(self) -> str | None:
        """The ``X-Request-ID`` of the response (quote it when reporting a problem)."""
        return self._info.request_id

    def _next_offset(self) -> int | None:
        # An empty page that claims more would otherwise make iter_all() spin forever.
        if not self._info.has_more or not self:
            return None
        return self._info.offset + len(self)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({list.__repr__(self)}, total={self.total}, "
            f"offset={self.offset}, limit={self.limit}, has_more={self.has_more})"
        )

    def __reduce__(self) -> tuple[Any, ...]:
        # The fetch callback holds a live client; a pickled page is its items.
        return (list, (list(self),))


class Page(_PageBase[T]):
    """One page of results, returned by the ``list`` and ``search`` methods of ``NeuralLog``.

    A list of this page's items (iterate, index, ``len()``), with ``total`` and
    ``has_more`` describing the whole result set. :meth:`next_page` fetches the next page,
    :meth:`iter_pages` walks this page and every later one, and :meth:`iter_all` every item
    from here on, each fetching a page only when the previous one is used up.
    """

    __slots__ = ("_fetch",)

    def __init__(self, items: Iterable[T], info: PageInfo, fetch: Callable[[int], Page[T]]) -> None:
        super().__init__(items, info)
        self._fetch = fetch

    def next_page(self) -> Page[T] | None:
        """The page after this one, or ``None`` when this is the last."""
        offset = self._next_offset()
        return None if offset is None else self._fetch(offset)

    def iter_pages(self) -> Iterator[Page[T]]:
        """This page and every later one, fetched lazily."""
        page: Page[T] | None = self
        while page is not None:
            yield page
            page = page.next_page()

    def iter_all(self) -> Iterator[T]:
        """Every item from this page on, fetching later pages lazily."""
        for page in self.iter_pages():
            yield from page


class AsyncPage(_PageBase[T]):
    """One page of results, returned by the ``list`` and ``search`` methods of ``AsyncNeuralLog``.

    A list of this page's items (iterate with ``for`` or ``async for``, index, ``len()``),
    with ``total`` and ``has_more`` describing the whole result set. ``await``
    :meth:`next_page` fetches the next page; ``async for`` over :meth:`iter_pages` walks
    this page and every later one, and over :meth:`iter_all` every item from here on, each
    fetching a page only when the previous one is used up.
    """

    __slots__ = ("_fetch",)

    def __init__(
        self,
        items: Iterable[T],
        info: PageInfo,
        fetch: Callable[[int], Awaitable[AsyncPage[T]]],
    ) -> None:
        super().__init__(items, info)
        self._fetch = fetch

    async def next_page(self) -> AsyncPage[T] | None:
        """The page after this one, or ``None`` when this is the last."""
        offset = self._next_offset()
        return None if offset is None else await self._fetch(offset)

    async def iter_pages(self) -> AsyncIterator[AsyncPage[T]]:
        """This page and every later one, fetched lazily."""
        page: AsyncPage[T] | None = self
        while page is not None:
            yield page
            page = await page.next_page()

    async def iter_all(self) -> AsyncIterator[T]:
        """Every item from this page on, fetching later pages lazily."""
        async for page in self.iter_pages():
            for item in page:
                yield item

    async def _own_items(self) -> AsyncIterator[T]:
        for item in list.__iter__(self):
            yield item

    def __aiter__(self) -> AsyncIterator[T]:
        # The same meaning as ``for``: this page's items; iter_all() walks further.
        return self._own_items()
