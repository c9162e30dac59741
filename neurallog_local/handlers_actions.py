"""Handlers of the ``actions`` operations."""

from __future__ import annotations

from typing import Any

import anyio.to_thread

from .actions import parameter_issues, run_issues
from .errors import not_found, validation_error
from .ids import new_id
from .request_flow import Call, Reply, page, pagination
from .services import Services
from .timeutil import format_us, now_us


def _check_parameters(action_type: str, params: dict[str, Any], where: str) -> None:
    problems = parameter_issues(action_type, params, where)
    if problems:
        raise validation_error(f"invalid parameters for a {action_type} action", problems)


async def create_action(call: Call) -> Reply:
    body = call.body
    params = body.get("parameters", {})
    _check_parameters(body["type"], params, "body.parameters")
    now = format_us(now_us())
    action = {
        "id": new_id("act"),
        "name": body["name"],
        "description": body.get("description"),
        "type": body["type"],
        "parameters": params,
        "created_at": now,
        "updated_at": now,
    }
    await anyio.to_thread.run_sync(call.services.store.insert_action, call.tenant, action)
    return Reply(201, action)


async def list_actions(call: Call) -> Reply:
    query = call.query
    limit, offset, skip = page(query)
    actions, total = await anyio.to_thread.run_sync(
        call.services.store.list_actions, call.tenant, query.get("type"), limit, skip
    )
    return Reply(200, actions, pagination(total, limit, offset, len(actions)))


def _get(services: Services, tenant: str, action_id: str) -> dict[str, Any]:
    action = services.store.get_action(tenant, action_id)
    if action is None:
        raise not_found("action")
    return action


async def get_action(call: Call) -> Reply:
    action = await anyio.to_thread.run_sync(
        _get, call.services, call.tenant, call.params.path["action_id"]
    )
    return Reply(200, action)


def _update(
    services: Services, tenant: str, action_id: str, changes: dict[str, Any]
) -> dict[str, Any]:
    action = _get(services, tenant, action_id)
    action.update(changes)
    if "type" in changes or "parameters" in changes:
        _check_parameters(action["type"], action["parameters"], "body.parameters")
    action["updated_at"] = format_us(now_us())
    if not services.store.save_action(tenant, action):
        raise not_found("action")
    return action


async def update_action(call: Call) -> Reply:
    action = await anyio.to_thread.run_sync(
        _update, call.services, call.tenant, call.params.path["action_id"], call.body
    )
    return Reply(200, action)


async def delete_action(call: Call) -> Reply:
    deleted = await anyio.to_thread.run_sync(
        call.services.store.delete_action, call.tenant, call.params.path["action_id"]
    )
    if not deleted:
        raise not_found("action")
    return Reply(204)


async def execute_action(call: Call) -> Reply:
    services = call.services
    action_id = call.params.path["action_id"]
    action = await anyio.to_thread.run_sync(_get, services, call.tenant, action_id)
    body = call.body or {}
    overrides = body.get("parameters") or {}
    problems = run_issues(action, overrides, "body.parameters")
    if problems:
        raise validation_error(f"invalid parameters for a {action['type']} action", problems)
    execution = await services.delivery.run(
        call.tenant, action_id, action, overrides, body.get("context") or {}
    )
    return Reply(200, execution)


def _check_history(services: Services, tenant: str, action_id: str) -> None:
    # Rules may reference actions that do not exist (deleted, or never created); their
    # failed executions are recorded under the id they reference and stay readable here.
    if services.store.get_action(tenant, action_id) is None and not (
        services.store.has_executions(tenant, action_id)
    ):
        raise not_found("action")


async def list_executions(call: Call) -> Reply:
    services = call.services
    query = call.query
    action_id = call.params.path["action_id"]
    await anyio.to_thread.run_sync(_check_history, services, call.tenant, action_id)
    limit, offset, skip = page(query)
    executions, total = await anyio.to_thread.run_sync(
        services.store.list_executions,
        call.tenant,
        action_id,
        query.get("status"),
        query.get("rule_id"),
        limit,
        skip,
    )
    return Reply(200, executions, pagination(total, limit, offset, len(executions)))
