"""The rule engine: enabled rules evaluated on every ingested entry, with cooldowns."""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Any

from .conditions import Evaluation, Node, compile_condition
from .store import Store
from .timeutil import now_us, parse_rfc3339


@dataclass
class Firing:
    """A rule that matched an entry and may run its actions."""

    tenant: str
    rule: dict[str, Any]
    entry: dict[str, Any]


@dataclass
class _Compiled:
    rule: dict[str, Any]
    node: Node
    last_triggered_us: int | None


def cooldown_allows(rule: dict[str, Any], last_triggered_us: int | None, at_us: int) -> bool:
    """Whether a match at ``at_us`` may run the rule's actions."""
    cooldown = int(rule.get("cooldown_seconds") or 0)
    if cooldown <= 0 or last_triggered_us is None:
        return True
    return at_us - last_triggered_us >= cooldown * 1_000_000


class RuleEngine:
    """Evaluates rules per tenant.

    Compiled rules are cached per tenant and dropped whenever one of the tenant's rules
    changes. Frequency windows live in memory, so a restart starts them afresh.
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        self._lock = threading.Lock()
        self._rules: dict[str, list[_Compiled]] = {}
        self._windows: dict[tuple[str, str], deque[float]] = {}

    def invalidate(self, tenant: str, rule_id: str | None = None) -> None:
        """Forget the tenant's compiled rules (and the windows of ``rule_id``)."""
        with self._lock:
            self._rules.pop(tenant, None)
            if rule_id is not None:
                for key in [k for k in self._windows if k[0] == rule_id]:
                    del self._windows[key]

    def _compiled(self, tenant: str) -> list[_Compiled]:
        with self._lock:
            cached = self._rules.get(tenant)
        if cached is not None:
            return cached
        compiled = []
        for rule in self.store.enabled_rules(tenant):
            last = rule.get("last_triggered_at")
            compiled.append(
                _Compiled(
                    rule,
                    compile_condition(rule["condition"]),
                    None if last is None else parse_rfc3339(last),
                )
            )
        with self._lock:
            self._rules.setdefault(tenant, compiled)
            return self._rules[tenant]

    def has_rules(self, tenant: str) -> bool:
        """Whether ``tenant`` has an enabled rule."""
        return bool(self._compiled(tenant))

    def on_ingest(self, tenant: str, entries: list[dict[str, Any]]) -> list[Firing]:
        """Evaluate every enabled rule on each new entry; return the firings due."""
        if not entries:
            return []
        rules = self._compiled(tenant)
        if not rules:
            return []
        firings: list[Firing] = []
        triggered: dict[str, int] = {}
        with self._lock:
            for entry in entries:
                ev = Evaluation(time.monotonic(), True, self._windows)
                for compiled in rules:
                    ev.scope = compiled.rule["id"]
                    if not compiled.node.evaluate(entry, ev):
                        continue
                    at = now_us()
                    if not cooldown_allows(compiled.rule, compiled.last_triggered_us, at):
                        continue
                    compiled.last_triggered_us = at
                    triggered[compiled.rule["id"]] = at
                    firings.append(Firing(tenant, compiled.rule, entry))
        if triggered:
            self.store.mark_triggered(tenant, triggered.items())
        return firings

    def dry_run(
        self, tenant: str, rule: dict[str, Any], entry: dict[str, Any]
    ) -> tuple[bool, bool]:
        """``(matched, cooldown_allows)`` for ``rule`` on ``entry``; nothing is recorded."""
        node = compile_condition(rule["condition"])
        with self._lock:
            ev = Evaluation(time.monotonic(), False, self._windows, rule["id"])
            matched = node.evaluate(entry, ev)
        last = self.store.rule_last_triggered(tenant, rule["id"])
        return matched, cooldown_allows(rule, last, now_us())
