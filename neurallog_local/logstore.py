"""Stored log entries: insert with duplicate detection, query, delete and tail."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

import orjson

from .db import Database
from .errors import bad_request, issue
from .query import FIELDS, LEVELS, LogFilter, SortOrder, where_clause
from .timeutil import format_us

_ID_CHUNK = 500
_COLUMNS = (
    "logs.seq, logs.id, logs.ts, logs.received_at, logs.level, logs.message, "
    "logs.source, logs.metadata, logs.tags"
)


@dataclass
class PreparedEntry:
    """A validated log entry ready to be stored."""

    id: str
    ts: int
    received_at: int
    level: int
    message: str
    source: str | None
    metadata: dict[str, Any]
    tags: list[str]
    metadata_json: str
    tags_json: str
    search_tags: str
    search_meta: str

    def as_entry(self) -> dict[str, Any]:
        """The entry as the API returns it."""
        return {
            "id": self.id,
            "timestamp": format_us(self.ts),
            "received_at": format_us(self.received_at),
            "level": LEVELS[self.level],
            "message": self.message,
            "source": self.source,
            "metadata": self.metadata,
            "tags": self.tags,
        }


def row_to_entry(row: sqlite3.Row, fields: frozenset[str] | None = None) -> dict[str, Any]:
    """A stored row as the API returns it, limited to ``fields`` when given."""
    entry: dict[str, Any] = {}
    for name in FIELDS if fields is None else (f for f in FIELDS if f in fields):
        if name == "id":
            entry["id"] = row["id"]
        elif name == "timestamp":
            entry["timestamp"] = format_us(row["ts"])
        elif name == "received_at":
            entry["received_at"] = format_us(row["received_at"])
        elif name == "level":
            entry["level"] = LEVELS[row["level"]]
        elif name == "metadata":
            entry["metadata"] = orjson.loads(row["metadata"])
        elif name == "tags":
            entry["tags"] = orjson.loads(row["tags"])
        else:
            entry[name] = row[name]
    return entry


def _fts_error(exc: sqlite3.OperationalError) -> Exception:
    # The query compiler quotes every term, so this is a last line of defence: whatever
    # FTS5 still refuses is the client's query, never a server error.
    if "fts5" in str(exc).lower():
        return bad_request("malformed search query", [issue("query.query", str(exc))])
    return exc


class LogStore:
    """Log entries of every tenant; every method takes the tenant and never crosses it."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def insert(self, tenant: str, entries: list[PreparedEntry]) -> tuple[list[PreparedEntry], int]:
        """Store ``entries``; return those newly stored and how many were duplicates."""
        if not entries:
            return [], 0
        with self.db.write() as conn:
            # Placeholders, not json_each(): SQLite's JSON functions cut strings at an
            # escaped NUL, and an id may contain one.
            ids = list({entry.id for entry in entries})
            seen: set[str] = set()
            for start in range(0, len(ids), _ID_CHUNK):
                chunk = ids[start : start + _ID_CHUNK]
                marks = ", ".join("?" * len(chunk))
                rows = conn.execute(
                    f"SELECT id FROM logs WHERE tenant = ? AND id IN ({marks})",  # noqa: S608
                    [tenant, *chunk],
                )
                seen.update(row[0] for row in rows)
            fresh = []
            duplicates = 0
            for entry in entries:
                if entry.id in seen:
                    duplicates += 1
                    continue
                seen.add(entry.id)
                fresh.append(entry)
            conn.executemany(
                "INSERT INTO logs (tenant, id, ts, received_at, level, message, source,"
                " metadata, tags, search_tags, search_meta)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        tenant,
                        e.id,
                        e.ts,
                        e.received_at,
                        e.level,
                        e.message,
                        e.source,
                        e.metadata_json,
                        e.tags_json,
                        e.search_tags,
                        e.search_meta,
                    )
                    for e in fresh
                ],
            )
        return fresh, duplicates

    def get(self, tenant: str, log_id: str) -> dict[str, Any] | None:
        """One entry, or ``None``."""
        with self.db.read() as conn:
            row = conn.execute(
                f"SELECT {_COLUMNS} FROM logs WHERE tenant = ? AND id = ?",  # noqa: S608 (constant)
                (tenant, log_id),
            ).fetchone()
        return None if row is None else row_to_entry(row)

    @staticmethod
    def _source(tenant: str, selection: LogFilter) -> tuple[str, list[Any]]:
        where, params = where_clause(tenant, selection)
        if selection.match is None:
            return f"FROM logs WHERE {where}", params
        # FTS5 drives the query: it finds the matching rows, the rest filters them.
        return (
            f"FROM logs_fts JOIN logs ON logs.seq = logs_fts.rowid"
            f" WHERE logs_fts MATCH ? AND {where}",
            [selection.match, *params],
        )

    def search(
        self,
        tenant: str,
        selection: LogFilter,
        sort: SortOrder | None,
        fields: frozenset[str] | None,
        limit: int,
        offset: int,
    ) -> tuple[list[dict[str, Any]], int]:
        """A page of matching entries and the total number of matches."""
        source, params = self._source(tenant, selection)
        if sort is not None:
            tiebreak = "logs.seq DESC" if sort.descending_first else "logs.seq ASC"
            order, order_params = f"{sort.sql}, {tiebreak}", sort.params
        elif selection.match is not None:
            order, order_params = "logs_fts.rank, logs.ts DESC, logs.seq DESC", []
        else:
            order, order_params = "logs.ts DESC, logs.seq DESC", []
        try:
            with self.db.read() as conn:
                total = conn.execute(f"SELECT count(*) {source}", params).fetchone()[0]
                rows = conn.execute(
                    f"SELECT {_COLUMNS} {source} ORDER BY {order} LIMIT ? OFFSET ?",
                    [*params, *order_params, limit, offset],
                ).fetchall()
        except sqlite3.OperationalError as exc:
            raise _fts_error(exc) from None
        return [row_to_entry(row, fields) for row in rows], int(total)

    def delete(self, tenant: str, selection: LogFilter) -> int:
        """Delete every matching entry; return how many."""
        source, params = self._source(tenant, selection)
        try:
            with self.db.write() as conn:
                cursor = conn.execute(
                    # `source` is built from fixed fragments; every value is a parameter.
                    f"DELETE FROM logs WHERE seq IN (SELECT logs.seq {source})",  # noqa: S608
                    params,
                )
                return cursor.rowcount
        except sqlite3.OperationalError as exc:
            raise _fts_error(exc) from None

    def last_seq(self) -> int:
        """The cursor of the newest stored entry of any tenant (0 when empty)."""
        with self.db.read() as conn:
            row = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'logs'").fetchone()
        return int(row[0]) if row else 0

    def tail(
        self, tenant: str, selection: LogFilter, after: int, upto: int | None, limit: int
    ) -> list[tuple[int, dict[str, Any]]]:
        """Matching entries with ``after < cursor <= upto``, oldest first."""
        source, params = self._source(tenant, selection)
        bounds = " AND logs.seq > ?"
        params = [*params, after]
        if upto is not None:
            bounds += " AND logs.seq <= ?"
            params.append(upto)
        try:
            with self.db.read() as conn:
                rows = conn.execute(
                    f"SELECT {_COLUMNS} {source}{bounds} ORDER BY logs.seq LIMIT ?",
                    [*params, limit],
                ).fetchall()
        except sqlite3.OperationalError as exc:
            raise _fts_error(exc) from None
        return [(int(row["seq"]), row_to_entry(row)) for row in rows]

    def newest(
        self, tenant: str, selection: LogFilter, upto: int, count: int
    ) -> list[tuple[int, dict[str, Any]]]:
        """The newest ``count`` matching entries with a cursor up to ``upto``, oldest first."""
        if count <= 0:
            return []
        source, params = self._source(tenant, selection)
        try:
            with self.db.read() as conn:
                rows = conn.execute(
                    f"SELECT {_COLUMNS} {source} AND logs.seq <= ? ORDER BY logs.seq DESC LIMIT ?",
                    [*params, upto, count],
                ).fetchall()
        except sqlite3.OperationalError as exc:
            raise _fts_error(exc) from None
        return [(int(row["seq"]), row_to_entry(row)) for row in reversed(rows)]
