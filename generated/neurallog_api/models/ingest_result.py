from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.rejected_entry import RejectedEntry


T = TypeVar("T", bound="IngestResult")


@_attrs_define
class IngestResult:
    """
    Attributes:
        accepted (int): Entries newly stored.
        duplicates (int): Entries whose id was already stored; ignored.
        rejected (list[RejectedEntry]):
        ids (list[None | str]): One per request entry, in order; null where the entry was rejected.
    """

    accepted: int
    duplicates: int
    rejected: list[RejectedEntry]
    ids: list[None | str]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        accepted = self.accepted

        duplicates = self.duplicates

        rejected = []
        for rejected_item_data in self.rejected:
            rejected_item = rejected_item_data.to_dict()
            rejected.append(rejected_item)

        ids = []
        for ids_item_data in self.ids:
            ids_item: None | str
            ids_item = ids_item_data
            ids.append(ids_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "accepted": accepted,
                "duplicates": duplicates,
                "rejected": rejected,
                "ids": ids,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.rejected_entry import RejectedEntry

        d = dict(src_dict)
        accepted = d.pop("accepted")

        duplicates = d.pop("duplicates")

        rejected = []
        _rejected = d.pop("rejected")
        for rejected_item_data in _rejected:
            rejected_item = RejectedEntry.from_dict(rejected_item_data)

            rejected.append(rejected_item)

        ids = []
        _ids = d.pop("ids")
        for ids_item_data in _ids:

            def _parse_ids_item(data: object) -> None | str:
                if data is None:
                    return data
                return cast(None | str, data)

            ids_item = _parse_ids_item(ids_item_data)

            ids.append(ids_item)

        ingest_result = cls(
            accepted=accepted,
            duplicates=duplicates,
            rejected=rejected,
            ids=ids,
        )

        ingest_result.additional_properties = d
        return ingest_result

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
