"""A :mod:`logging` handler that sends records to NeuralLog.

::

    import logging
    from neurallog.integrations.logging import NeuralLogHandler

    handler = NeuralLogHandler(api_key="...", endpoint="https://api.<tenant>.neurallog.com/v1")
    logging.getLogger().addHandler(handler)

or with :func:`logging.config.dictConfig`::

    "handlers": {
        "neurallog": {
            "class": "neurallog.integrations.logging.NeuralLogHandler",
            "level": "INFO",
            "api_key": "...",
            "endpoint": "https://api.<tenant>.neurallog.com/v1",
        },
    }

What a record becomes: ``level`` from ``levelno`` (WARNING is WARN, CRITICAL is FATAL,
custom levels map to the standard level at or below them), ``message`` from
``record.getMessage()`` (formatters are not applied: the record's parts are sent as
structured fields instead), ``source`` the logger name unless ``source=`` is given, and
``metadata`` with the ``extra=`` fields, ``logger``, ``origin`` (file, line, function,
thread, process), ``exception`` (type, message, traceback) when the record has
``exc_info``, and ``stack`` when it has ``stack_info``. The request context, configured
context and OpenTelemetry trace ids are added by the client as for any record.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Mapping
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final

from neurallog._guard import _state, is_internal_logger
from neurallog._stdlib_record import SNAPSHOT, Snapshot, record_metadata
from neurallog._timestamps import rfc3339
from neurallog.integrations._common import (
    LEVELS,
    REQUEST_STATE_ATTR,
    SENT_ATTR,
    STALE_AFTER,
    exception_fields,
    level_of,
    resolve_client,
    sent_marker,
    was_reported,
    was_sent,
)

if TYPE_CHECKING:
    from neurallog.client import NeuralLog

__all__ = ["NeuralLogHandler"]

#: Seconds ``flush()`` waits for pending records by default.
DEFAULT_FLUSH_TIMEOUT: Final = 5.0

# Re-entrancy guard: a record produced while this thread is inside emit() (a handler that
# writes to a stderr redirected into logging, say) is dropped instead of recursing.
_emitting: ContextVar[bool] = ContextVar("neurallog_handler_emitting", default=False)

_time = time.time


def _stale_timestamp(created: float) -> str:
    """A record's own creation time as wire text."""
    return rfc3339("timestamp", datetime.fromtimestamp(created, UTC))


def _holds_logging_lock() -> bool:
    """Whether this thread holds the :mod:`logging` module lock (``dictConfig`` does)."""
    lock = getattr(logging, "_lock", None)
    is_owned = getattr(lock, "_is_owned", None)
    if is_owned is None:
        return False
    try:
        return bool(is_owned())
    except Exception:
        return False


