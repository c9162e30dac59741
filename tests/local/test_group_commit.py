"""Group commit: concurrent ingest batches share transactions, and each request still gets
its own answer, for its own tenant, only once its rows are stored."""

from __future__ import annotations

import asyncio
import dataclasses
import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, cast

import jsonschema_rs
import pytest

from neurallog_local.db import Database
from neurallog_local.group_commit import GroupCommitter, Stored
from neurallog_local.ingest import prepare
from neurallog_local.logstore import LogStore, PreparedEntry
from neurallog_local.rules import RuleEngine
from neurallog_local.spec import log_input_schema
from neurallog_local.store import Store
from neurallog_local.timeutil import now_us

_VALIDATOR = jsonschema_rs.Draft202012Validator(log_input_schema(), validate_formats=True)


def _batch(*ids: str) -> list[PreparedEntry]:
    logs = [{"id": i, "level": "INFO", "message": f"entry {i}"} for i in ids]
    return prepare(_VALIDATOR, logs, now_us()).entries


@pytest.fixture
def store(tmp_path: Path) -> Iterator[tuple[Database, GroupCommitter]]:
    db = Database(str(tmp_path / "group.db"))
    committer = GroupCommitter(LogStore(db), RuleEngine(Store(db)))
    try:
        yield db, committer
    finally:
        committer.close()
        db.close()


def _stored_ids(db: Database, tenant: str) -> list[str]:
    with db.read() as conn:
        rows = conn.execute("SELECT id FROM logs WHERE tenant = ? ORDER BY seq", (tenant,))
        return [row[0] for row in rows]


async def _until(condition: Callable[[], bool]) -> None:
    for _ in range(2000):  # a hang guard, not a timing assertion
        if condition():
            return
        await asyncio.sleep(0.005)
    raise AssertionError("the writer never got there")


async def _grouped(
    db: Database, committer: GroupCommitter, batches: list[tuple[str, list[PreparedEntry]]]
) -> list[Stored | BaseException]:
    """Store ``batches`` so that they wait together: the writer is held on a first batch
    (by holding the database's write lock here) while they queue."""
    with db.write():
        plug = asyncio.ensure_future(committer.store("plug", _batch("plug")))
        await _until(lambda: plug_taken(committer))
        tasks = [asyncio.ensure_future(committer.store(t, e)) for t, e in batches]
        await _until(lambda: committer.waiting == len(batches))
    await plug
    return list(await asyncio.gather(*tasks, return_exceptions=True))


def plug_taken(committer: GroupCommitter) -> bool:
    # Queued, then taken by the writer (which now waits for the lock held by the test).
    return committer._thread is not None and committer.waiting == 0


@pytest.mark.anyio
async def test_batches_that_wait_together_share_one_transaction(
    store: tuple[Database, GroupCommitter],
) -> None:
    db, committer = store
    results = await _grouped(
        db,
        committer,
        [("alpha", _batch("a1", "a2")), ("beta", _batch("b1")), ("alpha", _batch("a3"))],
    )
    assert committer.transactions == 2  # the plug, then the three batches at once
    assert committer.batches == 4
    answered = [cast(Stored, r) for r in results]
    assert [[e.id for e in r.fresh] for r in answered] == [["a1", "a2"], ["b1"], ["a3"]]
    assert [r.duplicates for r in answered] == [0, 0, 0]
    assert _stored_ids(db, "alpha") == ["a1", "a2", "a3"]
    assert _stored_ids(db, "beta") == ["b1"]


@pytest.mark.anyio
async def test_ids_shared_by_batches_of_a_group_are_duplicates_within_a_tenant_only(
    store: tuple[Database, GroupCommitter],
) -> None:
    db, committer = store
    results = await _grouped(
        db,
        committer,
        [("alpha", _batch("x", "y")), ("alpha", _batch("y", "z")), ("beta", _batch("y"))],
    )
    first, second, other = (cast(Stored, r) for r in results)
    assert ([e.id for e in first.fresh], first.duplicates) == (["x", "y"], 0)
    assert ([e.id for e in second.fresh], second.duplicates) == (["z"], 1)
    assert ([e.id for e in other.fresh], other.duplicates) == (["y"], 0)
    assert _stored_ids(db, "alpha") == ["x", "y", "z"]
    assert _stored_ids(db, "beta") == ["y"]


