"""Typed inputs: a type checker catches a wrong condition type, action type or level name,
and the SDK specification's examples type-check as written."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from .test_e2e_local import (
    SPEC_ACTIONS,
    SPEC_ASYNC_STREAMING,
    SPEC_ASYNC_SUPPORT,
    SPEC_LOG_SEARCH,
    SPEC_LOG_STREAMING,
    SPEC_RULES,
)

ROOT = Path(__file__).resolve().parents[2]

CLIENT = """
from neurallog import NeuralLog

neurallog = NeuralLog(api_key="your-api-key", endpoint="https://api.your-tenant.neurallog.com/v1")
"""

# The logging examples of the specification, verbatim.
SPEC_LOGGING = """
# Log a message
neurallog.log(
    level="ERROR",
    message="Database connection failed",
    source="database-service",
    metadata={
        "error_code": "DB_CONN_FAILED",
        "host": "db-1.example.com"
    },
    tags=["database", "connection"]
)

# Convenience methods
neurallog.info("User logged in", {"user_id": "123"})
neurallog.error("Operation failed", {"error_code": "OP_FAILED"})

# Batch log messages
neurallog.logs.batch_log([
    {
        "level": "INFO",
        "message": "User logged in",
        "metadata": {"user_id": "123"}
    },
    {
        "level": "INFO",
        "message": "User updated profile",
        "metadata": {"user_id": "123"}
    }
])

# Use context manager for automatic flushing
with neurallog.batch() as batch:
    batch.info("User logged in", {"user_id": "123"})
    batch.info("User updated profile", {"user_id": "123"})
    batch.info("User logged out", {"user_id": "123"})
"""

MISTAKES = """
from neurallog import NeuralLog
from neurallog.async_client import AsyncNeuralLog

client = NeuralLog(api_key="k", endpoint="http://127.0.0.1:1/v1")
client.rules.create(name="r", condition={"type": "regex", "parameters": {"pattern": "x"}})
client.actions.create(name="a", type="email")
client.log(level="EROR", message="m")
client.rules.create("r", {"type": "log_level", "parameters": {"level": "ERROR", "sorces": []}})


async def main(aclient: AsyncNeuralLog) -> None:
    await aclient.rules.create("r", {"type": "pattern", "parameters": {"level": "ERROR"}})
    await aclient.actions.create("a", "email")
    await aclient.log("EROR", "m")
    async with aclient.batch() as batch:
        batch.log("EROR", "m")
"""


def _mypy(*files: Path, relaxed: bool = False) -> list[str]:
    # The specification's examples are scripts: untyped functions are theirs to have, but
    # their bodies are still checked (check_untyped_defs is part of --strict).
    flags = ["--allow-untyped-defs", "--allow-untyped-calls"] if relaxed else []
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", *flags, *map(str, files)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    return [line for line in done.stdout.splitlines() if ": error:" in line]


def _lines_with_errors(errors: list[str]) -> set[int]:
    return {int(m.group(1)) for e in errors if (m := re.search(r"\.py:(\d+): error", e))}


@pytest.mark.slow
def test_mistakes_fail_the_type_check(tmp_path: Path) -> None:
    snippet = tmp_path / "mistakes.py"
    snippet.write_text(textwrap.dedent(MISTAKES).lstrip())
    errors = _mypy(snippet)
    source = snippet.read_text().splitlines()
    wrong = {n for n, line in enumerate(source, 1) if '"regex"' in line or "email" in line}
    wrong |= {n for n, line in enumerate(source, 1) if "EROR" in line or "sorces" in line}
    wrong |= {n for n, line in enumerate(source, 1) if '"pattern", "parameters": {"level"' in line}
    assert len(wrong) == 8
    assert _lines_with_errors(errors) == wrong, "\n".join(errors)


@pytest.mark.slow
def test_the_specification_examples_type_check(tmp_path: Path) -> None:
    blocks = {
        "logging": CLIENT + SPEC_LOGGING,
        "search": CLIENT + SPEC_LOG_SEARCH,
        "streaming": CLIENT + SPEC_LOG_STREAMING,
        "async_streaming": CLIENT + SPEC_ASYNC_STREAMING,
        "rules": CLIENT + SPEC_RULES,
        "actions": CLIENT + SPEC_ACTIONS,
        "async_support": SPEC_ASYNC_SUPPORT,
    }
    files = []
    for name, code in blocks.items():
        path = tmp_path / f"spec_{name}.py"
        path.write_text(textwrap.dedent(code).lstrip())
        files.append(path)
    assert _mypy(*files, relaxed=True) == []
