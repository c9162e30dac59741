"""The shop's own tests (`python manage.py test`), run against a real NeuralLog server.

Set NEURALLOG_ENDPOINT and NEURALLOG_API_KEY first (`neurallog local` prints them).
"""

from __future__ import annotations

from django.test import Client, SimpleTestCase

from neurallog.integrations.django import get_client


class OrderLogsTest(SimpleTestCase):
    def test_a_shown_order_is_logged_with_its_route(self) -> None:
        response = Client().get("/orders/42", headers={"X-Request-ID": "django-example-1"})
        assert response.status_code == 200
        assert response.headers["X-Request-ID"] == "django-example-1"

        neurallog = get_client()
        assert neurallog.flush()
        found = neurallog.logs.search(
            query='"Order shown"', filter={"metadata.request.id": "django-example-1"}
        )
        assert len(found) == 1
        assert found[0]["metadata"]["request"]["route"] == "/orders/<int:order_id>"

    def test_an_unhandled_exception_is_reported(self) -> None:
        client = Client(raise_request_exception=False)
        response = client.post("/orders/42/pay", headers={"X-Request-ID": "django-example-2"})
        assert response.status_code == 500

        neurallog = get_client()
        neurallog.flush()
        found = neurallog.logs.search(
            query="unhandled", filter={"metadata.request.id": "django-example-2"}
        )
        assert found[0]["metadata"]["exception"]["type"] == "RuntimeError"
