"""Resolution and validation of client settings (arguments, then environment variables)."""

from __future__ import annotations

import ipaddress
import logging
import math
import os
from typing import Final

import attrs
import httpx

from neurallog._levels import parse_level
from neurallog.exceptions import ConfigurationError

ENV_API_KEY: Final = "NEURALLOG_API_KEY"
ENV_TOKEN: Final = "NEURALLOG_TOKEN"
ENV_ENDPOINT: Final = "NEURALLOG_ENDPOINT"

TransportOption = str | httpx.BaseTransport | httpx.AsyncBaseTransport


@attrs.frozen(kw_only=True)
class ClientOptions:
    """Validated settings shared by the sync and async clients (credentials excluded)."""

    endpoint: str
    timeout: float
    retries: int
    max_retry_delay: float
    transport: TransportOption = attrs.field(repr=False)
    log_level: int
    logger: logging.Logger = attrs.field(repr=False)
    batch_size: int
    batch_interval: float
    auto_flush: bool


def resolve_options(
    *,
    endpoint: str | None,
    timeout: float,
    retries: int,
    max_retry_delay: float,
    transport: object,
    log_level: object,
    logger: logging.Logger | None,
    batch_size: int,
    batch_interval: float,
    auto_flush: bool,
) -> ClientOptions:
    """Validate constructor arguments, falling back to ``NEURALLOG_ENDPOINT``."""
    sdk_logger = logger if logger is not None else logging.getLogger("neurallog")
    return ClientOptions(
        endpoint=normalize_endpoint(endpoint or os.environ.get(ENV_ENDPOINT) or None, sdk_logger),
        timeout=_positive_number("timeout", timeout),
        retries=_non_negative_int("retries", retries),
        max_retry_delay=_non_negative_number("max_retry_delay", max_retry_delay),
        transport=_transport_option(transport),
        log_level=_log_level(log_level),
        logger=sdk_logger,
        batch_size=_batch_size(batch_size),
        batch_interval=_positive_number("batch_interval", batch_interval),
        auto_flush=_bool("auto_flush", auto_flush),
    )


def resolve_credentials(api_key: str | None, token: str | None) -> tuple[str, str]:
    """Return ``("api_key" | "token", secret)`` from the arguments or the environment.

    Explicit arguments win over environment variables. Both given explicitly is an error,
    since it is ambiguous which one should authenticate.
    """
    if api_key is not None and token is not None:
        raise ConfigurationError(
            "pass either api_key or token, not both (use set_token()/set_api_key() to switch)"
        )
    if api_key is not None:
        return "api_key", validate_secret("api_key", api_key)
    if token is not None:
        return "token", validate_secret("token", token)
    env_key = os.environ.get(ENV_API_KEY)
    if env_key:
        return "api_key", validate_secret(ENV_API_KEY, env_key)
    env_token = os.environ.get(ENV_TOKEN)
    if env_token:
        return "token", validate_secret(ENV_TOKEN, env_token)
    raise ConfigurationError(
        "no credential: pass api_key=... or token=..., or set the "
        f"{ENV_API_KEY} or {ENV_TOKEN} environment variable"
    )


def validate_secret(name: str, value: object) -> str:
    """Check that a credential can be sent as an HTTP header; never echo its value."""
    if not isinstance(value, str):
        raise ConfigurationError(f"{name} must be a string, got {type(value).__name__}")
    stripped = value.strip()
    if not stripped:
        raise ConfigurationError(f"{name} is empty")
    if not stripped.isascii() or not stripped.isprintable():
        raise ConfigurationError(
            f"{name} contains characters that cannot be sent in an HTTP header "
            "(only printable ASCII is accepted)"
        )
    return stripped


def normalize_endpoint(value: str | None, logger: logging.Logger | None = None) -> str:
    """Validate the API base URL and return it without a trailing slash."""
    if value is None:
        raise ConfigurationError(
            "no endpoint: pass endpoint='https://api.<tenant>.neurallog.com/v1' or set the "
            f"{ENV_ENDPOINT} environment variable"
        )
    if not isinstance(value, str):
        raise ConfigurationError(f"endpoint must be a string URL, got {type(value).__name__}")
    try:
        url = httpx.URL(value.strip())
    except (httpx.InvalidURL, TypeError) as exc:
        raise ConfigurationError(f"endpoint is not a valid URL: {exc}") from None
    if url.scheme not in ("http", "https") or not url.host:
        raise ConfigurationError(
            "endpoint must be an absolute http(s) URL such as "
            "'https://api.<tenant>.neurallog.com/v1'"
        )
    if url.userinfo:
        # Credentials in a URL end up in proxies' and servers' access logs.
        raise ConfigurationError(
            "endpoint must not contain a user name or password; pass api_key= or token= instead"
        )
    if url.query or url.fragment:
        raise ConfigurationError("endpoint must not contain a query string or fragment")
    if url.scheme == "http" and not _is_loopback(url.host) and logger is not None:
        logger.warning(
            "NeuralLog endpoint %s uses plain http: credentials and logs travel unencrypted",
            url.host,
        )
    return str(url).rstrip("/")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _positive_number(name: str, value: object) -> float:
    number = _number(name, value)
    if number <= 0:
        raise ConfigurationError(f"{name} must be greater than 0, got {value!r}")
    return number


def _non_negative_number(name: str, value: object) -> float:
    number = _number(name, value)
    if number < 0:
        raise ConfigurationError(f"{name} must be 0 or more, got {value!r}")
    return number


def _number(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigurationError(f"{name} must be a number of seconds, got {value!r}")
    number = float(value)
    if math.isnan(number) or math.isinf(number):
        raise ConfigurationError(f"{name} must be a finite number, got {value!r}")
    return number


def _non_negative_int(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ConfigurationError(f"{name} must be a whole number, 0 or more, got {value!r}")
    return value


def _batch_size(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 1000:
        raise ConfigurationError(
            f"batch_size must be a whole number from 1 to 1000 (the API's limit), got {value!r}"
        )
    return value


def _bool(name: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise ConfigurationError(f"{name} must be True or False, got {value!r}")
    return value


def _log_level(value: object) -> int:
    try:
        return parse_level(value)
    except ValueError as exc:
        raise ConfigurationError(f"log_level: {exc}") from None


def _transport_option(value: object) -> TransportOption:
    if isinstance(value, httpx.BaseTransport | httpx.AsyncBaseTransport):
        return value
    if value in ("httpx", "requests"):
        return str(value)
    raise ConfigurationError(
        f"transport must be 'httpx' (the default), 'requests', or an httpx transport "
        f"instance, got {value!r}"
    )
