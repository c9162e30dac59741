from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.match_condition_parameters_operator import (
    MatchConditionParametersOperator,
)
from ..types import UNSET, Unset

T = TypeVar("T", bound="MatchConditionParameters")


@_attrs_define
class MatchConditionParameters:
    """
    Attributes:
        field (str): An entry field, or a dotted metadata path such as `metadata.error_code`.
        operator (MatchConditionParametersOperator | Unset):  Default: MatchConditionParametersOperator.EQ.
        value (Any | Unset):
    """

    field: str
    operator: MatchConditionParametersOperator | Unset = (
        MatchConditionParametersOperator.EQ
    )
    value: Any | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        field = self.field

        operator: str | Unset = UNSET
        if not isinstance(self.operator, Unset):
            operator = self.operator.value

        value = self.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "field": field,
            }
        )
        if operator is not UNSET:
            field_dict["operator"] = operator
        if value is not UNSET:
            field_dict["value"] = value

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        field = d.pop("field")

        _operator = d.pop("operator", UNSET)
        operator: MatchConditionParametersOperator | Unset
        if isinstance(_operator, Unset):
            operator = UNSET
        else:
            operator = MatchConditionParametersOperator(_operator)

        value = d.pop("value", UNSET)

        match_condition_parameters = cls(
            field=field,
            operator=operator,
            value=value,
        )

        match_condition_parameters.additional_properties = d
        return match_condition_parameters

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
