"""`make demo` runs its tour against the NeuralLog Local it starts, and says what next."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

RUN_DEMO = Path(__file__).resolve().parent.parent / "examples" / "run_demo.py"
# asyncio's debug mode (-X dev) reports every callback slower than 0.1 s; on a loaded machine
# the tour's event loops have some. They say nothing about the tour, unlike any other output.
SLOW_CALLBACK = re.compile(r"^Executing <.*> took \d+(\.\d+)? seconds\n", re.M)


@pytest.mark.slow
def test_make_demo_runs_the_tour_and_says_what_next(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEURALLOG_")}
    done = subprocess.run(
        [sys.executable, "-X", "dev", "-W", "error", str(RUN_DEMO)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert SLOW_CALLBACK.sub("", done.stderr) == ""
    out = done.stdout
    for sentence in (
        "Logged 3 records; all delivered: True.",
        "Searching the last 7 days for 'error' found 2 records:",
        "Logged 100 records: 100 delivered in",
        "The live tail showed the 3 errors logged after it opened.",
        "Slack received: {'text': 'Custom alert message', 'channel': '#alerts'}",
        "The rule fired; the webhook received:",
        "{'alert': 'Payment failures', 'message': 'Card payment declined for order 1042'}",
        "asking for a rule that does not exist: rule not found (status 404)",
        "Every part of the tour ran against http://127.0.0.1:",
    ):
        assert sentence in out, f"{sentence!r} not in:\n{out}"
    assert "2023" not in out
    # What next: the records stay, and the user is told how to serve them and use them.
    database = tmp_path / "neurallog-local.db"
    assert database.exists()
    key = re.search(r"export NEURALLOG_API_KEY=(\S+)", out)
    assert key is not None
    assert f"The tour's records are kept in {database}" in out
    assert "    neurallog local\n" in out
    assert "export NEURALLOG_ENDPOINT=http://127.0.0.1:8765/v1" in out
    assert "link to its log viewer" in out
    assert "    neurallog tail -f" in out


def test_slow_callback_filter_matches_only_that_message() -> None:
    slow = "Executing <Task pending name='Task-1' coro=<main() at x.py:3>> took 0.153 seconds\n"
    other = "RuntimeWarning: coroutine 'main' was never awaited\n"
    assert SLOW_CALLBACK.sub("", slow + other) == other
