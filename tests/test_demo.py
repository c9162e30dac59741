"""`make demo`'s tour runs to the end against NeuralLog Local."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

QUICKSTART = Path(__file__).resolve().parent.parent / "examples" / "quickstart.py"


def test_quickstart_runs_every_example(neurallog_local: Any) -> None:
    env = {
        **os.environ,
        "NEURALLOG_ENDPOINT": neurallog_local.endpoint,
        "NEURALLOG_API_KEY": neurallog_local.api_key,
    }
    env.pop("NEURALLOG_TOKEN", None)
    done = subprocess.run(
        [sys.executable, "-X", "dev", "-W", "error", str(QUICKSTART)],
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    out = done.stdout
    assert "search found 2 entries between 2023-04-01 and 2023-04-08" in out
    assert "the stream delivered all three entries logged after it opened" in out
    assert "Slack received: {'text': 'Custom alert message', 'channel': '#alerts'}" in out
    assert "the webhook received: {'alert': 'Payment failures'" in out
    assert "API Error: rule not found, Code: not_found, Status: 404" in out
    assert out.rstrip().endswith(f"Every example ran against {neurallog_local.endpoint}")
