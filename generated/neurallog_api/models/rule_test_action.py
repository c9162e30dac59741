from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.rule_test_action_parameters import RuleTestActionParameters


T = TypeVar("T", bound="RuleTestAction")


@_attrs_define
class RuleTestAction:
    """
    Attributes:
        action_id (str):
        action_name (None | str): Null when no action has this id (not created yet, or deleted).
        parameters (RuleTestActionParameters): The parameters as they would be sent, templates rendered.
        would_execute (bool): False when no action has this id, the merged parameters do not suit the action, or the
            cooldown would hold it back.
    """

    action_id: str
    action_name: None | str
    parameters: RuleTestActionParameters
    would_execute: bool
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        action_id = self.action_id

        action_name: None | str
        action_name = self.action_name

        parameters = self.parameters.to_dict()

        would_execute = self.would_execute

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "action_id": action_id,
                "action_name": action_name,
                "parameters": parameters,
                "would_execute": would_execute,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.rule_test_action_parameters import RuleTestActionParameters

        d = dict(src_dict)
        action_id = d.pop("action_id")

        def _parse_action_name(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        action_name = _parse_action_name(d.pop("action_name"))

        parameters = RuleTestActionParameters.from_dict(d.pop("parameters"))

        would_execute = d.pop("would_execute")

        rule_test_action = cls(
            action_id=action_id,
            action_name=action_name,
            parameters=parameters,
            would_execute=would_execute,
        )

        rule_test_action.additional_properties = d
        return rule_test_action

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
