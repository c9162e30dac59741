"""A structlog processor that sends each event to NeuralLog.

::

    import structlog
    from neurallog.integrations.structlog import NeuralLogProcessor

    structlog.configure(
        processors=[
            structlog.stdlib.add_log_level,
            structlog.stdlib.add_logger_name,
            structlog.processors.TimeStamper(fmt="iso"),
            structlog.processors.StackInfoRenderer(),
            structlog.processors.format_exc_info,
            NeuralLogProcessor(api_key="...", endpoint="https://api.<tenant>.neurallog.com/v1"),
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
    )

What an event becomes: ``message`` from ``event``, ``level`` from ``level`` (added by
``add_log_level``) or the method name, ``source`` from ``logger`` (``add_logger_name``) or
``source=``, ``timestamp`` from an ISO ``timestamp``, and every other key in ``metadata``;
an exception (``exc_info``, or the ``exception`` text of ``format_exc_info``) becomes
``metadata["exception"] = {type, message, traceback}``. Keys starting with ``_`` are not
sent.

The processor returns the event dict unchanged, so processors after it see exactly what
they would without it. When it is the *last* processor of structlog's configuration (as
above), it also renders the event for the wrapped logger, since a stdlib logger cannot take
an event dict: the stdlib logger receives ``"<event> key=value ..."`` (plus ``exc_info``),
marked so that a :class:`~neurallog.integrations.logging.NeuralLogHandler` with the same
client does not send the event a second time.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Mapping, MutableMapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

try:
    import structlog
except ImportError as _exc:  # pragma: no cover - depends on the environment
    from neurallog.integrations._common import missing_extra

    raise ImportError(missing_extra("structlog", "structlog")) from _exc

from neurallog._guard import is_internal, is_internal_logger
from neurallog._levels import DEBUG, ERROR, FATAL, INFO, WARN
from neurallog._timestamps import normalize_timestamp
from neurallog.integrations._common import (
    SENT_ATTR,
    exception_fields,
    resolve_client,
    safe_str,
    truncate_traceback,
)

if TYPE_CHECKING:
    from neurallog.client import NeuralLog

__all__ = ["NeuralLogProcessor"]

_LEVELS: Final[dict[str, int]] = {
    "debug": DEBUG,
    "trace": DEBUG,
    "info": INFO,
    "msg": INFO,
    "log": INFO,
    "notice": INFO,
    "warn": WARN,
    "warning": WARN,
    "error": ERROR,
    "exception": ERROR,
    "err": ERROR,
    "critical": FATAL,
    "fatal": FATAL,
}

# Keys consumed into the record's own fields (never duplicated in metadata).
# The wire's own form, ``2026-01-02T03:04:05.678901Z`` (ISO 8601 forms of the same length,
# such as week dates or a comma before the fraction, are not RFC 3339 and are rewritten).
_WIRE_LAYOUT: Final = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z").fullmatch
# The date and time (to the second) of the last wire-form timestamp found valid: the events
# of one second share it, and only the first of them pays for datetime's check.
_valid_second = ""
_CONSUMED: Final = frozenset({"event", "level", "timestamp", "exc_info", "exception", "stack"})
# Keys left out of the text given to a stdlib logger (its formatter shows them itself).
_STDLIB_SHOWN: Final = frozenset({"level", "logger", "timestamp", "exc_info", "exception", "stack"})
_ALWAYS_BLOCKS: Final = frozenset({"exc_info", "exception", "stack"})
# The object structlog.configure() updates in place, read for the processor list on every
# event: get_config() builds a dict of the whole configuration each time, a tenth of what
# the processor adds to a call. None where a structlog version has no such object.
_STRUCTLOG_CONFIG: Any = getattr(getattr(structlog, "_config", None), "_CONFIG", None)
if not hasattr(_STRUCTLOG_CONFIG, "default_processors"):
    _STRUCTLOG_CONFIG = None


class NeuralLogProcessor:
    """Forward each structlog event to NeuralLog and pass it on unchanged.

    Args:
        client: An existing client (:class:`~neurallog.NeuralLog`,
            :class:`~neurallog.async_client.AsyncNeuralLog`, or a framework integration
            object).
        source: ``source`` of events that carry no ``logger`` name.
        **client_kwargs: Without ``client``, the :class:`~neurallog.NeuralLog` constructor
            arguments (``api_key``, ``endpoint``, ...).

    Never raises into the logging call: an event that cannot be sent is dropped (the
    client's ``on_error``/drop counters account for delivery problems).
    """

    def __init__(self, client: Any = None, *, source: str | None = None, **client_kwargs: Any):
        self.client: NeuralLog
        self.client, self._owns_client = resolve_client(
            client, client_kwargs, what="NeuralLogProcessor"
        )
        self.source = source

    def __call__(self, logger: Any, method_name: str, event_dict: MutableMapping[str, Any]) -> Any:
        if not is_internal():
            try:  # noqa: SIM105 - cheaper than contextlib.suppress on every event
                self._send(method_name, event_dict)
            except Exception:  # noqa: S110 - never break the logging call
                pass
        if self._is_last():
            return _render_for(logger, event_dict, self.client)
        return event_dict

    def close(self) -> None:
        """Close the client if this processor created it (it also flushes at exit)."""
        if self._owns_client:
            self.client.close()

    # -- internals ---------------------------------------------------------------------------

    def _send(self, method_name: str, event: Mapping[str, Any]) -> None:
        logger_name = event.get("logger")
        if isinstance(logger_name, str) and is_internal_logger(logger_name):
            return
        level_value = event.get("level", method_name)
        # add_log_level's names are lower case already.
        number = _LEVELS.get(level_value) if type(level_value) is str else None
        if number is None:
            number = _LEVELS.get(str(level_value).lower(), INFO)
        metadata = {
            key: value
            for key, value in event.items()
            if key not in _CONSUMED and not key.startswith("_")
        }
        if "exc_info" in event or "exception" in event:
            exception = _exception(event)
            if exception is not None:
                metadata["exception"] = exception
        stack = event.get("stack")
        if stack is not None:
            metadata["stack"] = stack
        timestamp = event.get("timestamp")
        if timestamp is not None:
            text = _wire_text(timestamp)  # parsed once here, not again by the client
            if text is None:
                metadata["timestamp"] = timestamp  # not a moment the API accepts: keep it
            timestamp = text
        source = logger_name if isinstance(logger_name, str) and logger_name else self.source
        client = self.client
        if number >= client._min_level:
            # Straight to the client's put (what ``client.log`` ends in): the level is
            # mapped and the timestamp is wire text already; metadata is this call's own.
            client._put(number, safe_str(event.get("event", "")), metadata, source, None, timestamp)

    def _is_last(self) -> bool:
        config = _STRUCTLOG_CONFIG
        if config is not None:
            processors = config.default_processors
        else:
            processors = structlog.get_config()["processors"]
        return bool(processors) and processors[-1] is self


def _wire_text(value: object) -> str | None:
    """``value`` as wire text if it is an aware datetime or an RFC 3339 string, else None.

    ``TimeStamper(fmt="iso")`` (UTC) already writes the wire's own form, which is checked
    and passed on as it is.
    """
    global _valid_second
    if isinstance(value, str):
        if (
            value[:19] == _valid_second
            and len(value) == 27
            and value[19] == "."
            and value[26] == "Z"
            and value[20:26].isdigit()
            and value.isascii()
        ):
            return value
        if "T" not in value:
            return None
        if _WIRE_LAYOUT(value):
            try:
                datetime.fromisoformat(value)
            except ValueError:
                return None
            _valid_second = value[:19]
            return value
    elif not isinstance(value, datetime):
        return None
    try:
        return normalize_timestamp(value)
    except ValueError:
        return None


def _exception(event: Mapping[str, Any]) -> dict[str, Any] | None:
    exc_info = event.get("exc_info")
    if exc_info:
        exc: BaseException | None = None
        if isinstance(exc_info, BaseException):
            exc = exc_info
        elif isinstance(exc_info, tuple):
            exc = exc_info[1] if len(exc_info) > 1 else None
        else:
            exc = sys.exc_info()[1]
        if exc is not None:
            return exception_fields(exc)
    rendered = event.get("exception")
    if isinstance(rendered, str) and rendered:
        # format_exc_info's text: the last line is "Type: message".
        last = rendered.rstrip().rsplit("\n", 1)[-1]
        kind, _, message = last.partition(": ")
        return {"type": kind, "message": message, "traceback": truncate_traceback(rendered)}
    if isinstance(rendered, list) and rendered and isinstance(rendered[-1], Mapping):
        # dict_tracebacks: a list of stacks, the raised exception last.
        last_stack = rendered[-1]
        return {
            "type": safe_str(last_stack.get("exc_type", "")),
            "message": safe_str(last_stack.get("exc_value", "")),
            "stacks": rendered,
        }
    return None


def _render_for(logger: Any, event: Mapping[str, Any], client: NeuralLog) -> Any:
    """What the last processor gives the wrapped logger: text, and kwargs for stdlib."""
    stdlib = isinstance(logger, logging.Logger)
    parts = [safe_str(event.get("event", ""))]
    skip = _STDLIB_SHOWN if stdlib else _ALWAYS_BLOCKS
    for key, value in event.items():
        if key != "event" and key not in skip and not key.startswith("_"):
            parts.append(f"{key}={value!r}")
    text = " ".join(parts)
    stack = event.get("stack")
    if isinstance(stack, str) and stack:
        text = f"{text}\n{stack}"
    rendered = event.get("exception")
    if isinstance(rendered, str) and rendered:
        text = f"{text}\n{rendered}"
    if not stdlib:
        return text
    kwargs: dict[str, Any] = {"extra": {SENT_ATTR: (id(client),)}}
    exc_info = event.get("exc_info")
    if exc_info and not (isinstance(rendered, str) and rendered):
        kwargs["exc_info"] = exc_info
    return (text,), kwargs
