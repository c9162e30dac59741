from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="SlackParameters")


@_attrs_define
class SlackParameters:
    """Parameters of a `slack` action; other keys are kept, for templates to use as
    `{{parameters.<key>}}`.

        Attributes:
            webhook (str): The incoming-webhook URL (http or https).
            channel (str | Unset):
            message (str | Unset):
    """

    webhook: str
    channel: str | Unset = UNSET
    message: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        webhook = self.webhook

        channel = self.channel

        message = self.message

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "webhook": webhook,
            }
        )
        if channel is not UNSET:
            field_dict["channel"] = channel
        if message is not UNSET:
            field_dict["message"] = message

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        webhook = d.pop("webhook")

        channel = d.pop("channel", UNSET)

        message = d.pop("message", UNSET)

        slack_parameters = cls(
            webhook=webhook,
            channel=channel,
            message=message,
        )

        slack_parameters.additional_properties = d
        return slack_parameters

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
