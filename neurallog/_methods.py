"""The logging methods (``log``, ``debug`` ... ``fatal``, ``exception``, ``bind``), defined once.

Every object that logs takes them from :class:`Logging`, generated from the level table:
:class:`~neurallog.NeuralLog`, :class:`~neurallog.LogBatch`, :class:`BoundLogger` and the
framework integration objects. The awaitable ones (``AsyncNeuralLog``, ``NeuralLogFastAPI``,
:class:`AsyncBoundLogger`) take :class:`AsyncLogging`, whose methods call the same ones on
the sync object they wrap (``_logger``).

An object using :class:`Logging` provides two attributes:

- ``_min_level``: the level number below which records are dropped at the call;
- ``_put(level, message, metadata, source, tags, timestamp)``: takes one record whose level
  passed (the client's queue, a batch's list, a bound logger adding its fields).

Hot path: a level method compares the level first, before any other work; a call without
keyword arguments then goes straight to ``_put``. Anything else goes through :func:`_emit`,
which applies the rules below.

- A message that is not a string is converted with ``str()``, as :mod:`logging` does, when
  the record is encoded (``neurallog._encoding.message_text``), and by the console.
- Keyword fields are merged into ``metadata``; a field wins over a ``metadata`` key of the
  same name. The names of the methods' own arguments keep their meaning as arguments.
- ``exc_info`` (True: the exception being handled; an exception; a ``sys.exc_info()``
  tuple) adds ``metadata["exception"] = {type, message, traceback}``, formatted at the call.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Coroutine, Mapping, Sequence
from datetime import datetime
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Concatenate, Generic, ParamSpec, Protocol, TypeVar

from neurallog._encoding import normalize_timestamp
from neurallog._exc_info import ExcInfo, exception_fields, exception_of
from neurallog._levels import DEBUG, ERROR, FATAL, INFO, LEVEL_NAMES, WARN, parse_level
from neurallog._stdlib_record import Snapshot

if TYPE_CHECKING:
    from neurallog.types import LevelName

__all__ = ["AsyncBoundLogger", "AsyncLogging", "BoundLogger", "Logging", "PutRecord"]

P = ParamSpec("P")
R = TypeVar("R")


class PutRecord(Protocol):
    """``_put``: takes one record whose level passed (``timestamp`` already normalized)."""

    def __call__(
        self,
        level: int,
        message: object,
        metadata: Mapping[str, Any] | Snapshot | None = ...,
        source: str | None = ...,
        tags: Sequence[str] | None = ...,
        timestamp: str | None = ...,
        /,
    ) -> None: ...


# -- signatures: what type checkers, IDEs and help() see -------------------------------------


def _log_signature(
    self: Any,
    /,
    level: LevelName,
    message: object,
    metadata: Mapping[str, Any] | None = None,
    source: str | None = None,
    tags: Sequence[str] | None = None,
    timestamp: str | datetime | None = None,
    *,
    exc_info: ExcInfo = None,
    **fields: Any,
) -> None:
    raise NotImplementedError  # pragma: no cover - a signature only


def _level_signature(
    self: Any,
    /,
    message: object,
    metadata: Mapping[str, Any] | None = None,
    *,
    source: str | None = None,
    tags: Sequence[str] | None = None,
    timestamp: str | datetime | None = None,
    exc_info: ExcInfo = None,
    **fields: Any,
) -> None:
    raise NotImplementedError  # pragma: no cover - a signature only


class _Shape(Generic[P]):
    """Gives a generated method the signature of a template, for type checkers and help().

    The generated methods take their rarely used keywords (``source``, ``tags``,
    ``timestamp``, ``exc_info``) through ``**fields``: a keyword-only parameter with a default
    costs the call a dictionary lookup, and most calls pass none of them.
    """

    def __init__(self, template: Callable[Concatenate[Any, P], None]) -> None:
        self._signature = inspect.signature(template)
        self._annotations = template.__annotations__

    def __call__(
        self, method: Callable[..., None], **defaults: object
    ) -> Callable[Concatenate[Any, P], None]:
        signature = self._signature
        if defaults:
            signature = signature.replace(
                parameters=[
                    p.replace(default=defaults[p.name]) if p.name in defaults else p
                    for p in signature.parameters.values()
                ]
            )
        method.__signature__ = signature  # type: ignore[attr-defined]
        method.__annotations__ = dict(self._annotations)
        return method


_LOG = _Shape(_log_signature)
_LEVEL = _Shape(_level_signature)

_LOG_DOC = """Log one record; never blocks on the network, never raises for delivery.

