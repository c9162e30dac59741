"""Every integration accepts the spool options like any other client option."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

from neurallog.integrations.logging import NeuralLogHandler

from .conftest import Collector


def _segments(directory: Path) -> list[Path]:
    return list(directory.glob("*.seg"))


def test_the_logging_handler_takes_spool_dir(
    collector: Collector, client_kwargs: dict[str, Any], api_key: str, tmp_path: Path
) -> None:
    handler = NeuralLogHandler(**client_kwargs, spool_dir=tmp_path, spool_fsync="always")
    logger = logging.getLogger("test.spool.handler")
    logger.propagate = False
    logger.addHandler(handler)
    try:
        logger.warning("through the handler", extra={"user_id": "123"})
        assert _segments(tmp_path)  # the record went to disk first
        entry = collector.wait_message(api_key, "through the handler")
        assert entry["metadata"]["user_id"] == "123"
        assert entry["metadata"]["logger"] == "test.spool.handler"
        assert entry["metadata"]["origin"]["function"] == "test_the_logging_handler_takes_spool_dir"
    finally:
        logger.removeHandler(handler)
        handler.close()


def test_flask_reads_the_spool_dir_from_the_app_config(
    collector: Collector, client_kwargs: dict[str, Any], api_key: str, tmp_path: Path
) -> None:
    flask = pytest.importorskip("flask")
    from neurallog.integrations.flask import NeuralLogFlask

    app = flask.Flask(__name__)
    app.config["NEURALLOG_SPOOL_DIR"] = str(tmp_path)
    app.config["NEURALLOG_MAX_SPOOL_BYTES"] = 1 << 20
    extension = NeuralLogFlask(app, **client_kwargs)
    try:
        extension.info("through flask")
        assert _segments(tmp_path)
        collector.wait_message(api_key, "through flask")
    finally:
        extension.close()


def test_django_settings_accept_the_spool_keys(tmp_path: Path) -> None:
    pytest.importorskip("django")
    from neurallog.integrations.django.apps import parse_settings

    kwargs, _ = parse_settings(
        {"SPOOL_DIR": str(tmp_path), "SPOOL_FSYNC": "never", "MAX_SPOOL_BYTES": 1 << 20}
    )
    assert kwargs == {
        "spool_dir": str(tmp_path),
        "spool_fsync": "never",
        "max_spool_bytes": 1 << 20,
    }


def test_fastapi_takes_spool_dir(
    collector: Collector, client_kwargs: dict[str, Any], api_key: str, tmp_path: Path
) -> None:
    fastapi = pytest.importorskip("fastapi")
    from neurallog.integrations.fastapi import NeuralLogFastAPI

    app = fastapi.FastAPI()
    integration = NeuralLogFastAPI(app=app, **client_kwargs, spool_dir=tmp_path)
    sync = integration.client._sync
    try:
        sync.info("through fastapi")
        assert _segments(tmp_path)
        collector.wait_message(api_key, "through fastapi")
    finally:
        sync.close()