@pytest.mark.anyio
async def test_stored_ids_are_found_among_any_number_of_ids_in_a_group(
    store: tuple[Database, GroupCommitter],
) -> None:
    db, committer = store
    # Stored before, spread over more ids than one lookup takes (500), at uneven counts.
    stored = [f"s{n}" for n in range(0, 4200, 7)]
    committer.logs.insert_batches([("alpha", _batch(*stored))])
    fresh_ids = [f"f{n}" for n in range(613)]
    first = [*fresh_ids[:300], *stored[:90]]
    second = [*stored[90:], *fresh_ids[300:], "f0"]
    results = await _grouped(db, committer, [("alpha", _batch(*first)), ("alpha", _batch(*second))])
    one, two = (cast(Stored, r) for r in results)
    assert ([e.id for e in one.fresh], one.duplicates) == (fresh_ids[:300], 90)
    assert ([e.id for e in two.fresh], two.duplicates) == (fresh_ids[300:], len(stored) - 90 + 1)
    assert _stored_ids(db, "alpha") == [*stored, *fresh_ids]


@pytest.mark.anyio
async def test_a_batch_sqlite_refuses_fails_alone(store: tuple[Database, GroupCommitter]) -> None:
    db, committer = store
    # A value SQLite cannot bind: the group's transaction fails on it.
    refused = [dataclasses.replace(_batch("bad")[0], message=cast(Any, object()))]
    results = await _grouped(
        db,
        committer,
        [("alpha", _batch("a1")), ("beta", refused), ("alpha", _batch("a2"))],
    )
    assert isinstance(results[1], sqlite3.Error)
    assert [[e.id for e in cast(Stored, results[i]).fresh] for i in (0, 2)] == [["a1"], ["a2"]]
    assert _stored_ids(db, "alpha") == ["a1", "a2"]
    assert _stored_ids(db, "beta") == []
    # The plug, then each good batch of the failed group in its own transaction.
    assert committer.transactions == 3
    # Search still finds what was stored (the full-text rows went with the retried batches).
    with db.read() as conn:
        found = conn.execute("SELECT count(*) FROM logs_fts WHERE logs_fts MATCH 'entry'")
        assert found.fetchone()[0] == 3  # a1, a2 and the plug


@pytest.mark.anyio
async def test_closing_stores_what_is_queued(store: tuple[Database, GroupCommitter]) -> None:
    db, committer = store
    with db.write():
        pending = [
            asyncio.ensure_future(committer.store("alpha", _batch(f"e{i}"))) for i in range(3)
        ]
        await _until(lambda: committer._thread is not None and committer.waiting < 3)
        closing = threading.Thread(target=committer.close)
        closing.start()
    results = await asyncio.gather(*pending)
    closing.join()
    assert sum(len(r.fresh) for r in results) == 3
    assert _stored_ids(db, "alpha") == ["e0", "e1", "e2"]
    with pytest.raises(RuntimeError, match="shutting down"):
        await committer.store("alpha", _batch("late"))


class _WriterStops(BaseException):
    """Not an Exception: what the writer does not survive (as KeyboardInterrupt)."""


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_batches_after_the_writer_stopped_fail_at_once_instead_of_waiting_for_ever(
    store: tuple[Database, GroupCommitter], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, committer = store

    def stop(batches: object) -> None:
        raise _WriterStops

    monkeypatch.setattr(committer.logs, "insert_batches", stop)

    async def run() -> None:
        with pytest.raises(_WriterStops):
            await committer.store("t1", _batch("a"))
        with pytest.raises(RuntimeError, match="stopped"):
            await asyncio.wait_for(committer.store("t1", _batch("b")), 30)

    asyncio.run(run())
