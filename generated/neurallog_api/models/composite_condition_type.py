from enum import StrEnum


class CompositeConditionType(StrEnum):
    COMPOSITE = "composite"

    def __str__(self) -> str:
        return str(self.value)
