from enum import StrEnum


class ConditionType(StrEnum):
    COMPOSITE = "composite"
    FREQUENCY = "frequency"
    LOG_LEVEL = "log_level"
    MATCH = "match"
    PATTERN = "pattern"

    def __str__(self) -> str:
        return str(self.value)
