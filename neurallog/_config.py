"""Resolution and validation of client settings (arguments, then environment variables).

Settings are checked with :mod:`neurallog._checks` through ``setting()``, so a bad one is a
``ConfigurationError`` saying what was wrong and what is accepted.
"""

from __future__ import annotations

import logging
import math
import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final, Literal, TypeAlias

from neurallog._checks import boolean, integer, seconds, setting
from neurallog._levels import DEBUG, INFO, WARN, parse_level
from neurallog.exceptions import ConfigurationError

if TYPE_CHECKING:
    import ssl

    import httpx

ENV_API_KEY: Final = "NEURALLOG_API_KEY"
ENV_TOKEN: Final = "NEURALLOG_TOKEN"  # noqa: S105 - a variable name, not a secret
ENV_ENDPOINT: Final = "NEURALLOG_ENDPOINT"

# The HTTP stack and ssl are not imported to validate settings (import time): an httpx
# transport or an SSLContext given as a setting means its module is loaded already.
TransportOption: TypeAlias = "str | httpx.BaseTransport | httpx.AsyncBaseTransport"
VerifyOption: TypeAlias = "ssl.SSLContext | bool | str"


@dataclass(frozen=True, kw_only=True, slots=True)
class ClientOptions:
    """Validated settings shared by the sync and async clients (credentials excluded)."""

    endpoint: str
    timeout: float
    retries: int
    max_retry_delay: float
    transport: TransportOption = field(repr=False)
    verify: VerifyOption = field(repr=False)
    log_level: int
    logger: logging.Logger = field(repr=False)
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
    logger: object,
    batch_size: int,
    batch_interval: float,
    auto_flush: bool,
    verify: object,
) -> ClientOptions:
    """Validate constructor arguments, falling back to ``NEURALLOG_ENDPOINT``."""
    if logger is not None and not isinstance(logger, logging.Logger):
        raise ConfigurationError(
            f"logger must be a logging.Logger (or None for 'neurallog'), got {logger!r}"
        )
    sdk_logger = logger if logger is not None else logging.getLogger("neurallog")
    url = normalize_endpoint(endpoint or os.environ.get(ENV_ENDPOINT) or None, sdk_logger)
    transport_option = _transport_option(transport)
    return ClientOptions(
        endpoint=url,
        timeout=_positive_number("timeout", timeout),
        retries=_non_negative_int("retries", retries),
        max_retry_delay=_non_negative_number("max_retry_delay", max_retry_delay),
        transport=transport_option,
        verify=_verify_option(verify, url, transport_option, sdk_logger),
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


_EXAMPLE_ENDPOINT: Final = "https://api.<tenant>.neurallog.com/v1"
# Paths of the API itself: an endpoint ending with one was copied from a request URL.
_API_PATHS: Final = ("/logs/search", "/logs/stream", "/logs", "/rules", "/actions", "/health")


def normalize_endpoint(value: str | None, logger: logging.Logger | None = None) -> str:
    """Validate the API base URL and return it without a trailing slash.

    Every refusal shows the refused value (without any user name, password or query, which
    may hold a credential) and what is accepted.
    """
    if value is None:
        raise ConfigurationError(
            f"no endpoint: pass endpoint='{_EXAMPLE_ENDPOINT}' or set the "
            f"{ENV_ENDPOINT} environment variable"
        )
    if not isinstance(value, str):
        raise ConfigurationError(f"endpoint must be a string URL, got {type(value).__name__}")
    from urllib.parse import quote, urlsplit  # here, not at import (it loads ipaddress)

    text = value.strip()
    shown = _shown(text)
    if "<" in text or ">" in text:
        raise ConfigurationError(
            f"endpoint {shown!r} still holds the documentation's placeholder: replace "
            "<tenant> with your tenant's name, e.g. 'https://api.acme.neurallog.com/v1'"
        )
    try:
        url = urlsplit(text)
        host = url.hostname or ""
        port = url.port
        if not host.isascii():
            host = host.encode("idna").decode("ascii")
    except (ValueError, UnicodeError) as exc:
        raise ConfigurationError(f"endpoint {shown!r} is not a valid URL: {exc}") from None
    scheme = url.scheme.lower()
    if scheme not in ("http", "https") or not host:
        raise ConfigurationError(
            f"endpoint {shown!r} is not an absolute http(s) URL such as '{_EXAMPLE_ENDPOINT}'"
        )
    if "@" in url.netloc:
        # Credentials in a URL end up in proxies' and servers' access logs.
        raise ConfigurationError(
            f"endpoint {shown!r} must not contain a user name or password; "
            "pass api_key= or token= instead"
        )
    if url.query or url.fragment or "?" in text or "#" in text:
        raise ConfigurationError(f"endpoint {shown!r} must not contain a query string or fragment")
    if not _HOST.fullmatch(host):
        raise ConfigurationError(f"endpoint {shown!r} does not have a valid host name")
    netloc = f"[{host}]" if ":" in host else host
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        netloc = f"{netloc}:{port}"
    _check_path(url.path, f"{scheme}://{netloc}", shown)
    if scheme == "http" and not is_loopback(host) and logger is not None:
        logger.warning(
            "NeuralLog endpoint %s uses plain http: credentials and logs travel unencrypted",
            host,
        )
    path = quote(url.path, safe="/%:@!$&'()*+,;=-._~")
    return f"{scheme}://{netloc}{path}".rstrip("/")


_DEFAULT_PORTS: Final = {"http": 80, "https": 443}
#: A DNS name (IDNA-encoded) or an IP address; no spaces, no percent-encoding, no zone id.
_HOST: Final = re.compile(r"[A-Za-z0-9._:-]+")


def _check_path(raw_path: str, base: str, shown: str) -> None:
    """Refuse an endpoint that clearly is not the API's base URL (``.../v1``)."""
    path = raw_path.rstrip("/")
    for suffix in _API_PATHS:
        if path.endswith(suffix):
            kept = path[: -len(suffix)]
            raise ConfigurationError(
                f"endpoint {shown!r} is the URL of one of the API's paths; the endpoint is "
                f"its base URL: use '{base}{kept}'"
            )
    if not path:
        raise ConfigurationError(
            f"endpoint {shown!r} lacks the API version: the API is served under /v1, "
            f"use '{base}/v1'"
        )


def _shown(text: str) -> str:
    """The endpoint as it may be shown: no user name, password, query or fragment."""
    text = re.sub(r"(//)[^/?#]*@", r"\1", text)
    text = re.split(r"[?#]", text, maxsplit=1)[0]
    return text if len(text) <= 200 else text[:200] + "..."


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        import ipaddress  # only for an http:// endpoint or verify=False (import time)

        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _positive_number(name: str, value: object) -> float:
    return setting(seconds, name, value, above_zero=True)


def _non_negative_number(name: str, value: object) -> float:
    return setting(seconds, name, value, above_zero=False)


def _non_negative_int(name: str, value: object) -> int:
    return setting(integer, name, value, minimum=0)


def _batch_size(value: object) -> int:
    return setting(
        integer, "batch_size (the API's limit per request)", value, minimum=1, maximum=1000
    )


def _bool(name: str, value: object) -> bool:
    return setting(boolean, name, value)


def _log_level(value: object) -> int:
    try:
        return parse_level(value)
    except ValueError as exc:
        raise ConfigurationError(f"log_level: {exc}") from None


def _transport_option(value: object) -> TransportOption:
    if not isinstance(value, str):
        # Only a transport instance needs httpx here, and it means httpx is loaded: the
        # import is then a lookup, or a wait for another thread still importing it (a
        # half-imported module in sys.modules lacks the classes).
        import httpx

        if isinstance(value, httpx.BaseTransport):
            # One that is also an AsyncBaseTransport serves the async API calls as well.
            return value
        if isinstance(value, httpx.AsyncBaseTransport):
            raise ConfigurationError(
                "transport must be an httpx.BaseTransport instance, got an async-only "
                f"{type(value).__name__}: logs are delivered by a background thread with "
                "a synchronous client, for AsyncNeuralLog too"
            )
    if value == "httpx":
        return "httpx"
    if value == "requests":
        # Fail at construction, not on the first request (which may be in the worker).
        import importlib.util

        if importlib.util.find_spec("requests") is None:
            raise ConfigurationError(
                "transport='requests' needs the requests package: "
                "pip install 'neurallog[requests]' (or use the default transport='httpx')"
            )
        return "requests"
    raise ConfigurationError(
        f"transport must be 'httpx' (the default), 'requests', or an httpx transport "
        f"instance, got {value!r}"
    )


def _verify_option(
    value: object, endpoint: str, transport: TransportOption, logger: logging.Logger
) -> VerifyOption:
    """Validate ``verify=``; warn when it turns certificate checks off for a remote host."""
    if isinstance(value, os.PathLike):
        value = os.fspath(value)
    if isinstance(value, bool):
        off = not value
    elif isinstance(value, str) and value:
        if not os.path.exists(value):
            raise ConfigurationError(f"verify: no CA bundle file or directory at {value!r}")
        off = False
    else:
        # As for a transport instance: an SSLContext means ssl is loaded, so this import is
        # a lookup, or a wait for another thread still importing it.
        import ssl

        if not isinstance(value, ssl.SSLContext):
            raise ConfigurationError(
                "verify must be True, False, the path of a CA bundle (file or directory) or "
                f"an ssl.SSLContext, got {value!r}"
            )
        if transport == "requests":
            raise ConfigurationError(
                "verify: transport='requests' cannot use an ssl.SSLContext; pass the path of "
                "a CA bundle instead (or use transport='httpx')"
            )
        off = value.verify_mode == ssl.CERT_NONE
    from urllib.parse import urlsplit

    url = urlsplit(endpoint)
    host = url.hostname or ""
    if off and url.scheme == "https" and not is_loopback(host):
        logger.warning(
            "NeuralLog: TLS certificate verification is off for %s: anyone on the network "
            "path can read the credential and the logs",
            host,
        )
    return value


# -- the logging pipeline ------------------------------------------------------------------

#: The API's limits on one request and one entry (openapi.yaml).
API_MAX_ENTRIES: Final = 1000
API_MAX_BODY_BYTES: Final = 5 * 1024 * 1024
API_MAX_SOURCE: Final = 256
API_MAX_TAGS: Final = 64
API_MAX_TAG_LENGTH: Final = 256

OverflowPolicy = Literal["drop_oldest", "drop_newest", "block"]
OnDrop = Callable[[str, int, "BaseException | None"], object]
BeforeSend = Callable[[dict[str, Any]], "dict[str, Any] | None"]


@dataclass(frozen=True, kw_only=True, slots=True)
class PipelineOptions:
    """Validated settings of the background delivery pipeline."""

    source: str | None
    tags: tuple[str, ...]
    max_queue_size: int
    overflow: OverflowPolicy
    protect_level: int | None
    max_batch_bytes: int
    compression: str | None
    shutdown_timeout: float
    flush_timeout: float
    on_drop: OnDrop | None = field(repr=False)
    before_send: BeforeSend | None = field(repr=False)
    redact_keys: frozenset[str]
    block_timeout: float = 5.0


def resolve_pipeline_options(
    *,
    source: object,
    tags: object,
    max_queue_size: object,
    overflow: object,
    protect_level: object,
    max_batch_bytes: object,
    compression: object,
    shutdown_timeout: object,
    flush_timeout: object,
    on_drop: object,
    before_send: object,
    redact_keys: object,
    block_timeout: object = 5.0,
) -> PipelineOptions:
    """Validate the pipeline's keyword options (see :class:`neurallog.NeuralLog`)."""
    if source is not None and (not isinstance(source, str) or len(source) > API_MAX_SOURCE):
        raise ConfigurationError(
            f"source must be a string of at most {API_MAX_SOURCE} characters or None, "
            f"got {source!r}"
        )
    try:
        default_tags = check_tags(tags) if tags is not None else ()
    except (TypeError, ValueError) as exc:
        raise ConfigurationError(f"tags: {exc}") from None
    queue_size = setting(integer, "max_queue_size", max_queue_size, minimum=1)
    if overflow not in ("drop_oldest", "drop_newest", "block"):
        raise ConfigurationError(
            "overflow must be 'drop_oldest' (the default), 'drop_newest' or 'block', "
            f"got {overflow!r}"
        )
    protect = None if protect_level is None else _level_option("protect_level", protect_level)
    batch_bytes = setting(
        integer, "max_batch_bytes", max_batch_bytes, minimum=1024, maximum=API_MAX_BODY_BYTES
    )
    if compression not in ("gzip", None):
        raise ConfigurationError(
            f"compression must be 'gzip' (the default) or None, got {compression!r}"
        )
    for name, hook in (("on_drop", on_drop), ("before_send", before_send)):
        if hook is not None and not callable(hook):
            raise ConfigurationError(f"{name} must be a callable or None, got {hook!r}")
    return PipelineOptions(
        source=source,
        tags=default_tags,
        max_queue_size=queue_size,
        overflow=overflow,
        protect_level=protect,
        max_batch_bytes=batch_bytes,
        compression=compression,
        shutdown_timeout=_non_negative_number("shutdown_timeout", shutdown_timeout),
        flush_timeout=_non_negative_number("flush_timeout", flush_timeout),
        on_drop=on_drop,  # type: ignore[arg-type]
        before_send=before_send,  # type: ignore[arg-type]
        redact_keys=_redact_keys(redact_keys),
        block_timeout=block_timeout_option(block_timeout),
    )


def check_tags(tags: object) -> tuple[str, ...]:
    """Validate tags (a list or tuple of strings) and return them as a tuple.

    Raises:
        TypeError: tags is not a sequence of strings (a bare string is refused, since it
            would otherwise be split into one tag per character).
    """
    if type(tags) is tuple or type(tags) is list:
        items = tags
    elif isinstance(tags, str | bytes) or not isinstance(tags, Iterable):
        raise TypeError(f"tags must be a list of strings, got {type(tags).__name__}")
    else:
        items = list(tags)
    for tag in items:
        if type(tag) is not str and not isinstance(tag, str):  # a StrEnum is a string too
            raise TypeError(f"tags must be a list of strings, found {type(tag).__name__}")
    return tuple(items)


def _level_option(name: str, value: object) -> int:
    try:
        return parse_level(value)
    except ValueError as exc:
        raise ConfigurationError(f"{name}: {exc}") from None


def _redact_keys(value: object) -> frozenset[str]:
    if value is None:
        return frozenset()
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        raise ConfigurationError(
            "redact_keys must be a collection of key names (or None to turn redaction off), "
            f"got {type(value).__name__}"
        )
    keys = list(value)
    if not all(isinstance(k, str) for k in keys):
        raise ConfigurationError("redact_keys must contain only strings")
    return frozenset(keys)


# -- the logging API: console mirror and sampling ------------------------------------------

ENV_CONSOLE: Final = "NEURALLOG_CONSOLE"
_ENV_TRUE: Final = frozenset({"1", "true", "yes", "on"})
_ENV_FALSE: Final = frozenset({"", "0", "false", "no", "off"})


@dataclass(frozen=True, kw_only=True, slots=True)
class LoggingOptions:
    """Validated settings of the logging methods (``console``, ``sample_rate(s)``)."""

    console: bool
    #: Keep-rate of each level that is sampled (only levels with a rate below 1).
    sample_rates: Mapping[int, float]


def resolve_logging_options(
    *, console: object, sample_rate: object, sample_rates: object
) -> LoggingOptions:
    """Validate ``console``, ``sample_rate`` and ``sample_rates`` (see :class:`NeuralLog`).

    ``console=None`` reads ``NEURALLOG_CONSOLE`` (``1``/``true``/``yes``/``on`` or
    ``0``/``false``/``no``/``off``). ``sample_rate`` applies to DEBUG, INFO and WARN;
    ERROR and FATAL are sampled only when ``sample_rates`` names them.
    """
    if console is None:
        raw = os.environ.get(ENV_CONSOLE, "")
        value = raw.strip().lower()
        if value not in _ENV_TRUE | _ENV_FALSE:
            raise ConfigurationError(
                f"{ENV_CONSOLE} must be 1, true, yes or on (or 0, false, no, off), got {raw!r}"
            )
        console = value in _ENV_TRUE
    elif not isinstance(console, bool):
        raise ConfigurationError(f"console must be True, False or None, got {console!r}")
    rate = _sample_rate("sample_rate", sample_rate)
    rates = dict.fromkeys((DEBUG, INFO, WARN), rate)  # ERROR and FATAL only when named
    if sample_rates is not None:
        if not isinstance(sample_rates, Mapping):
            raise ConfigurationError(
                "sample_rates must be a dict of level name to rate, e.g. {'DEBUG': 0.1}, "
                f"got {type(sample_rates).__name__}"
            )
        for key, value in sample_rates.items():
            level = _level_option("sample_rates", key)
            rates[level] = _sample_rate(f"sample_rates[{key!r}]", value)
    return LoggingOptions(
        console=console,
        sample_rates={level: value for level, value in rates.items() if value < 1.0},
    )


def _sample_rate(name: str, value: object) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or math.isnan(value)
        or not 0 <= value <= 1
    ):
        raise ConfigurationError(
            f"{name} must be a number from 0 (send none) to 1 (send all), got {value!r}"
        )
    return float(value)


