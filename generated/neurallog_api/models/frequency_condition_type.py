from enum import StrEnum


class FrequencyConditionType(StrEnum):
    FREQUENCY = "frequency"

    def __str__(self) -> str:
        return str(self.value)
