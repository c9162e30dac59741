"""The logging paths the benchmark compares, each set up as an application would.

Every path logs ``"user logged in"`` with the field ``user_id="123"`` at INFO. A path is
set up by a function that takes the sink's URL and a scratch folder and returns a
:class:`Path`: ``call()`` logs one record, ``finish()`` pushes out what is pending, and
``kind`` names the sink counter its records arrive in (``None``: the records are written
to a local file, or nowhere, and count as delivered when ``finish()`` returns).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

MESSAGE = "user logged in"
FIELDS = {"user_id": "123"}


@dataclass
class Path:
    call: Callable[[], object]
    finish: Callable[[], object]
    kind: str | None


def _stdlib_logger(name: str, handler: logging.Handler) -> logging.Logger:
    logger = logging.getLogger(name)
    logger.handlers.clear()
    logger.propagate = False
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    return logger


def _client(sink: str) -> Any:
    from neurallog import NeuralLog

    return NeuralLog(api_key="bench", endpoint=sink + "/v1")  # defaults: batching on


def _flush(client: Any) -> Callable[[], object]:
    return lambda: client.flush(300)


def native(sink: str, folder: str) -> Path:
    client = _client(sink)
    return Path(lambda: client.info(MESSAGE, FIELDS), _flush(client), "neurallog")


def handler(sink: str, folder: str) -> Path:
    from neurallog.integrations.logging import NeuralLogHandler

    client = _client(sink)
    logger = _stdlib_logger("bench.handler", NeuralLogHandler(client))
    return Path(lambda: logger.info(MESSAGE, extra=FIELDS), _flush(client), "neurallog")


def structlog_processor(sink: str, folder: str) -> Path:
    import structlog

    from neurallog.integrations.structlog import NeuralLogProcessor

    client = _client(sink)

    def drop(logger: Any, method: str, event: Any) -> Any:
        raise structlog.DropEvent  # shipped by the processor before; nothing written locally

    structlog.configure(
        processors=[
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso"),
            NeuralLogProcessor(client),
            drop,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.INFO),
        cache_logger_on_first_use=True,
    )
    logger = structlog.get_logger("bench.structlog")
    return Path(lambda: logger.info(MESSAGE, **FIELDS), _flush(client), "neurallog")


def loguru_sink(sink: str, folder: str) -> Path:
    from loguru import logger

    from neurallog.integrations.loguru import NeuralLogSink

    client = _client(sink)
    logger.remove()
    logger.add(NeuralLogSink(client), level="INFO")
    bound = logger.bind(**FIELDS)
    return Path(lambda: bound.info(MESSAGE), _flush(client), "neurallog")


def structlog_drop(sink: str, folder: str) -> Path:
    import structlog

    def drop(logger: Any, method: str, event: Any) -> Any:
        raise structlog.DropEvent

    # The processor path's chain without the processor: structlog's own cost of the call.
    structlog.configure(
        processors=[
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso"),
            drop,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.INFO),
        cache_logger_on_first_use=True,
    )
    logger = structlog.get_logger("bench.structlog")
    return Path(lambda: logger.info(MESSAGE, **FIELDS), lambda: None, None)


def loguru_null(sink: str, folder: str) -> Path:
    from loguru import logger

    logger.remove()
    logger.add(lambda message: None, level="INFO")  # loguru's own cost of a callable sink
    bound = logger.bind(**FIELDS)
    return Path(lambda: bound.info(MESSAGE), lambda: None, None)


def stdlib_null(sink: str, folder: str) -> Path:
    logger = _stdlib_logger("bench.null", logging.NullHandler())
    return Path(lambda: logger.info(MESSAGE, extra=FIELDS), lambda: None, None)


def stdlib_file(sink: str, folder: str) -> Path:
    handler = logging.FileHandler(os.path.join(folder, "app.log"))
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    logger = _stdlib_logger("bench.file", handler)
    return Path(lambda: logger.info(MESSAGE, extra=FIELDS), handler.flush, None)


def opentelemetry(sink: str, folder: str) -> Path:
    from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter
    from opentelemetry.sdk._logs import LoggerProvider, LoggingHandler
    from opentelemetry.sdk._logs.export import BatchLogRecordProcessor

    # Its full queue warns on every record it drops; the delivered count says it.
    logging.getLogger("opentelemetry").setLevel(logging.ERROR)
    provider = LoggerProvider()
    provider.add_log_record_processor(
        BatchLogRecordProcessor(OTLPLogExporter(endpoint=sink + "/v1/logs"))
    )
    logger = _stdlib_logger("bench.otel", LoggingHandler(logger_provider=provider))
    return Path(
        lambda: logger.info(MESSAGE, extra=FIELDS), lambda: provider.force_flush(300_000), "otlp"
    )


def sentry(sink: str, folder: str) -> Path:
    import sentry_sdk

    host = sink.split("://", 1)[1]
    sentry_sdk.init(
        dsn=f"http://public@{host}/1",
        enable_logs=True,
        default_integrations=False,  # its logging integration would also take stdlib records
        _experiments={"transport_compression_algo": "gzip"},
    )
    from sentry_sdk import logger as log

    return Path(lambda: log.info(MESSAGE, **FIELDS), lambda: sentry_sdk.flush(300), "sentry")


def logtail(sink: str, folder: str) -> Path:
    from logtail import LogtailHandler

    handler = LogtailHandler(source_token="bench", host=sink + "/")  # noqa: S106
    logger = _stdlib_logger("bench.logtail", handler)
    return Path(lambda: logger.info(MESSAGE, extra=FIELDS), handler.flush, "logtail")


def loguru_file(sink: str, folder: str) -> Path:
    from loguru import logger

    logger.remove()
    logger.add(os.path.join(folder, "loguru.log"), level="INFO")
    bound = logger.bind(**FIELDS)
    return Path(lambda: bound.info(MESSAGE), lambda: None, None)


def structlog_file(sink: str, folder: str) -> Path:
    import structlog

    out = open(os.path.join(folder, "structlog.log"), "w")  # noqa: SIM115 - lives for the run
    structlog.configure(
        processors=[
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso"),
            structlog.processors.JSONRenderer(),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.INFO),
        logger_factory=structlog.WriteLoggerFactory(out),
        cache_logger_on_first_use=True,
    )
    logger = structlog.get_logger("bench.structlog")
    return Path(lambda: logger.info(MESSAGE, **FIELDS), out.flush, None)


#: The path whose caller cost is the library's own floor, for each SDK path built on a
#: logging library: the table shows how much the SDK adds to it.
FLOORS: dict[str, str] = {"handler": "null", "structlog": "structlog-drop", "loguru": "loguru-null"}

#: Table order: name, label, setup.
PATHS: list[tuple[str, str, Callable[[str, str], Path]]] = [
    ("native", "neurallog `client.info()`", native),
    ("handler", "stdlib `logger.info()` -> `NeuralLogHandler`", handler),
    ("structlog", "structlog -> `NeuralLogProcessor`", structlog_processor),
    ("loguru", "loguru -> `NeuralLogSink`", loguru_sink),
    ("null", "stdlib `logger.info()` -> `NullHandler` (the floor)", stdlib_null),
    ("structlog-drop", "structlog without the processor (its floor)", structlog_drop),
    ("loguru-null", "loguru -> a sink that does nothing (its floor)", loguru_null),
    ("file", "stdlib `logger.info()` -> `FileHandler`", stdlib_file),
    ("otel", "OpenTelemetry LoggingHandler + BLRP + OTLP/HTTP", opentelemetry),
    ("sentry", "sentry-sdk `sentry_sdk.logger.info()`", sentry),
    ("logtail", "logtail-python `LogtailHandler`", logtail),
    ("loguru-file", "loguru -> file", loguru_file),
    ("structlog-file", "structlog JSON -> file", structlog_file),
]
