from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.log_level import LogLevel
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.metadata import Metadata


T = TypeVar("T", bound="SampleLog")


@_attrs_define
class SampleLog:
    """A log entry to test a rule on; absent fields take their defaults (`level` INFO, empty `message`, now as
    `timestamp`).

        Attributes:
            id (str | Unset):
            timestamp (datetime.datetime | Unset):
            level (LogLevel | Unset): Severity, lowest first.
            message (str | Unset):
            source (None | str | Unset):
            metadata (Metadata | Unset): Free-form structured fields.
            tags (list[str] | Unset):
    """

    id: str | Unset = UNSET
    timestamp: datetime.datetime | Unset = UNSET
    level: LogLevel | Unset = UNSET
    message: str | Unset = UNSET
    source: None | str | Unset = UNSET
    metadata: Metadata | Unset = UNSET
    tags: list[str] | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        timestamp: str | Unset = UNSET
        if not isinstance(self.timestamp, Unset):
            timestamp = self.timestamp.isoformat()

        level: str | Unset = UNSET
        if not isinstance(self.level, Unset):
            level = self.level.value

        message = self.message

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

        field_dict.update({})
        if id is not UNSET:
            field_dict["id"] = id
        if timestamp is not UNSET:
            field_dict["timestamp"] = timestamp
        if level is not UNSET:
            field_dict["level"] = level
        if message is not UNSET:
            field_dict["message"] = message
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
        id = d.pop("id", UNSET)

        _timestamp = d.pop("timestamp", UNSET)
        timestamp: datetime.datetime | Unset
        if isinstance(_timestamp, Unset):
            timestamp = UNSET
        else:
            timestamp = datetime.datetime.fromisoformat(_timestamp)

        _level = d.pop("level", UNSET)
        level: LogLevel | Unset
        if isinstance(_level, Unset):
            level = UNSET
        else:
            level = LogLevel(_level)

        message = d.pop("message", UNSET)

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

        sample_log = cls(
            id=id,
            timestamp=timestamp,
            level=level,
            message=message,
            source=source,
            metadata=metadata,
            tags=tags,
        )

        return sample_log
