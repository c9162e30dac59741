"""Stored log entries: insert with duplicate detection, query, delete and tail."""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson

from .db import Database
from .errors import bad_request, issue
from .fts import TEXT_COLUMNS, facets, scoped
from .query import FIELDS, LEVELS, SEVERITY, LogFilter, SortOrder, fts_narrowing, where_clause
from .timeutil import format_us

_ID_CHUNK = 500
# Rows per INSERT statement: 12 parameters each, well within SQLite's 32,766.
_INSERT_CHUNK = 250
# Relevance ranks the newest this many matches of a search; older matches follow them,
# newest first. Scoring costs several microseconds per match, and a common word can match
# a third of a million entries.
RELEVANCE_WINDOW = 1_000
_COLUMNS = (
    "logs.seq, logs.id, logs.ts, logs.received_at, logs.level, logs.message, "
    "logs.source, logs.metadata, logs.tags"
)


@dataclass(slots=True)
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


@functools.lru_cache(maxsize=64)
def _insert_statement(rows: int) -> str:
    """``INSERT INTO logs`` of ``rows`` rows, every value a parameter."""
    marks = ", ".join(["(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"] * rows)
    return (
        "INSERT INTO logs (tenant, id, ts, received_at, level, message, source,"  # noqa: S608 (placeholders)
        " metadata, tags, search_tags, search_meta, facets) VALUES " + marks
    )


def _fts_error(exc: sqlite3.OperationalError) -> Exception:
    # The query compiler quotes every term, so this is a last line of defence: whatever
    # FTS5 still refuses is the client's query, never a server error.
    if "fts5" in str(exc).lower():
        return bad_request("malformed search query", [issue("query.query", str(exc))])
    return exc


def _fresh(entries: list[PreparedEntry], known: set[str]) -> tuple[list[PreparedEntry], int]:
    """The entries whose id is not in ``known`` (the first of each id), and how many were
    not; ``known`` gains the ids of the fresh ones."""
    fresh = []
    duplicates = 0
    for entry in entries:
        if entry.id in known:
            duplicates += 1
            continue
        known.add(entry.id)
        fresh.append(entry)
    return fresh, duplicates


