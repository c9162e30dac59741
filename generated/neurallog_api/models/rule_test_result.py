from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.rule_test_action import RuleTestAction


T = TypeVar("T", bound="RuleTestResult")


@_attrs_define
class RuleTestResult:
    """
    Attributes:
        matched (bool):
        actions (list[RuleTestAction]): Empty when the condition did not match.
    """

    matched: bool
    actions: list[RuleTestAction]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        matched = self.matched

        actions = []
        for actions_item_data in self.actions:
            actions_item = actions_item_data.to_dict()
            actions.append(actions_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "matched": matched,
                "actions": actions,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.rule_test_action import RuleTestAction

        d = dict(src_dict)
        matched = d.pop("matched")

        actions = []
        _actions = d.pop("actions")
        for actions_item_data in _actions:
            actions_item = RuleTestAction.from_dict(actions_item_data)

            actions.append(actions_item)

        rule_test_result = cls(
            matched=matched,
            actions=actions,
        )

        rule_test_result.additional_properties = d
        return rule_test_result

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
