"""A FastAPI app: awaitable logging, and a middleware that tags every record with its request.

export NEURALLOG_ENDPOINT=... NEURALLOG_API_KEY=...   # printed by `neurallog local`
uvicorn examples.fastapi_app:app
curl http://127.0.0.1:8000/orders/42
"""

from __future__ import annotations

from fastapi import FastAPI, HTTPException

from neurallog.integrations.fastapi import NeuralLogFastAPI

ORDERS = {42: {"id": 42, "item": "coffee beans", "total": 18.5}}

app = FastAPI()
# Reads NEURALLOG_ENDPOINT and NEURALLOG_API_KEY; app= adds the middleware.
neurallog = NeuralLogFastAPI(app=app, request_logging=True, source="shop-api")


@app.get("/orders/{order_id}")
async def get_order(order_id: int) -> dict[str, object]:
    order = ORDERS.get(order_id)
    if order is None:
        await neurallog.warn("Order not found", order_id=order_id)
        raise HTTPException(status_code=404, detail="no such order")
    await neurallog.info("Order shown", order_id=order_id)
    return order
