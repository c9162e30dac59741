"""Pages: iteration means the same for the sync and the async client."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from neurallog.async_client import AsyncNeuralLog
from neurallog.client import NeuralLog

from .conftest import API_KEY, entry, envelope, json_response

EVERYTHING = [entry(n) for n in range(5)]


def _serve_five_in_pages_of_two(httpserver: HTTPServer) -> None:
    def handler(request: Request) -> Response:
        offset = int(parse_qs(urlsplit(request.url).query)["offset"][0])
        return json_response(
            envelope(
                EVERYTHING[offset : offset + 2],
                total=5,
                limit=2,
                offset=offset,
                has_more=offset + 2 < 5,
            )
        )

    httpserver.expect_request("/v1/logs").respond_with_handler(handler)


def _ids(items: Iterable[Any]) -> list[str]:
    return [item["id"] for item in items]


@pytest.mark.anyio
async def test_for_and_async_for_walk_the_same_items(
    httpserver: HTTPServer, client: NeuralLog, endpoint: str
) -> None:
    _serve_five_in_pages_of_two(httpserver)
    page = client.logs.list(limit=2)
    walked_sync = _ids(log for log in page)
    async with AsyncNeuralLog(api_key=API_KEY, endpoint=endpoint) as aclient:
        apage = await aclient.logs.list(limit=2)
        walked_async = _ids([log async for log in apage])
        walked_async_plain_for = _ids(log for log in apage)
    # A page iterates as the list it is, in either client: its own items, nothing fetched.
    assert walked_sync == walked_async == walked_async_plain_for == ["log-0", "log-1"]
    assert len(page) == len(walked_sync)


@pytest.mark.anyio
async def test_iter_all_and_iter_pages_walk_every_page_in_both(
    httpserver: HTTPServer, client: NeuralLog, endpoint: str
) -> None:
    _serve_five_in_pages_of_two(httpserver)
    page = client.logs.list(limit=2)
    sync_items = _ids(list(page.iter_all()))
    sync_pages = [(p.offset, _ids(p)) for p in page.iter_pages()]
    async with AsyncNeuralLog(api_key=API_KEY, endpoint=endpoint) as aclient:
        apage = await aclient.logs.list(limit=2)
        async_items = _ids([log async for log in apage.iter_all()])
        async_pages = [(p.offset, _ids(p)) async for p in apage.iter_pages()]
    assert sync_items == async_items == [f"log-{n}" for n in range(5)]
    expected_pages = [(0, ["log-0", "log-1"]), (2, ["log-2", "log-3"]), (4, ["log-4"])]
    assert sync_pages == async_pages == expected_pages
