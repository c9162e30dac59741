from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.action_type import ActionType
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.action_input_parameters import ActionInputParameters


T = TypeVar("T", bound="ActionInput")


@_attrs_define
class ActionInput:
    """
    Attributes:
        name (str):
        type_ (ActionType): `webhook`: parameters `url` (http or https, required), `method` (`POST`, `PUT`,
            `PATCH` or `GET`; default `POST`), `headers` (object of strings), `body_template`
            (a string template; when absent the body is the JSON of `{log, rule, parameters,
            context}`). `slack`: parameters `webhook` (the incoming-webhook URL, required),
            `channel`, `message` (template; default `{{log.message}}`); posts Slack's
            `{channel, text}`. `log`: records the execution and nothing else. Templates such as
            `{{log.message}}`, `{{log.metadata.user_id}}`, `{{rule.name}}`, `{{parameters.x}}`
            and `{{context.source}}` are plain substitutions: no code runs, and a missing key
            renders as an empty string.
        description (None | str | Unset):
        parameters (ActionInputParameters | Unset):
    """

    name: str
    type_: ActionType
    description: None | str | Unset = UNSET
    parameters: ActionInputParameters | Unset = UNSET

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
        from ..models.action_input_parameters import ActionInputParameters

        d = dict(src_dict)
        name = d.pop("name")

        type_ = ActionType(d.pop("type"))

        def _parse_description(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        description = _parse_description(d.pop("description", UNSET))

        _parameters = d.pop("parameters", UNSET)
        parameters: ActionInputParameters | Unset
        if isinstance(_parameters, Unset):
            parameters = UNSET
        else:
            parameters = ActionInputParameters.from_dict(_parameters)

        action_input = cls(
            name=name,
            type_=type_,
            description=description,
            parameters=parameters,
        )

        return action_input
