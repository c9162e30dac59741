from enum import StrEnum


class PatternConditionType(StrEnum):
    PATTERN = "pattern"

    def __str__(self) -> str:
        return str(self.value)
