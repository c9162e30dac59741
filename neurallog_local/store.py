"""Rules, actions, executions, API keys, idempotency records and settings in SQLite."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import orjson

from .db import Database
from .timeutil import format_us

IDEMPOTENCY_TTL_US = 24 * 3600 * 1_000_000


@dataclass(frozen=True)
class StoredKey:
    """An API key as stored: only its hash, never the key itself."""

    key_hash: str
    tenant: str
    scopes: frozenset[str]
    rate_limit: int | None
    rate_window: int | None


def _dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


def _rule(row: sqlite3.Row) -> dict[str, Any]:
    rule: dict[str, Any] = orjson.loads(row["body"])
    rule["enabled"] = bool(row["enabled"])
    last = row["last_triggered_at"]
    rule["last_triggered_at"] = None if last is None else format_us(last)
    return rule


class Store:
    """Everything but log entries. Every method that reads or changes a resource takes the
    tenant, and every query filters on it."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # settings -------------------------------------------------------------------------

    def set_setting_once(self, name: str, value: str) -> str:
        """Store ``value`` unless the setting exists; return the stored value."""
        with self.db.write() as conn:
            conn.execute(
                "INSERT OR IGNORE INTO settings (name, value) VALUES (?, ?)", (name, value)
            )
            row = conn.execute("SELECT value FROM settings WHERE name = ?", (name,)).fetchone()
        return str(row[0])

    # API keys -------------------------------------------------------------------------

    def add_key(self, key: StoredKey, now: int) -> None:
        with self.db.write() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO api_keys"
                " (key_hash, tenant, scopes, rate_limit, rate_window, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (
                    key.key_hash,
                    key.tenant,
                    " ".join(sorted(key.scopes)),
                    key.rate_limit,
                    key.rate_window,
                    now,
                ),
            )

    def keys(self) -> list[StoredKey]:
        with self.db.read() as conn:
            rows = conn.execute(
                "SELECT key_hash, tenant, scopes, rate_limit, rate_window FROM api_keys"
            ).fetchall()
        return [StoredKey(r[0], r[1], frozenset(r[2].split()), r[3], r[4]) for r in rows]

    # rules ----------------------------------------------------------------------------

    def insert_rule(self, tenant: str, rule: dict[str, Any]) -> None:
        body = {k: v for k, v in rule.items() if k not in ("enabled", "last_triggered_at")}
        with self.db.write() as conn:
            conn.execute(
                "INSERT INTO rules (id, tenant, body, enabled, last_triggered_at)"
                " VALUES (?, ?, ?, ?, NULL)",
                (rule["id"], tenant, _dumps(body), int(rule["enabled"])),
            )

    def save_rule(self, tenant: str, rule: dict[str, Any]) -> bool:
        body = {k: v for k, v in rule.items() if k not in ("enabled", "last_triggered_at")}
        with self.db.write() as conn:
            cursor = conn.execute(
                "UPDATE rules SET body = ?, enabled = ? WHERE tenant = ? AND id = ?",
                (_dumps(body), int(rule["enabled"]), tenant, rule["id"]),
            )
            return cursor.rowcount > 0

    def get_rule(self, tenant: str, rule_id: str) -> dict[str, Any] | None:
        with self.db.read() as conn:
            row = conn.execute(
                "SELECT body, enabled, last_triggered_at FROM rules WHERE tenant = ? AND id = ?",
                (tenant, rule_id),
            ).fetchone()
        return None if row is None else _rule(row)

    def rule_last_triggered(self, tenant: str, rule_id: str) -> int | None:
        with self.db.read() as conn:
            row = conn.execute(
                "SELECT last_triggered_at FROM rules WHERE tenant = ? AND id = ?",
                (tenant, rule_id),
            ).fetchone()
        return None if row is None or row[0] is None else int(row[0])

    def list_rules(
        self, tenant: str, enabled: bool | None, limit: int, offset: int
    ) -> tuple[list[dict[str, Any]], int]:
        flag = None if enabled is None else int(enabled)
        with self.db.read() as conn:
            total = conn.execute(
                "SELECT count(*) FROM rules WHERE tenant = ?1 AND (?2 IS NULL OR enabled = ?2)",
                (tenant, flag),
            ).fetchone()[0]
            rows = conn.execute(
                "SELECT body, enabled, last_triggered_at FROM rules"
                " WHERE tenant = ?1 AND (?2 IS NULL OR enabled = ?2)"
                " ORDER BY seq LIMIT ?3 OFFSET ?4",
                (tenant, flag, limit, offset),
            ).fetchall()
        return [_rule(row) for row in rows], int(total)

    def enabled_rules(self, tenant: str) -> list[dict[str, Any]]:
        with self.db.read() as conn:
            rows = conn.execute(
                "SELECT body, enabled, last_triggered_at FROM rules"
                " WHERE tenant = ? AND enabled = 1 ORDER BY seq",
                (tenant,),
            ).fetchall()
        return [_rule(row) for row in rows]

    def delete_rule(self, tenant: str, rule_id: str) -> bool:
        with self.db.write() as conn:
            cursor = conn.execute(
                "DELETE FROM rules WHERE tenant = ? AND id = ?", (tenant, rule_id)
            )
            return cursor.rowcount > 0

    def mark_triggered(self, tenant: str, triggered: Iterable[tuple[str, int]]) -> None:
        with self.db.write() as conn:
            conn.executemany(
                "UPDATE rules SET last_triggered_at = ? WHERE tenant = ? AND id = ?",
                [(at, tenant, rule_id) for rule_id, at in triggered],
            )

    # actions --------------------------------------------------------------------------

    def insert_action(self, tenant: str, action: dict[str, Any]) -> None:
        with self.db.write() as conn:
            conn.execute(
                "INSERT INTO actions (id, tenant, type, body) VALUES (?, ?, ?, ?)",
                (action["id"], tenant, action["type"], _dumps(action)),
            )

    def save_action(self, tenant: str, action: dict[str, Any]) -> bool:
        with self.db.write() as conn:
            cursor = conn.execute(
                "UPDATE actions SET type = ?, body = ? WHERE tenant = ? AND id = ?",
                (action["type"], _dumps(action), tenant, action["id"]),
            )
            return cursor.rowcount > 0

    def get_action(self, tenant: str, action_id: str) -> dict[str, Any] | None:
        with self.db.read() as conn:
            row = conn.execute(
                "SELECT body FROM actions WHERE tenant = ? AND id = ?", (tenant, action_id)
            ).fetchone()
        return None if row is None else dict(orjson.loads(row[0]))

    def get_actions(self, tenant: str, action_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        wanted = sorted(set(action_ids))
        if not wanted:
            return {}
        found = {}
        with self.db.read() as conn:
            for action_id in wanted:
                row = conn.execute(
                    "SELECT body FROM actions WHERE tenant = ? AND id = ?", (tenant, action_id)
                ).fetchone()
                if row is not None:
                    found[action_id] = dict(orjson.loads(row[0]))
        return found

    def list_actions(
        self, tenant: str, action_type: str | None, limit: int, offset: int
    ) -> tuple[list[dict[str, Any]], int]:
        with self.db.read() as conn:
            total = conn.execute(
                "SELECT count(*) FROM actions WHERE tenant = ?1 AND (?2 IS NULL OR type = ?2)",
                (tenant, action_type),
            ).fetchone()[0]
            rows = conn.execute(
                "SELECT body FROM actions WHERE tenant = ?1 AND (?2 IS NULL OR type = ?2)"
                " ORDER BY seq LIMIT ?3 OFFSET ?4",
                (tenant, action_type, limit, offset),
            ).fetchall()
        return [dict(orjson.loads(row[0])) for row in rows], int(total)

    def delete_action(self, tenant: str, action_id: str) -> bool:
        with self.db.write() as conn:
            cursor = conn.execute(
                "DELETE FROM actions WHERE tenant = ? AND id = ?", (tenant, action_id)
            )
            return cursor.rowcount > 0

    # executions -----------------------------------------------------------------------

    def insert_execution(self, tenant: str, execution: dict[str, Any]) -> None:
        with self.db.write() as conn:
            conn.execute(
                "INSERT INTO executions (id, tenant, action_id, rule_id, status, body)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (
                    execution["id"],
                    tenant,
                    execution["action_id"],
                    execution["rule_id"],
                    execution["status"],
                    _dumps(execution),
                ),
            )

    def has_executions(self, tenant: str, action_id: str) -> bool:
        """Whether any execution was recorded under ``action_id``."""
        with self.db.read() as conn:
            row = conn.execute(
                "SELECT 1 FROM executions WHERE tenant = ? AND action_id = ? LIMIT 1",
                (tenant, action_id),
            ).fetchone()
        return row is not None

    def list_executions(
        self,
        tenant: str,
        action_id: str,
        status: str | None,
        rule_id: str | None,
        limit: int,
        offset: int,
    ) -> tuple[list[dict[str, Any]], int]:
        with self.db.read() as conn:
            total = conn.execute(
                "SELECT count(*) FROM executions WHERE tenant = ?1 AND action_id = ?2"
                " AND (?3 IS NULL OR status = ?3) AND (?4 IS NULL OR rule_id = ?4)",
                (tenant, action_id, status, rule_id),
            ).fetchone()[0]
            rows = conn.execute(
                "SELECT body FROM executions WHERE tenant = ?1 AND action_id = ?2"
                " AND (?3 IS NULL OR status = ?3) AND (?4 IS NULL OR rule_id = ?4)"
                " ORDER BY seq DESC LIMIT ?5 OFFSET ?6",
                (tenant, action_id, status, rule_id, limit, offset),
            ).fetchall()
        return [dict(orjson.loads(row[0])) for row in rows], int(total)

    # idempotency ----------------------------------------------------------------------

    def get_idempotent(self, tenant: str, key: str, now: int) -> tuple[str, int, bytes] | None:
        with self.db.read() as conn:
            row = conn.execute(
                "SELECT request_hash, status, body FROM idempotency"
                " WHERE tenant = ? AND key = ? AND created_at > ?",
                (tenant, key, now - IDEMPOTENCY_TTL_US),
            ).fetchone()
        return None if row is None else (str(row[0]), int(row[1]), bytes(row[2]))

    def put_idempotent(
        self, tenant: str, key: str, request_hash: str, status: int, body: bytes, now: int
    ) -> None:
        with self.db.write() as conn:
            conn.execute(
                "DELETE FROM idempotency WHERE created_at <= ?", (now - IDEMPOTENCY_TTL_US,)
            )
            conn.execute(
                "INSERT OR REPLACE INTO idempotency"
                " (tenant, key, request_hash, status, body, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (tenant, key, request_hash, status, body, now),
            )
