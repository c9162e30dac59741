"""`neurallog local` for the commands: its banner, `--print-env`, the state file through
which the commands find it, and a tail that outlives a restart of it."""

from __future__ import annotations

import json
import re
import signal
import stat
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from queue import Queue

import pytest

from neurallog import NeuralLog
from neurallog.exceptions import ConfigurationError

from .conftest import COMMAND_TIMEOUT, SCRIPT, Cli, clean_env, json_lines, run
from .test_processes import _reader

pytestmark = pytest.mark.slow


@contextmanager
def local_server(env: dict[str, str], *args: str) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """``neurallog local ARGS``; yields its banner once it serves, and stops it with Ctrl-C."""
    process = subprocess.Popen(
        [SCRIPT, "local", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    assert process.stdout is not None
    try:
        banner = []
        for line in process.stdout:
            banner.append(line)
            if line.startswith("Press Ctrl-C"):
                break
        assert banner, "no output"
        assert banner[-1].startswith("Press Ctrl-C"), "".join(banner)
        yield "".join(banner), process
        process.send_signal(signal.SIGINT)
        process.wait(COMMAND_TIMEOUT)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_commands_find_a_running_local(tmp_path: Path, cli: Cli) -> None:
    state = tmp_path / "state" / "local.json"
    env = clean_env(state)
    with local_server(env, "--db", str(tmp_path / "db"), "--port", "0") as (banner, process):
        endpoint = re.search(r"export NEURALLOG_ENDPOINT=(\S+)", banner)
        key = re.search(r"export NEURALLOG_API_KEY=(nl_dev_\w+)", banner)
        assert endpoint, banner
        assert key, banner
        assert re.search(r"viewer: +http://127\.0\.0\.1:\d+/ui/login\?token=\S+", banner)

        # Recorded for this user only, with the pid of the server.
        assert stat.S_IMODE(state.stat().st_mode) == 0o600
        recorded = json.loads(state.read_text())
        assert (recorded["endpoint"], recorded["pid"]) == (endpoint[1], process.pid)

        # No NEURALLOG_* variable: the commands use the recorded server.
        assert cli("send", "found by the state file", env=env)[0] == 0
        _, out, _ = cli("search", "--json", env=env)
        assert [e["message"] for e in json_lines(out)] == ["found by the state file"]

        # --print-env prints the banner's lines, for eval.
        printed = run("local", "--print-env", env=env)
        assert printed.stdout.splitlines() == [
            f"export NEURALLOG_ENDPOINT={endpoint[1]}",
            f"export NEURALLOG_API_KEY={key[1]}",
        ]
        shell = subprocess.run(
            ["bash", "-c", f'eval "$({SCRIPT} local --print-env)"; echo "$NEURALLOG_ENDPOINT"'],
            capture_output=True, text=True, env=env, timeout=COMMAND_TIMEOUT, check=True,
        )  # fmt: skip
        assert shell.stdout.strip() == endpoint[1]

        # The SDK's client never reads the state file.
        with pytest.raises(ConfigurationError):
            NeuralLog()
    assert not state.exists()  # removed on a clean exit


def test_tail_resumes_after_the_server_restarts(tmp_path: Path) -> None:
    env = clean_env(tmp_path / "local.json")
    db = str(tmp_path / "db")
    lines: Queue[str] = Queue()
    tail: subprocess.Popen[str] | None = None
    try:
        with local_server(env, "--db", db, "--port", "0") as (banner, _):
            endpoint = re.search(r"export NEURALLOG_ENDPOINT=(\S+)", banner)
            key = re.search(r"export NEURALLOG_API_KEY=(\S+)", banner)
            assert endpoint
            assert key
            with NeuralLog(api_key=key[1], endpoint=endpoint[1]) as client:
                client.info("before the restart")
            tail = subprocess.Popen(
                [SCRIPT, "tail", "-f", "--json"],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                env=dict(env, NEURALLOG_ENDPOINT=endpoint[1], NEURALLOG_API_KEY=key[1]),
            )  # fmt: skip
            _reader(tail.stdout, lines)
            assert json.loads(lines.get(timeout=COMMAND_TIMEOUT))["message"] == "before the restart"
        # Stopped; started again on the same port and database (so with the same key).
        port = endpoint[1].rsplit(":", 1)[1].split("/")[0]
        with local_server(env, "--db", db, "--port", port):
            with NeuralLog(api_key=key[1], endpoint=endpoint[1]) as client:
                client.info("after the restart")
            assert json.loads(lines.get(timeout=COMMAND_TIMEOUT))["message"] == "after the restart"
            tail.send_signal(signal.SIGINT)
            assert tail.wait(COMMAND_TIMEOUT) == 0
        assert tail.stderr is not None
        notices = tail.stderr.read().splitlines()
        assert len(notices) == 2, notices
        assert notices[0].startswith("tail: connection lost")
        assert notices[1] == "tail: resumed"
    finally:
        if tail is not None and tail.poll() is None:
            tail.kill()
            tail.wait()
