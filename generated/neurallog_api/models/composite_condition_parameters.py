from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.composite_condition_parameters_operator import (
    CompositeConditionParametersOperator,
)

if TYPE_CHECKING:
    from ..models.composite_condition import CompositeCondition
    from ..models.frequency_condition import FrequencyCondition
    from ..models.log_level_condition import LogLevelCondition
    from ..models.match_condition import MatchCondition
    from ..models.pattern_condition import PatternCondition


T = TypeVar("T", bound="CompositeConditionParameters")


@_attrs_define
class CompositeConditionParameters:
    """
    Attributes:
        operator (CompositeConditionParametersOperator):
        conditions (list[CompositeCondition | FrequencyCondition | LogLevelCondition | MatchCondition |
            PatternCondition]):
    """

    operator: CompositeConditionParametersOperator
    conditions: list[
        CompositeCondition
        | FrequencyCondition
        | LogLevelCondition
        | MatchCondition
        | PatternCondition
    ]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.frequency_condition import FrequencyCondition
        from ..models.log_level_condition import LogLevelCondition
        from ..models.match_condition import MatchCondition
        from ..models.pattern_condition import PatternCondition

        operator = self.operator.value

        conditions = []
        for conditions_item_data in self.conditions:
            conditions_item: dict[str, Any]
            if (
                isinstance(conditions_item_data, LogLevelCondition)
                or isinstance(conditions_item_data, PatternCondition)
                or isinstance(conditions_item_data, MatchCondition)
                or isinstance(conditions_item_data, FrequencyCondition)
            ):
                conditions_item = conditions_item_data.to_dict()
            else:
                conditions_item = conditions_item_data.to_dict()

            conditions.append(conditions_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "operator": operator,
                "conditions": conditions,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.composite_condition import CompositeCondition
        from ..models.frequency_condition import FrequencyCondition
        from ..models.log_level_condition import LogLevelCondition
        from ..models.match_condition import MatchCondition
        from ..models.pattern_condition import PatternCondition

        d = dict(src_dict)
        operator = CompositeConditionParametersOperator(d.pop("operator"))

        conditions = []
        _conditions = d.pop("conditions")
        for conditions_item_data in _conditions:

            def _parse_conditions_item(
                data: object,
            ) -> (
                CompositeCondition
                | FrequencyCondition
                | LogLevelCondition
                | MatchCondition
                | PatternCondition
            ):
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    componentsschemas_condition_type_0 = LogLevelCondition.from_dict(
                        data
                    )

                    return componentsschemas_condition_type_0
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    componentsschemas_condition_type_1 = PatternCondition.from_dict(
                        data
                    )

                    return componentsschemas_condition_type_1
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    componentsschemas_condition_type_2 = MatchCondition.from_dict(data)

                    return componentsschemas_condition_type_2
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    componentsschemas_condition_type_3 = FrequencyCondition.from_dict(
                        data
                    )

                    return componentsschemas_condition_type_3
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_condition_type_4 = CompositeCondition.from_dict(data)

                return componentsschemas_condition_type_4

            conditions_item = _parse_conditions_item(conditions_item_data)

            conditions.append(conditions_item)

        composite_condition_parameters = cls(
            operator=operator,
            conditions=conditions,
        )

        composite_condition_parameters.additional_properties = d
        return composite_condition_parameters

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
