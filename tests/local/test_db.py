"""The SQLite layer: connections of a file database."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from neurallog_local.db import Database


def test_read_connections_of_ended_threads_are_closed(tmp_path: Path) -> None:
    # The server reads from worker threads that its thread pool retires when idle.
    db = Database(str(tmp_path / "local.db"))
    used: list[sqlite3.Connection] = []

    def read() -> None:
        with db.read() as conn:
            conn.execute("SELECT count(*) FROM logs").fetchone()
            used.append(conn)

    try:
        for _ in range(3):
            worker = threading.Thread(target=read)
            worker.start()
            worker.join()
        # Each new thread's first read closed the connections of the threads that ended.
        for conn in used[:2]:
            with pytest.raises(sqlite3.ProgrammingError, match="closed"):
                conn.execute("SELECT 1")
        with db.read() as conn:  # this thread's own connection works
            assert conn.execute("SELECT count(*) FROM logs").fetchone()[0] == 0
    finally:
        db.close()
