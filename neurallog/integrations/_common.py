"""Helpers shared by the integrations. Imports no framework."""

from __future__ import annotations

import contextlib
import traceback
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from neurallog.client import NeuralLog
    from neurallog.resources.actions import ActionsModule
    from neurallog.resources.logs import LogsModule
    from neurallog.resources.rules import RulesModule
    from neurallog.types import LevelName

#: Longest traceback text sent with one record; longer ones keep their head and their tail
#: (the innermost frames and the message are at the end).
MAX_TRACEBACK_CHARS: Final = 32_768
_TRACEBACK_HEAD: Final = 8_192

# Set on an exception once an integration has sent it: the ids of the clients it went
# through, so that the same exception reaching a NeuralLogHandler through the framework's own
# logger is not sent to the same destination a second time (ids, not the clients: an
# exception may outlive its request by far, and must not keep a client alive).
_REPORTED_ATTR: Final = "__neurallog_reported__"

#: Attribute of a stdlib LogRecord whose event was already sent: the ids of the clients it
#: was sent through (a handler with another client still sends it).
SENT_ATTR: Final = "_neurallog_sent"

#: Attribute of a framework request object (Django's HttpRequest) holding its RequestState,
#: so a record that names the request (``extra={"request": request}``) gets its context even
#: when logged outside the middleware (Django logs 4xx responses after the middleware chain).
REQUEST_STATE_ATTR: Final = "_neurallog_request"


def missing_extra(module: str, extra: str) -> str:
    """The message of the ImportError raised when an optional framework is missing."""
    return (
        f"neurallog.integrations.{extra} needs {module}, which is not installed; "
        f"install it with: pip install 'neurallog[{extra}]'"
    )


def resolve_client(
    client: object, client_kwargs: Mapping[str, Any], *, what: str
) -> tuple[NeuralLog, bool]:
    """Return ``(sync client, owned)`` for an integration's ``client`` and keyword arguments.

    ``client`` may be a :class:`~neurallog.client.NeuralLog`, an
    :class:`~neurallog.async_client.AsyncNeuralLog` or an integration object that wraps one
    (``NeuralLogFlask``, ``NeuralLogFastAPI``). Without it a new client is built from the
    keyword arguments, and the integration owns it (closes it on close).
    """
    from neurallog.client import NeuralLog

    if client is None:
        return NeuralLog(**client_kwargs), True
    if client_kwargs:
        names = ", ".join(sorted(client_kwargs))
        raise TypeError(f"{what}: pass either client= or client options ({names}), not both")
    found = sync_client_of(client)
    if found is None:
        raise TypeError(
            f"{what}: client must be a NeuralLog or AsyncNeuralLog client, "
            f"got {type(client).__name__}"
        )
    return found, False


def sync_client_of(obj: object) -> NeuralLog | None:
    """The :class:`NeuralLog` behind a client or an integration object, else None."""
    from neurallog.client import NeuralLog

    for _ in range(4):  # integration -> async client -> sync client
        if isinstance(obj, NeuralLog):
            return obj
        inner = getattr(obj, "sync_client", None)
        if inner is None:
            return None
        obj = inner
    return None


def type_name(exc_type: type[BaseException]) -> str:
    """``ValueError`` for builtins, else ``package.module.QualName``."""
    module = exc_type.__module__
    if module in ("builtins", "__main__", None):
        return exc_type.__qualname__
    return f"{module}.{exc_type.__qualname__}"


def safe_str(value: object) -> str:
    """``str(value)``, or a placeholder when its ``__str__`` fails."""
    try:
        return str(value)
    except Exception:
        return f"<unprintable {type(value).__name__} object>"


def truncate_traceback(text: str) -> str:
    """Keep tracebacks within :data:`MAX_TRACEBACK_CHARS`, keeping head and tail."""
    if len(text) <= MAX_TRACEBACK_CHARS:
        return text
    tail = MAX_TRACEBACK_CHARS - _TRACEBACK_HEAD
    omitted = len(text) - MAX_TRACEBACK_CHARS
    return f"{text[:_TRACEBACK_HEAD]}\n... ({omitted} characters omitted) ...\n{text[-tail:]}"


def exception_fields(exc: BaseException, traceback_text: str | None = None) -> dict[str, Any]:
    """The ``exception`` metadata of a record: ``type``, ``message`` and ``traceback``.

    The traceback includes chained causes (``raise ... from ...``), formatted as Python
    prints them.
    """
    if traceback_text is None:
        try:
            traceback_text = "".join(traceback.format_exception(exc))
        except Exception:  # a broken __str__ deep in a chain, a cycle in a custom exception
            traceback_text = f"{type_name(type(exc))}: {safe_str(exc)}"
    return {
        "type": type_name(type(exc)),
        "message": safe_str(exc),
        "traceback": truncate_traceback(traceback_text.rstrip("\n")),
    }


