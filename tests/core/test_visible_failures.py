"""Delivery problems are visible whatever the entry point, even with no logging configured.

The SDK reports on its ``neurallog`` logger. When nothing but the SDK's own handler would
receive those reports (``NeuralLogHandler`` as the only root handler, which skips them to
avoid a loop), they go where Python's "last resort" handler writes: stderr, as for an
application that configured no logging at all.
"""

from __future__ import annotations

import contextlib
import logging
import subprocess
import sys
import textwrap
from collections.abc import Iterator

import pytest

from neurallog.integrations.logging import NeuralLogHandler

from .conftest import ClientFactory, Sink, error_response

PLAIN_CLIENT = """
    from neurallog import NeuralLog

    client = NeuralLog(api_key="wrong-key", endpoint=ENDPOINT, batch_interval=0.05)
    client.info("hello")
    print(repr(client.flush(10)))
"""

ROOT_HANDLER = """
    import logging
    from neurallog.integrations.logging import NeuralLogHandler

    handler = NeuralLogHandler(api_key="wrong-key", endpoint=ENDPOINT, batch_interval=0.05)
    logging.getLogger().addHandler(handler)  # the README's setup, and nothing else
    logging.getLogger().setLevel(logging.INFO)
    logging.getLogger("app").warning("hello")
    print(repr(handler.flush()))
"""


@pytest.mark.slow
@pytest.mark.parametrize("program", [PLAIN_CLIENT, ROOT_HANDLER], ids=["client", "handler"])
def test_a_refused_key_is_reported_on_stderr_whatever_the_entry_point(
    sink: Sink, program: str
) -> None:
    sink.gate = lambda captured: error_response(401, "unauthorized", "invalid API key")
    script = f"ENDPOINT = {sink.url!r}\n" + textwrap.dedent(program)
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "False"  # flush() says the record was not delivered
    assert "NeuralLog: dropped 1 record(s) (unauthorized)" in done.stderr
    assert "invalid API key" in done.stderr
    assert "wrong-key" not in done.stderr  # the credential is never shown


@contextlib.contextmanager
def no_logging_configured() -> Iterator[logging.Logger]:
    """The root logger without handlers, as in an application that configured nothing.

    Used inside the test body: pytest adds its capturing handlers when the test starts.
    """
    root = logging.getLogger()
    saved = root.handlers[:]
    root.handlers[:] = []
    try:
        yield root
    finally:
        root.handlers[:] = saved


def test_the_handler_never_receives_the_reports_and_they_reach_stderr(
    sink: Sink, make_client: ClientFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    sink.gate = lambda captured: error_response(401, "unauthorized", "invalid API key")
    client = make_client()
    with no_logging_configured() as root:
        root.addHandler(NeuralLogHandler(client))
        logging.getLogger("app").warning("hello")
        flushed = root.handlers[0].flush()
    assert flushed is False
    assert "NeuralLog: dropped 1 record(s) (unauthorized)" in capsys.readouterr().err
    stats = client.stats
    assert stats.dropped["unauthorized"] == 1
    assert stats.dropped["recursion"] == 0  # the report never went through the handler
    assert len(sink.requests) == 1


def test_reports_go_to_the_applications_handlers_when_it_has_some(
    sink: Sink, make_client: ClientFactory, caplog: pytest.LogCaptureFixture
) -> None:
    sink.gate = lambda captured: error_response(401, "unauthorized", "invalid API key")
    client = make_client()
    client.info("hello")
    with caplog.at_level(logging.WARNING, logger="neurallog"):
        assert client.flush(10) is False
    assert any("(unauthorized)" in r.getMessage() for r in caplog.records)


def test_handler_flush_says_whether_everything_was_delivered(
    sink: Sink, make_client: ClientFactory
) -> None:
    handler = NeuralLogHandler(make_client())
    handler.handle(logging.LogRecord("app", logging.INFO, __file__, 1, "fine", None, None))
    assert handler.flush() is True
    assert sink.messages == ["fine"]


def test_logging_after_close_warns_once(
    make_client: ClientFactory, caplog: pytest.LogCaptureFixture
) -> None:
    client = make_client()
    client.close()
    with caplog.at_level(logging.DEBUG, logger="neurallog"):
        client.info("late")
        client.warn("later")
        client.log("ERROR", "latest")
    warnings = [r for r in caplog.records if "after close()" in r.getMessage()]
    assert len(warnings) == 1
    assert warnings[0].levelno == logging.WARNING
    assert client.stats.dropped["closed"] == 3


def test_logging_after_close_warns_on_stderr_with_no_logging_configured(
    make_client: ClientFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    client = make_client()
    client.close()
    with no_logging_configured():
        client.info("late")
        client.info("later")
    assert capsys.readouterr().err.count("after close()") == 1
