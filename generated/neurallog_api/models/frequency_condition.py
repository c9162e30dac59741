from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

from ..models.frequency_condition_type import FrequencyConditionType

if TYPE_CHECKING:
    from ..models.frequency_condition_parameters import FrequencyConditionParameters


T = TypeVar("T", bound="FrequencyCondition")


@_attrs_define
class FrequencyCondition:
    """Matches when the inner `condition` has matched at least `threshold` entries within
    the last `window_seconds`, the current one included.

        Attributes:
            type_ (FrequencyConditionType):
            parameters (FrequencyConditionParameters):
    """

    type_: FrequencyConditionType
    parameters: FrequencyConditionParameters

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
        from ..models.frequency_condition_parameters import FrequencyConditionParameters

        d = dict(src_dict)
        type_ = FrequencyConditionType(d.pop("type"))

        parameters = FrequencyConditionParameters.from_dict(d.pop("parameters"))

        frequency_condition = cls(
            type_=type_,
            parameters=parameters,
        )

        return frequency_condition
