from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

from ..models.composite_condition_type import CompositeConditionType

if TYPE_CHECKING:
    from ..models.composite_condition_parameters import CompositeConditionParameters


T = TypeVar("T", bound="CompositeCondition")


@_attrs_define
class CompositeCondition:
    """`and` or `or` of `conditions`, or `not` of exactly one.

    Attributes:
        type_ (CompositeConditionType):
        parameters (CompositeConditionParameters):
    """

    type_: CompositeConditionType
    parameters: CompositeConditionParameters

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
        from ..models.composite_condition_parameters import CompositeConditionParameters

        d = dict(src_dict)
        type_ = CompositeConditionType(d.pop("type"))

        parameters = CompositeConditionParameters.from_dict(d.pop("parameters"))

        composite_condition = cls(
            type_=type_,
            parameters=parameters,
        )

        return composite_condition
