from enum import StrEnum


class ActionType(StrEnum):
    LOG = "log"
    SLACK = "slack"
    WEBHOOK = "webhook"

    def __str__(self) -> str:
        return str(self.value)
