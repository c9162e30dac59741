"""The shop's views: records logged here carry the request's id and route."""

from __future__ import annotations

from django.http import Http404, HttpRequest, JsonResponse

from neurallog.integrations.django import get_client

ORDERS = {42: {"id": 42, "item": "coffee beans", "total": 18.5}}


def get_order(request: HttpRequest, order_id: int) -> JsonResponse:
    neurallog = get_client()
    order = ORDERS.get(order_id)
    if order is None:
        neurallog.warn("Order not found", order_id=order_id)
        raise Http404("no such order")
    neurallog.info("Order shown", order_id=order_id)
    return JsonResponse(order)


def pay(request: HttpRequest, order_id: int) -> JsonResponse:
    raise RuntimeError(f"payment provider unreachable for order {order_id}")
