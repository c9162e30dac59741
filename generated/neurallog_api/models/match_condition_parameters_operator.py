from enum import StrEnum


class MatchConditionParametersOperator(StrEnum):
    CONTAINS = "contains"
    EQ = "eq"
    EXISTS = "exists"
    GT = "gt"
    LT = "lt"
    NE = "ne"

    def __str__(self) -> str:
        return str(self.value)
