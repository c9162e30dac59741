"""Settings of the example shop: the NeuralLog parts are INSTALLED_APPS, NEURALLOG, MIDDLEWARE."""

from __future__ import annotations

import os

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "insecure-example-key")
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
ROOT_URLCONF = "shop.urls"
USE_TZ = True

INSTALLED_APPS = [
    "neurallog.integrations.django",
]

# API_KEY and ENDPOINT may be given here; left out, they come from NEURALLOG_API_KEY and
# NEURALLOG_ENDPOINT in the environment (what `neurallog local` prints).
NEURALLOG = {
    "SOURCE": "shop-django",
    "MIN_LEVEL": "INFO",
    "CAPTURE_DJANGO_LOGS": "WARNING",  # Django's own warnings and errors too
    "REQUEST_LOGGING": True,  # one record per request, with status and duration
}

MIDDLEWARE = [
    "neurallog.integrations.django.NeuralLogMiddleware",  # first, to cover everything
    "django.middleware.common.CommonMiddleware",
]
