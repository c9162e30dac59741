"""``client.rules``: conditions evaluated on every ingested entry, and the actions they run."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

from neurallog.resources import _build
from neurallog.resources._base import AsyncResource, SyncResource
from neurallog.resources._pages import AsyncPage, Page
from neurallog.types import NOT_GIVEN, NotGiven, Rule, RuleTestResult

ConditionArg = Mapping[str, Any]
ActionsArg = Sequence[Mapping[str, Any]]


class RulesModule(SyncResource):
    """Rules of the tenant: ``client.rules``."""

    def create(
        self,
        name: str,
        condition: ConditionArg,
        *,
        description: str | None = None,
        actions: ActionsArg | None = None,
        enabled: bool = True,
        cooldown_seconds: int | None = None,
    ) -> Rule:
        """Create a rule.

        Args:
            name: Display name.
            condition: ``{"type": ..., "parameters": {...}}``; types ``log_level``,
                ``pattern``, ``match``, ``frequency`` and ``composite``.
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
        call = _build.create_rule_call(
            name=name,
            condition=condition,
            description=description,
            actions=actions,
            enabled=enabled,
            cooldown_seconds=cooldown_seconds,
        )
        return cast(Rule, self._send(call))

    def get(self, rule_id: str) -> Rule:
        """One rule by id."""
        return cast(Rule, self._send(_build.get_rule_call(rule_id)))

    def list(
        self,
        filter: Mapping[str, Any] | None = None,
        limit: int = 10,
        offset: int = 0,
        *,
        enabled: bool | None = None,
    ) -> Page[Rule]:
        """A page of rules, oldest first; ``filter={"enabled": True}`` (or ``enabled=True``)."""
        call = _build.list_rules_call(filter=filter, enabled=enabled, limit=limit, offset=offset)
        return self._paged(call)

    def update(
        self,
        rule_id: str,
        *,
        name: str | NotGiven = NOT_GIVEN,
        description: str | NotGiven | None = NOT_GIVEN,
        condition: ConditionArg | NotGiven = NOT_GIVEN,
        actions: ActionsArg | NotGiven = NOT_GIVEN,
        enabled: bool | NotGiven = NOT_GIVEN,
        cooldown_seconds: int | NotGiven = NOT_GIVEN,
    ) -> Rule:
        """Change only the fields given (``description=None`` clears it); the updated rule."""
        call = _build.update_rule_call(
            rule_id,
            {
                "name": name,
                "description": description,
                "condition": condition,
                "actions": actions,
                "enabled": enabled,
                "cooldown_seconds": cooldown_seconds,
            },
        )
        return cast(Rule, self._send(call))

    def delete(self, rule_id: str) -> None:
        """Delete a rule."""
        self._send(_build.delete_rule_call(rule_id))

    def test(self, rule_id: str, sample_data: Mapping[str, Any]) -> RuleTestResult:
        """Dry-run the rule on ``sample_data`` (a log entry); nothing runs or is recorded.

        The result says whether it ``matched`` and, for each action, the rendered
        ``parameters`` and whether the cooldown would let it run (``would_execute``).
        """
        return cast(RuleTestResult, self._send(_build.rule_test_call(rule_id, sample_data)))

    def enable(self, rule_id: str) -> Rule:
        """Start evaluating the rule; the updated rule."""
        return cast(Rule, self._send(_build.enable_rule_call(rule_id)))

    def disable(self, rule_id: str) -> Rule:
        """Stop evaluating the rule; the updated rule."""
        return cast(Rule, self._send(_build.disable_rule_call(rule_id)))


class AsyncRulesModule(AsyncResource):
    """Async twin of :class:`RulesModule`: ``AsyncNeuralLog.rules``."""

    async def create(
        self,
        name: str,
        condition: ConditionArg,
        *,
        description: str | None = None,
        actions: ActionsArg | None = None,
        enabled: bool = True,
        cooldown_seconds: int | None = None,
    ) -> Rule:
        """Create a rule; see :meth:`RulesModule.create`."""
        call = _build.create_rule_call(
            name=name,
            condition=condition,
            description=description,
            actions=actions,
            enabled=enabled,
            cooldown_seconds=cooldown_seconds,
        )
        return cast(Rule, await self._send(call))

    async def get(self, rule_id: str) -> Rule:
        """One rule by id."""
        return cast(Rule, await self._send(_build.get_rule_call(rule_id)))

    async def list(
        self,
        filter: Mapping[str, Any] | None = None,
        limit: int = 10,
        offset: int = 0,
        *,
        enabled: bool | None = None,
    ) -> AsyncPage[Rule]:
        """A page of rules, oldest first; ``iter_all()`` walks every page."""
        call = _build.list_rules_call(filter=filter, enabled=enabled, limit=limit, offset=offset)
        return await self._paged(call)

    async def update(
        self,
        rule_id: str,
        *,
        name: str | NotGiven = NOT_GIVEN,
        description: str | NotGiven | None = NOT_GIVEN,
        condition: ConditionArg | NotGiven = NOT_GIVEN,
        actions: ActionsArg | NotGiven = NOT_GIVEN,
        enabled: bool | NotGiven = NOT_GIVEN,
        cooldown_seconds: int | NotGiven = NOT_GIVEN,
    ) -> Rule:
        """Change only the fields given; see :meth:`RulesModule.update`."""
        call = _build.update_rule_call(
            rule_id,
            {
                "name": name,
                "description": description,
                "condition": condition,
                "actions": actions,
                "enabled": enabled,
                "cooldown_seconds": cooldown_seconds,
            },
        )
        return cast(Rule, await self._send(call))

    async def delete(self, rule_id: str) -> None:
        """Delete a rule."""
        await self._send(_build.delete_rule_call(rule_id))

    async def test(self, rule_id: str, sample_data: Mapping[str, Any]) -> RuleTestResult:
        """Dry-run the rule on ``sample_data``; see :meth:`RulesModule.test`."""
        return cast(RuleTestResult, await self._send(_build.rule_test_call(rule_id, sample_data)))

    async def enable(self, rule_id: str) -> Rule:
        """Start evaluating the rule."""
        return cast(Rule, await self._send(_build.enable_rule_call(rule_id)))

    async def disable(self, rule_id: str) -> Rule:
        """Stop evaluating the rule."""
        return cast(Rule, await self._send(_build.disable_rule_call(rule_id)))
