"""Helpers of the command tests: the real ``neurallog`` console script, as a subprocess."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from neurallog_local.pytest_plugin import LocalTenant

# A hang guard for a command, not a timing assertion.
COMMAND_TIMEOUT = 120.0
SCRIPT = str(Path(sys.executable).with_name("neurallog"))


def clean_env(state_file: Path, **extra: str) -> dict[str, str]:
    """The environment of a command: no NEURALLOG_* settings but ``extra``, and a state
    file of the test's own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEURALLOG_")}
    env.pop("NO_COLOR", None)
    env["NEURALLOG_LOCAL_STATE_FILE"] = str(state_file)
    env.update(extra)
    return env


def run(
    *args: str, env: dict[str, str], stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``neurallog ARGS`` to completion, output captured (so stdout is a pipe)."""
    return subprocess.run(
        [SCRIPT, *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=COMMAND_TIMEOUT,
        check=False,
    )


@pytest.fixture
def tenant_env(neurallog_local: LocalTenant, tmp_path: Path) -> dict[str, str]:
    """The environment of commands that use a fresh tenant through NEURALLOG_* variables."""
    return clean_env(
        tmp_path / "state.json",
        NEURALLOG_ENDPOINT=neurallog_local.endpoint,
        NEURALLOG_API_KEY=neurallog_local.api_key,
    )


class Cli:
    """``neurallog ARGS`` run in this process (for behaviour that needs no process of its
    own): the exit status and what it printed."""

    def __init__(self, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
        self._capsys = capsys
        self._monkeypatch = monkeypatch

    def __call__(
        self, *args: str, env: dict[str, str], stdin: str | None = None
    ) -> tuple[int, str, str]:
        from neurallog.cli import main

        with self._monkeypatch.context() as patch:
            for name in list(os.environ):
                if name.startswith("NEURALLOG_") or name == "NO_COLOR":
                    patch.delenv(name)
            for name, value in env.items():
                if name.startswith("NEURALLOG_") or name == "NO_COLOR":
                    patch.setenv(name, value)
            if stdin is not None:
                patch.setattr(sys, "stdin", io.StringIO(stdin))
            self._capsys.readouterr()
            code = main(list(args))
            out, err = self._capsys.readouterr()
        return code, out, err


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Cli:
    return Cli(capsys, monkeypatch)


def json_lines(text: str) -> list[dict[str, Any]]:
    """The objects of JSON-lines output."""
    return [json.loads(line) for line in text.splitlines() if line.strip()]
