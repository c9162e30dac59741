from enum import StrEnum


class WebhookActionInputType(StrEnum):
    WEBHOOK = "webhook"

    def __str__(self) -> str:
        return str(self.value)
