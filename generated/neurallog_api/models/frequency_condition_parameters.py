from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.composite_condition import CompositeCondition
    from ..models.frequency_condition import FrequencyCondition
    from ..models.log_level_condition import LogLevelCondition
    from ..models.match_condition import MatchCondition
    from ..models.pattern_condition import PatternCondition


T = TypeVar("T", bound="FrequencyConditionParameters")


@_attrs_define
class FrequencyConditionParameters:
    """
    Attributes:
        threshold (int):
        window_seconds (int):
        condition (CompositeCondition | FrequencyCondition | LogLevelCondition | MatchCondition | PatternCondition):
            What a rule matches: one of the types below, told apart by `type`. Conditions nest
            at most 8 deep. `parameters` by `type`:

            * `log_level`: `level` (the minimum level, required), `sources` (optional list; only
              entries from these sources).
            * `pattern`: `pattern` (a regular expression in RE2 syntax, at most 1024
              characters, required), `field` (default `message`; any entry field or dotted
              metadata path), `case_sensitive` (default `false`). RE2 is, in essence, Python's
              `re` syntax without backreferences and look-around; `\\d`, `\\w`, `\\s` and `\\b` are
              ASCII only, `$` matches only at the very end of the text (`\\z`; there is no `\\Z`),
              and repetition counts are at most 1000. Matching takes time linear in the text,
              so no pattern can make evaluation run away. A pattern RE2 refuses is a 422.
            * `match`: `field` (required, e.g. `metadata.error_code`), `operator` (`eq`, `ne`,
              `contains`, `exists`, `gt`, `lt`; default `eq`), `value` (required except for
              `exists`).
            * `frequency`: `threshold` (integer >= 1), `window_seconds` (integer >= 1) and an
              inner `condition`; matches when the inner condition has matched at least
              `threshold` entries within the last `window_seconds`, the current one included.
            * `composite`: `operator` (`and`, `or`, `not`) and `conditions` (a list of
              conditions; exactly one for `not`).
    """

    threshold: int
    window_seconds: int
    condition: (
        CompositeCondition
        | FrequencyCondition
        | LogLevelCondition
        | MatchCondition
        | PatternCondition
    )
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.frequency_condition import FrequencyCondition
        from ..models.log_level_condition import LogLevelCondition
        from ..models.match_condition import MatchCondition
        from ..models.pattern_condition import PatternCondition

        threshold = self.threshold

        window_seconds = self.window_seconds

        condition: dict[str, Any]
        if (
            isinstance(self.condition, LogLevelCondition)
            or isinstance(self.condition, PatternCondition)
            or isinstance(self.condition, MatchCondition)
            or isinstance(self.condition, FrequencyCondition)
        ):
            condition = self.condition.to_dict()
        else:
            condition = self.condition.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "threshold": threshold,
                "window_seconds": window_seconds,
                "condition": condition,
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
        threshold = d.pop("threshold")

        window_seconds = d.pop("window_seconds")

        def _parse_condition(
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
                componentsschemas_condition_type_0 = LogLevelCondition.from_dict(data)

                return componentsschemas_condition_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_condition_type_1 = PatternCondition.from_dict(data)

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
                componentsschemas_condition_type_3 = FrequencyCondition.from_dict(data)

                return componentsschemas_condition_type_3
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            componentsschemas_condition_type_4 = CompositeCondition.from_dict(data)

            return componentsschemas_condition_type_4

        condition = _parse_condition(d.pop("condition"))

        frequency_condition_parameters = cls(
            threshold=threshold,
            window_seconds=window_seconds,
            condition=condition,
        )

        frequency_condition_parameters.additional_properties = d
        return frequency_condition_parameters

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
