from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.composite_condition import CompositeCondition
    from ..models.frequency_condition import FrequencyCondition
    from ..models.log_level_condition import LogLevelCondition
    from ..models.match_condition import MatchCondition
    from ..models.pattern_condition import PatternCondition
    from ..models.rule_action import RuleAction


T = TypeVar("T", bound="Rule")


@_attrs_define
class Rule:
    """A condition evaluated on every ingested entry and the actions it runs when it
    matches. `actions` may reference actions that do not exist (see `RuleAction`).
    Rules are evaluated after the ingest request has been answered, by the rules
    enabled when it was: firings, executions and `last_triggered_at` follow shortly
    after, never delaying ingest.

        Attributes:
            id (str):
            name (str):
            description (None | str):
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
            actions (list[RuleAction]):
            enabled (bool):
            cooldown_seconds (int):
            created_at (datetime.datetime):
            updated_at (datetime.datetime):
            last_triggered_at (datetime.datetime | None):
    """

    id: str
    name: str
    description: None | str
    condition: (
        CompositeCondition
        | FrequencyCondition
        | LogLevelCondition
        | MatchCondition
        | PatternCondition
    )
    actions: list[RuleAction]
    enabled: bool
    cooldown_seconds: int
    created_at: datetime.datetime
    updated_at: datetime.datetime
    last_triggered_at: datetime.datetime | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.frequency_condition import FrequencyCondition
        from ..models.log_level_condition import LogLevelCondition
        from ..models.match_condition import MatchCondition
        from ..models.pattern_condition import PatternCondition

        id = self.id

        name = self.name

        description: None | str
        description = self.description

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

        actions = []
        for actions_item_data in self.actions:
            actions_item = actions_item_data.to_dict()
            actions.append(actions_item)

        enabled = self.enabled

        cooldown_seconds = self.cooldown_seconds

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        last_triggered_at: None | str
        if isinstance(self.last_triggered_at, datetime.datetime):
            last_triggered_at = self.last_triggered_at.isoformat()
        else:
            last_triggered_at = self.last_triggered_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "name": name,
                "description": description,
                "condition": condition,
                "actions": actions,
                "enabled": enabled,
                "cooldown_seconds": cooldown_seconds,
                "created_at": created_at,
                "updated_at": updated_at,
                "last_triggered_at": last_triggered_at,
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
        from ..models.rule_action import RuleAction

        d = dict(src_dict)
        id = d.pop("id")

        name = d.pop("name")

        def _parse_description(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        description = _parse_description(d.pop("description"))

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

        actions = []
        _actions = d.pop("actions")
        for actions_item_data in _actions:
            actions_item = RuleAction.from_dict(actions_item_data)

            actions.append(actions_item)

        enabled = d.pop("enabled")

        cooldown_seconds = d.pop("cooldown_seconds")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        def _parse_last_triggered_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                last_triggered_at_type_0 = datetime.datetime.fromisoformat(data)

                return last_triggered_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        last_triggered_at = _parse_last_triggered_at(d.pop("last_triggered_at"))

        rule = cls(
            id=id,
            name=name,
            description=description,
            condition=condition,
            actions=actions,
            enabled=enabled,
            cooldown_seconds=cooldown_seconds,
            created_at=created_at,
            updated_at=updated_at,
            last_triggered_at=last_triggered_at,
        )

        rule.additional_properties = d
        return rule

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
