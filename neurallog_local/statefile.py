"""The per-user state file through which the ``neurallog`` commands find a running server.

``neurallog local`` writes ``{endpoint, base_url, viewer_url, pid, api_key}`` there once it
serves, readable by its user only (it carries a key), and removes it on a clean exit. Only
the command-line tools read it, never the SDK's client. Standard library only: the
``neurallog`` commands import this module without the ``local`` extra installed.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from pathlib import Path
from typing import Any

#: Overrides the location (tests, or several users sharing a home directory).
ENV_STATE_FILE = "NEURALLOG_LOCAL_STATE_FILE"


def state_path() -> Path:
    """Where the state file lives for this user."""
    override = os.environ.get(ENV_STATE_FILE)
    if override:
        return Path(override)
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state")
    return base / "neurallog" / "local.json"


def pid_alive(pid: int) -> bool:
    """Whether a process with this id exists (``kill(pid, 0)`` sends nothing)."""
    if pid <= 0:
        return False
    if sys.platform == "win32":  # os.kill(pid, 0) would terminate the process there
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, as another user's process
    return True


def read_state(path: Path | None = None) -> dict[str, Any] | None:
    """The recorded server, or None when there is none, it is unreadable or it is gone."""
    path = path or state_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("endpoint"), str):
        return None
    pid = data.get("pid")
    if not isinstance(pid, int) or not pid_alive(pid):
        return None
    return data


def write_state(info: dict[str, Any], path: Path | None = None) -> Path | None:
    """Record this server unless another live one is recorded; the path written, or None.

    The file is created with mode 0600 in a 0700 directory, and replaced atomically.
    """
    path = path or state_path()
    current = read_state(path)
    if current is not None and current.get("pid") != info.get("pid"):
        return None  # the first server started keeps the file until it stops
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(info, handle)
        os.replace(partial, path)
    except OSError:
        return None
    return path


def remove_state(pid: int, path: Path | None = None) -> None:
    """Remove the state file if it records ``pid``."""
    path = path or state_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    if isinstance(data, dict) and data.get("pid") == pid:
        with contextlib.suppress(OSError):
            path.unlink()
