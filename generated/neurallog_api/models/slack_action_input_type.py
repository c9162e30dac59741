from enum import StrEnum


class SlackActionInputType(StrEnum):
    SLACK = "slack"

    def __str__(self) -> str:
        return str(self.value)
