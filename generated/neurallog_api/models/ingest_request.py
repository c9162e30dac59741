from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.log_input import LogInput


T = TypeVar("T", bound="IngestRequest")


@_attrs_define
class IngestRequest:
    """
    Attributes:
        logs (list[LogInput]):
    """

    logs: list[LogInput]

    def to_dict(self) -> dict[str, Any]:
        logs = []
        for logs_item_data in self.logs:
            logs_item = logs_item_data.to_dict()
            logs.append(logs_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "logs": logs,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.log_input import LogInput

        d = dict(src_dict)
        logs = []
        _logs = d.pop("logs")
        for logs_item_data in _logs:
            logs_item = LogInput.from_dict(logs_item_data)

            logs.append(logs_item)

        ingest_request = cls(
            logs=logs,
        )

        return ingest_request
