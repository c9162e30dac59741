from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.action_type import ActionType

if TYPE_CHECKING:
    from ..models.action_parameters import ActionParameters


T = TypeVar("T", bound="Action")


@_attrs_define
class Action:
    """
    Attributes:
        id (str):
        name (str):
        description (None | str):
        type_ (ActionType): `webhook`: parameters `url` (http or https, required), `method` (`POST`, `PUT`,
            `PATCH` or `GET`; default `POST`), `headers` (object of strings), `body_template`
            (a string template; when absent the body is the JSON of `{log, rule, parameters,
            context}`). `slack`: parameters `webhook` (the incoming-webhook URL, required),
            `channel`, `message` (template; default `{{log.message}}`); posts Slack's
            `{channel, text}`. `log`: records the execution and nothing else. Templates such as
            `{{log.message}}`, `{{log.metadata.user_id}}`, `{{rule.name}}`, `{{parameters.x}}`
            and `{{context.source}}` are plain substitutions: no code runs, and a missing key
            renders as an empty string.
        parameters (ActionParameters):
        created_at (datetime.datetime):
        updated_at (datetime.datetime):
    """

    id: str
    name: str
    description: None | str
    type_: ActionType
    parameters: ActionParameters
    created_at: datetime.datetime
    updated_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        name = self.name

        description: None | str
        description = self.description

        type_ = self.type_.value

        parameters = self.parameters.to_dict()

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "name": name,
                "description": description,
                "type": type_,
                "parameters": parameters,
                "created_at": created_at,
                "updated_at": updated_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.action_parameters import ActionParameters

        d = dict(src_dict)
        id = d.pop("id")

        name = d.pop("name")

        def _parse_description(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        description = _parse_description(d.pop("description"))

        type_ = ActionType(d.pop("type"))

        parameters = ActionParameters.from_dict(d.pop("parameters"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        action = cls(
            id=id,
            name=name,
            description=description,
            type_=type_,
            parameters=parameters,
            created_at=created_at,
            updated_at=updated_at,
        )

        action.additional_properties = d
        return action

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
