"""The state file through which the commands find NeuralLog Local."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from neurallog_local.statefile import read_state, remove_state, state_path, write_state

from .conftest import Cli, clean_env


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _info(pid: int) -> dict[str, object]:
    return {"endpoint": "http://127.0.0.1:1/v1", "pid": pid, "api_key": "nl_dev_x"}


def test_written_for_this_user_only(tmp_path: Path) -> None:
    path = tmp_path / "dir" / "local.json"
    assert write_state(_info(os.getpid()), path) == path
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert read_state(path) == _info(os.getpid())


def test_a_dead_servers_file_is_ignored_and_replaced(tmp_path: Path, cli: Cli) -> None:
    path = tmp_path / "local.json"
    path.write_text(json.dumps(_info(_dead_pid())))
    assert read_state(path) is None
    code, _, err = cli("search", env=clean_env(path))
    assert code == 2
    assert "no endpoint" in err
    assert write_state(_info(os.getpid()), path) == path


def test_a_live_servers_file_is_kept_until_it_stops(tmp_path: Path) -> None:
    path = tmp_path / "local.json"
    first = os.getppid()  # alive, and not this process
    write_state(_info(first), path)
    assert write_state(_info(os.getpid()), path) is None
    remove_state(os.getpid(), path)  # not ours to remove
    assert read_state(path) == _info(first)
    remove_state(first, path)
    assert not path.exists()


def test_location_follows_the_platform_convention(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NEURALLOG_LOCAL_STATE_FILE")
    monkeypatch.setenv("XDG_STATE_HOME", "/somewhere/state")
    if sys.platform.startswith("linux"):
        assert state_path() == Path("/somewhere/state/neurallog/local.json")
    monkeypatch.setenv("NEURALLOG_LOCAL_STATE_FILE", "/elsewhere/x.json")
    assert state_path() == Path("/elsewhere/x.json")


def test_print_env_without_a_running_server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from neurallog_local.cli import main

    monkeypatch.setenv("NEURALLOG_LOCAL_STATE_FILE", str(tmp_path / "none.json"))
    db = str(tmp_path / "local.db")
    assert main(["--print-env", "--db", db, "--port", "9876"]) == 0
    first = capsys.readouterr().out.splitlines()
    assert first[0] == "export NEURALLOG_ENDPOINT=http://127.0.0.1:9876/v1"
    assert first[1].startswith("export NEURALLOG_API_KEY=nl_dev_")
    # The database keeps the key: the server started on it later uses the same one.
    assert main(["--print-env", "--db", db, "--port", "9876"]) == 0
    assert capsys.readouterr().out.splitlines() == first
    assert main(["--print-env", "--db", ":memory:"]) == 2
    assert "start it first" in capsys.readouterr().err
