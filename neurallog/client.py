"""The synchronous NeuralLog client."""

from __future__ import annotations

import logging
import os
import types
from collections.abc import Iterable, Mapping, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal, cast

from neurallog._config import (
    DEFAULT_MAX_SPOOL_BYTES,
    resolve_logging_options,
    resolve_pipeline_options,
    resolve_spool_options,
)
from neurallog._console import Console, mirrored
from neurallog._core import ClientCore
from neurallog._levels import LEVEL_NAMES
from neurallog._methods import BoundLogger, Logging, PutRecord
from neurallog._pipeline import DeliveryStats, Pipeline, Record
from neurallog._redact import DEFAULT_REDACT_KEYS
from neurallog._sampling import sampled

if TYPE_CHECKING:
    import ssl

    from neurallog_api import AuthenticatedClient

    from neurallog._config import BeforeSend, OnDrop
    from neurallog.resources.actions import Actions
    from neurallog.resources.logs import Logs
    from neurallog.resources.rules import Rules
    from neurallog.types import Level

__all__ = ["BoundLogger", "LogBatch", "NeuralLog"]

BoundLogger.__module__ = __name__  # its public home


class NeuralLog(Logging):
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
        overflow: ``"drop_oldest"`` (default), ``"drop_newest"`` or ``"block"``: the
            logging call waits up to ``block_timeout`` for room, then drops the oldest (never
            on a thread running an asyncio event loop: there it drops at once, and says so
            once in the SDK's log).
        block_timeout: Seconds ``overflow="block"`` waits for room (default 5).
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
        spool_dir: A directory for the on-disk spool (default ``NEURALLOG_SPOOL_DIR``, else
            none): records wait there instead of in memory, survive a crash or kill of the
            process and an outage, and are delivered by the next client started on the same
            directory (any number of processes may share it). See docs/delivery.md.
        spool_fsync: ``"interval"`` (default: fsync at most once a second),
            ``"always"`` (after every record) or ``"never"``: what survives a power loss.
        max_spool_bytes: Disk the spool may use (default 256 MiB); past it the newest
            record is dropped (``queue_full``), after ``block_timeout`` with
            ``overflow="block"``.
        console: Also write each record to stderr, one (coloured) line per record, for
            development; default: the ``NEURALLOG_CONSOLE`` environment variable
            (``1``/``true``), else off.
        sample_rate: Share of DEBUG, INFO and WARN records kept (0 to 1, default 1: all).
        sample_rates: Share kept per level, e.g. ``{"DEBUG": 0.1}``; overrides
            ``sample_rate`` for the levels it names. ERROR and FATAL are kept unless named
            here. Records left out are counted as ``filtered`` in :attr:`stats`.

    Logging methods: ``log(level, message, metadata=None, source=None, tags=None,
    timestamp=None)``, ``debug``/``info``/``warn``/``error``/``fatal(message,
    metadata=None)`` (also ``warning``, ``critical``), ``exception(message)`` (ERROR with
    the exception being handled); all take keyword fields (``info("Logged in",
    user_id="123")``) and ``exc_info=``. :meth:`bind` returns a logger carrying fields.
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
        overflow: Literal["drop_oldest", "drop_newest", "block"] = "drop_oldest",
        protect_level: str | int | None = "ERROR",
        max_batch_bytes: int = 1024 * 1024,
        compression: Literal["gzip"] | None = "gzip",
        shutdown_timeout: float = 5.0,
        flush_timeout: float = 30.0,
        on_drop: OnDrop | None = None,
        before_send: BeforeSend | None = None,
        redact_keys: Iterable[str] | None = DEFAULT_REDACT_KEYS,
        verify: ssl.SSLContext | bool | str | os.PathLike[str] = True,
        console: bool | None = None,
        sample_rate: float = 1.0,
        sample_rates: Mapping[str | int, float] | None = None,
        block_timeout: float = 5.0,
        spool_dir: str | os.PathLike[str] | None = None,
        spool_fsync: Literal["interval", "always", "never"] = "interval",
        max_spool_bytes: int = DEFAULT_MAX_SPOOL_BYTES,
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
            block_timeout=block_timeout,
        )
        spool = resolve_spool_options(
            spool_dir=spool_dir, spool_fsync=spool_fsync, max_spool_bytes=max_spool_bytes
        )
        logging_options = resolve_logging_options(
            console=console, sample_rate=sample_rate, sample_rates=sample_rates
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
        self._pipeline = Pipeline(self._core, pipeline_options, spool)
        console_mirror = Console(pipeline_options.source) if logging_options.console else None
        rates = logging_options.sample_rates
        pipeline = self._pipeline

        def accepting(put: PutRecord) -> PutRecord:
            # Without console or sampling, put is the queue's own: no layer on the hot path.
            if console_mirror is not None:
                put = mirrored(put, console_mirror)
            if rates:
                put = sampled(put, rates, pipeline.count_sampled_out)
            return put

        #: Wraps a put function in the console mirror and sampling (used by batches too).
        self._accepting = accepting
        self._put = accepting(pipeline.put)
        # Dropped without close(): the worker delivers what is pending, then exits.
        self._pipeline.close_with(self)

    # -- logging (log, debug ... fatal, exception, bind: see neurallog._methods) ----------

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
    def logs(self) -> Logs:
        """Search, list, get, delete, stream and batch-log entries."""
        from neurallog.resources.logs import Logs

        return Logs(self)

    @cached_property
    def rules(self) -> Rules:
        """Create and manage rules."""
        from neurallog.resources.rules import Rules

        return Rules(self)

    @cached_property
    def actions(self) -> Actions:
        """Create, manage and execute actions."""
        from neurallog.resources.actions import Actions

        return Actions(self)

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


class LogBatch(Logging):
    """Records collected by :meth:`NeuralLog.batch`; enqueued together when the block ends.

    It has the client's logging methods (same arguments and checks, ``exception`` and
    ``bind`` included); the console and sampling apply as the records are collected.
    """

    def __init__(self, client: NeuralLog) -> None:
        self._client = client
        self._records: list[Record] = []
        self._min_level = client._min_level
        self._put = client._accepting(self._collect)
        #: After the block: whether the flush delivered everything (None before).
        self.delivered: bool | None = None

    def _collect(self, *record: Any) -> None:
        self._records.append(self._client._pipeline.capture(*record))

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
