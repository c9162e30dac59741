"""The SQLite database: connections, transactions and the schema.

One connection writes, behind a lock; with a file database every worker thread also gets
its own read connection, so that reads run beside a write (WAL). An in-memory database
has a single connection for both.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager

SCHEMA_VERSION = 2
_CHECKPOINT_INTERVAL = 0.25  # seconds
_WAL_SIZE_LIMIT = 16 * 1024 * 1024  # bytes

SCHEMA = """
CREATE TABLE IF NOT EXISTS settings (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS api_keys (
    key_hash TEXT PRIMARY KEY,
    tenant TEXT NOT NULL,
    scopes TEXT NOT NULL,
    rate_limit INTEGER,
    rate_window INTEGER,
    created_at INTEGER NOT NULL
);
-- seq is the stream's resume cursor: AUTOINCREMENT never reuses a deleted entry's number.
CREATE TABLE IF NOT EXISTS logs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant TEXT NOT NULL,
    id TEXT NOT NULL,
    ts INTEGER NOT NULL,
    received_at INTEGER NOT NULL,
    level INTEGER NOT NULL,
    message TEXT NOT NULL,
    source TEXT,
    metadata TEXT NOT NULL,
    tags TEXT NOT NULL,
    search_tags TEXT NOT NULL,
    search_meta TEXT NOT NULL,
    facets TEXT NOT NULL,
    UNIQUE (tenant, id)
);
CREATE INDEX IF NOT EXISTS logs_tenant_ts ON logs (tenant, ts);
CREATE INDEX IF NOT EXISTS logs_tenant_level_ts ON logs (tenant, level, ts);
-- (tenant, seq): seq is the rowid, which every index ends with. A stream's newest entries
-- (ORDER BY seq DESC LIMIT n) are then read from the end of the range, not sorted from all
-- of the tenant's rows (0.3 ms instead of 0.7 s at 1,000,000 entries).
CREATE INDEX IF NOT EXISTS logs_tenant_seq ON logs (tenant);
-- Full text of message, source, tags and metadata values, plus `facets`: one exact token
-- each for the tenant, level, source and tags (see fts.py), so that a search filters on
-- them inside FTS5 without visiting the rows. Rows are indexed by LogStore.insert in the
-- inserting transaction (a per-row trigger costs three times as much).
CREATE VIRTUAL TABLE IF NOT EXISTS logs_fts USING fts5 (
    message, source, search_tags, search_meta, facets,
    content = 'logs', content_rowid = 'seq',
    tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER IF NOT EXISTS logs_fts_delete AFTER DELETE ON logs BEGIN
    INSERT INTO logs_fts (logs_fts, rowid, message, source, search_tags, search_meta, facets)
    VALUES ('delete', old.seq, old.message, old.source, old.search_tags, old.search_meta,
            old.facets);
END;
CREATE TABLE IF NOT EXISTS rules (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    tenant TEXT NOT NULL,
    body TEXT NOT NULL,
    enabled INTEGER NOT NULL,
    last_triggered_at INTEGER
);
CREATE INDEX IF NOT EXISTS rules_tenant ON rules (tenant, seq);
CREATE TABLE IF NOT EXISTS actions (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    tenant TEXT NOT NULL,
    type TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS actions_tenant ON actions (tenant, seq);
CREATE TABLE IF NOT EXISTS executions (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    tenant TEXT NOT NULL,
    action_id TEXT NOT NULL,
    rule_id TEXT,
    status TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS executions_action ON executions (tenant, action_id, seq);
CREATE TABLE IF NOT EXISTS idempotency (
    tenant TEXT NOT NULL,
    key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status INTEGER NOT NULL,
    body BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (tenant, key)
);
"""


class Database:
    """Connections to one SQLite database."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.in_memory = path == ":memory:"
        self._lock = threading.RLock()
        self._writer = self._connect(cache_kib=65536)
        self._local = threading.local()
        self._readers: dict[threading.Thread, sqlite3.Connection] = {}
        self._readers_lock = threading.Lock()
        self._closed = False
        self._checkpointer: threading.Thread | None = None
        self._stop = threading.Event()
        with self._lock:
            self._writer.executescript(SCHEMA)
            self._writer.execute(
                "INSERT OR IGNORE INTO settings (name, value) VALUES ('schema_version', ?)",
                (str(SCHEMA_VERSION),),
            )
            found = self._writer.execute(
                "SELECT value FROM settings WHERE name = 'schema_version'"
            ).fetchone()[0]
        if found != str(SCHEMA_VERSION):
            self._writer.close()
            raise RuntimeError(
                f"{path} was made by another version of NeuralLog Local (schema {found}, "
                f"this one needs {SCHEMA_VERSION}); move it away or pass another --db"
            )
        if not self.in_memory:
            # The writer keeps SQLite's automatic checkpoint (every 1,000 pages): under
            # sustained ingest a checkpoint that only runs beside the writes never catches
            # up, and the WAL grew without limit. The background one copies what it can
            # between writes, so that the committing request usually finds little left.
            # After a checkpoint, a WAL that a long read made grow is cut back to this.
            self._writer.execute(f"PRAGMA journal_size_limit = {_WAL_SIZE_LIMIT}")
            self._checkpointer = threading.Thread(
                target=self._checkpoint_loop, name="neurallog-local-checkpoint", daemon=True
            )
            self._checkpointer.start()

    def _connect(self, cache_kib: int = 8192) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA busy_timeout = 10000")
        if not self.in_memory:
            conn.execute("PRAGMA journal_mode = WAL")
            # WAL with synchronous=NORMAL survives a crash of the process (not of the OS):
            # the usual trade for a local development store.
            conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA temp_store = MEMORY")
        # Readers are many (one per worker thread) and read through the memory map, so
        # only the writer gets a large page cache.
        conn.execute(f"PRAGMA cache_size = -{int(cache_kib)}")
        # Reads through a memory map skip a copy per page; the map only reserves address
        # space, and only a file database uses it.
        conn.execute("PRAGMA mmap_size = 1073741824")
        return conn

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """A write transaction; commits on success, rolls back on an exception."""
        with self._lock:
            conn = self._writer
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """A connection for reads (statements run in autocommit mode)."""
        if self.in_memory:
            with self._lock:
                yield self._writer
            return
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._connect()
            self._local.conn = conn
            with self._readers_lock:
                # Worker threads come and go (anyio retires those idle for 10 s): the
                # connections of ended threads are closed here, or every burst of
                # requests after a quiet spell would leave a few open for good.
                for thread in [t for t in self._readers if not t.is_alive()]:
                    self._readers.pop(thread).close()
                self._readers[threading.current_thread()] = conn
        yield conn

    def _checkpoint_loop(self) -> None:
        conn = self._connect()
        try:
            while not self._stop.wait(_CHECKPOINT_INTERVAL):
                # PASSIVE never waits for readers or writers; what it cannot copy now it
                # copies on a later round.
                conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
        finally:
            conn.close()

    def close(self) -> None:
        """Close every connection."""
        if self._closed:
            return
        self._closed = True
        self._stop.set()
        if self._checkpointer is not None:
            self._checkpointer.join()
        with self._readers_lock:
            for conn in self._readers.values():
                conn.close()
            self._readers.clear()
        with self._lock:
            if not self.in_memory:
                # Leaves a single database file behind instead of the -wal and -shm files.
                self._writer.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            self._writer.close()
