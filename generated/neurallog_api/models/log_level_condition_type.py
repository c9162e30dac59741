from enum import StrEnum


class LogLevelConditionType(StrEnum):
    LOG_LEVEL = "log_level"

    def __str__(self) -> str:
        return str(self.value)
