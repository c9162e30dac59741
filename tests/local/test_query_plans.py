"""Searches reach rows through indexes, never by visiting every entry of the tenant.

A query plan does not depend on how many rows there are (the server keeps no planner
statistics), so a small database shows the plan a million-entry one gets.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import httpx
import pytest

from neurallog_local import LocalServer, Settings
from neurallog_local.db import Database


def test_a_ranked_search_fetches_its_page_by_primary_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    statements: list[str] = []
    connect = Database._connect

    def traced(self: Database, *args: object, **kwargs: object) -> sqlite3.Connection:
        conn = connect(self, *args, **kwargs)  # type: ignore[arg-type]
        conn.set_trace_callback(statements.append)
        return conn

    monkeypatch.setattr(Database, "_connect", traced)
    database = tmp_path / "local.db"
    with LocalServer(Settings(db=str(database))) as server:
        headers = {"X-API-Key": str(server.api_key)}
        entries = [{"level": "ERROR", "message": f"payment {i} declined"} for i in range(30)]
        ingest = httpx.post(f"{server.endpoint}/logs", json={"logs": entries}, headers=headers)
        assert ingest.status_code == 202
        found = httpx.get(
            f"{server.endpoint}/logs/search", params={"query": "declined"}, headers=headers
        )
        assert found.status_code == 200
        assert found.json()["meta"]["pagination"]["total"] == 30

    page_fetches = [s for s in statements if "json_each" in s and "FROM logs" in s]
    assert page_fetches, "the ranked search did not fetch its page rows"
    probe = sqlite3.connect(database)
    try:
        for statement in page_fetches:
            plan = " | ".join(row[3] for row in probe.execute(f"EXPLAIN QUERY PLAN {statement}"))
            assert "SEARCH logs USING INTEGER PRIMARY KEY" in plan, plan
    finally:
        probe.close()


def _traced_statements(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    statements: list[str] = []
    connect = Database._connect

    def traced(self: Database, *args: object, **kwargs: object) -> sqlite3.Connection:
        conn = connect(self, *args, **kwargs)  # type: ignore[arg-type]
        conn.set_trace_callback(statements.append)
        return conn

    monkeypatch.setattr(Database, "_connect", traced)
    return statements


def test_a_metadata_equality_filter_reads_only_the_rows_holding_the_value(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Without the full-text index a filter on a metadata field visits every entry of the
    # tenant (550 ms at a million); the index finds the few rows that hold the value.
    statements = _traced_statements(monkeypatch)
    database = tmp_path / "local.db"
    entries = [
        {"level": "INFO", "message": "user logged in", "metadata": {"user": "user_4711"}},
        {"level": "INFO", "message": "user logged in", "metadata": {"user": "User-4711 "}},
        {"level": "INFO", "message": "user_4711 logged in", "metadata": {"user": "other"}},
        {"level": "INFO", "message": "user logged in", "metadata": {"by": "user_4711"}},
        {"level": "INFO", "message": "x", "metadata": {"user": {"id": "user_4711"}}},
        *({"level": "INFO", "message": f"m {i}", "metadata": {"user": f"u{i}"}} for i in range(30)),
    ]
    with LocalServer(Settings(db=str(database))) as server:
        headers = {"X-API-Key": str(server.api_key)}
        ingest = httpx.post(f"{server.endpoint}/logs", json={"logs": entries}, headers=headers)
        assert ingest.status_code == 202
        statements.clear()
        found = httpx.get(
            f"{server.endpoint}/logs/search",
            params={"filter": '{"metadata.user": "user_4711"}'},
            headers=headers,
        )
        assert found.status_code == 200
        body = found.json()
        # Exactly the entry whose metadata.user is that string: the others hold the same
        # words elsewhere, or a value that tokenizes alike.
        assert body["meta"]["pagination"]["total"] == 1
        assert [e["metadata"] for e in body["data"]] == [{"user": "user_4711"}]
        listed = httpx.get(
            f"{server.endpoint}/logs/search",
            params={"filter": '{"metadata.user": {"in": ["u3", "user_4711"]}}'},
            headers=headers,
        )
        assert listed.json()["meta"]["pagination"]["total"] == 2

    reads = [s for s in statements if "json_extract" in s and "FROM logs" in s]
    assert reads, "the filter ran no statement on logs"
    probe = sqlite3.connect(database)
    try:
        for statement in reads:
            plan = " | ".join(row[3] for row in probe.execute(f"EXPLAIN QUERY PLAN {statement}"))
            assert "VIRTUAL TABLE INDEX" in plan, plan  # logs_fts finds the candidates
            assert "SEARCH logs USING INTEGER PRIMARY KEY" in plan, plan
            assert "logs_tenant" not in plan, plan
    finally:
        probe.close()
