"""``client.actions``: what a rule (or a person) can make happen.

:class:`Actions` and :class:`AsyncActions` are made from the request functions below.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

from neurallog_api.api.actions import (
    create_action,
    delete_action,
    execute_action,
    get_action,
    list_action_executions,
    list_actions,
    update_action,
)
from neurallog_api.models.action_type import ActionType as ActionTypeEnum
from neurallog_api.models.execution_status import ExecutionStatus as ExecutionStatusEnum
from neurallog_api.types import UNSET

from neurallog import _checks
from neurallog.resources import _base, _parse
from neurallog.resources._build import (
    Call,
    ListCall,
    by_id,
    changed_fields,
    check_limit,
    encode_json,
    list_call,
    one_filter,
    verbatim,
)
from neurallog.types import NOT_GIVEN, Action, ActionType, Execution, ExecutionStatus, NotGiven

__all__ = ["Actions", "AsyncActions"]

Params = Mapping[str, Any]

_TYPES = tuple(t.value for t in ActionTypeEnum)
_STATUSES = tuple(s.value for s in ExecutionStatusEnum)


@_base.request("actions")
def _create(
    name: str,
    type: ActionType,
    parameters: Params | None = None,
    *,
    description: str | None = None,
) -> Call[Action]:
    """Create an action.

    ``type`` is ``webhook`` (parameters ``url``, ``method``, ``headers``,
    ``body_template``), ``slack`` (``webhook``, ``channel``, ``message``) or ``log``; see
    :class:`~neurallog.types.WebhookParameters` and :class:`~neurallog.types.SlackParameters`.
    Parameter values may use templates such as ``{{log.message}}``, ``{{rule.name}}``,
    ``{{parameters.x}}`` and ``{{context.source}}``, so other keys are kept too.
    """
    payload: dict[str, Any] = {
        "name": _checks.string("name", name),
        "type": _checks.string("type", type),
    }
    if parameters is not None:
        payload["parameters"] = _checks.mapping("parameters", parameters)
    if description is not None:
        payload["description"] = _checks.string("description", description)
    kwargs = create_action._get_kwargs(body=verbatim(payload))
    return Call(encode_json("action", kwargs), _parse.data)


@_base.request("actions")
def _get(action_id: str) -> Call[Action]:
    """One action by id."""
    return by_id("action_id", action_id, get_action._get_kwargs)


@_base.request("actions")
def _list(
    filter: Mapping[str, Any] | None = None,
    limit: int = 10,
    offset: int = 0,
    *,
    type: ActionType | None = None,
) -> ListCall[Action]:
    """A page of actions, oldest first; ``filter={"type": "webhook"}`` (or ``type=``)."""
    wanted = one_filter("actions.list", "type", filter, type)
    at = partial(
        list_actions._get_kwargs,
        type_=UNSET if wanted is None else ActionTypeEnum(_checks.choice("type", wanted, _TYPES)),
        limit=check_limit(limit),
    )
    return list_call(at, offset)


@_base.request("actions")
def _update(
    action_id: str,
    *,
    name: str | NotGiven = NOT_GIVEN,
    description: str | NotGiven | None = NOT_GIVEN,
    type: ActionType | NotGiven = NOT_GIVEN,
    parameters: Params | NotGiven = NOT_GIVEN,
) -> Call[Action]:
    """Change only the fields given; ``parameters`` replaces the whole object."""
    changes: dict[str, object] = {
        "name": name,
        "description": description,
        "type": type,
        "parameters": parameters,
    }
    payload = changed_fields("actions.update", changes)
    if "type" in payload:
        _checks.string("type", payload["type"])
    if "parameters" in payload:
        payload["parameters"] = _checks.mapping("parameters", payload["parameters"])
    action = _checks.require_id("action_id", action_id)
    kwargs = update_action._get_kwargs(action, body=verbatim(payload))
    return Call(encode_json("action", kwargs), _parse.data)


@_base.request("actions")
def _delete(action_id: str) -> Call[None]:
    """Delete an action (rules that use it record a failed execution when they fire)."""
    return by_id("action_id", action_id, delete_action._get_kwargs, _parse.nothing)


@_base.request("actions")
def _execute(
    action_id: str,
    parameters: Params | None = None,
    context: Params | None = None,
) -> Call[Execution]:
    """Run the action now; the recorded execution.

    ``parameters`` are merged over the action's own; ``context`` is available to
    templates as ``{{context.*}}``. A failed delivery is an execution with
    ``status == "failed"`` and an ``error``, not an exception.
    """
    payload: dict[str, Any] = {}
    if parameters is not None:
        payload["parameters"] = _checks.mapping("parameters", parameters)
    if context is not None:
        payload["context"] = _checks.mapping("context", context)
    action = _checks.require_id("action_id", action_id)
    kwargs = execute_action._get_kwargs(action, body=verbatim(payload))
    return Call(encode_json("execute", kwargs), _parse.data)


@_base.request("actions")
def _executions(
    action_id: str,
    limit: int = 10,
    offset: int = 0,
    *,
    status: ExecutionStatus | None = None,
    rule_id: str | None = None,
) -> ListCall[Execution]:
    """A page of the action's executions (manual and rule-triggered), newest first."""
    at = partial(
        list_action_executions._get_kwargs,
        _checks.require_id("action_id", action_id),
        status=UNSET
        if status is None
        else ExecutionStatusEnum(_checks.choice("status", status, _STATUSES)),
        rule_id=UNSET if rule_id is None else _checks.require_id("rule_id", rule_id),
        limit=check_limit(limit),
    )
    return list_call(at, offset)


class Actions(_base.SyncResource):
    """Actions of the tenant: ``NeuralLog.actions``."""

    create = _base.sync_call(_create)
    get = _base.sync_call(_get)
    list = _base.sync_list(_list)
    update = _base.sync_call(_update)
    delete = _base.sync_call(_delete)
    execute = _base.sync_call(_execute)
    executions = _base.sync_list(_executions)


class AsyncActions(_base.AsyncResource):
    """Actions of the tenant: ``AsyncNeuralLog.actions``."""

    create = _base.async_call(_create)
    get = _base.async_call(_get)
    list = _base.async_list(_list)
    update = _base.async_call(_update)
    delete = _base.async_call(_delete)
    execute = _base.async_call(_execute)
    executions = _base.async_list(_executions)


#: Former names, kept for code that imported them.
ActionsModule = Actions
AsyncActionsModule = AsyncActions
