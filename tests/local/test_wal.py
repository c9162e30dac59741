"""The write-ahead log of a file database stays bounded under sustained ingest."""

from __future__ import annotations

import threading
from pathlib import Path

import httpx
import pytest

from neurallog_local.server import LocalServer
from neurallog_local.settings import KeySpec, Settings

KEY = "wal-test-key"
MiB = 1024 * 1024
WRITERS = 2
BATCHES = 60  # per writer; 500 entries each
# A WAL that is checkpointed as it grows stays within a few MiB (SQLite checkpoints every
# 1,000 pages, 4 MiB, plus the transaction being written); one that only a background
# checkpoint copies grew to about twice the database's size here.
WAL_BOUND = 10 * MiB


@pytest.mark.slow
def test_the_wal_stays_bounded_under_sustained_ingest(tmp_path: Path) -> None:
    db = tmp_path / "local.db"
    wal = Path(f"{db}-wal")
    peak = 0
    lock = threading.Lock()

    def write(writer: int, endpoint: str) -> None:
        nonlocal peak
        with httpx.Client(base_url=endpoint, headers={"X-API-Key": KEY}, timeout=60) as http:
            for batch in range(BATCHES):
                logs = [
                    {
                        "level": "INFO",
                        "message": f"writer {writer} batch {batch} entry {n} " + "word " * 40,
                        "metadata": {"n": n},
                    }
                    for n in range(500)
                ]
                assert http.post("/logs", json={"logs": logs}).status_code == 202
                size = wal.stat().st_size if wal.exists() else 0
                with lock:
                    peak = max(peak, size)

    settings = Settings(db=str(db), api_keys=[KeySpec(KEY)], rate_limit=0)
    with LocalServer(settings) as server:
        writers = [
            threading.Thread(target=write, args=(n, server.endpoint)) for n in range(WRITERS)
        ]
        for thread in writers:
            thread.start()
        for thread in writers:
            thread.join()
        database = db.stat().st_size
    # The ingest was sustained enough for an unbounded WAL to pass the bound...
    assert database > WAL_BOUND
    # ...and the WAL stayed within it.
    assert peak <= WAL_BOUND, (
        f"the WAL reached {peak / MiB:.1f} MiB (database {database / MiB:.1f} MiB)"
    )
