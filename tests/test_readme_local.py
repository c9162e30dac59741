"""The README's NeuralLog Local example is a working test."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_fixture_example_passes(neurallog_local: Any) -> None:
    text = README.read_text()
    start = text.index("\n## NeuralLog Local\n")
    body = text[start : text.index("\n## ", start + 1)]
    (block,) = re.findall(r"```python\n(.*?)```", body, flags=re.DOTALL)
    namespace: dict[str, Any] = {}
    exec(compile(block, "README.md", "exec"), namespace)  # noqa: S102 - our own README
    namespace["test_errors_are_searchable"](neurallog_local)