class LogStore:
    """Log entries of every tenant; every method takes the tenant and never crosses it."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def insert_batches(
        self, batches: list[tuple[str, list[PreparedEntry]]]
    ) -> list[tuple[list[PreparedEntry], int]]:
        """Store each ``(tenant, entries)`` batch, all in one transaction; return, per
        batch, the entries newly stored and how many were duplicates.

        Batches are stored in order, so an id that two batches of one tenant share is
        stored by the first and a duplicate in the second.
        """
        with self.db.write() as conn:
            last = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'logs'").fetchone()
            known = self._stored_ids(conn, batches)
            stored = []
            for tenant, entries in batches:
                fresh, duplicates = _fresh(entries, known[tenant])
                self._insert_rows(conn, tenant, fresh)
                stored.append((fresh, duplicates))
            # One pass over the new rows for the whole group: FTS5 indexes them together.
            conn.execute(
                "INSERT INTO logs_fts (rowid, message, source, search_tags, search_meta, facets)"
                " SELECT seq, message, source, search_tags, search_meta, facets FROM logs"
                " WHERE seq > ?",
                (last[0] if last else 0,),
            )
        return stored

    @staticmethod
    def _stored_ids(
        conn: sqlite3.Connection, batches: list[tuple[str, list[PreparedEntry]]]
    ) -> dict[str, set[str]]:
        """Per tenant, which ids of ``batches`` are stored already.

        One query per tenant (and 500 ids) for the whole group, not one per batch: every
        statement gives up the GIL and waits to take it back from the event loop.
        """
        # Placeholders, not json_each(): SQLite's JSON functions cut strings at an escaped
        # NUL, and an id may contain one.
        wanted: dict[str, set[str]] = {}
        for tenant, entries in batches:
            wanted.setdefault(tenant, set()).update(entry.id for entry in entries)
        known: dict[str, set[str]] = {}
        for tenant, ids in wanted.items():
            found = known[tenant] = set()
            listed = list(ids)
            for start in range(0, len(listed), _ID_CHUNK):
                chunk = listed[start : start + _ID_CHUNK]
                # Padded with its own last id to a multiple of 50, so that a few statements
                # serve every group size from the statement cache (a repeat changes no match).
                chunk += chunk[-1:] * (-len(chunk) % 50)
                marks = ", ".join("?" * len(chunk))
                rows = conn.execute(
                    f"SELECT id FROM logs WHERE tenant = ? AND id IN ({marks})",  # noqa: S608
                    [tenant, *chunk],
                )
                found.update(row[0] for row in rows)
        return known

    @staticmethod
    def _insert_rows(conn: sqlite3.Connection, tenant: str, fresh: list[PreparedEntry]) -> None:
        records = [
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
                facets(tenant, e.level, e.source, e.tags),
            )
            for e in fresh
        ]
        # Many rows per statement: the sqlite3 module releases the GIL for every step of a
        # statement, and under load each release handed it to the event loop, so that the
        # writer waited for it once per row (executemany) instead of once per chunk.
        for start in range(0, len(records), _INSERT_CHUNK):
            part = records[start : start + _INSERT_CHUNK]
            conn.execute(_insert_statement(len(part)), [v for row in part for v in row])

    def get(self, tenant: str, log_id: str) -> dict[str, Any] | None:
        """One entry, or ``None``."""
        with self.db.read() as conn:
            row = conn.execute(
                f"SELECT {_COLUMNS} FROM logs WHERE tenant = ? AND id = ?",  # noqa: S608 (constant)
                (tenant, log_id),
            ).fetchone()
        return None if row is None else row_to_entry(row)

    @staticmethod
    def _source(tenant: str, selection: LogFilter) -> tuple[str, list[Any], str | None]:
        """``FROM ... WHERE ...`` of ``selection``, its parameters, and, when the FTS5
        expression alone decides what matches, that expression."""
        narrowing = fts_narrowing(selection.filter)
        if selection.match is None and not narrowing:
            where, params = where_clause(tenant, selection)
            return f"FROM logs WHERE {where}", params, None
        match = scoped(
            selection.match,
            tenant,
            [SEVERITY[level] for level in selection.levels],
            selection.sources,
            selection.tags,
            narrowing,
        )
        where, params = where_clause(tenant, selection, facets_in_fts=True)
        rows_decide = bool(selection.filter) or (
            selection.since_us is not None or selection.until_us is not None
        )
        # FTS5 drives the query: it finds the matching rows, the rest filters them. CROSS JOIN
        # is SQLite's way to fix that join order; left to itself the planner may walk the
        # tenant's index and run the full-text match once per row instead.
        source = (
            "FROM logs_fts CROSS JOIN logs ON logs.seq = logs_fts.rowid"
            f" WHERE logs_fts MATCH ? AND {where}"
        )
        return source, [match, *params], None if rows_decide else match

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
        source, params, fts_only = self._source(tenant, selection)
        select = f"SELECT {_COLUMNS} {source}"

        def count() -> int:
            if fts_only is not None:  # FTS5 alone knows the matches: no row is visited
                sql, args = "SELECT count(*) FROM logs_fts WHERE logs_fts MATCH ?", [fts_only]
            else:
                sql, args = f"SELECT count(*) {source}", params
            return int(conn.execute(sql, args).fetchone()[0])

        try:
            with self.db.read() as conn:
                if sort is None and selection.match is not None:
                    rows, total = self._by_relevance(
                        conn, tenant, selection, select, params, count, limit, offset
                    )
                elif sort is not None:
                    total = count()
                    tiebreak = "logs.seq DESC" if sort.descending_first else "logs.seq ASC"
                    rows = conn.execute(
                        f"{select} ORDER BY {sort.sql}, {tiebreak} LIMIT ? OFFSET ?",
                        [*params, *sort.params, limit, offset],
                    ).fetchall()
                else:
                    total = count()
                    rows = conn.execute(
                        f"{select} ORDER BY logs.ts DESC, logs.seq DESC LIMIT ? OFFSET ?",
                        [*params, limit, offset],
                    ).fetchall()
        except sqlite3.OperationalError as exc:
            raise _fts_error(exc) from None
        return [row_to_entry(row, fields) for row in rows], total

    @staticmethod
    def _by_relevance(
        conn: sqlite3.Connection,
        tenant: str,
        selection: LogFilter,
        select: str,
        params: list[Any],
        count: Callable[[], int],
        limit: int,
        offset: int,
    ) -> tuple[list[sqlite3.Row], int]:
        """Relevance first among the newest ``RELEVANCE_WINDOW`` matches, then the older
        matches newest first: one total order, so pages never overlap or skip.

        One pass over the newest matches scores them (bm25 on the words alone: the facet
        tokens would only slow it down; the tenant and filters are checked on the rows);
        only a search with more matches than the window also counts them all.
        """
        assert selection.match is not None
        where, where_params = where_clause(tenant, selection)
        # One row of JSON, not a row per match: the sqlite3 module gives the GIL away for
        # every row it steps to, and under concurrent ingest each one waited to get it
        # back from the busy event loop or writer (tens of milliseconds for a window).
        found_json = conn.execute(
            # `where` is built from fixed fragments; every value is a parameter.
            "SELECT json_group_array(json_array(seq, score, ts)) FROM ("  # noqa: S608
            "SELECT logs_fts.rowid AS seq, logs_fts.rank AS score, logs.ts AS ts"
            " FROM logs_fts CROSS JOIN logs ON logs.seq = logs_fts.rowid"
            f" WHERE logs_fts MATCH ? AND {where} ORDER BY logs_fts.rowid DESC LIMIT ?)",
            [f"{TEXT_COLUMNS} : ({selection.match})", *where_params, RELEVANCE_WINDOW + 1],
        ).fetchone()[0]
        # (seq, score, ts) of each match, newest first (the aggregate keeps no order).
        newest = sorted(orjson.loads(found_json), key=lambda match: -match[0])
        window = newest[:RELEVANCE_WINDOW]
        total = len(newest) if len(newest) <= RELEVANCE_WINDOW else count()
        ranked = sorted(window, key=lambda match: (match[1], -match[2], -match[0]))
        page = [int(match[0]) for match in ranked[offset : offset + limit]]
        rows: list[sqlite3.Row] = []
        if page:
            found = {
                int(row["seq"]): row
                for row in conn.execute(
                    # The tenant again, although the numbers came from its own matches:
                    # no statement reads rows without naming the tenant. The unary + keeps
                    # it a filter on the primary-key lookups: as an index choice, the
                    # planner would scan every row of the tenant (O(entries) per search).
                    f"SELECT {_COLUMNS} FROM logs"  # noqa: S608 (a constant column list)
                    " WHERE logs.seq IN (SELECT value FROM json_each(?)) AND +logs.tenant = ?",
                    (orjson.dumps(page).decode(), tenant),
                )
            }
            rows = [found[seq] for seq in page if seq in found]
        if len(rows) < limit and total > RELEVANCE_WINDOW:
            boundary = int(window[-1][0])
            rows += conn.execute(
                f"{select} AND logs_fts.rowid < ?"
                " ORDER BY logs.ts DESC, logs.seq DESC LIMIT ? OFFSET ?",
                [*params, boundary, limit - len(rows), max(0, offset - RELEVANCE_WINDOW)],
            ).fetchall()
        return rows, total

    def delete(self, tenant: str, selection: LogFilter) -> int:
        """Delete every matching entry; return how many."""
        source, params, _ = self._source(tenant, selection)
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
        source, params, _ = self._source(tenant, selection)
        # Bounds on the FTS5 rowid let FTS5 skip straight to the range.
        cursor = "logs.seq" if selection.match is None else "logs_fts.rowid"
        bounds = f" AND {cursor} > ?"
        params = [*params, after]
        if upto is not None:
            bounds += f" AND {cursor} <= ?"
            params.append(upto)
        try:
            with self.db.read() as conn:
                rows = conn.execute(
                    f"SELECT {_COLUMNS} {source}{bounds} ORDER BY {cursor} LIMIT ?",
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
        source, params, _ = self._source(tenant, selection)
        cursor = "logs.seq" if selection.match is None else "logs_fts.rowid"
        try:
            with self.db.read() as conn:
                rows = conn.execute(
                    f"SELECT {_COLUMNS} {source} AND {cursor} <= ? ORDER BY {cursor} DESC LIMIT ?",
                    [*params, upto, count],
                ).fetchall()
        except sqlite3.OperationalError as exc:
            raise _fts_error(exc) from None
        return [(int(row["seq"]), row_to_entry(row)) for row in reversed(rows)]
