from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.action_execute_request_context import ActionExecuteRequestContext
    from ..models.action_execute_request_parameters import (
        ActionExecuteRequestParameters,
    )


T = TypeVar("T", bound="ActionExecuteRequest")


@_attrs_define
class ActionExecuteRequest:
    """
    Attributes:
        parameters (ActionExecuteRequestParameters | Unset): Merged over the action's own parameters for this execution.
        context (ActionExecuteRequestContext | Unset): Available to templates as `{{context.*}}`.
    """

    parameters: ActionExecuteRequestParameters | Unset = UNSET
    context: ActionExecuteRequestContext | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        parameters: dict[str, Any] | Unset = UNSET
        if not isinstance(self.parameters, Unset):
            parameters = self.parameters.to_dict()

        context: dict[str, Any] | Unset = UNSET
        if not isinstance(self.context, Unset):
            context = self.context.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if parameters is not UNSET:
            field_dict["parameters"] = parameters
        if context is not UNSET:
            field_dict["context"] = context

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.action_execute_request_context import ActionExecuteRequestContext
        from ..models.action_execute_request_parameters import (
            ActionExecuteRequestParameters,
        )

        d = dict(src_dict)
        _parameters = d.pop("parameters", UNSET)
        parameters: ActionExecuteRequestParameters | Unset
        if isinstance(_parameters, Unset):
            parameters = UNSET
        else:
            parameters = ActionExecuteRequestParameters.from_dict(_parameters)

        _context = d.pop("context", UNSET)
        context: ActionExecuteRequestContext | Unset
        if isinstance(_context, Unset):
            context = UNSET
        else:
            context = ActionExecuteRequestContext.from_dict(_context)

        action_execute_request = cls(
            parameters=parameters,
            context=context,
        )

        return action_execute_request
