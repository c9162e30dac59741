"""The Django app: builds the client from ``settings.NEURALLOG`` when Django starts."""

from __future__ import annotations

import inspect
import logging
import sys
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any, Final

from django.apps import AppConfig, apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import got_request_exception

from neurallog.exceptions import ConfigurationError
from neurallog.integrations._common import REQUEST_STATE_ATTR
from neurallog.integrations._request import RequestState, report_exception

if TYPE_CHECKING:
    from django.http import HttpRequest

    from neurallog.client import NeuralLog

__all__ = ["IntegrationOptions", "NeuralLogConfig", "get_client", "parse_settings"]

SETTING: Final = "NEURALLOG"
APP_LABEL: Final = "neurallog"
#: Attribute of the HttpRequest holding its RequestState (set by the middleware).
REQUEST_ATTR: Final = REQUEST_STATE_ATTR

# Settings keys with a name that differs from the constructor argument.
_ALIASES: Final = {"MIN_LEVEL": "log_level"}


@dataclass(frozen=True)
class IntegrationOptions:
    """The integration's own ``settings.NEURALLOG`` options."""

    capture_django_logs: bool | int | str = False
    request_logging: bool = False
    capture_exceptions: bool = True


# The integration's own keys (defaults above).
_OWN_KEYS: Final = frozenset(field.name.upper() for field in fields(IntegrationOptions))


def _client_parameters() -> list[str]:
    from neurallog.client import NeuralLog

    return [name for name in inspect.signature(NeuralLog.__init__).parameters if name != "self"]


def parse_settings(raw: object) -> tuple[dict[str, Any], IntegrationOptions]:
    """Split ``settings.NEURALLOG`` into client arguments and integration options.

    Keys are matched case-insensitively: ``API_KEY`` is ``api_key``, and so on for every
    :class:`~neurallog.NeuralLog` constructor argument (so new client options work here
    unchanged); ``MIN_LEVEL`` is ``log_level``; ``LOGGER`` may be a logger name.

    Raises:
        ImproperlyConfigured: for a value that is not a dict or an unknown key.
    """
    if raw is None:
        return {}, IntegrationOptions()
    if not isinstance(raw, Mapping):
        raise ImproperlyConfigured(f"settings.{SETTING} must be a dict, got {type(raw).__name__}")
    parameters = _client_parameters()
    client_kwargs: dict[str, Any] = {}
    own: dict[str, Any] = {}
    unknown: list[str] = []
    for key, value in raw.items():
        upper = str(key).upper()
        if upper in _OWN_KEYS:
            own[upper.lower()] = _own_option(upper, value)
            continue
        name = _ALIASES.get(upper, upper.lower())
        if name not in parameters:
            unknown.append(str(key))
            continue
        if name == "logger" and isinstance(value, str):
            value = logging.getLogger(value)
        client_kwargs[name] = value
    if unknown:
        valid = sorted({p.upper() for p in parameters} | set(_ALIASES) | _OWN_KEYS)
        raise ImproperlyConfigured(
            f"unknown key(s) in settings.{SETTING}: {', '.join(sorted(unknown))}; "
            f"valid keys are {', '.join(valid)}"
        )
    return client_kwargs, IntegrationOptions(**own)


def _own_option(key: str, value: object) -> Any:
    """Check one of the integration's own keys (a typo must not fail later, or silently)."""
    if isinstance(value, bool):
        return value
    if key == "CAPTURE_DJANGO_LOGS":
        if isinstance(value, int):
            return value
        if isinstance(value, str) and value.upper() in logging.getLevelNamesMapping():
            return value.upper()
        raise ImproperlyConfigured(
            f"settings.{SETTING}['{key}'] must be True, False or a logging level such as "
            f"'WARNING', got {value!r}"
        )
    raise ImproperlyConfigured(f"settings.{SETTING}['{key}'] must be True or False, got {value!r}")


class NeuralLogConfig(AppConfig):
    """Builds the client from ``settings.NEURALLOG`` in :meth:`ready`."""

    name = "neurallog.integrations.django"
    label = APP_LABEL
    verbose_name = "NeuralLog"
    default = True

    client: NeuralLog | None = None
    options: IntegrationOptions = IntegrationOptions()

    def ready(self) -> None:
        from neurallog.client import NeuralLog

        client_kwargs, self.options = parse_settings(getattr(settings, SETTING, None))
        try:
            self.client = NeuralLog(**client_kwargs)
        except ConfigurationError as exc:
            raise ImproperlyConfigured(f"settings.{SETTING}: {exc.message}") from exc
        if self.options.capture_django_logs:
            _capture_django_logs(self.client, self.options.capture_django_logs)
        if self.options.capture_exceptions:
            got_request_exception.connect(
                _on_request_exception, dispatch_uid="neurallog.integrations.django"
            )


def get_client() -> NeuralLog:
    """The client built from ``settings.NEURALLOG`` when Django started."""
    return _config().client  # type: ignore[return-value]


def get_options() -> IntegrationOptions:
    return _config().options


def _config() -> NeuralLogConfig:
    try:
        config = apps.get_app_config(APP_LABEL)
    except LookupError:
        raise ImproperlyConfigured(
            "NeuralLog is not set up: add 'neurallog.integrations.django' to INSTALLED_APPS"
        ) from None
    if not isinstance(config, NeuralLogConfig) or config.client is None:
        raise ImproperlyConfigured(
            "NeuralLog is not set up: the app label 'neurallog' belongs to another app, or "
            "Django has not finished starting"
        )
    return config


def _capture_django_logs(client: NeuralLog, level: bool | int | str) -> None:
    from neurallog.integrations.logging import NeuralLogHandler

    logger = logging.getLogger("django")
    for handler in logger.handlers:
        if isinstance(handler, NeuralLogHandler) and handler.client is client:
            return
    logger.addHandler(NeuralLogHandler(client, level=None if level is True else level))


def _on_request_exception(sender: object, request: HttpRequest | None = None, **_: Any) -> None:
    """Django is turning an exception into a 500: send it once, with its request."""
    exc = sys.exc_info()[1]
    if exc is None:
        return
    state = getattr(request, REQUEST_ATTR, None)
    if isinstance(state, RequestState):
        state.report_exception(exc)
        return
    try:
        client = get_client()
    except ImproperlyConfigured:
        return
    report_exception(client, exc, request_info(request) if request is not None else None)


def request_info(request: HttpRequest) -> dict[str, Any]:
    """The request context of a request the middleware has not seen."""
    from neurallog.integrations._request import request_id_from

    match = getattr(request, "resolver_match", None)
    return {
        "id": request_id_from(request.META.get("HTTP_X_REQUEST_ID")),
        "method": request.method or "GET",
        "path": request.path,
        "route": route_of(match),
        "client": request.META.get("REMOTE_ADDR") or None,
    }


def route_of(match: Any) -> str | None:
    """The route template of a ResolverMatch, as ``/api/users/<int:user_id>``."""
    route = getattr(match, "route", None)
    if not route:
        return None
    route = str(route)
    if route.startswith(("/", "^")):
        return route
    return f"/{route}"
