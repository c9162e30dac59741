"""Views of the test project."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Iterator

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.urls import path

from neurallog.integrations.django import get_client

logger = logging.getLogger("shop.views")
BARRIERS: dict[str, threading.Barrier] = {}


def user(request: HttpRequest, user_id: int) -> JsonResponse:
    get_client().info("Loading user", {"user_id": user_id})
    logging.getLogger("django.shop").info("through the django logger")
    return JsonResponse({"id": user_id})


def boom(request: HttpRequest) -> HttpResponse:
    raise ValueError("django kaboom")


async def async_boom(request: HttpRequest) -> HttpResponse:
    await asyncio.sleep(0)
    raise ValueError("async django kaboom")


def missing(request: HttpRequest) -> HttpResponse:
    raise Http404("no such thing")


def concurrent(request: HttpRequest, name: str) -> HttpResponse:
    get_client().info(f"start {name}")
    BARRIERS["sync"].wait()
    logging.getLogger("django.shop").info("end %s", name)
    return HttpResponse(name)


async def async_view(request: HttpRequest, name: str) -> HttpResponse:
    client = get_client()
    client.info(f"async start {name}")
    await asyncio.sleep(0.01)
    client.info(f"async end {name}")
    return HttpResponse(name)


def stream(request: HttpRequest) -> StreamingHttpResponse:
    def generate() -> Iterator[str]:
        for i in range(3):
            get_client().info(f"django chunk {i}")
            yield f"{i}\n"

    return StreamingHttpResponse(generate())


urlpatterns = [
    path("api/users/<int:user_id>", user),
    path("boom", boom),
    path("async-boom", async_boom),
    path("missing", missing),
    path("concurrent/<str:name>", concurrent),
    path("async/<str:name>", async_view),
    path("stream", stream),
]
