"""The synchronous NeuralLog client."""

from __future__ import annotations

import logging
import os
import types
from collections.abc import Iterable, Mapping, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal, cast

from neurallog._config import resolve_pipeline_options
from neurallog._core import ClientCore
from neurallog._encoding import normalize_timestamp
from neurallog._levels import DEBUG, ERROR, FATAL, INFO, LEVEL_NAMES, WARN, parse_level
from neurallog._pipeline import DeliveryStats, Pipeline, Record
from neurallog._redact import DEFAULT_REDACT_KEYS

if TYPE_CHECKING:
    import ssl

    from neurallog_api import AuthenticatedClient

    from neurallog._config import BeforeSend, OnDrop
    from neurallog.resources.actions import ActionsModule
    from neurallog.resources.logs import LogsModule
    from neurallog.resources.rules import RulesModule
    from neurallog.types import Level

__all__ = ["LogBatch", "NeuralLog"]


class NeuralLog:
    """Ship logs to NeuralLog and use its search, streaming, rules and actions APIs.

    Logging calls (:meth:`log`, :meth:`info`, ...) only validate and enqueue: a background
    worker batches, compresses and delivers them, so they never block on the network and
    never raise for delivery problems (losses are counted in :attr:`stats`). API calls
    (``logs.search``, ``rules.create``, ...) are synchronous and raise
    :mod:`neurallog.exceptions` errors.

    Args:
        api_key: API key (sent as ``X-API-Key``); falls back to ``NEURALLOG_API_KEY``.
        token: JWT (sent as ``Authorization: Bearer``); falls back to ``NEURALLOG_TOKEN``.
        endpoint: API base URL including the version, e.g.
            ``https://api.<tenant>.neurallog.com/v1``; falls back to ``NEURALLOG_ENDPOINT``.
        timeout: Seconds allowed for each HTTP request.
        retries: Retries of connection errors, timeouts, 408, 429 and 5xx.
        max_retry_delay: Upper bound in seconds of one backoff wait.
        transport: ``"httpx"`` (default), ``"requests"`` (needs ``neurallog[requests]``), or
            an ``httpx.BaseTransport`` instance (custom TLS, proxies, tests).
        log_level: Minimum level sent; lower records are dropped at the call.
        logger: stdlib logger for the SDK's own diagnostics (default ``"neurallog"``).
        batch_size: Pending records that trigger a send (a backlog is sent in requests of
            up to 1000 records).
        batch_interval: Seconds after which pending records are sent anyway.
        auto_flush: When False nothing is sent until :meth:`flush` (or :meth:`close`, or
            interpreter exit) is called.

    Keyword-only options (beyond the SDK specification):
        source: Default ``source`` of every record (a call's ``source=`` wins).
        tags: Tags added to every record.
        max_queue_size: Records that may wait for delivery (default 10,000); beyond it the
            ``overflow`` policy drops records and counts them. While it is more than half
            full and the worker is sending, one call in 64 pauses 0.2 ms so a burst slows
            to the delivery rate instead of dropping (never while the backend is slow or
            down, and never on a thread running an asyncio event loop).
        overflow: ``"drop_oldest"`` (default) or ``"drop_newest"``.
        protect_level: Records at or above this level (default ``"ERROR"``) are dropped only
            when no lower record is left to drop; None treats all levels alike.
        max_batch_bytes: Cap of one request's JSON body before compression (default 1 MiB,
            at most the API's 5 MiB); a larger single record is truncated and marked.
        compression: ``"gzip"`` (default; bodies above 1 KiB) or None.
        shutdown_timeout: Seconds :meth:`close` and interpreter exit may spend sending
            what is pending (default 5).
        flush_timeout: Seconds ``flush()`` waits when given no timeout (default 30).
        on_drop: ``on_drop(reason, count, error)``, called from the worker thread (outside
            any lock; exceptions are swallowed) when records are lost; what :meth:`close`
            could not send is reported from the thread that closes.
        before_send: ``before_send(entry) -> entry | None``, called in the worker with each
            wire entry (a dict); return it (changed or not) or None to discard it.
        redact_keys: Metadata keys whose values become ``"[REDACTED]"`` (matching ignores
            case, ``-``/``_`` and camelCase, and covers ``*_<key>``); default
            :attr:`DEFAULT_REDACT_KEYS`; None turns redaction off.
        verify: TLS verification: True (default), False (warned about for a remote
            host), the path of a CA bundle (file or directory) or an ``ssl.SSLContext``
            (not with ``transport="requests"``).
    """

    #: The default ``redact_keys``; extend it with ``NeuralLog.DEFAULT_REDACT_KEYS | {...}``.
    DEFAULT_REDACT_KEYS = DEFAULT_REDACT_KEYS

    def __init__(
        self,
        api_key: str | None = None,
        token: str | None = None,
        endpoint: str | None = None,
        timeout: float = 30,
        retries: int = 3,
        max_retry_delay: float = 60,
        transport: Any = "httpx",
        log_level: str | int = "INFO",
        logger: logging.Logger | None = None,
        batch_size: int = 10,
        batch_interval: float = 5,
        auto_flush: bool = True,
        *,
        source: str | None = None,
        tags: Sequence[str] | None = None,
        max_queue_size: int = 10_000,
        overflow: Literal["drop_oldest", "drop_newest"] = "drop_oldest",
        protect_level: str | int | None = "ERROR",
        max_batch_bytes: int = 1024 * 1024,
        compression: Literal["gzip"] | None = "gzip",
        shutdown_timeout: float = 5.0,
        flush_timeout: float = 30.0,
        on_drop: OnDrop | None = None,
        before_send: BeforeSend | None = None,
        redact_keys: Iterable[str] | None = DEFAULT_REDACT_KEYS,
        verify: ssl.SSLContext | bool | str | os.PathLike[str] = True,
    ) -> None:
        pipeline_options = resolve_pipeline_options(
            source=source,
            tags=tags,
            max_queue_size=max_queue_size,
            overflow=overflow,
            protect_level=protect_level,
            max_batch_bytes=max_batch_bytes,
            compression=compression,
            shutdown_timeout=shutdown_timeout,
            flush_timeout=flush_timeout,
            on_drop=on_drop,
            before_send=before_send,
            redact_keys=redact_keys,
        )
        self._core = ClientCore(
            api_key=api_key,
            token=token,
            endpoint=endpoint,
            timeout=timeout,
            retries=retries,
            max_retry_delay=max_retry_delay,
            transport=transport,
            log_level=log_level,
            logger=logger,
            batch_size=batch_size,
            batch_interval=batch_interval,
            auto_flush=auto_flush,
            verify=verify,
        )
        self._min_level = self._core.options.log_level
        self._pipeline = Pipeline(self._core, pipeline_options)
        # Dropped without close(): the worker delivers what is pending, then exits.
        self._pipeline.close_with(self)

    # -- logging -------------------------------------------------------------------------

    def log(
        self,
        level: str | int,
        message: str,
        metadata: Mapping[str, Any] | None = None,
        source: str | None = None,
        tags: Sequence[str] | None = None,
        timestamp: Any = None,
    ) -> None:
        """Enqueue one record; never blocks on the network, never raises for delivery.

        Args:
            level: ``DEBUG``, ``INFO``, ``WARN`` (``WARNING``), ``ERROR``, ``FATAL``
                (``CRITICAL``) in any case, or a stdlib level number.
            message: The message (other objects are converted with ``str()``).
            metadata: Structured fields; anything JSON cannot encode is converted.
            source: Overrides the client's default ``source``.
            tags: Tags of this record (added to the client's ``tags``).
            timestamp: When it happened (timezone-aware datetime or RFC 3339 string);
                default now.

        Raises:
            ValueError: unknown level, or a timestamp that is not RFC 3339 / naive.
            TypeError: metadata is not a mapping, tags not a list of strings, source not
                a string.
        """
        number = parse_level(level)
        if number < self._min_level:
            return
        if timestamp is not None:
            timestamp = normalize_timestamp(timestamp)
        self._pipeline.put(number, message, metadata, source, tags, timestamp)

    def debug(
        self,
        message: str,
        metadata: Mapping[str, Any] | None = None,
        *,
        source: str | None = None,
        tags: Sequence[str] | None = None,
    ) -> None:
        """Enqueue a DEBUG record."""
        if self._min_level <= DEBUG:
            self._pipeline.put(DEBUG, message, metadata, source, tags)

    def info(
        self,
        message: str,
        metadata: Mapping[str, Any] | None = None,
        *,
        source: str | None = None,
        tags: Sequence[str] | None = None,
    ) -> None:
        """Enqueue an INFO record."""
        if self._min_level <= INFO:
            self._pipeline.put(INFO, message, metadata, source, tags)

    def warn(
        self,
        message: str,
        metadata: Mapping[str, Any] | None = None,
        *,
        source: str | None = None,
        tags: Sequence[str] | None = None,
    ) -> None:
        """Enqueue a WARN record."""
        if self._min_level <= WARN:
            self._pipeline.put(WARN, message, metadata, source, tags)

    warning = warn

    def error(
        self,
        message: str,
        metadata: Mapping[str, Any] | None = None,
        *,
        source: str | None = None,
        tags: Sequence[str] | None = None,
    ) -> None:
        """Enqueue an ERROR record."""
        if self._min_level <= ERROR:
            self._pipeline.put(ERROR, message, metadata, source, tags)

    def fatal(
        self,
        message: str,
        metadata: Mapping[str, Any] | None = None,
        *,
        source: str | None = None,
        tags: Sequence[str] | None = None,
    ) -> None:
        """Enqueue a FATAL record."""
        if self._min_level <= FATAL:
            self._pipeline.put(FATAL, message, metadata, source, tags)

    critical = fatal

    def batch(self) -> LogBatch:
        """Collect records in a ``with`` block; on exit enqueue them together and flush.

        ::

            with client.batch() as batch:
                batch.info("User logged in", {"user_id": "123"})
                batch.info("User logged out", {"user_id": "123"})
            # here the records are delivered (or flush_timeout passed): see batch.delivered

        The records are enqueued even if the block raises.
        """
        return LogBatch(self)

    def flush(self, timeout: float | None = None) -> bool:
        """Send what is pending now and wait until it is delivered or dropped.

        Args:
            timeout: Seconds to wait at most; None means the client's ``flush_timeout``
                (30 s by default). Delivery goes on in the background after a timeout.

        Returns:
            True if every record logged before the call was delivered in time and none was
            lost since the previous flush; False otherwise (see :attr:`stats`).
        """
        return self._pipeline.flush(timeout)

    def close(self, timeout: float | None = None) -> bool:
        """Send what is pending (within ``timeout``, default ``shutdown_timeout``) and stop.

        Later logging calls are dropped and counted (``stats.dropped["closed"]``); API calls
        keep working. Safe to call more than once. Returns what :meth:`flush` would.
        """
        return self._pipeline.close(timeout)

    def __enter__(self) -> NeuralLog:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: types.TracebackType | None,
    ) -> None:
        self.close()

    @property
    def stats(self) -> DeliveryStats:
        """Delivery counters: enqueued, sent, queued, filtered, dropped by reason, requests."""
        return self._pipeline.stats

    @property
    def log_level(self) -> Level:
        """The minimum level sent, as its name: ``"DEBUG"``, ``"INFO"``, ``"WARN"``, ...

        Whatever spelling was given (``"warning"``, ``logging.WARNING``, 25), this is the
        wire name, so ``NeuralLog(log_level=other.log_level)`` configures the same level.
        NeuralLog's levels have the stdlib's numbers (DEBUG 10 ... FATAL 50, CRITICAL's),
        so ``logging.getLevelName(client.log_level)`` is the stdlib number, e.g. to set a
        handler's level.
        """
        return cast("Level", LEVEL_NAMES[self._min_level])

    @property
    def source(self) -> str | None:
        """The default ``source`` of every record (the ``source=`` option), or None."""
        return self._pipeline._opts.source

    # -- resources -----------------------------------------------------------------------

    @cached_property
    def logs(self) -> LogsModule:
        """Search, list, get, delete, stream and batch-log entries."""
        from neurallog.resources.logs import LogsModule

        return LogsModule(self)

    @cached_property
    def rules(self) -> RulesModule:
        """Create and manage rules."""
        from neurallog.resources.rules import RulesModule

        return RulesModule(self)

    @cached_property
    def actions(self) -> ActionsModule:
        """Create, manage and execute actions."""
        from neurallog.resources.actions import ActionsModule

        return ActionsModule(self)

    @property
    def api(self) -> AuthenticatedClient:
        """The generated ``neurallog_api`` client, configured like this one.

        Use it to call generated endpoint functions directly; they get the same
        authentication, retries and error mapping::

            from neurallog_api.api.rules import get_rule
            rule = get_rule.sync(rule_id="...", client=client.api)
        """
        return self._core.api

    # -- settings ------------------------------------------------------------------------

    def set_api_key(self, api_key: str) -> None:
        """Authenticate with this API key from the next request on (thread-safe)."""
        self._core.credentials.set_api_key(api_key)

    def set_token(self, token: str) -> None:
        """Authenticate with this JWT from the next request on (thread-safe)."""
        self._core.credentials.set_token(token)

    def configure_context(self, fields: Mapping[str, Any]) -> None:
        """Fields added to the metadata of every record this client sends."""
        self._core.configure_context(fields)

    def __repr__(self) -> str:
        return f"NeuralLog({self._core.describe()})"