class NeuralLogHandler(logging.Handler):
    """Send :mod:`logging` records to NeuralLog.

    Args:
        client: An existing client (:class:`~neurallog.NeuralLog`,
            :class:`~neurallog.async_client.AsyncNeuralLog`, or a framework integration
            object). The handler never closes a client it was given.
        level: The handler's level (as for any :class:`logging.Handler`). Defaults to the
            client's ``log_level``: records below it would be dropped by the client anyway.
        source: ``source`` of every record. Default: the client's ``source`` option if it
            has one, else the record's logger name (always in ``metadata["logger"]``).
        flush_timeout: Seconds :meth:`flush` and :meth:`close` wait for delivery.
        **client_kwargs: Without ``client``, the :class:`~neurallog.NeuralLog` constructor
            arguments (``api_key``, ``endpoint``, ``batch_size``, ...); the handler then owns
            the client and closes it in :meth:`close` (``logging.shutdown()`` at exit does).

    The handler never raises into the application: a failure goes to
    :meth:`logging.Handler.handleError`. It skips the SDK's own loggers and its HTTP stack
    (``neurallog``, ``httpx``, ``httpcore``, ``urllib3``, ...), anything logged while the SDK
    delivers records, and records and exceptions already sent through its client (by another
    handler or a framework integration), so nothing is sent twice and nothing loops even
    with the root logger at DEBUG. ``emit`` only enqueues
    and takes no lock; :meth:`flush` and :meth:`close` are bounded by ``flush_timeout`` and
    do not wait at all while the caller holds the :mod:`logging` module lock
    (``dictConfig`` replacing handlers), which could otherwise deadlock with a delivery
    thread that logs.
    """

    def __init__(
        self,
        client: Any = None,
        *,
        level: int | str | None = None,
        source: str | None = None,
        flush_timeout: float = DEFAULT_FLUSH_TIMEOUT,
        **client_kwargs: Any,
    ) -> None:
        self.client: NeuralLog
        self.client, self._owns_client = resolve_client(
            client, client_kwargs, what="NeuralLogHandler"
        )
        if level is None:
            level = self.client.log_level  # a stdlib level name too ("WARN", "FATAL")
        super().__init__(level)
        self.source = source
        # A source configured on the client names the service: it wins over logger names.
        self._default_source = source or self.client.source
        self.flush_timeout = flush_timeout
        self._closed_client = False
        self._ignored: dict[str, bool] = {}
        self._marker = (id(self.client),)  # SENT_ATTR of a record sent by this handler only

    # -- hot path ---------------------------------------------------------------------------

    def handle(self, record: logging.LogRecord) -> bool:
        """Filter and emit ``record`` without taking the handler's lock.

        ``emit`` only enqueues into the client's thread-safe queue, so the per-handler lock
        :class:`logging.Handler` takes would only add contention (and a lock for a delivery
        thread to deadlock on).
        """
        if self._closed_client or _state.internal or _emitting.get():
            return False
        name = record.name
        ignored = self._ignored.get(name)
        if ignored is None:
            ignored = self._ignored[name] = is_internal_logger(name)
        if ignored:
            return False
        fields = record.__dict__
        if SENT_ATTR in fields and was_sent(record, self.client):
            return False
        exc_info = record.exc_info
        if exc_info is not None and was_reported(_exception_of(exc_info), self.client):
            return False
        if self.filters:
            result: object = self.filter(record)
            if isinstance(result, logging.LogRecord):  # filters may return a record (3.12+)
                record = result
            if not result:
                return False
        self.emit(record)
        return True

    def emit(self, record: logging.LogRecord) -> None:
        """Enqueue ``record`` (never raises; never blocks on the network)."""
        token = _emitting.set(True)
        try:
            client = self.client
            fields = record.__dict__
            levelno = record.levelno
            level = LEVELS.get(levelno)
            if level is None:
                level = level_of(levelno)
            if level >= client._min_level:
                # Straight to the client's put (what ``client.log`` ends in): the level is
                # mapped already and the metadata is this call's own dict.
                created = record.created
                message = record.getMessage()
                metadata: dict[str, Any] | Snapshot
                if (
                    type(record) is logging.LogRecord
                    and record.exc_info is None
                    and "request" not in fields
                ):
                    # The usual record is copied as it is and made metadata by the worker.
                    copied = fields.copy()
                    # The message is formatted: its arguments are not kept alive while the
                    # record waits (the keys stay, in place, for the order they mark).
                    copied["args"] = copied["msg"] = None
                    metadata = (SNAPSHOT, copied)
                else:
                    metadata = self._metadata(record)
                client._put(
                    level,
                    message,
                    metadata,
                    self._default_source or record.name,
                    None,
                    _stale_timestamp(created) if _time() - created > STALE_AFTER else None,
                )
            # Another NeuralLogHandler up the logger tree with this client must not send it
            # again (one with another client sends it to its own destination).
            fields[SENT_ATTR] = (
                self._marker if SENT_ATTR not in fields else sent_marker(record, client)
            )
        except RecursionError:
            raise
        except Exception:
            self.handleError(record)
        finally:
            _emitting.reset(token)

    @staticmethod
    def _metadata(record: logging.LogRecord) -> dict[str, Any]:
        """The record's metadata, built now (see :mod:`neurallog._stdlib_record`)."""
        fields = record.__dict__
        metadata = record_metadata(fields, ordered=type(record) is logging.LogRecord)
        request = fields.get("request")
        if request is not None and not isinstance(request, Mapping):
            # A framework's request object (Django's ``extra={"request": request}``): sent
            # as its request context, which holds even outside the middleware.
            metadata.pop("request", None)
            info = getattr(getattr(request, REQUEST_STATE_ATTR, None), "info", None)
            if isinstance(info, dict):
                metadata["request"] = info
        exc_info = record.exc_info
        if exc_info is not None:
            exc = _exception_of(exc_info)
            if exc is not None:
                metadata["exception"] = exception_fields(exc)
        return metadata

    def handleError(self, record: logging.LogRecord) -> None:
        """Report a failure in :meth:`emit` the stdlib way, never recursing into logging."""
        token = _emitting.set(True)
        try:
            super().handleError(record)
        finally:
            _emitting.reset(token)

    # -- flush and close --------------------------------------------------------------------

    def flush(self) -> bool:  # type: ignore[override]  # logging ignores the result
        """Send pending records, waiting at most ``flush_timeout`` seconds.

        Returns what :meth:`NeuralLog.flush <neurallog.NeuralLog.flush>` does: True when
        every record was delivered and none was lost since the previous flush. When the
        caller holds the :mod:`logging` module lock (``dictConfig``, ``logging.shutdown``
        of replaced handlers) delivery is started but not waited for.
        """
        if self._closed_client:
            return False
        try:
            if _holds_logging_lock():
                return self.client.flush(timeout=0)
            return self.client.flush(timeout=self.flush_timeout)
        except Exception:
            return False

    def close(self) -> None:
        """Detach from :mod:`logging`; deliver what is pending and close an owned client.

        Bounded by ``flush_timeout``. Under the :mod:`logging` module lock the owned client is
        closed on a helper thread, so the caller is not held up.
        """
        try:
            if not self._closed_client:
                self._closed_client = True
                if self._owns_client:
                    if _holds_logging_lock():
                        _close_in_background(self.client, self.flush_timeout)
                    else:
                        _close_client(self.client, self.flush_timeout)
                else:
                    self._closed_client = False  # the shared client stays usable
                    self.flush()
                    self._closed_client = True
        finally:
            super().close()

    def __repr__(self) -> str:
        level = logging.getLevelName(self.level)
        return f"<{type(self).__name__} ({level}) {self.client!r}>"


def _exception_of(exc_info: object) -> BaseException | None:
    """The exception of a record's ``exc_info`` (a sys.exc_info() tuple, or an exception)."""
    if isinstance(exc_info, tuple):
        value = exc_info[1] if len(exc_info) > 1 else None
        return value if isinstance(value, BaseException) else None
    return exc_info if isinstance(exc_info, BaseException) else None


def _close_client(client: NeuralLog, timeout: float) -> None:
    with contextlib.suppress(Exception):
        client.close(timeout=timeout)


def _close_in_background(client: NeuralLog, timeout: float) -> None:
    thread = threading.Thread(
        target=_close_client, args=(client, timeout), name="neurallog-handler-close"
    )
    try:
        thread.start()
    except RuntimeError:  # no new threads at interpreter shutdown: close here, bounded
        _close_client(client, timeout)
