from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

T = TypeVar("T", bound="IngestRequest")


@_attrs_define
class IngestRequest:
    """
    Attributes:
        logs (list[Any]): The entries. Each one is checked against `LogInput` on its own: an entry that
            breaks it (any JSON value may stand here) is listed in the response's `rejected`
            with its index and never sinks its batch, so a batch of any entries is answered
            202 as long as it has 1 to 1000 of them.
    """

    logs: list[Any]

    def to_dict(self) -> dict[str, Any]:
        logs = self.logs

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "logs": logs,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        logs = cast(list[Any], d.pop("logs"))

        ingest_request = cls(
            logs=logs,
        )

        return ingest_request
