"""Every code block of README.md and docs/ runs as copied and shows what it says it shows."""

from __future__ import annotations

import inspect
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from .blocks import ROOT, RUNNABLE, blocks, expected_output, pages, programs

PYTHON = programs("python")
BASH = [(block, code) for block, code in programs("bash") if code.startswith(RUNNABLE)]
SHOWN = {"python", "bash", "console", "text", "json", "yaml", "toml", "ini", "http", "pycon"}
pytestmark = pytest.mark.slow


def _env(neurallog_local: Any) -> dict[str, str]:
    env = {
        **os.environ,
        "NEURALLOG_ENDPOINT": neurallog_local.endpoint,
        "NEURALLOG_API_KEY": neurallog_local.api_key,
        "PYTHONPATH": str(ROOT),
    }
    for name in ("NEURALLOG_TOKEN", "NEURALLOG_CONSOLE"):
        env.pop(name, None)
    # The programs run with the interpreter (and so the commands) of this test run.
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return env


def _check_output(out: str, code: str) -> None:
    position = 0
    for text in expected_output(code):
        found = out.find(text, position)
        assert found >= 0, f"the output lacks {text!r} (after position {position}):\n{out}"
        position = found + len(text)


@pytest.mark.parametrize(("block", "code"), PYTHON, ids=[block.id for block, _ in PYTHON])
def test_python_block_runs(block: Any, code: str, neurallog_local: Any, tmp_path: Path) -> None:
    if "\ndef test_" in "\n" + code:
        _run_test_functions(block, code, neurallog_local, tmp_path)
        return
    script = tmp_path / "program.py"
    script.write_text(code)
    done = subprocess.run(
        [sys.executable, str(script)],
        cwd=tmp_path,
        env=_env(neurallog_local),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, f"{block.id} failed:\n{done.stdout}\n{done.stderr}"
    assert "Traceback" not in done.stderr, done.stderr
    _check_output(done.stdout, code)


def _run_test_functions(block: Any, code: str, neurallog_local: Any, tmp_path: Path) -> None:
    """A block of pytest tests is shown as a test file: its tests run.

    Tests that ask only for ``neurallog_local`` run here with this test's own (no second
    server starts); others run in a pytest of their own, with its fixtures.
    """
    namespace: dict[str, Any] = {"__name__": "docs_block"}
    exec(compile(code, block.id, "exec"), namespace)  # noqa: S102 - the project's own docs
    tests = [value for name, value in namespace.items() if name.startswith("test_")]
    assert tests, f"{block.id} defines no test"
    if all(set(inspect.signature(test).parameters) <= {"neurallog_local"} for test in tests):
        for test in tests:
            test(*[neurallog_local] * len(inspect.signature(test).parameters))
        return
    script = tmp_path / "test_block.py"
    script.write_text(code)
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(script)],
        cwd=tmp_path,
        env=_env(neurallog_local),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert f"{len(tests)} passed" in done.stdout, done.stdout + done.stderr


@pytest.mark.parametrize(("block", "code"), BASH, ids=[block.id for block, _ in BASH])
def test_bash_block_runs(block: Any, code: str, neurallog_local: Any, tmp_path: Path) -> None:
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", code],
        cwd=tmp_path,
        env=_env(neurallog_local),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, f"{block.id} failed:\n{done.stdout}\n{done.stderr}"
    _check_output(done.stdout, code)


def test_every_block_is_run_or_shown() -> None:
    unknown = [
        f"{block.id}: ```{block.lang}"
        for page in pages()
        for block in blocks(page)
        if block.lang not in SHOWN
    ]
    assert unknown == [], "fences the docs test neither runs nor knows as shown: " + str(unknown)


def test_python_blocks_pass_mypy_strict(tmp_path: Path) -> None:
    files = []
    for number, (block, code) in enumerate(PYTHON):
        path = tmp_path / f"block_{number:03d}.py"
        path.write_text(f"# {block.id}\n{code}")
        files.append(str(path))
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-error-summary", *files],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
