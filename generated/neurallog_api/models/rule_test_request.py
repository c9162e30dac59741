from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.sample_log import SampleLog


T = TypeVar("T", bound="RuleTestRequest")


@_attrs_define
class RuleTestRequest:
    """
    Attributes:
        sample_data (SampleLog): A log entry to test a rule on; absent fields take their defaults (`level` INFO, empty
            `message`, now as `timestamp`).
    """

    sample_data: SampleLog

    def to_dict(self) -> dict[str, Any]:
        sample_data = self.sample_data.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "sample_data": sample_data,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.sample_log import SampleLog

        d = dict(src_dict)
        sample_data = SampleLog.from_dict(d.pop("sample_data"))

        rule_test_request = cls(
            sample_data=sample_data,
        )

        return rule_test_request
