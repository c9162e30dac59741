from enum import StrEnum


class CompositeConditionParametersOperator(StrEnum):
    AND = "and"
    NOT = "not"
    OR = "or"

    def __str__(self) -> str:
        return str(self.value)
