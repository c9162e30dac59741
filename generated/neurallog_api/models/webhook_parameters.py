from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.webhook_parameters_method import WebhookParametersMethod
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.webhook_parameters_headers import WebhookParametersHeaders


T = TypeVar("T", bound="WebhookParameters")


@_attrs_define
class WebhookParameters:
    """Parameters of a `webhook` action; other keys are kept, for templates to use as
    `{{parameters.<key>}}`.

        Attributes:
            url (str): An http or https URL.
            method (WebhookParametersMethod | Unset):  Default: WebhookParametersMethod.POST.
            headers (WebhookParametersHeaders | Unset):
            body_template (str | Unset):
    """

    url: str
    method: WebhookParametersMethod | Unset = WebhookParametersMethod.POST
    headers: WebhookParametersHeaders | Unset = UNSET
    body_template: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        url = self.url

        method: str | Unset = UNSET
        if not isinstance(self.method, Unset):
            method = self.method.value

        headers: dict[str, Any] | Unset = UNSET
        if not isinstance(self.headers, Unset):
            headers = self.headers.to_dict()

        body_template = self.body_template

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "url": url,
            }
        )
        if method is not UNSET:
            field_dict["method"] = method
        if headers is not UNSET:
            field_dict["headers"] = headers
        if body_template is not UNSET:
            field_dict["body_template"] = body_template

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.webhook_parameters_headers import WebhookParametersHeaders

        d = dict(src_dict)
        url = d.pop("url")

        _method = d.pop("method", UNSET)
        method: WebhookParametersMethod | Unset
        if isinstance(_method, Unset):
            method = UNSET
        else:
            method = WebhookParametersMethod(_method)

        _headers = d.pop("headers", UNSET)
        headers: WebhookParametersHeaders | Unset
        if isinstance(_headers, Unset):
            headers = UNSET
        else:
            headers = WebhookParametersHeaders.from_dict(_headers)

        body_template = d.pop("body_template", UNSET)

        webhook_parameters = cls(
            url=url,
            method=method,
            headers=headers,
            body_template=body_template,
        )

        webhook_parameters.additional_properties = d
        return webhook_parameters

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
