from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.action_type import ActionType
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.action_update_parameters import ActionUpdateParameters


T = TypeVar("T", bound="ActionUpdate")


@_attrs_define
class ActionUpdate:
    """Changing `type` requires `parameters` valid for the new type; `parameters` alone
    must suit the action's current type.

        Attributes:
            name (str | Unset):
            description (None | str | Unset):
            type_ (ActionType | Unset): `webhook`: parameters `url` (http or https, required), `method` (`POST`, `PUT`,
                `PATCH` or `GET`; default `POST`), `headers` (object of strings), `body_template`
                (a string template; when absent the body is the JSON of `{log, rule, parameters,
                context}`). `slack`: parameters `webhook` (the incoming-webhook URL, required),
                `channel`, `message` (template; default `{{log.message}}`); posts Slack's
                `{channel, text}`. `log`: records the execution and nothing else. Templates such as
                `{{log.message}}`, `{{log.metadata.user_id}}`, `{{rule.name}}`, `{{parameters.x}}`
                and `{{context.source}}` are plain substitutions: no code runs, and a missing key
                renders as an empty string.
            parameters (ActionUpdateParameters | Unset):
    """

    name: str | Unset = UNSET
    description: None | str | Unset = UNSET
    type_: ActionType | Unset = UNSET
    parameters: ActionUpdateParameters | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        description: None | str | Unset
        if isinstance(self.description, Unset):
            description = UNSET
        else:
            description = self.description

        type_: str | Unset = UNSET
        if not isinstance(self.type_, Unset):
            type_ = self.type_.value

        parameters: dict[str, Any] | Unset = UNSET
        if not isinstance(self.parameters, Unset):
            parameters = self.parameters.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if name is not UNSET:
            field_dict["name"] = name
        if description is not UNSET:
            field_dict["description"] = description
        if type_ is not UNSET:
            field_dict["type"] = type_
        if parameters is not UNSET:
            field_dict["parameters"] = parameters

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.action_update_parameters import ActionUpdateParameters

        d = dict(src_dict)
        name = d.pop("name", UNSET)

        def _parse_description(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        description = _parse_description(d.pop("description", UNSET))

        _type_ = d.pop("type", UNSET)
        type_: ActionType | Unset
        if isinstance(_type_, Unset):
            type_ = UNSET
        else:
            type_ = ActionType(_type_)

        _parameters = d.pop("parameters", UNSET)
        parameters: ActionUpdateParameters | Unset
        if isinstance(_parameters, Unset):
            parameters = UNSET
        else:
            parameters = ActionUpdateParameters.from_dict(_parameters)

        action_update = cls(
            name=name,
            description=description,
            type_=type_,
            parameters=parameters,
        )

        return action_update
