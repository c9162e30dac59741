"""``client.rules``: conditions evaluated on every ingested entry, and the actions they run.

The request functions below are the operations; :class:`Rules` and :class:`AsyncRules` are
made from them, as ``_base`` explains.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import partial
from typing import Any

from neurallog_api.api.rules import (
    create_rule,
    delete_rule,
    disable_rule,
    enable_rule,
    get_rule,
    list_rules,
    test_rule,
    update_rule,
)
from neurallog_api.types import UNSET

from neurallog import _checks
from neurallog._levels import level_name
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
from neurallog.types import NOT_GIVEN, Condition, NotGiven, Rule, RuleAction, RuleTestResult

__all__ = ["AsyncRules", "Rules"]

RuleActions = Sequence[RuleAction]


def _rule_actions(actions: object) -> list[Any]:
    if isinstance(actions, Mapping) or not isinstance(actions, Sequence):
        raise TypeError(
            'actions must be a list such as [{"action_id": "...", "parameters": {...}}]; '
            f"got {type(actions).__name__}"
        )
    return list(actions)


@_base.request("rules")
def _create(
    name: str,
    condition: Condition,
    *,
    description: str | None = None,
    actions: RuleActions | None = None,
    enabled: bool = True,
    cooldown_seconds: int | None = None,
) -> Call[Rule]:
    """Create a rule.

    Args:
        name: Display name.
        condition: ``{"type": ..., "parameters": {...}}``; types ``log_level``,
            ``pattern``, ``match``, ``frequency`` and ``composite`` (see
            :data:`neurallog.types.Condition` for the parameters of each).
        description: Free text.
        actions: ``[{"action_id": ..., "parameters": {...}}]``; parameters may use
            templates such as ``{{log.message}}`` and are merged over the action's own.
        enabled: Whether the rule is evaluated from now on.
        cooldown_seconds: After firing, further matches within this window run no
            actions (server default 0).

    Raises:
        ValidationError: the server refused the rule (unknown condition type, invalid
            regular expression...); ``error.errors`` says where. An action id that
            does not exist is accepted (``test`` shows ``would_execute: False``).
    """
    payload: dict[str, Any] = {
        "name": _checks.string("name", name),
        "condition": _checks.mapping("condition", condition),
        "enabled": _checks.boolean("enabled", enabled),
    }
    if description is not None:
        payload["description"] = _checks.string("description", description)
    if actions is not None:
        payload["actions"] = _rule_actions(actions)
    if cooldown_seconds is not None:
        payload["cooldown_seconds"] = _checks.integer(
            "cooldown_seconds", cooldown_seconds, minimum=0
        )
    kwargs = create_rule._get_kwargs(body=verbatim(payload))
    return Call(encode_json("rule", kwargs), _parse.data)


@_base.request("rules")
def _get(rule_id: str) -> Call[Rule]:
    """One rule by id."""
    return by_id("rule_id", rule_id, get_rule._get_kwargs)


@_base.request("rules")
def _list(
    filter: Mapping[str, Any] | None = None,
    limit: int = 10,
    offset: int = 0,
    *,
    enabled: bool | None = None,
) -> ListCall[Rule]:
    """A page of rules, oldest first; ``filter={"enabled": True}`` (or ``enabled=True``)."""
    wanted = one_filter("rules.list", "enabled", filter, enabled)
    at = partial(
        list_rules._get_kwargs,
        enabled=UNSET if wanted is None else _checks.boolean("enabled", wanted),
        limit=check_limit(limit),
    )
    return list_call(at, offset)


@_base.request("rules")
def _update(
    rule_id: str,
    *,
    name: str | NotGiven = NOT_GIVEN,
    description: str | NotGiven | None = NOT_GIVEN,
    condition: Condition | NotGiven = NOT_GIVEN,
    actions: RuleActions | NotGiven = NOT_GIVEN,
    enabled: bool | NotGiven = NOT_GIVEN,
    cooldown_seconds: int | NotGiven = NOT_GIVEN,
) -> Call[Rule]:
    """Change only the fields given (``description=None`` clears it); the updated rule."""
    changes: dict[str, object] = {
        "name": name,
        "description": description,
        "condition": condition,
        "actions": actions,
        "enabled": enabled,
        "cooldown_seconds": cooldown_seconds,
    }
    payload = changed_fields("rules.update", changes)
    if "condition" in payload:
        payload["condition"] = _checks.mapping("condition", payload["condition"])
    if "actions" in payload:
        payload["actions"] = _rule_actions(payload["actions"])
    if "enabled" in payload:
        _checks.boolean("enabled", payload["enabled"])
    if "cooldown_seconds" in payload:
        _checks.integer("cooldown_seconds", payload["cooldown_seconds"], minimum=0)
    rule = _checks.require_id("rule_id", rule_id)
    kwargs = update_rule._get_kwargs(rule, body=verbatim(payload))
    return Call(encode_json("rule", kwargs), _parse.data)


@_base.request("rules")
def _delete(rule_id: str) -> Call[None]:
    """Delete a rule."""
    return by_id("rule_id", rule_id, delete_rule._get_kwargs, _parse.nothing)


@_base.request("rules")
def _test(rule_id: str, sample_data: Mapping[str, Any]) -> Call[RuleTestResult]:
    """Dry-run the rule on ``sample_data`` (a log entry); nothing runs or is recorded.

    The result says whether it ``matched`` and, for each action, the rendered
    ``parameters`` and whether the cooldown would let it run (``would_execute``).
    """
    sample = _checks.mapping("sample_data", sample_data)
    if "level" in sample:
        try:
            sample["level"] = level_name(sample["level"])
        except ValueError as error:
            raise ValueError(f"sample_data['level']: {error}") from None
    rule = _checks.require_id("rule_id", rule_id)
    kwargs = test_rule._get_kwargs(rule, body=verbatim({"sample_data": sample}))
    return Call(encode_json("sample_data", kwargs), _parse.data)


@_base.request("rules")
def _enable(rule_id: str) -> Call[Rule]:
    """Start evaluating the rule; the updated rule."""
    return by_id("rule_id", rule_id, enable_rule._get_kwargs)


@_base.request("rules")
def _disable(rule_id: str) -> Call[Rule]:
    """Stop evaluating the rule; the updated rule."""
    return by_id("rule_id", rule_id, disable_rule._get_kwargs)


class Rules(_base.SyncResource):
    """Rules of the tenant: ``NeuralLog.rules``."""

    create = _base.sync_call(_create)
    get = _base.sync_call(_get)
    list = _base.sync_list(_list)
    update = _base.sync_call(_update)
    delete = _base.sync_call(_delete)
    test = _base.sync_call(_test)
    enable = _base.sync_call(_enable)
    disable = _base.sync_call(_disable)


class AsyncRules(_base.AsyncResource):
    """Rules of the tenant: ``AsyncNeuralLog.rules``."""

    create = _base.async_call(_create)
    get = _base.async_call(_get)
    list = _base.async_list(_list)
    update = _base.async_call(_update)
    delete = _base.async_call(_delete)
    test = _base.async_call(_test)
    enable = _base.async_call(_enable)
    disable = _base.async_call(_disable)


#: Former names, kept for code that imported them.
RulesModule = Rules
AsyncRulesModule = AsyncRules
