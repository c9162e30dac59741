from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.rule_action_parameters import RuleActionParameters


T = TypeVar("T", bound="RuleAction")


@_attrs_define
class RuleAction:
    """An action a rule runs, with parameters (templates allowed) merged over the action's
    own. `action_id` need not name an existing action: a reference to an action that does
    not exist (not created yet, or deleted since) is accepted and kept. When the rule
    fires, such a reference is skipped and recorded as a failed execution under that
    `action_id`; `test` reports it with `action_name: null` and `would_execute: false`.

        Attributes:
            action_id (str):
            parameters (RuleActionParameters | Unset):
    """

    action_id: str
    parameters: RuleActionParameters | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        action_id = self.action_id

        parameters: dict[str, Any] | Unset = UNSET
        if not isinstance(self.parameters, Unset):
            parameters = self.parameters.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "action_id": action_id,
            }
        )
        if parameters is not UNSET:
            field_dict["parameters"] = parameters

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.rule_action_parameters import RuleActionParameters

        d = dict(src_dict)
        action_id = d.pop("action_id")

        _parameters = d.pop("parameters", UNSET)
        parameters: RuleActionParameters | Unset
        if isinstance(_parameters, Unset):
            parameters = UNSET
        else:
            parameters = RuleActionParameters.from_dict(_parameters)

        rule_action = cls(
            action_id=action_id,
            parameters=parameters,
        )

        return rule_action
