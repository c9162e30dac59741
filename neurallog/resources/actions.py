"""``client.actions``: what a rule (or a person) can make happen."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from neurallog.resources import _build
from neurallog.resources._base import AsyncResource, SyncResource
from neurallog.resources._pages import AsyncPage, Page
from neurallog.types import NOT_GIVEN, Action, ActionType, Execution, ExecutionStatus, NotGiven

Params = Mapping[str, Any]


class ActionsModule(SyncResource):
    """Actions of the tenant: ``client.actions``."""

    def create(
        self,
        name: str,
        type: ActionType | str,
        parameters: Params | None = None,
        *,
        description: str | None = None,
    ) -> Action:
        """Create an action.

        ``type`` is ``webhook`` (parameters ``url``, ``method``, ``headers``,
        ``body_template``), ``slack`` (``webhook``, ``channel``, ``message``) or ``log``.
        Parameter values may use templates such as ``{{log.message}}``, ``{{rule.name}}``,
        ``{{parameters.x}}`` and ``{{context.source}}``.
        """
        call = _build.create_action_call(
            name=name, type=type, parameters=parameters, description=description
        )
        return cast(Action, self._send(call))

    def get(self, action_id: str) -> Action:
        """One action by id."""
        return cast(Action, self._send(_build.get_action_call(action_id)))

    def list(
        self,
        filter: Mapping[str, Any] | None = None,
        limit: int = 10,
        offset: int = 0,
        *,
        type: ActionType | None = None,
    ) -> Page[Action]:
        """A page of actions, oldest first; ``filter={"type": "webhook"}`` (or ``type=``)."""
        call = _build.list_actions_call(filter=filter, type=type, limit=limit, offset=offset)
        return self._paged(call)

    def update(
        self,
        action_id: str,
        *,
        name: str | NotGiven = NOT_GIVEN,
        description: str | NotGiven | None = NOT_GIVEN,
        type: ActionType | str | NotGiven = NOT_GIVEN,
        parameters: Params | NotGiven = NOT_GIVEN,
    ) -> Action:
        """Change only the fields given; ``parameters`` replaces the whole object."""
        call = _build.update_action_call(
            action_id,
            {"name": name, "description": description, "type": type, "parameters": parameters},
        )
        return cast(Action, self._send(call))

    def delete(self, action_id: str) -> None:
        """Delete an action (rules that use it record a failed execution when they fire)."""
        self._send(_build.delete_action_call(action_id))

    def execute(
        self,
        action_id: str,
        parameters: Params | None = None,
        context: Params | None = None,
    ) -> Execution:
        """Run the action now; the recorded execution.

        ``parameters`` are merged over the action's own; ``context`` is available to
        templates as ``{{context.*}}``. A failed delivery is an execution with
        ``status == "failed"`` and an ``error``, not an exception.
        """
        call = _build.execute_action_call(action_id, parameters, context)
        return cast(Execution, self._send(call))

    def executions(
        self,
        action_id: str,
        limit: int = 10,
        offset: int = 0,
        *,
        status: ExecutionStatus | None = None,
        rule_id: str | None = None,
    ) -> Page[Execution]:
        """A page of the action's executions (manual and rule-triggered), newest first."""
        call = _build.list_executions_call(
            action_id, status=status, rule_id=rule_id, limit=limit, offset=offset
        )
        return self._paged(call)


class AsyncActionsModule(AsyncResource):
    """Async twin of :class:`ActionsModule`: ``AsyncNeuralLog.actions``."""

    async def create(
        self,
        name: str,
        type: ActionType | str,
        parameters: Params | None = None,
        *,
        description: str | None = None,
    ) -> Action:
        """Create an action; see :meth:`ActionsModule.create`."""
        call = _build.create_action_call(
            name=name, type=type, parameters=parameters, description=description
        )
        return cast(Action, await self._send(call))

    async def get(self, action_id: str) -> Action:
        """One action by id."""
        return cast(Action, await self._send(_build.get_action_call(action_id)))

    async def list(
        self,
        filter: Mapping[str, Any] | None = None,
        limit: int = 10,
        offset: int = 0,
        *,
        type: ActionType | None = None,
    ) -> AsyncPage[Action]:
        """A page of actions, oldest first; ``iter_all()`` walks every page."""
        call = _build.list_actions_call(filter=filter, type=type, limit=limit, offset=offset)
        return await self._paged(call)

    async def update(
        self,
        action_id: str,
        *,
        name: str | NotGiven = NOT_GIVEN,
        description: str | NotGiven | None = NOT_GIVEN,
        type: ActionType | str | NotGiven = NOT_GIVEN,
        parameters: Params | NotGiven = NOT_GIVEN,
    ) -> Action:
        """Change only the fields given; see :meth:`ActionsModule.update`."""
        call = _build.update_action_call(
            action_id,
            {"name": name, "description": description, "type": type, "parameters": parameters},
        )
        return cast(Action, await self._send(call))

    async def delete(self, action_id: str) -> None:
        """Delete an action."""
        await self._send(_build.delete_action_call(action_id))

    async def execute(
        self,
        action_id: str,
        parameters: Params | None = None,
        context: Params | None = None,
    ) -> Execution:
        """Run the action now; see :meth:`ActionsModule.execute`."""
        call = _build.execute_action_call(action_id, parameters, context)
        return cast(Execution, await self._send(call))

    async def executions(
        self,
        action_id: str,
        limit: int = 10,
        offset: int = 0,
        *,
        status: ExecutionStatus | None = None,
        rule_id: str | None = None,
    ) -> AsyncPage[Execution]:
        """A page of the action's executions, newest first; ``iter_all()`` walks every page."""
        call = _build.list_executions_call(
            action_id, status=status, rule_id=rule_id, limit=limit, offset=offset
        )
        return await self._paged(call)
