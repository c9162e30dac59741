from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.log_action_input_type import LogActionInputType
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.log_action_input_parameters import LogActionInputParameters


T = TypeVar("T", bound="LogActionInput")


@_attrs_define
class LogActionInput:
    """Records the execution and nothing else.

    Attributes:
        name (str):
        type_ (LogActionInputType):
        description (None | str | Unset):
        parameters (LogActionInputParameters | Unset):
    """

    name: str
    type_: LogActionInputType
    description: None | str | Unset = UNSET
    parameters: LogActionInputParameters | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        type_ = self.type_.value

        description: None | str | Unset
        if isinstance(self.description, Unset):
            description = UNSET
        else:
            description = self.description

        parameters: dict[str, Any] | Unset = UNSET
        if not isinstance(self.parameters, Unset):
            parameters = self.parameters.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "name": name,
                "type": type_,
            }
        )
        if description is not UNSET:
            field_dict["description"] = description
        if parameters is not UNSET:
            field_dict["parameters"] = parameters

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.log_action_input_parameters import LogActionInputParameters

        d = dict(src_dict)
        name = d.pop("name")

        type_ = LogActionInputType(d.pop("type"))

        def _parse_description(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        description = _parse_description(d.pop("description", UNSET))

        _parameters = d.pop("parameters", UNSET)
        parameters: LogActionInputParameters | Unset
        if isinstance(_parameters, Unset):
            parameters = UNSET
        else:
            parameters = LogActionInputParameters.from_dict(_parameters)

        log_action_input = cls(
            name=name,
            type_=type_,
            description=description,
            parameters=parameters,
        )

        return log_action_input
