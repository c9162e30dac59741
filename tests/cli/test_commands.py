"""What the commands do, run in this process against NeuralLog Local."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from neurallog import NeuralLog
from neurallog_local.pytest_plugin import LocalTenant

from .conftest import Cli, clean_env, json_lines

pytestmark = pytest.mark.slow


def test_tail_shows_history_with_filters(cli: Cli, tenant_env: dict[str, str]) -> None:
    for level, source in [("info", "api"), ("warn", "api"), ("error", "worker")]:
        code, _, err = cli(
            "send", f"{level} here", "--level", level, "--source", source, env=tenant_env
        )
        assert code == 0, err
    code, out, _ = cli("tail", "--level", "warn", "--json", env=tenant_env)
    assert code == 0
    assert [e["message"] for e in json_lines(out)] == ["warn here", "error here"]  # oldest first
    code, out, _ = cli("tail", "-n", "1", env=tenant_env)
    assert out.endswith(" ERROR worker error here\n")
    code, out, _ = cli("search", "--source", "api", "--json", env=tenant_env)
    assert sorted(e["message"] for e in json_lines(out)) == ["info here", "warn here"]
    _, out, _ = cli("search", "--since", "10m", "--json", env=tenant_env)
    assert len(json_lines(out)) == 3
    _, out, _ = cli("search", "--since", "2999-01-01T00:00:00Z", "--json", env=tenant_env)
    assert out == ""


def test_tail_line_shows_metadata_tags_and_traceback(
    cli: Cli, tenant_env: dict[str, str], neurallog_local: LocalTenant
) -> None:
    with NeuralLog(api_key=neurallog_local.api_key, endpoint=neurallog_local.endpoint) as client:
        try:
            int("abc")
        except ValueError as error:
            client.error(
                "checkout failed",
                {"order": {"id": "o-1"}, "exception": {"type": "ValueError", "message": str(error),
                 "traceback": "Traceback (most recent call last):\n  File \"x.py\"\nValueError"}},
                tags=["prod"],
                source="shop",
            )  # fmt: skip
    code, out, _ = cli("tail", env=tenant_env)
    assert code == 0
    first, *trace = out.splitlines()
    assert first.endswith("ERROR shop checkout failed order.id=o-1 #prod")
    assert trace == [
        "    Traceback (most recent call last):",
        '      File "x.py"',
        "    ValueError",
    ]


def test_search_all_walks_every_page(cli: Cli, tenant_env: dict[str, str]) -> None:
    text = "".join(f"walk {i}\n" for i in range(1_234))
    assert cli("send", env=tenant_env, stdin=text)[0] == 0
    code, out, _ = cli("search", "walk", "--all", "--json", env=tenant_env)
    assert code == 0
    assert {e["message"] for e in json_lines(out)} == {f"walk {i}" for i in range(1_234)}
    code, out, err = cli("search", "walk", "--limit", "5", env=tenant_env)
    assert len(out.splitlines()) == 6  # a header and five rows
    assert "5 of 1234 matching entries (more with --limit or --all)" in err


@pytest.mark.parametrize(
    "args",
    [
        ["tail", "--level", "loud"],
        ["search", "--since", "yesterday-ish"],
        ["search", "--limit", "0"],
        ["send", "x", "--meta", "novalue"],
        ["tail", "--api-key", "a" * 10, "--token", "b" * 10],
    ],
)
def test_usage_errors_exit_2(
    cli: Cli, tenant_env: dict[str, str], args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    try:
        code, _, err = cli(*args, env=tenant_env)
    except SystemExit as exit:  # argparse's own errors
        code, err = int(str(exit.code)), capsys.readouterr().err
    assert code == 2
    assert len(err.strip().splitlines()) == 1, err


def test_api_errors_exit_1(cli: Cli, tenant_env: dict[str, str]) -> None:
    code, _, err = cli("actions", "executions", "no-such-action", env=tenant_env)
    assert code == 1
    assert err.startswith("neurallog actions: ")
    code, _, err = cli("search", env=dict(tenant_env, NEURALLOG_API_KEY="not-a-key-here"))
    assert code == 1
    assert "API key is not valid" in err


def test_nothing_configured_is_a_usage_error(cli: Cli, tmp_path: Path) -> None:
    code, _, err = cli("search", env=clean_env(tmp_path / "none.json"))
    assert code == 2
    assert "start `neurallog local`" in err


def test_rules_and_actions(
    cli: Cli, tenant_env: dict[str, str], neurallog_local: LocalTenant
) -> None:
    with NeuralLog(api_key=neurallog_local.api_key, endpoint=neurallog_local.endpoint) as client:
        action = client.actions.create(
            name="page on-call", type="webhook", parameters={"url": "http://127.0.0.1:9/hook"}
        )
        rule = client.rules.create(
            name="errors from billing",
            condition={"type": "log_level", "parameters": {"level": "ERROR"}},
            actions=[{"action_id": action["id"]}],
        )
        client.actions.execute(action["id"])
    code, out, _ = cli("rules", "list", env=tenant_env)
    assert code == 0
    assert "errors from billing" in out
    assert "level >= ERROR" in out
    [listed] = json_lines(cli("rules", "list", "--json", env=tenant_env)[1])
    assert listed["id"] == rule["id"]
    code, out, _ = cli("rules", "test", rule["id"], "boom", "--level", "error", env=tenant_env)
    assert (code, out.splitlines()[0]) == (0, "matched")
    _, out, _ = cli("rules", "test", rule["id"], "fine", "--level", "info", env=tenant_env)
    assert out.splitlines()[0] == "no match"
    _, out, _ = cli("actions", "list", env=tenant_env)
    assert "page on-call" in out
    assert "webhook" in out
    _, out, _ = cli("actions", "executions", action["id"], "--json", env=tenant_env)
    assert [e["status"] for e in json_lines(out)] == ["failed"]  # nothing listens on port 9
    _, out, _ = cli("actions", "executions", action["id"], env=tenant_env)
    assert "failed" in out
    assert "manual" in out


def test_colour_on_a_terminal_only_and_never_with_no_color(
    cli: Cli, tenant_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli("send", "coloured?", "--level", "error", env=tenant_env)[0] == 0
    monkeypatch.setenv("FORCE_COLOR", "1")  # as if stdout were a terminal
    _, out, _ = cli("tail", env=tenant_env)
    assert "\x1b[" in out
    _, out, _ = cli("tail", env=dict(tenant_env, NO_COLOR="1"))
    assert re.search(r"\x1b\[[0-9;]*3[0-9]", out) is None  # no foreground colour
    assert "coloured?" in out
