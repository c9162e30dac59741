from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.execution_status import ExecutionStatus

if TYPE_CHECKING:
    from ..models.execution_result_type_0 import ExecutionResultType0


T = TypeVar("T", bound="Execution")


@_attrs_define
class Execution:
    """
    Attributes:
        id (str):
        action_id (str):
        rule_id (None | str): The rule that triggered it; null for a manual execution.
        status (ExecutionStatus):
        result (ExecutionResultType0 | None): What the action produced, e.g. `{"status_code": 200}` for a webhook.
        error (None | str):
        executed_at (datetime.datetime):
    """

    id: str
    action_id: str
    rule_id: None | str
    status: ExecutionStatus
    result: ExecutionResultType0 | None
    error: None | str
    executed_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.execution_result_type_0 import ExecutionResultType0

        id = self.id

        action_id = self.action_id

        rule_id: None | str
        rule_id = self.rule_id

        status = self.status.value

        result: dict[str, Any] | None
        if isinstance(self.result, ExecutionResultType0):
            result = self.result.to_dict()
        else:
            result = self.result

        error: None | str
        error = self.error

        executed_at = self.executed_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "action_id": action_id,
                "rule_id": rule_id,
                "status": status,
                "result": result,
                "error": error,
                "executed_at": executed_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.execution_result_type_0 import ExecutionResultType0

        d = dict(src_dict)
        id = d.pop("id")

        action_id = d.pop("action_id")

        def _parse_rule_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        rule_id = _parse_rule_id(d.pop("rule_id"))

        status = ExecutionStatus(d.pop("status"))

        def _parse_result(data: object) -> ExecutionResultType0 | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                result_type_0 = ExecutionResultType0.from_dict(data)

                return result_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ExecutionResultType0 | None, data)

        result = _parse_result(d.pop("result"))

        def _parse_error(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        error = _parse_error(d.pop("error"))

        executed_at = datetime.datetime.fromisoformat(d.pop("executed_at"))

        execution = cls(
            id=id,
            action_id=action_id,
            rule_id=rule_id,
            status=status,
            result=result,
            error=error,
            executed_at=executed_at,
        )

        execution.additional_properties = d
        return execution

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
