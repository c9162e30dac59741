"""The rule engine: enabled rules evaluated on every ingested entry, with cooldowns, off the
request path."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import anyio
import anyio.to_thread

from .conditions import ConditionError, Evaluation, Node, compile_condition
from .store import Store
from .timeutil import now_us, parse_rfc3339

log = logging.getLogger("neurallog_local.rules")

# Seconds that one rule may spend on one ingested batch (Settings.rule_budget). A rule past
# it is not evaluated on the rest of the batch: those entries count as no match, and the
# skip is recorded.
RULE_BATCH_BUDGET = 1.0
# A rule's skips are recorded (as failed executions of its actions, and in the server log)
# at most this often, in seconds.
_REPORT_EVERY = 60.0
# Threads that evaluate rules at once. A tenant's batches are evaluated one after the other
# (in ingest order), so one tenant never holds more than one of them.
_EVALUATION_THREADS = 4
# Entries waiting for evaluation, per tenant; past it a batch's evaluation is dropped.
_MAX_PENDING_ENTRIES = 100_000


@dataclass
class Firing:
    """A rule that matched an entry and may run its actions, or, with ``problem`` set, a
    rule that could not be evaluated: its actions are then recorded as failed with that
    error instead of being run."""

    tenant: str
    rule: dict[str, Any]
    entry: dict[str, Any]
    problem: str | None = None


@dataclass
class Compiled:
    """A rule and its compiled condition (``None`` when its stored condition can no longer
    be compiled: it then never matches)."""

    rule: dict[str, Any]
    node: Node | None
    problem: str | None = None


def cooldown_allows(rule: dict[str, Any], last_triggered_us: int | None, at_us: int) -> bool:
    """Whether a match at ``at_us`` may run the rule's actions."""
    cooldown = int(rule.get("cooldown_seconds") or 0)
    if cooldown <= 0 or last_triggered_us is None:
        return True
    return at_us - last_triggered_us >= cooldown * 1_000_000


class RuleEngine:
    """Evaluates rules per tenant.

    Compiled rules are cached per tenant and dropped whenever one of the tenant's rules
    changes. Frequency windows live in memory, so a restart starts them afresh. Each tenant
    has its own lock: a tenant's slow evaluation never holds another tenant's back.
    """

    def __init__(self, store: Store, batch_budget: float = RULE_BATCH_BUDGET) -> None:
        self.store = store
        self.batch_budget = batch_budget
        self._lock = threading.Lock()  # guards the dictionaries below, never held long
        self._rules: dict[str, list[Compiled]] = {}
        self._generations: dict[str, int] = {}  # bumped by every change of a tenant's rules
        self._tenant_locks: dict[str, threading.Lock] = {}
        self._windows: dict[str, dict[tuple[str, str], deque[float]]] = {}
        self._last_triggered: dict[str, int] = {}
        self._reported: dict[str, float] = {}

    def invalidate(self, tenant: str, rule_id: str | None = None) -> None:
        """Forget the tenant's compiled rules (and the windows of ``rule_id``)."""
        with self._lock:
            self._rules.pop(tenant, None)
            self._generations[tenant] = self._generations.get(tenant, 0) + 1
            windows = self._windows.get(tenant)
            if rule_id is not None and windows is not None:
                for key in [k for k in windows if k[0] == rule_id]:
                    del windows[key]

    def _tenant_lock(self, tenant: str) -> threading.Lock:
        with self._lock:
            return self._tenant_locks.setdefault(tenant, threading.Lock())

    def _tenant_windows(self, tenant: str) -> dict[tuple[str, str], deque[float]]:
        with self._lock:
            return self._windows.setdefault(tenant, {})

    def rules_for(self, tenant: str) -> list[Compiled]:
        """The tenant's enabled rules, compiled (cached until one of its rules changes)."""
        with self._lock:
            cached = self._rules.get(tenant)
            generation = self._generations.get(tenant, 0)
        if cached is not None:
            return cached
        compiled = []
        for rule in self.store.enabled_rules(tenant):
            last = rule.get("last_triggered_at")
            if last is not None:
                at = parse_rfc3339(last)
                with self._lock:
                    self._last_triggered[rule["id"]] = max(
                        at, self._last_triggered.get(rule["id"], at)
                    )
            try:
                compiled.append(Compiled(rule, compile_condition(rule["condition"])))
            except ConditionError as exc:
                # A condition stored by an older version that this one refuses (a pattern
                # outside RE2's syntax, say): the rule never matches, and says why.
                problem = f"the rule's condition cannot be used any more ({exc}); update it"
                log.warning("rule %s of tenant %s: %s", rule["id"], tenant, problem)
                compiled.append(Compiled(rule, None, problem))
        with self._lock:
            if self._generations.get(tenant, 0) != generation:
                # A rule changed while these were read: use them this once, cache nothing.
                return compiled
            return self._rules.setdefault(tenant, compiled)

    def _report_due(self, rule_id: str, now: float) -> bool:
        with self._lock:
            last = self._reported.get(rule_id)
            if last is not None and now - last < _REPORT_EVERY:
                return False
            self._reported[rule_id] = now
            return True

    def evaluate(
        self, tenant: str, rules: list[Compiled], entries: list[dict[str, Any]]
    ) -> list[Firing]:
        """Evaluate ``rules`` (those enabled when the entries were ingested) on each new
        entry; return the firings due, and a ``problem`` firing for each rule that could
        not be evaluated (recorded at most once a minute per rule)."""
        if not entries or not rules:
            return []
        firings: list[Firing] = []
        problems: list[Firing] = []
        triggered: dict[str, int] = {}
        spent: dict[str, float] = {}
        skipped: dict[str, tuple[dict[str, Any], int]] = {}  # rule id: (first entry, count)
        with self._tenant_lock(tenant):
            windows = self._tenant_windows(tenant)
            for entry in entries:
                ev = Evaluation(time.monotonic(), True, windows)
                for compiled in rules:
                    rule_id = compiled.rule["id"]
                    if compiled.node is None:
                        continue
                    if spent.get(rule_id, 0.0) > self.batch_budget:
                        first, count = skipped.get(rule_id, (entry, 0))
                        skipped[rule_id] = (first, count + 1)
                        continue
                    ev.scope = rule_id
                    started = time.perf_counter()
                    matched = compiled.node.evaluate(entry, ev)
                    spent[rule_id] = spent.get(rule_id, 0.0) + time.perf_counter() - started
                    if not matched:
                        continue
                    at = now_us()
                    with self._lock:
                        last = self._last_triggered.get(rule_id)
                    if not cooldown_allows(compiled.rule, last, at):
                        continue
                    with self._lock:
                        self._last_triggered[rule_id] = at
                    triggered[rule_id] = at
                    firings.append(Firing(tenant, compiled.rule, entry))
        if triggered:
            self.store.mark_triggered(tenant, triggered.items())
        now = time.monotonic()
        for compiled in rules:
            rule_id = compiled.rule["id"]
            problem = compiled.problem
            entry = entries[0]
            if problem is None and rule_id in skipped:
                entry, count = skipped[rule_id]
                problem = (
                    f"the rule took more than {self.batch_budget:g} s on one ingested batch;"
                    f" it was not evaluated on the batch's last {count} entries (from"
                    f" {entry.get('id')}), which count as no match"
                )
            if problem is not None and self._report_due(rule_id, now):
                log.warning("rule %s of tenant %s: %s", rule_id, tenant, problem)
                problems.append(Firing(tenant, compiled.rule, entry, problem))
        return firings + problems

    def dry_run(
        self, tenant: str, rule: dict[str, Any], entry: dict[str, Any]
    ) -> tuple[bool, bool]:
        """``(matched, cooldown_allows)`` for ``rule`` on ``entry``; nothing is recorded."""
        node = compile_condition(rule["condition"])
        with self._tenant_lock(tenant):
            ev = Evaluation(time.monotonic(), False, self._tenant_windows(tenant), rule["id"])
            matched = node.evaluate(entry, ev)
        last = self.store.rule_last_triggered(tenant, rule["id"])
        return matched, cooldown_allows(rule, last, now_us())


