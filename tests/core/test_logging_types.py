"""What a type checker sees of the logging methods: full signatures, not ``Callable[..., Any]``.

The methods are generated from one definition; these checks run ``mypy --strict`` on code a
user would write, and fail if the generated methods lose their types.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

USER_CODE = """
from collections.abc import Coroutine
from typing import Any, assert_type

from neurallog import LogBatch, NeuralLog
from neurallog.async_client import AsyncBoundLogger, AsyncNeuralLog
from neurallog.client import BoundLogger
from neurallog.integrations.flask import NeuralLogFlask

client = NeuralLog(api_key="k", endpoint="http://127.0.0.1:9/v1")
assert_type(client.info("m", {"a": 1}, user_id="1", exc_info=True), None)
assert_type(client.log("WARN", "m", None, "src", ["t"], "2024-01-02T03:04:05Z"), None)
assert_type(client.bind(a=1), BoundLogger)
assert_type(client.bind(a=1).exception("m", source="s"), None)
assert_type(LogBatch(client).critical("m"), None)
assert_type(NeuralLogFlask().warning("m", b=2), None)
aclient = AsyncNeuralLog.from_client(client)
assert_type(aclient.bind(a=1), AsyncBoundLogger)
pending = aclient.warn("m", user="u")
assert_type(pending, Coroutine[Any, Any, None])
pending.close()
client.info("m", {"a": 1}, "source")  # error: source is keyword-only
client.error("m", tags=[1])  # error: tags are strings
client.log("INFO", "m", timestamp=3)  # error: timestamp is a str or datetime
client.bind(a=1).debug("m", metadata=["x"])  # error: metadata is a mapping
client.exception("m", exc_info="yes")  # error: exc_info of another kind
"""


@pytest.mark.slow
def test_the_generated_methods_are_typed_for_users(tmp_path: Path) -> None:
    module = tmp_path / "user_code.py"
    module.write_text(USER_CODE)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--disable-error-code=unused-coroutine",  # assert_type() of a coroutine
            "--no-error-summary",
            str(module),
        ],
        cwd=REPO,  # reuses the project's mypy cache when `make typecheck` ran first
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    errors = {
        int(match.group(1)) for match in re.finditer(r"user_code\.py:(\d+): error", result.stdout)
    }
    expected = {
        number for number, line in enumerate(USER_CODE.splitlines(), start=1) if "# error:" in line
    }
    assert errors == expected, result.stdout
