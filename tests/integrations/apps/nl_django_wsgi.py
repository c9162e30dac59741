"""A minimal Django project served by gunicorn in the integration tests."""

from __future__ import annotations

import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.http import HttpRequest, HttpResponse
from django.urls import path

settings.configure(
    DEBUG=False,
    SECRET_KEY="tests-only",
    ALLOWED_HOSTS=["*"],
    ROOT_URLCONF=__name__,
    INSTALLED_APPS=["neurallog.integrations.django"],
    MIDDLEWARE=["neurallog.integrations.django.NeuralLogMiddleware"],
    # API_KEY and ENDPOINT come from NEURALLOG_API_KEY and NEURALLOG_ENDPOINT.
    NEURALLOG={"BATCH_INTERVAL": 0.05},
)


def health(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


def hello(request: HttpRequest, n: int) -> HttpResponse:
    from neurallog.integrations.django import get_client

    get_client().info(f"hello {n}", {"pid": os.getpid()})
    return HttpResponse(str(os.getpid()))


urlpatterns = [path("health", health), path("hello/<int:n>", hello)]

application = get_wsgi_application()