# -- the on-disk spool and the blocking overflow policy ------------------------------------

ENV_SPOOL_DIR: Final = "NEURALLOG_SPOOL_DIR"
SpoolFsync = Literal["interval", "always", "never"]
_SPOOL_FSYNC: Final = ("interval", "always", "never")
DEFAULT_MAX_SPOOL_BYTES: Final = 256 * 1024 * 1024
MIN_SPOOL_BYTES: Final = 64 * 1024


@dataclass(frozen=True, kw_only=True, slots=True)
class SpoolOptions:
    """Validated settings of the on-disk spool (``spool_dir`` given or in the environment)."""

    directory: str
    fsync: SpoolFsync
    max_bytes: int


def resolve_spool_options(
    *, spool_dir: object, spool_fsync: object, max_spool_bytes: object
) -> SpoolOptions | None:
    """Validate the spool options, falling back to ``NEURALLOG_SPOOL_DIR``; None: no spool."""
    if spool_dir is None:
        spool_dir = os.environ.get(ENV_SPOOL_DIR) or None
    if spool_fsync not in _SPOOL_FSYNC:
        raise ConfigurationError(
            f"spool_fsync must be 'interval' (the default), 'always' or 'never', "
            f"got {spool_fsync!r}"
        )
    if (
        isinstance(max_spool_bytes, bool)
        or not isinstance(max_spool_bytes, int)
        or max_spool_bytes < MIN_SPOOL_BYTES
    ):
        raise ConfigurationError(
            f"max_spool_bytes must be a whole number of bytes, at least {MIN_SPOOL_BYTES}, "
            f"got {max_spool_bytes!r}"
        )
    if spool_dir is None:
        return None
    if isinstance(spool_dir, os.PathLike):
        spool_dir = os.fspath(spool_dir)
    if not isinstance(spool_dir, str) or not spool_dir.strip():
        raise ConfigurationError(
            f"spool_dir must be the path of a directory (str or os.PathLike) or None, "
            f"got {spool_dir!r}"
        )
    directory = os.path.abspath(os.path.expanduser(spool_dir))
    try:
        os.makedirs(directory, mode=0o700, exist_ok=True)
    except OSError as exc:
        raise ConfigurationError(f"spool_dir {directory!r} cannot be created: {exc}") from None
    if not os.access(directory, os.W_OK | os.X_OK):
        raise ConfigurationError(f"spool_dir {directory!r} is not a writable directory")
    return SpoolOptions(
        directory=directory,
        fsync=spool_fsync,
        max_bytes=max_spool_bytes,
    )


def block_timeout_option(value: object) -> float:
    """``block_timeout``: seconds ``overflow="block"`` waits for room (0 or more, finite)."""
    return _non_negative_number("block_timeout", value)
