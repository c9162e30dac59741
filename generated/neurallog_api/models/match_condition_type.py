from enum import StrEnum


class MatchConditionType(StrEnum):
    MATCH = "match"

    def __str__(self) -> str:
        return str(self.value)
