"""Handlers of the ``rules`` operations."""

from __future__ import annotations

from typing import Any

import anyio.to_thread

from .actions import run_issues
from .conditions import ConditionError, compile_condition
from .errors import issue, not_found, validation_error
from .ids import new_id, uuid7
from .query import SEVERITY
from .request_flow import Call, Reply, page, pagination
from .services import Services
from .templates import render_value
from .timeutil import format_us, now_us, parse_rfc3339


def _check_condition(condition: Any) -> None:
    try:
        compile_condition(condition)
    except ConditionError as exc:
        raise validation_error("the condition cannot be used", exc.issues) from None


def _normalise_actions(
    services: Services, tenant: str, actions: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The rule's actions as stored, their parameters checked as ``execute`` checks them.

    An ``action_id`` need not name an existing action: a reference to one that does not
    exist (never created, or deleted since) is kept, like a reference to a deleted action,
    and is skipped and recorded as failed when the rule fires.
    """
    normalised = [
        {"action_id": a["action_id"], "parameters": dict(a.get("parameters") or {})}
        for a in actions
    ]
    known = services.store.get_actions(tenant, [a["action_id"] for a in normalised])
    problems = []
    for index, rule_action in enumerate(normalised):
        action = known.get(rule_action["action_id"])
        if action is not None:
            where = f"body.actions[{index}].parameters"
            problems.extend(run_issues(action, rule_action["parameters"], where))
    if problems:
        raise validation_error("parameters the rule's actions cannot run with", problems)
    return normalised


def _create(services: Services, tenant: str, body: dict[str, Any]) -> dict[str, Any]:
    _check_condition(body["condition"])
    actions = _normalise_actions(services, tenant, body.get("actions", []))
    now = format_us(now_us())
    rule = {
        "id": new_id("rule"),
        "name": body["name"],
        "description": body.get("description"),
        "condition": body["condition"],
        "actions": actions,
        "enabled": body.get("enabled", True),
        "cooldown_seconds": body.get("cooldown_seconds", 0),
        "created_at": now,
        "updated_at": now,
        "last_triggered_at": None,
    }
    services.store.insert_rule(tenant, rule)
    services.engine.invalidate(tenant)
    return rule


async def create_rule(call: Call) -> Reply:
    rule = await anyio.to_thread.run_sync(_create, call.services, call.tenant, call.body)
    return Reply(201, rule)


async def list_rules(call: Call) -> Reply:
    query = call.query
    limit, offset, skip = page(query)
    rules, total = await anyio.to_thread.run_sync(
        call.services.store.list_rules, call.tenant, query.get("enabled"), limit, skip
    )
    return Reply(200, rules, pagination(total, limit, offset, len(rules)))


def _get(services: Services, tenant: str, rule_id: str) -> dict[str, Any]:
    rule = services.store.get_rule(tenant, rule_id)
    if rule is None:
        raise not_found("rule")
    return rule


async def get_rule(call: Call) -> Reply:
    rule = await anyio.to_thread.run_sync(
        _get, call.services, call.tenant, call.params.path["rule_id"]
    )
    return Reply(200, rule)


def _update(
    services: Services, tenant: str, rule_id: str, changes: dict[str, Any]
) -> dict[str, Any]:
    rule = _get(services, tenant, rule_id)
    if "condition" in changes:
        _check_condition(changes["condition"])
    if "actions" in changes:
        changes = {**changes, "actions": _normalise_actions(services, tenant, changes["actions"])}
    rule.update(changes)
    rule["updated_at"] = format_us(now_us())
    if not services.store.save_rule(tenant, rule):
        raise not_found("rule")
    services.engine.invalidate(tenant, rule_id)
    return _get(services, tenant, rule_id)


async def update_rule(call: Call) -> Reply:
    rule = await anyio.to_thread.run_sync(
        _update, call.services, call.tenant, call.params.path["rule_id"], call.body
    )
    return Reply(200, rule)


async def enable_rule(call: Call) -> Reply:
    rule = await anyio.to_thread.run_sync(
        _update, call.services, call.tenant, call.params.path["rule_id"], {"enabled": True}
    )
    return Reply(200, rule)


async def disable_rule(call: Call) -> Reply:
    rule = await anyio.to_thread.run_sync(
        _update, call.services, call.tenant, call.params.path["rule_id"], {"enabled": False}
    )
    return Reply(200, rule)


def _delete(services: Services, tenant: str, rule_id: str) -> None:
    if not services.store.delete_rule(tenant, rule_id):
        raise not_found("rule")
    services.engine.invalidate(tenant, rule_id)


async def delete_rule(call: Call) -> Reply:
    await anyio.to_thread.run_sync(_delete, call.services, call.tenant, call.params.path["rule_id"])
    return Reply(204)


def sample_entry(sample: dict[str, Any]) -> dict[str, Any]:
    """A ``SampleLog`` as a stored entry would look, defaults filled in."""
    now = now_us()
    timestamp = sample.get("timestamp")
    try:
        ts = now if timestamp is None else parse_rfc3339(timestamp)
    except ValueError as exc:
        raise validation_error(
            "invalid sample timestamp", [issue("body.sample_data.timestamp", str(exc))]
        ) from None
    level = sample.get("level", "INFO")
    return {
        "id": sample.get("id") or uuid7(),
        "timestamp": format_us(ts),
        "received_at": format_us(now),
        "level": level if level in SEVERITY else "INFO",
        "message": sample.get("message", ""),
        "source": sample.get("source"),
        "metadata": sample.get("metadata") or {},
        "tags": sample.get("tags") or [],
    }


def _test(services: Services, tenant: str, rule_id: str, body: dict[str, Any]) -> dict[str, Any]:
    rule = _get(services, tenant, rule_id)
    entry = sample_entry(body["sample_data"])
    try:
        matched, cooldown_ok = services.engine.dry_run(tenant, rule, entry)
    except ConditionError as exc:  # stored by an older version that accepted more
        raise validation_error(
            "the rule's condition cannot be used any more: update the rule", exc.issues
        ) from None
    outcome: list[dict[str, Any]] = []
    if matched:
        known = services.store.get_actions(tenant, [a["action_id"] for a in rule["actions"]])
        context = {"source": "rule", "rule_id": rule["id"], "rule_name": rule["name"]}
        for rule_action in rule["actions"]:
            action = known.get(rule_action["action_id"])
            params = {**(action or {}).get("parameters", {}), **rule_action["parameters"]}
            scope = {"log": entry, "rule": rule, "parameters": params, "context": context}
            outcome.append(
                {
                    "action_id": rule_action["action_id"],
                    "action_name": None if action is None else action["name"],
                    "parameters": render_value(params, scope),
                    "would_execute": action is not None
                    and cooldown_ok
                    and not run_issues(action, rule_action["parameters"], "parameters"),
                }
            )
    return {"matched": matched, "actions": outcome}


async def dry_run_rule(call: Call) -> Reply:
    result = await anyio.to_thread.run_sync(
        _test, call.services, call.tenant, call.params.path["rule_id"], call.body
    )
    return Reply(200, result)
