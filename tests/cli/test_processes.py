"""The ``neurallog`` console script as a subprocess against NeuralLog Local: exit codes,
output to pipes, stdin, a live tail and Ctrl-C."""

from __future__ import annotations

import json
import signal
import subprocess
import threading
from pathlib import Path
from queue import Queue
from typing import IO

import pytest

from neurallog import NeuralLog
from neurallog_local.pytest_plugin import LocalTenant

from .conftest import COMMAND_TIMEOUT, SCRIPT, clean_env, json_lines, run

pytestmark = pytest.mark.slow


def test_send_then_search_as_json(tenant_env: dict[str, str]) -> None:
    sent = run(
        "send", "payment declined", "--level", "error", "--source", "billing",
        "--meta", "order_id=o-17", "--tag", "prod", env=tenant_env,
    )  # fmt: skip
    assert sent.returncode == 0, sent.stderr
    found = run("search", "declined", "--json", env=tenant_env)
    assert found.returncode == 0, found.stderr
    [entry] = json_lines(found.stdout)
    assert entry["message"] == "payment declined"
    assert entry["level"] == "ERROR"
    assert entry["source"] == "billing"
    assert entry["metadata"] == {"order_id": "o-17"}
    assert entry["tags"] == ["prod"]
    # A table to a pipe: whole lines, no colour codes.
    table = run("search", env=tenant_env)
    assert table.returncode == 0, table.stderr
    assert "payment declined order_id=o-17" in table.stdout
    assert "ERROR" in table.stdout
    assert "\x1b[" not in table.stdout


def test_send_pipes_ten_thousand_lines_and_loses_none(
    tenant_env: dict[str, str], neurallog_local: LocalTenant
) -> None:
    text = "".join(f"line-{i:05d} of the piped output\n" for i in range(10_000))
    result = run("send", "--source", "piped", env=tenant_env, stdin=text)
    assert result.returncode == 0, result.stderr
    with NeuralLog(api_key=neurallog_local.api_key, endpoint=neurallog_local.endpoint) as client:
        assert client.logs.search(filter={"source": "piped"}, limit=1).total == 10_000
        for n in (0, 4_999, 9_999):
            page = client.logs.search(f'"line-{n:05d}"', limit=10)
            assert [e["message"] for e in page] == [f"line-{n:05d} of the piped output"]


def _reader(stream: IO[str] | None, lines: Queue[str]) -> None:
    def read() -> None:
        assert stream is not None
        for line in stream:
            lines.put(line)

    threading.Thread(target=read, daemon=True).start()


def test_tail_follow_prints_a_live_entry_and_ctrl_c_exits_0(
    tenant_env: dict[str, str], neurallog_local: LocalTenant
) -> None:
    with NeuralLog(api_key=neurallog_local.api_key, endpoint=neurallog_local.endpoint) as client:
        client.info("before the tail")
    process = subprocess.Popen(
        [SCRIPT, "tail", "-f", "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=tenant_env,
    )
    lines: Queue[str] = Queue()
    _reader(process.stdout, lines)
    try:
        # The history arrives first: the stream is open from then on.
        assert json.loads(lines.get(timeout=COMMAND_TIMEOUT))["message"] == "before the tail"
        with NeuralLog(
            api_key=neurallog_local.api_key, endpoint=neurallog_local.endpoint
        ) as client:
            client.warn("logged while tailing", {"user": "u1"})
        live = json.loads(lines.get(timeout=COMMAND_TIMEOUT))
        assert live["message"] == "logged while tailing"
        assert live["metadata"] == {"user": "u1"}
        process.send_signal(signal.SIGINT)
        assert process.wait(COMMAND_TIMEOUT) == 0
        assert process.stderr is not None
        assert process.stderr.read() == ""
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_errors_are_one_line_with_exit_status_2_or_1(
    tmp_path: Path, tenant_env: dict[str, str]
) -> None:
    usage = run("tail", "--no-such-flag", env=tenant_env)
    assert usage.returncode == 2
    assert "unrecognized arguments: --no-such-flag" in usage.stderr
    unreachable = clean_env(
        tmp_path / "state.json",
        NEURALLOG_ENDPOINT="http://127.0.0.1:9/v1",
        NEURALLOG_API_KEY="k" * 12,
    )
    network = run("tail", "-f", env=unreachable)
    assert network.returncode == 1
    assert "Connection refused" in network.stderr
    refused = run("send", env=dict(tenant_env, NEURALLOG_API_KEY="not-a-key"), stdin="a\nb\nc\n")
    assert refused.returncode == 1
    assert "3 of 3 entries were not delivered (3 unauthorized)" in refused.stderr
    for result in (usage, network, refused):
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