Args:
    level: ``DEBUG``, ``INFO``, ``WARN`` (``WARNING``), ``ERROR``, ``FATAL``
        (``CRITICAL``) in any case, or a stdlib level number.
    message: The message; anything else is converted with ``str()``, as :mod:`logging`
        does (``info(None)`` logs ``"None"``).
    metadata: Structured fields (a mapping); anything JSON cannot encode is converted,
        exceptions to their type, message and traceback.
    source: Overrides the client's default ``source``.
    tags: Tags of this record (added to the client's ``tags``).
    timestamp: When it happened (timezone-aware datetime or RFC 3339 string);
        default now.
    exc_info: True (the exception being handled), an exception or a
        ``sys.exc_info()`` tuple: sent as ``metadata["exception"]`` with its type,
        message and traceback (chained causes included).
    **fields: More metadata, e.g. ``user_id="123"``; a field wins over a ``metadata``
        key of the same name. To send a field named like an argument above, put it in
        ``metadata``.

Raises:
    ValueError: unknown level, or a timestamp that is not RFC 3339 / naive.
    TypeError: metadata is not a mapping, tags not a list of strings, source not a
        string, exc_info of another kind.
"""

_LEVEL_DOC = """Log a record at {name}, e.g. ``{method}("User logged in", {{"user_id": "123"}})``.

``metadata`` and keyword ``fields`` (``{method}("User logged in", user_id="123")``) become
the record's metadata; ``source``, ``tags``, ``timestamp`` and ``exc_info`` are as for
:meth:`log`. Never blocks on the network, never raises for delivery.
"""

_EXCEPTION_DOC = """Log an ERROR record with the exception being handled (call it in ``except``).

The record's ``metadata["exception"]`` holds the exception's type, message and traceback
(chained causes included). ``exc_info`` may name another exception; the other arguments
are as for :meth:`log`.
"""


def _log_method() -> Callable[..., None]:
    def log(
        self: Any,
        level: Any,
        message: Any,
        metadata: Any = None,
        source: Any = None,
        tags: Any = None,
        timestamp: Any = None,
        **fields: Any,
    ) -> None:
        number = parse_level(level)
        if number >= self._min_level:
            if fields or timestamp is not None:
                _emit(self, number, message, metadata, fields, source, tags, timestamp)
            else:
                self._put(number, message, metadata, source, tags)

    log.__doc__ = _LOG_DOC
    return log


def _level_method(level: int) -> Callable[..., None]:
    def method(self: Any, message: Any, metadata: Any = None, **fields: Any) -> None:
        if self._min_level <= level:
            if fields:
                _emit(self, level, message, metadata, fields)
            else:
                self._put(level, message, metadata)

    name = LEVEL_NAMES[level]
    method.__name__ = method.__qualname__ = name.lower()
    method.__doc__ = _LEVEL_DOC.format(name=name, method=name.lower())
    return method


def _exception_method() -> Callable[..., None]:
    def exception(self: Any, message: Any, metadata: Any = None, **fields: Any) -> None:
        if self._min_level <= ERROR:
            fields.setdefault("exc_info", True)
            _emit(self, ERROR, message, metadata, fields)

    exception.__doc__ = _EXCEPTION_DOC
    return exception


def _emit(
    target: Any,
    level: int,
    message: object,
    metadata: object,
    fields: dict[str, Any],
    source: Any = None,
    tags: Any = None,
    timestamp: object = None,
) -> None:
    """A record with keyword arguments beyond ``message`` and ``metadata`` (see the module)."""
    if metadata is not None and not isinstance(metadata, Mapping):
        raise TypeError(f"metadata must be a dict or None, got {type(metadata).__name__}")
    # The methods' own keywords arrive here among the fields (see _Shape).
    source = fields.pop("source", source)
    tags = fields.pop("tags", tags)
    timestamp = fields.pop("timestamp", timestamp)
    exc_info = fields.pop("exc_info", None)
    if fields:
        if metadata:
            fields = {**metadata, **fields}
        metadata = fields
    if exc_info:
        exc = exception_of(exc_info)
        if exc is not None:
            # Formatted now, as logging does: the traceback is the one at the call.
            metadata = {**(metadata or {}), "exception": exception_fields(exc)}
    if timestamp is not None:
        timestamp = normalize_timestamp(timestamp)
    target._put(level, message, metadata, source, tags, timestamp)


# -- the methods --------------------------------------------------------------------------------


class Logging:
    """The logging methods of an object with ``_min_level`` and ``_put`` (see the module)."""

    __slots__ = ()

    log = _LOG(_log_method())
    debug = _LEVEL(_level_method(DEBUG))
    info = _LEVEL(_level_method(INFO))
    warn = _LEVEL(_level_method(WARN))
    warning = warn
    error = _LEVEL(_level_method(ERROR))
    fatal = _LEVEL(_level_method(FATAL))
    critical = fatal
    exception = _LEVEL(_exception_method(), exc_info=True)

    def bind(self, **fields: Any) -> BoundLogger:
        """A logger that adds ``fields`` to the metadata of every record it logs.

        It is a light view sharing this object's queue (and settings); ``bind`` on it adds
        more fields. A record's own ``metadata`` and keyword fields win over bound ones.
        """
        return BoundLogger(self, fields)


def awaitable(
    method: Callable[Concatenate[Any, P], R],
) -> Callable[Concatenate[Any, P], Coroutine[Any, Any, R]]:
    """The awaitable twin of a :class:`Logging` method: runs it on ``self._logger``.

    Logging only enqueues, so the twin does no I/O on the event loop.
    """

    @functools.wraps(method)
    async def twin(self: Any, /, *args: P.args, **kwargs: P.kwargs) -> R:
        return method(self._logger, *args, **kwargs)

    return twin


class AsyncLogging:
    """Awaitable logging methods, for an object whose ``_logger`` has :class:`Logging`'s."""

    __slots__ = ()

    log = awaitable(Logging.log)
    debug = awaitable(Logging.debug)
    info = awaitable(Logging.info)
    warn = awaitable(Logging.warn)
    warning = warn
    error = awaitable(Logging.error)
    fatal = awaitable(Logging.fatal)
    critical = fatal
    exception = awaitable(Logging.exception)

    @property
    def _logger(self) -> Logging:
        raise NotImplementedError

    def bind(self, **fields: Any) -> AsyncBoundLogger:
        """An awaitable logger that adds ``fields`` to every record (see ``Logging.bind``)."""
        return AsyncBoundLogger(self._logger.bind(**fields))


# -- bound loggers ------------------------------------------------------------------------------


class BoundLogger(Logging):
    """A logger view carrying fields: ``log = client.bind(user_id="123")``.

    ``log.info("Logged in")`` sends ``metadata={"user_id": "123"}`` through the client it
    was bound from (same queue, level, console and sampling); ``log.bind(...)`` adds more
    fields. Bound fields win over the scoped and configured context; a record's own
    ``metadata`` and keyword fields win over bound fields.
    """

    __slots__ = ("_fields", "_min_level", "_parent", "_put")

    def __init__(self, parent: Logging, fields: Mapping[str, Any]) -> None:
        bound = dict(fields)
        outer: PutRecord = parent._put  # type: ignore[attr-defined]
        self._parent = parent
        self._fields = bound
        self._min_level: int = parent._min_level  # type: ignore[attr-defined]

        def put(level: int, message: object, metadata: Any = None, *rest: Any) -> None:
            if metadata:
                if not isinstance(metadata, Mapping):
                    raise TypeError(
                        f"metadata must be a dict or None, got {type(metadata).__name__}"
                    )
                metadata = {**bound, **metadata}
            else:
                metadata = bound  # the queue copies it
            outer(level, message, metadata, *rest)

        self._put: PutRecord = put

    @property
    def fields(self) -> Mapping[str, Any]:
        """The bound fields (read-only)."""
        return MappingProxyType(self._fields)

    def bind(self, **fields: Any) -> BoundLogger:
        """A logger with these fields added to this one's."""
        return BoundLogger(self._parent, {**self._fields, **fields})

    def __repr__(self) -> str:
        return f"<BoundLogger fields={sorted(self._fields)} of {self._parent!r}>"


class AsyncBoundLogger(AsyncLogging):
    """The awaitable twin of :class:`BoundLogger` (``AsyncNeuralLog.bind(...)``)."""

    __slots__ = ("_bound",)

    def __init__(self, bound: BoundLogger) -> None:
        self._bound = bound

    @property
    def _logger(self) -> BoundLogger:
        return self._bound

    @property
    def fields(self) -> Mapping[str, Any]:
        """The bound fields (read-only)."""
        return self._bound.fields

    def __repr__(self) -> str:
        return f"<AsyncBoundLogger fields={sorted(self._bound.fields)}>"
