from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

from ..models.match_condition_type import MatchConditionType

if TYPE_CHECKING:
    from ..models.match_condition_parameters import MatchConditionParameters


T = TypeVar("T", bound="MatchCondition")


@_attrs_define
class MatchCondition:
    """Entries whose `field` compares to `value` by `operator`. `value` is any JSON value,
    required except for `exists`; on `level` it is a level name for `eq`, `ne`, `gt` and
    `lt` (which compare by severity).

        Attributes:
            type_ (MatchConditionType):
            parameters (MatchConditionParameters):
    """

    type_: MatchConditionType
    parameters: MatchConditionParameters

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
        from ..models.match_condition_parameters import MatchConditionParameters

        d = dict(src_dict)
        type_ = MatchConditionType(d.pop("type"))

        parameters = MatchConditionParameters.from_dict(d.pop("parameters"))

        match_condition = cls(
            type_=type_,
            parameters=parameters,
        )

        return match_condition
