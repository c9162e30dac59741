from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

from ..models.log_level_condition_type import LogLevelConditionType

if TYPE_CHECKING:
    from ..models.log_level_condition_parameters import LogLevelConditionParameters


T = TypeVar("T", bound="LogLevelCondition")


@_attrs_define
class LogLevelCondition:
    """Entries at `level` or above, from `sources` when given.

    Attributes:
        type_ (LogLevelConditionType):
        parameters (LogLevelConditionParameters):
    """

    type_: LogLevelConditionType
    parameters: LogLevelConditionParameters

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
        from ..models.log_level_condition_parameters import LogLevelConditionParameters

        d = dict(src_dict)
        type_ = LogLevelConditionType(d.pop("type"))

        parameters = LogLevelConditionParameters.from_dict(d.pop("parameters"))

        log_level_condition = cls(
            type_=type_,
            parameters=parameters,
        )

        return log_level_condition
