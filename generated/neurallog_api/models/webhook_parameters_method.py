from enum import StrEnum


class WebhookParametersMethod(StrEnum):
    GET = "GET"
    PATCH = "PATCH"
    POST = "POST"
    PUT = "PUT"

    def __str__(self) -> str:
        return str(self.value)
