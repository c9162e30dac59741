"""``sample_rate`` / ``sample_rates``: a share of each level is kept, the rest is counted."""

from __future__ import annotations

import logging
import random

import pytest

from neurallog.exceptions import ConfigurationError
from neurallog.integrations.logging import NeuralLogHandler

from .conftest import ClientFactory, Sink


def test_everything_is_kept_by_default(sink: Sink, make_client: ClientFactory) -> None:
    client = make_client(log_level="DEBUG")
    for _ in range(20):
        client.debug("d")
    assert client.flush(5)
    assert len(sink.entries) == 20
    assert client.stats.filtered == 0


def test_sample_rate_never_samples_error_and_fatal(sink: Sink, make_client: ClientFactory) -> None:
    client = make_client(log_level="DEBUG", sample_rate=0)
    for level in ("DEBUG", "INFO", "WARN", "ERROR", "FATAL"):
        for _ in range(5):
            client.log(level, level)
    client.exception("no exception active")
    assert client.flush(5)
    assert sorted(set(sink.messages)) == ["ERROR", "FATAL", "no exception active"]
    stats = client.stats
    assert stats.filtered == 15
    assert stats.enqueued == stats.sent + stats.filtered + stats.dropped_total + stats.queued


def test_per_level_rates_and_error_when_named(sink: Sink, make_client: ClientFactory) -> None:
    client = make_client(
        log_level="DEBUG", sample_rates={"debug": 0, "WARNING": 0, logging.ERROR: 0}
    )
    for level in ("DEBUG", "INFO", "WARN", "ERROR", "FATAL"):
        client.log(level, level)
    assert client.flush(5)
    assert sorted(sink.messages) == ["FATAL", "INFO"]
    assert client.stats.filtered == 3


def test_a_rate_keeps_about_that_share(sink: Sink, make_client: ClientFactory) -> None:
    random.seed(20240102)  # the module generator: a reproducible draw
    client = make_client(log_level="DEBUG", sample_rate=0.9, sample_rates={"DEBUG": 0.25})
    for _ in range(2000):
        client.debug("d")
        client.info("i")
    assert client.flush(10)
    kept_debug = sink.messages.count("d")
    kept_info = sink.messages.count("i")
    # Binomial(2000, p): these bounds are more than six standard deviations wide.
    assert 380 < kept_debug < 620
    assert 1720 < kept_info < 1880
    assert client.stats.filtered == 4000 - kept_debug - kept_info


def test_sampling_applies_to_batches_and_integrations(
    sink: Sink, make_client: ClientFactory
) -> None:
    client = make_client(sample_rates={"INFO": 0})
    with client.batch() as batch:
        batch.info("sampled out")
        batch.error("kept")
    assert len(batch) == 0  # the block has ended
    handler = NeuralLogHandler(api_key="k2", endpoint=sink.url, sample_rate=0)
    logger = logging.getLogger("tests.sampling")
    logger.propagate = False
    logger.addHandler(handler)
    try:
        logger.info("sampled out too")
        logger.error("kept too")
    finally:
        logger.removeHandler(handler)
        handler.close()
    assert client.flush(5)
    assert sorted(sink.messages) == ["kept", "kept too"]
    assert client.stats.filtered == 1


def test_sampled_out_records_are_not_mirrored(
    make_client: ClientFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    client = make_client(console=True, sample_rate=0)
    client.info("left out")
    client.error("shown")
    err = capsys.readouterr().err
    assert "left out" not in err
    assert "shown" in err


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"sample_rate": 1.5}, "sample_rate must be a number from 0"),
        ({"sample_rate": -0.1}, "sample_rate must be a number from 0"),
        ({"sample_rate": True}, "sample_rate must be a number from 0"),
        ({"sample_rate": float("nan")}, "sample_rate must be a number from 0"),
        ({"sample_rate": "0.5"}, "sample_rate must be a number from 0"),
        ({"sample_rates": {"DEBUG": 2}}, r"sample_rates\['DEBUG'\] must be a number"),
        ({"sample_rates": {"VERBOSE": 0.5}}, "sample_rates: unknown log level 'VERBOSE'"),
        ({"sample_rates": [("DEBUG", 0.5)]}, "sample_rates must be a dict"),
    ],
)
def test_bad_rates_are_refused(
    make_client: ClientFactory, options: dict[str, object], message: str
) -> None:
    with pytest.raises(ConfigurationError, match=message):
        make_client(**options)
