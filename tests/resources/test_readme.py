"""The README's search, tail, rules/actions, async and generated-API examples run as written
against NeuralLog Local (with the placeholder webhook URL pointed at a test receiver)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from neurallog.client import NeuralLog

pytestmark = pytest.mark.slow

README = Path(__file__).resolve().parents[2] / "README.md"
SECTIONS = [
    "Search",
    "Live tail",
    "Rules and actions",
    "Async",
    "Calling the generated API directly",
]
PLACEHOLDER_HOOK = "https://hooks.example.com/neurallog"


def _blocks(section: str) -> list[str]:
    text = README.read_text()
    start = text.index(f"\n## {section}\n")
    end = text.find("\n## ", start + 1)
    body = text[start : end if end != -1 else len(text)]
    return re.findall(r"```python\n(.*?)```", body, flags=re.DOTALL)


@pytest.mark.parametrize("section", SECTIONS)
@pytest.mark.usefixtures("bounded_streams")  # the Live tail example loops until a FATAL entry
def test_readme_examples_run(
    section: str,
    neurallog_local: Any,
    httpserver: HTTPServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    blocks = _blocks(section)
    assert blocks, f"no python example under '## {section}'"
    monkeypatch.setenv("NEURALLOG_API_KEY", neurallog_local.api_key)
    monkeypatch.setenv("NEURALLOG_ENDPOINT", neurallog_local.endpoint)
    monkeypatch.delenv("NEURALLOG_TOKEN", raising=False)
    httpserver.expect_request("/neurallog").respond_with_data("ok")

    with NeuralLog() as seeder:
        seeder.logs.ingest(
            [
                {"level": "ERROR", "message": "error: connection failed", "source": "api-service"},
                {"level": "INFO", "message": "User logged in", "metadata": {"user_id": "123"}},
                {"level": "FATAL", "message": "fatal error", "source": "auth-service"},
            ]
        )

    namespace: dict[str, Any] = {"__name__": "readme_example"}
    try:
        for block in blocks:
            code = block.replace(PLACEHOLDER_HOOK, httpserver.url_for("/neurallog"))
            exec(compile(code, f"README.md ({section})", "exec"), namespace)  # noqa: S102
    finally:
        client = namespace.get("neurallog")
        if isinstance(client, NeuralLog):
            client.close()
    out = capsys.readouterr().out
    if section == "Live tail":
        assert "[FATAL] fatal error" in out
    if section == "Rules and actions":
        assert "succeeded" in out  # the webhook execution reached the test receiver
        assert "pattern" in out  # the ValidationError's field-level details
