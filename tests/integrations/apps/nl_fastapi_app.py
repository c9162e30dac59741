"""A FastAPI app served by uvicorn in the integration tests (settings from the environment)."""

from __future__ import annotations

import asyncio
import logging
import os

from fastapi import BackgroundTasks, FastAPI

from neurallog.integrations.fastapi import NeuralLogFastAPI
from neurallog.integrations.logging import NeuralLogHandler

app = FastAPI()
neurallog = NeuralLogFastAPI(batch_interval=0.05, request_logging=True)
app.add_middleware(neurallog.middleware)
logger = logging.getLogger("api")
logger.setLevel(logging.INFO)
logger.addHandler(NeuralLogHandler(neurallog))


@app.get("/health")
async def health() -> str:
    return "ok"


@app.get("/items/{item_id}")
async def item(item_id: int, background: BackgroundTasks) -> dict[str, int]:
    await neurallog.info(f"item {item_id}", {"pid": os.getpid()})
    await asyncio.sleep(0.01)
    logger.info("after await %d", item_id)
    background.add_task(logger.info, "background %d", item_id)
    return {"pid": os.getpid()}
