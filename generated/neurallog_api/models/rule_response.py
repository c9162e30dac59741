from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.meta import Meta
    from ..models.rule import Rule


T = TypeVar("T", bound="RuleResponse")


@_attrs_define
class RuleResponse:
    """
    Attributes:
        data (Rule): A condition evaluated on every ingested entry and the actions it runs when it
            matches. `actions` may reference actions that do not exist (see `RuleAction`).
            Rules are evaluated after the ingest request has been answered, by the rules
            enabled when it was: firings, executions and `last_triggered_at` follow shortly
            after, never delaying ingest.
        meta (Meta):
    """

    data: Rule
    meta: Meta
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        data = self.data.to_dict()

        meta = self.meta.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "data": data,
                "meta": meta,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.meta import Meta
        from ..models.rule import Rule

        d = dict(src_dict)
        data = Rule.from_dict(d.pop("data"))

        meta = Meta.from_dict(d.pop("meta"))

        rule_response = cls(
            data=data,
            meta=meta,
        )

        rule_response.additional_properties = d
        return rule_response

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
