from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.log_level import LogLevel
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.metadata import Metadata


T = TypeVar("T", bound="LogInput")


@_attrs_define
class LogInput:
    """A log entry as sent by a client.

    Attributes:
        level (LogLevel): Severity, lowest first.
        message (str):
        id (str | Unset): Client-generated, time-ordered and unique per tenant (the SDK sends UUIDv7). A stored id makes
            the entry a duplicate. The server assigns one when absent.
        timestamp (datetime.datetime | Unset): When the event happened (RFC 3339). The server uses the time of receipt
            when absent.
        source (None | str | Unset):
        metadata (Metadata | Unset): Free-form structured fields.
        tags (list[str] | Unset):
    """

    level: LogLevel
    message: str
    id: str | Unset = UNSET
    timestamp: datetime.datetime | Unset = UNSET
    source: None | str | Unset = UNSET
    metadata: Metadata | Unset = UNSET
    tags: list[str] | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        level = self.level.value

        message = self.message

        id = self.id

        timestamp: str | Unset = UNSET
        if not isinstance(self.timestamp, Unset):
            timestamp = self.timestamp.isoformat()

        source: None | str | Unset
        if isinstance(self.source, Unset):
            source = UNSET
        else:
            source = self.source

        metadata: dict[str, Any] | Unset = UNSET
        if not isinstance(self.metadata, Unset):
            metadata = self.metadata.to_dict()

        tags: list[str] | Unset = UNSET
        if not isinstance(self.tags, Unset):
            tags = self.tags

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "level": level,
                "message": message,
            }
        )
        if id is not UNSET:
            field_dict["id"] = id
        if timestamp is not UNSET:
            field_dict["timestamp"] = timestamp
        if source is not UNSET:
            field_dict["source"] = source
        if metadata is not UNSET:
            field_dict["metadata"] = metadata
        if tags is not UNSET:
            field_dict["tags"] = tags

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.metadata import Metadata

        d = dict(src_dict)
        level = LogLevel(d.pop("level"))

        message = d.pop("message")

        id = d.pop("id", UNSET)

        _timestamp = d.pop("timestamp", UNSET)
        timestamp: datetime.datetime | Unset
        if isinstance(_timestamp, Unset):
            timestamp = UNSET
        else:
            timestamp = datetime.datetime.fromisoformat(_timestamp)

        def _parse_source(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        source = _parse_source(d.pop("source", UNSET))

        _metadata = d.pop("metadata", UNSET)
        metadata: Metadata | Unset
        if isinstance(_metadata, Unset):
            metadata = UNSET
        else:
            metadata = Metadata.from_dict(_metadata)

        tags = cast(list[str], d.pop("tags", UNSET))

        log_input = cls(
            level=level,
            message=message,
            id=id,
            timestamp=timestamp,
            source=source,
            metadata=metadata,
            tags=tags,
        )

        return log_input
