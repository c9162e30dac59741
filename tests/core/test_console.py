"""``console=True`` / ``NEURALLOG_CONSOLE``: each record is also written to stderr."""

from __future__ import annotations

import io
import logging
import re

import pytest

from neurallog import context
from neurallog.exceptions import ConfigurationError
from neurallog.integrations.logging import NeuralLogHandler

from .conftest import ClientFactory, Sink

ANSI = re.compile(r"\x1b\[[0-9;]*m")


class Terminal(io.StringIO):
    """A stderr that says it is a terminal."""

    def isatty(self) -> bool:
        return True


@pytest.fixture(autouse=True)
def _no_console_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NEURALLOG_CONSOLE", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)


def test_off_by_default(
    sink: Sink, make_client: ClientFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    client = make_client()
    client.error("quiet")
    assert client.flush(5)
    assert capsys.readouterr().err == ""


def test_one_line_per_record_with_level_source_message_and_fields(
    sink: Sink, make_client: ClientFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    client = make_client(console=True, source="shop")
    with context.scope(request_id="r-42"):
        client.info("User logged in", {"user_id": "123"}, note="first visit")
    client.warn("Disk", source="worker", free_gb=1.5)
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 2
    assert re.fullmatch(
        r"\d\d:\d\d:\d\d\.\d{3} INFO  \[shop\] User logged in "
        r"request_id=r-42 user_id=123 note='first visit'",
        lines[0],
    )
    assert lines[1].endswith("WARN  [worker] Disk free_gb=1.5")
    assert not ANSI.search(lines[0])  # captured stderr is not a terminal
    assert client.flush(5)
    assert len(sink.entries) == 2  # mirrored, and sent


def test_tracebacks_follow_their_line_readably(
    make_client: ClientFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    client = make_client(console=True)
    try:
        raise ValueError("bad input")
    except ValueError as exc:
        client.exception("Import failed")
        client.info("Kept for later", {"error": exc})
    text = capsys.readouterr().err
    first, *rest = text.splitlines()
    assert first.endswith("ERROR Import failed exception=ValueError: bad input")
    assert rest[0] == "Traceback (most recent call last):"
    assert 'raise ValueError("bad input")' in text
    assert text.count("ValueError: bad input") == 4  # two lines, two tracebacks
    assert "INFO  Kept for later error=ValueError: bad input" in text


def test_colours_only_on_a_terminal_without_no_color(
    make_client: ClientFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    make_client(console=True).error("red")
    coloured = terminal.getvalue()
    assert "\x1b[31mERROR" in coloured
    assert ANSI.sub("", coloured).rstrip().endswith("ERROR red")

    monkeypatch.setenv("NO_COLOR", "1")
    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    make_client(console=True).error("plain")
    assert not ANSI.search(terminal.getvalue())


@pytest.mark.parametrize(("value", "on"), [("1", True), ("true", True), ("0", False), ("", False)])
def test_the_environment_variable_turns_it_on(
    make_client: ClientFactory,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    value: str,
    on: bool,
) -> None:
    monkeypatch.setenv("NEURALLOG_CONSOLE", value)
    make_client().info("from the environment")
    assert ("from the environment" in capsys.readouterr().err) is on
    make_client(console=False).info("argument wins")
    assert capsys.readouterr().err == ""


def test_bad_values_are_refused(
    make_client: ClientFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(ConfigurationError, match="console must be True, False or None"):
        make_client(console="yes")
    monkeypatch.setenv("NEURALLOG_CONSOLE", "maybe")
    with pytest.raises(ConfigurationError, match="NEURALLOG_CONSOLE must be 1, true"):
        make_client()


def test_a_broken_stderr_never_breaks_logging(
    sink: Sink, make_client: ClientFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Broken(io.StringIO):
        def write(self, text: str) -> int:
            raise OSError("stderr is gone")

    monkeypatch.setattr("sys.stderr", Broken())
    client = make_client(console=True)
    client.info("still sent")
    assert client.flush(5)
    assert sink.messages == ["still sent"]


def test_a_stderr_logged_into_logging_does_not_loop(
    sink: Sink, make_client: ClientFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = make_client(console=True)
    logger = logging.getLogger("tests.console.stderr")
    logger.propagate = False
    logger.setLevel(logging.INFO)
    handler = NeuralLogHandler(client)
    logger.addHandler(handler)

    class IntoLogging(io.StringIO):
        def write(self, text: str) -> int:
            logger.info("stderr said %s", text.strip())
            return len(text)

    monkeypatch.setattr("sys.stderr", IntoLogging())
    try:
        client.info("once")
    finally:
        logger.removeHandler(handler)
    assert client.flush(5)
    assert sink.messages == ["once"]


def test_the_handler_option_reaches_the_console(
    sink: Sink, capsys: pytest.CaptureFixture[str]
) -> None:
    handler = NeuralLogHandler(api_key="k", endpoint=sink.url, console=True)
    logger = logging.getLogger("tests.console.handler")
    logger.propagate = False
    logger.addHandler(handler)
    try:
        logger.warning("through the handler")
    finally:
        logger.removeHandler(handler)
        handler.close()
    line = capsys.readouterr().err.strip()
    assert "WARN  [tests.console.handler] through the handler" in line
    assert "logger=tests.console.handler" in line
