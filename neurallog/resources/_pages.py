"""List results: one page of items that knows how to fetch the pages after it."""

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
    """One page of results: iterate, index and ``len()`` it like a list.

    ``total`` and ``has_more`` describe the whole result set; :meth:`next_page` fetches the
    next page and :meth:`iter_all` walks this page and every later one, fetching each only
    when the previous one is used up.
    """

    __slots__ = ("_fetch",)

    def __init__(self, items: Iterable[T], info: PageInfo, fetch: Callable[[int], Page[T]]) -> None:
        super().__init__(items, info)
        self._fetch = fetch

    def next_page(self) -> Page[T] | None:
        """The page after this one, or ``None`` when this is the last."""
        offset = self._next_offset()
        return None if offset is None else self._fetch(offset)

    def iter_all(self) -> Iterator[T]:
        """Every item from this page on, fetching later pages lazily."""
        page: Page[T] | None = self
        while page is not None:
            yield from page
            page = page.next_page()


class AsyncPage(_PageBase[T]):
    """Async twin of :class:`Page`.

    ``for item in page`` walks this page; ``async for item in page`` (or
    ``page.iter_all()``) walks this page and every later one, fetching each lazily.
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

    async def iter_all(self) -> AsyncIterator[T]:
        """Every item from this page on, fetching later pages lazily."""
        page: AsyncPage[T] | None = self
        while page is not None:
            for item in page:
                yield item
            page = await page.next_page()

    def __aiter__(self) -> AsyncIterator[T]:
        return self.iter_all()