class RuleEvaluator:
    """Runs rule evaluation off the request path.

    Ingest answers once its entries are stored; their evaluation is queued per tenant and
    runs in worker threads of its own (a capacity limiter apart from the one that requests
    and streams use), one batch of a tenant at a time. Rule conditions cannot run away
    (RE2 matches in linear time), and a rule slower than its budget is cut short (see
    ``RuleEngine.evaluate``), so a tenant's slow rules delay only that tenant's own firings.
    """

    def __init__(
        self,
        engine: RuleEngine,
        deliver: Callable[[list[Firing]], None],
        threads: int = _EVALUATION_THREADS,
        max_pending: int = _MAX_PENDING_ENTRIES,
    ) -> None:
        self.engine = engine
        self.deliver = deliver
        self.threads = threads
        self.max_pending = max_pending
        self._limiter: anyio.CapacityLimiter | None = None
        self._queues: dict[str, deque[tuple[list[Compiled], list[dict[str, Any]]]]] = {}
        self._pending: dict[str, int] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}

    def submit(self, tenant: str, rules: list[Compiled], entries: list[dict[str, Any]]) -> None:
        """Queue ``entries`` for evaluation by ``rules`` (call from the event loop)."""
        if not rules or not entries:
            return
        pending = self._pending.get(tenant, 0)
        if pending + len(entries) > self.max_pending:
            log.warning(
                "tenant %s: %d entries already wait for rule evaluation; %d more not evaluated",
                tenant,
                pending,
                len(entries),
            )
            return
        self._pending[tenant] = pending + len(entries)
        self._queues.setdefault(tenant, deque()).append((rules, entries))
        if tenant not in self._tasks:
            self._tasks[tenant] = asyncio.create_task(self._drain(tenant))

    async def _drain(self, tenant: str) -> None:
        if self._limiter is None:
            self._limiter = anyio.CapacityLimiter(self.threads)
        queue = self._queues[tenant]
        try:
            while queue:
                rules, entries = queue.popleft()
                self._pending[tenant] -= len(entries)
                try:
                    firings = await anyio.to_thread.run_sync(
                        self.engine.evaluate, tenant, rules, entries, limiter=self._limiter
                    )
                except Exception:
                    log.exception("evaluating the rules of tenant %s failed", tenant)
                    continue
                self.deliver(firings)
        finally:
            del self._tasks[tenant]
            if not queue:
                del self._queues[tenant]
                del self._pending[tenant]

    async def idle(self) -> None:
        """Return once nothing waits for evaluation."""
        while self._tasks:
            await asyncio.gather(*self._tasks.values(), return_exceptions=True)

    async def stop(self, drain_timeout: float = 5.0) -> None:
        """Let queued evaluations finish (up to ``drain_timeout``), then drop the rest."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.idle(), drain_timeout)
        for task in list(self._tasks.values()):
            task.cancel()
        for task in list(self._tasks.values()):
            with contextlib.suppress(asyncio.CancelledError):
                await task
