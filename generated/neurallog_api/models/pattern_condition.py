from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

from ..models.pattern_condition_type import PatternConditionType

if TYPE_CHECKING:
    from ..models.pattern_condition_parameters import PatternConditionParameters


T = TypeVar("T", bound="PatternCondition")


@_attrs_define
class PatternCondition:
    """Entries whose `field` matches the RE2 regular expression `pattern`.

    Attributes:
        type_ (PatternConditionType):
        parameters (PatternConditionParameters):
    """

    type_: PatternConditionType
    parameters: PatternConditionParameters

    def to_dict(self) -> dict[str, Any]:
        type_ = self.type_.value

        parameters = self.parameters.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "type": type_,
                "parameters": parameters,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.pattern_condition_parameters import PatternConditionParameters

        d = dict(src_dict)
        type_ = PatternConditionType(d.pop("type"))

        parameters = PatternConditionParameters.from_dict(d.pop("parameters"))

        pattern_condition = cls(
            type_=type_,
            parameters=parameters,
        )

        return pattern_condition
