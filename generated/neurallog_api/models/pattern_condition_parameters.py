from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="PatternConditionParameters")


@_attrs_define
class PatternConditionParameters:
    """
    Attributes:
        pattern (str):
        field (str | Unset): An entry field, or a dotted metadata path such as `metadata.error_code`.
        case_sensitive (bool | Unset):  Default: False.
    """

    pattern: str
    field: str | Unset = UNSET
    case_sensitive: bool | Unset = False
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        pattern = self.pattern

        field = self.field

        case_sensitive = self.case_sensitive

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "pattern": pattern,
            }
        )
        if field is not UNSET:
            field_dict["field"] = field
        if case_sensitive is not UNSET:
            field_dict["case_sensitive"] = case_sensitive

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        pattern = d.pop("pattern")

        field = d.pop("field", UNSET)

        case_sensitive = d.pop("case_sensitive", UNSET)

        pattern_condition_parameters = cls(
            pattern=pattern,
            field=field,
            case_sensitive=case_sensitive,
        )

        pattern_condition_parameters.additional_properties = d
        return pattern_condition_parameters

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
