from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.webhook_action_input_type import WebhookActionInputType
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.webhook_parameters import WebhookParameters


T = TypeVar("T", bound="WebhookActionInput")


@_attrs_define
class WebhookActionInput:
    """An HTTP request to `url`.

    Attributes:
        name (str):
        type_ (WebhookActionInputType):
        parameters (WebhookParameters): Parameters of a `webhook` action; other keys are kept, for templates to use as
            `{{parameters.<key>}}`.
        description (None | str | Unset):
    """

    name: str
    type_: WebhookActionInputType
    parameters: WebhookParameters
    description: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        type_ = self.type_.value

        parameters = self.parameters.to_dict()

        description: None | str | Unset
        if isinstance(self.description, Unset):
            description = UNSET
        else:
            description = self.description

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "name": name,
                "type": type_,
                "parameters": parameters,
            }
        )
        if description is not UNSET:
            field_dict["description"] = description

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.webhook_parameters import WebhookParameters

        d = dict(src_dict)
        name = d.pop("name")

        type_ = WebhookActionInputType(d.pop("type"))

        parameters = WebhookParameters.from_dict(d.pop("parameters"))

        def _parse_description(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        description = _parse_description(d.pop("description", UNSET))

        webhook_action_input = cls(
            name=name,
            type_=type_,
            parameters=parameters,
            description=description,
        )

        return webhook_action_input
