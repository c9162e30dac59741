from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.composite_condition import CompositeCondition
    from ..models.frequency_condition import FrequencyCondition
    from ..models.log_level_condition import LogLevelCondition
    from ..models.match_condition import MatchCondition
    from ..models.pattern_condition import PatternCondition
    from ..models.rule_action import RuleAction


T = TypeVar("T", bound="RuleInput")


@_attrs_define
class RuleInput:
    """
    Attributes:
        name (str):
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
        description (None | str | Unset):
        actions (list[RuleAction] | Unset):
        enabled (bool | Unset):  Default: True.
        cooldown_seconds (int | Unset): After the rule fires, further matches within this many seconds run no actions.
            Default: 0.
    """

    name: str
    condition: (
        CompositeCondition
        | FrequencyCondition
        | LogLevelCondition
        | MatchCondition
        | PatternCondition
    )
    description: None | str | Unset = UNSET
    actions: list[RuleAction] | Unset = UNSET
    enabled: bool | Unset = True
    cooldown_seconds: int | Unset = 0

    def to_dict(self) -> dict[str, Any]:
        from ..models.frequency_condition import FrequencyCondition
        from ..models.log_level_condition import LogLevelCondition
        from ..models.match_condition import MatchCondition
        from ..models.pattern_condition import PatternCondition

        name = self.name

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

        description: None | str | Unset
        if isinstance(self.description, Unset):
            description = UNSET
        else:
            description = self.description

        actions: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.actions, Unset):
            actions = []
            for actions_item_data in self.actions:
                actions_item = actions_item_data.to_dict()
                actions.append(actions_item)

        enabled = self.enabled

        cooldown_seconds = self.cooldown_seconds

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "name": name,
                "condition": condition,
            }
        )
        if description is not UNSET:
            field_dict["description"] = description
        if actions is not UNSET:
            field_dict["actions"] = actions
        if enabled is not UNSET:
            field_dict["enabled"] = enabled
        if cooldown_seconds is not UNSET:
            field_dict["cooldown_seconds"] = cooldown_seconds

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.composite_condition import CompositeCondition
        from ..models.frequency_condition import FrequencyCondition
        from ..models.log_level_condition import LogLevelCondition
        from ..models.match_condition import MatchCondition
        from ..models.pattern_condition import PatternCondition
        from ..models.rule_action import RuleAction

        d = dict(src_dict)
        name = d.pop("name")

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

        def _parse_description(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        description = _parse_description(d.pop("description", UNSET))

        _actions = d.pop("actions", UNSET)
        actions: list[RuleAction] | Unset = UNSET
        if _actions is not UNSET:
            actions = []
            for actions_item_data in _actions:
                actions_item = RuleAction.from_dict(actions_item_data)

                actions.append(actions_item)

        enabled = d.pop("enabled", UNSET)

        cooldown_seconds = d.pop("cooldown_seconds", UNSET)

        rule_input = cls(
            name=name,
            condition=condition,
            description=description,
            actions=actions,
            enabled=enabled,
            cooldown_seconds=cooldown_seconds,
        )

        return rule_input
