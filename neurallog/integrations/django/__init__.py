"""Django integration: a Django app and its middleware.

::

    # settings.py
    INSTALLED_APPS = [
        # ...
        "neurallog.integrations.django",
    ]

    NEURALLOG = {
        "API_KEY": "...",
        "ENDPOINT": "https://api.<tenant>.neurallog.com/v1",
        "MIN_LEVEL": "INFO",
        "CAPTURE_DJANGO_LOGS": True,
    }

    MIDDLEWARE = [
        "neurallog.integrations.django.NeuralLogMiddleware",   # first: it sees everything
        # ...
    ]

``NEURALLOG`` keys are the :class:`~neurallog.NeuralLog` constructor arguments upper-cased
(``API_KEY``, ``TOKEN``, ``ENDPOINT``, ``TIMEOUT``, ``BATCH_SIZE``, ...; ``MIN_LEVEL`` is
``log_level``; ``LOGGER`` may be a logger name), plus the integration's own:

- ``CAPTURE_DJANGO_LOGS``: send the ``django`` logger's records (``True``, or a level
  such as ``"WARNING"``). Default ``False``.
- ``REQUEST_LOGGING``: one record per request with status and duration. Default ``False``.
- ``CAPTURE_EXCEPTIONS``: send unhandled exceptions (the ones Django turns into a 500).
  Default ``True``.

The app builds one client when Django starts (``get_client()`` returns it; the middleware
exposes it as ``self.neurallog``). Unknown keys raise ``ImproperlyConfigured``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

try:
    import django  # noqa: F401 (only checks that the extra is installed)
except ImportError as _exc:  # pragma: no cover - depends on the environment
    from neurallog.integrations._common import missing_extra

    raise ImportError(missing_extra("django", "django")) from _exc

if TYPE_CHECKING:
    from neurallog.client import NeuralLog
    from neurallog.integrations.django.middleware import NeuralLogMiddleware

__all__ = ["NeuralLogMiddleware", "get_client"]


def get_client() -> NeuralLog:
    """The client the app built from ``settings.NEURALLOG``."""
    from neurallog.integrations.django.apps import get_client

    return get_client()


def __getattr__(name: str) -> Any:
    # The middleware is imported on first use, not when Django imports the app package.
    if name == "NeuralLogMiddleware":
        from neurallog.integrations.django.middleware import NeuralLogMiddleware

        return NeuralLogMiddleware
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
