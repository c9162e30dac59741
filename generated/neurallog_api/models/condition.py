from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

from ..models.condition_type import ConditionType

if TYPE_CHECKING:
    from ..models.condition_parameters import ConditionParameters


T = TypeVar("T", bound="Condition")


@_attrs_define
class Condition:
    """What a rule matches. `parameters` by `type`:

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

        Attributes:
            type_ (ConditionType):
            parameters (ConditionParameters):
    """

    type_: ConditionType
    parameters: ConditionParameters

    def to_dict(self) -> dict[str, Any]:
        type_ = self.type_.value

        parameters = self.parameters.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "type": type_,
                "parameters": parameters,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.condition_parameters import ConditionParameters

        d = dict(src_dict)
        type_ = ConditionType(d.pop("type"))

        parameters = ConditionParameters.from_dict(d.pop("parameters"))

        condition = cls(
            type_=type_,
            parameters=parameters,
        )

        return condition
