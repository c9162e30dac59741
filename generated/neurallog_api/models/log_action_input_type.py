from enum import StrEnum


class LogActionInputType(StrEnum):
    LOG = "log"

    def __str__(self) -> str:
        return str(self.value)
