"""Helpers shared by the integrations. Imports no framework."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

# The exception helpers live with the client's (one shape everywhere); re-exported here.
from neurallog._exc_info import exception_fields as exception_fields
from neurallog._exc_info import exception_summary as exception_summary
from neurallog._exc_info import safe_str as safe_str
from neurallog._exc_info import truncate_traceback as truncate_traceback
from neurallog._levels import parse_level
from neurallog._methods import Logging

if TYPE_CHECKING:
    from neurallog._methods import PutRecord
    from neurallog.async_client import AsyncNeuralLog
    from neurallog.client import NeuralLog
    from neurallog.resources.actions import ActionsModule
    from neurallog.resources.logs import LogsModule
    from neurallog.resources.rules import RulesModule

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


#: Level numbers of the stdlib (and loguru) to NeuralLog levels, filled as they are seen
#: (:func:`level_of`); a logging call reads it before calling anything.
LEVELS: dict[int, int] = {}

#: A record older than this (seconds) is sent with its own time (QueueHandler setups emit
#: records later, on another thread); a fresh one gets the time it is enqueued.
STALE_AFTER: Final = 0.001


def level_of(levelno: int) -> int:
    """The NeuralLog level of a stdlib or loguru level number (remembered in ``LEVELS``)."""
    level = LEVELS[levelno] = parse_level(levelno)
    return level


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


def resolve_async_client(
    client: object, client_kwargs: Mapping[str, Any], *, what: str
) -> tuple[AsyncNeuralLog, bool]:
    """:func:`resolve_client` for an awaitable integration: ``(async client, owned)``.

    An :class:`~neurallog.async_client.AsyncNeuralLog` given is used as it is; any other
    client is wrapped without a second pipeline.
    """
    from neurallog.async_client import AsyncNeuralLog

    if client is None:
        return AsyncNeuralLog(**client_kwargs), True
    sync, _ = resolve_client(client, client_kwargs, what=what)
    if isinstance(client, AsyncNeuralLog):
        return client, False
    return AsyncNeuralLog.from_client(sync), False


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


class ClientMethods(Logging):
    """The :class:`NeuralLog` logging and API surface, delegated to ``self.client``.

    Lets a framework integration object be used like the client itself, as in the SDK
    spec's ``neurallog.info(...)`` inside a Flask view: ``log``, ``debug`` ... ``fatal``,
    ``exception`` and ``bind`` are the client's (:mod:`neurallog._methods`).
    """

    @property
    def client(self) -> NeuralLog:
        raise NotImplementedError

    @property
    def _min_level(self) -> int:
        return self.client._min_level

    @property
    def _put(self) -> PutRecord:
        return self.client._put

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