def exception_summary(exc: BaseException) -> str:
    """``ValueError: boom`` (or just ``ValueError`` when the message is empty)."""
    message = safe_str(exc)
    name = type(exc).__qualname__
    return f"{name}: {message}" if message else name


def mark_reported(exc: BaseException, client: NeuralLog) -> None:
    """Remember that ``exc`` has been sent through ``client``, so it is not sent again there."""
    # An exception type that refuses attributes is at worst sent twice.
    with contextlib.suppress(Exception):
        setattr(exc, _REPORTED_ATTR, (*_reported_ids(exc), id(client)))


def was_reported(exc: BaseException | None, client: NeuralLog) -> bool:
    """Whether an integration already sent ``exc`` through ``client``."""
    return exc is not None and id(client) in _reported_ids(exc)


def _reported_ids(exc: BaseException) -> tuple[int, ...]:
    ids = getattr(exc, _REPORTED_ATTR, ())
    return ids if type(ids) is tuple else ()


def was_sent(record: object, client: NeuralLog) -> bool:
    """Whether a stdlib LogRecord's event was already sent through ``client``."""
    ids = getattr(record, SENT_ATTR, ())
    return type(ids) is tuple and id(client) in ids


def sent_marker(record: object, client: NeuralLog) -> tuple[int, ...]:
    """The :data:`SENT_ATTR` value of a record once it is sent through ``client``."""
    ids = getattr(record, SENT_ATTR, ())
    return (*ids, id(client)) if type(ids) is tuple else (id(client),)


class ClientMethods:
    """The :class:`NeuralLog` logging and API surface, delegated to ``self.client``.

    Lets a framework integration object be used like the client itself, as in the SDK
    spec's ``neurallog.info(...)`` inside a Flask view.
    """

    @property
    def client(self) -> NeuralLog:
        raise NotImplementedError

    def log(
        self,
        level: LevelName,
        message: str,
        metadata: Mapping[str, Any] | None = None,
        source: str | None = None,
        tags: Sequence[str] | None = None,
        timestamp: Any = None,
    ) -> None:
        """Enqueue one record (see :meth:`NeuralLog.log`)."""
        self.client.log(level, message, metadata, source=source, tags=tags, timestamp=timestamp)

    def debug(
        self,
        message: str,
        metadata: Mapping[str, Any] | None = None,
        *,
        source: str | None = None,
        tags: Sequence[str] | None = None,
    ) -> None:
        """Enqueue a DEBUG record."""
        self.client.debug(message, metadata, source=source, tags=tags)

    def info(
        self,
        message: str,
        metadata: Mapping[str, Any] | None = None,
        *,
        source: str | None = None,
        tags: Sequence[str] | None = None,
    ) -> None:
        """Enqueue an INFO record."""
        self.client.info(message, metadata, source=source, tags=tags)

    def warn(
        self,
        message: str,
        metadata: Mapping[str, Any] | None = None,
        *,
        source: str | None = None,
        tags: Sequence[str] | None = None,
    ) -> None:
        """Enqueue a WARN record."""
        self.client.warn(message, metadata, source=source, tags=tags)

    def error(
        self,
        message: str,
        metadata: Mapping[str, Any] | None = None,
        *,
        source: str | None = None,
        tags: Sequence[str] | None = None,
    ) -> None:
        """Enqueue an ERROR record."""
        self.client.error(message, metadata, source=source, tags=tags)

    def fatal(
        self,
        message: str,
        metadata: Mapping[str, Any] | None = None,
        *,
        source: str | None = None,
        tags: Sequence[str] | None = None,
    ) -> None:
        """Enqueue a FATAL record."""
        self.client.fatal(message, metadata, source=source, tags=tags)

    def flush(self, timeout: float | None = None) -> bool:
        """Send pending records; True when everything was delivered within ``timeout``."""
        return self.client.flush(timeout=timeout)

    def configure_context(self, fields: Mapping[str, Any]) -> None:
        """Fields added to the metadata of every record this client sends."""
        self.client.configure_context(fields)

    @property
    def logs(self) -> LogsModule:
        """Search, list, get, delete, stream and batch-log entries."""
        return self.client.logs

    @property
    def rules(self) -> RulesModule:
        """Create and manage rules."""
        return self.client.rules

    @property
    def actions(self) -> ActionsModule:
        """Create, manage and execute actions."""
        return self.client.actions
