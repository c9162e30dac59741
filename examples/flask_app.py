"""A Flask app whose records carry each request's id and route.

export NEURALLOG_ENDPOINT=... NEURALLOG_API_KEY=...   # printed by `neurallog local`
flask --app examples/flask_app.py run
curl http://127.0.0.1:5000/orders/42
"""

from __future__ import annotations

from flask import Flask, abort

from neurallog.integrations.flask import NeuralLogFlask

ORDERS = {42: {"id": 42, "item": "coffee beans", "total": 18.5}}

app = Flask(__name__)
# Reads NEURALLOG_ENDPOINT and NEURALLOG_API_KEY; one record per request as well.
neurallog = NeuralLogFlask(app, request_logging=True, source="shop-web")


@app.get("/orders/<int:order_id>")
def get_order(order_id: int) -> dict[str, object]:
    order = ORDERS.get(order_id)
    if order is None:
        neurallog.warn("Order not found", order_id=order_id)
        abort(404)
    neurallog.info("Order shown", order_id=order_id)
    return order


@app.post("/orders/<int:order_id>/pay")
def pay(order_id: int) -> dict[str, object]:
    raise RuntimeError(f"payment provider unreachable for order {order_id}")
