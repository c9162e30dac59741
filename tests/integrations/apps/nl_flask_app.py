"""A Flask app served by gunicorn in the integration tests (settings from the environment)."""

from __future__ import annotations

import logging
import os

from flask import Flask, request

from neurallog.integrations.flask import NeuralLogFlask
from neurallog.integrations.logging import NeuralLogHandler

app = Flask(__name__)
neurallog = NeuralLogFlask(
    app,
    batch_interval=float(os.environ.get("NL_BATCH_INTERVAL", "0.05")),
    batch_size=int(os.environ.get("NL_BATCH_SIZE", "10")),
    request_logging=True,
)
logger = logging.getLogger("shop")
logger.setLevel(logging.INFO)
logger.addHandler(NeuralLogHandler(neurallog))

if os.environ.get("NL_LOG_AT_IMPORT"):
    # Logged in the master before gunicorn forks (with --preload): the workers must not
    # inherit its queue, worker thread, connections or half-done imports.
    neurallog.info("app loaded", {"pid": os.getpid()})


@app.get("/health")
def health() -> str:
    return "ok"


@app.get("/work/<int:n>")
def work(n: int) -> dict[str, object]:
    neurallog.info(
        f"work {n}", {"pid": os.getpid(), "header_id": request.headers.get("X-Request-ID")}
    )
    logger.info("stdlib work %d", n)
    return {"pid": os.getpid()}
