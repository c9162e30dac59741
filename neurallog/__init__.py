"""NeuralLog Python SDK: ship, search, live-tail and react to application logs.

::

    from neurallog import NeuralLog

    client = NeuralLog(api_key="...", endpoint="https://api.<tenant>.neurallog.com/v1")
    client.info("User logged in", {"user_id": "123"})
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from neurallog._pipeline import DeliveryStats
from neurallog._version import __version__
from neurallog.client import LogBatch, NeuralLog

if TYPE_CHECKING:
    from neurallog.async_client import AsyncNeuralLog

    # Also importable from here, as ``@neurallog.lambda_handler``.
    from neurallog.integrations.aws_lambda import lambda_handler as lambda_handler

__all__ = ["AsyncNeuralLog", "DeliveryStats", "LogBatch", "NeuralLog", "__version__"]

# Defined in the pipeline's modules; shown (reprs, tracebacks, docs) where users import it.
DeliveryStats.__module__ = __name__


def __getattr__(name: str) -> Any:
    # The async client is imported on first use: sync applications never pay for it.
    if name == "AsyncNeuralLog":
        from neurallog.async_client import AsyncNeuralLog

        return AsyncNeuralLog
    if name == "lambda_handler":  # ``@neurallog.lambda_handler``; see its module
        from neurallog.integrations.aws_lambda import lambda_handler

        return lambda_handler
    raise AttributeError(f"module 'neurallog' has no attribute {name!r}")