class LogBatch:
    """Records collected by :meth:`NeuralLog.batch`; enqueued together when the block ends."""

    def __init__(self, client: NeuralLog) -> None:
        self._client = client
        self._records: list[Record] = []
        #: After the block: whether the flush delivered everything (None before).
        self.delivered: bool | None = None

    def log(
        self,
        level: str | int,
        message: str,
        metadata: Mapping[str, Any] | None = None,
        source: str | None = None,
        tags: Sequence[str] | None = None,
        timestamp: Any = None,
    ) -> None:
        """Collect one record (same arguments and checks as :meth:`NeuralLog.log`)."""
        number = parse_level(level)
        if number < self._client._min_level:
            return
        if timestamp is not None:
            timestamp = normalize_timestamp(timestamp)
        self._records.append(
            self._client._pipeline.capture(number, message, metadata, source, tags, timestamp)
        )

    def debug(self, message: str, metadata: Mapping[str, Any] | None = None, **kw: Any) -> None:
        """Collect a DEBUG record."""
        self.log(DEBUG, message, metadata, **kw)

    def info(self, message: str, metadata: Mapping[str, Any] | None = None, **kw: Any) -> None:
        """Collect an INFO record."""
        self.log(INFO, message, metadata, **kw)

    def warn(self, message: str, metadata: Mapping[str, Any] | None = None, **kw: Any) -> None:
        """Collect a WARN record."""
        self.log(WARN, message, metadata, **kw)

    warning = warn

    def error(self, message: str, metadata: Mapping[str, Any] | None = None, **kw: Any) -> None:
        """Collect an ERROR record."""
        self.log(ERROR, message, metadata, **kw)

    def fatal(self, message: str, metadata: Mapping[str, Any] | None = None, **kw: Any) -> None:
        """Collect a FATAL record."""
        self.log(FATAL, message, metadata, **kw)

    critical = fatal

    def __len__(self) -> int:
        return len(self._records)

    def __enter__(self) -> LogBatch:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: types.TracebackType | None,
    ) -> None:
        records, self._records = self._records, []
        self._client._pipeline.put_many(records)
        self.delivered = self._client.flush()
