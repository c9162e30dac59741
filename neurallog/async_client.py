"""The asynchronous NeuralLog client.

``AsyncNeuralLog`` composes a :class:`~neurallog.client.NeuralLog`: logging goes through the
same pipeline (``await info(...)`` only enqueues, so it never does network I/O on the event
loop), and the blocking ``flush``/``close`` run in a worker thread. The API resources are
async twins of the sync ones, made from the same request functions (one per operation), and sent
through the client's configured async httpx client.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Coroutine
from functools import cached_property
from types import TracebackType
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, TypeVar

import anyio.to_thread

from neurallog._methods import AsyncBoundLogger, AsyncLogging
from neurallog.client import LogBatch, NeuralLog

if TYPE_CHECKING:
    from neurallog_api import AuthenticatedClient

    from neurallog._core import ClientCore
    from neurallog._pipeline import DeliveryStats, Pipeline
    from neurallog.resources.actions import AsyncActions
    from neurallog.resources.logs import AsyncLogs
    from neurallog.resources.rules import AsyncRules
    from neurallog.types import Level

__all__ = ["AsyncBoundLogger", "AsyncLogBatch", "AsyncNeuralLog"]

AsyncBoundLogger.__module__ = __name__  # its public home

P = ParamSpec("P")
R = TypeVar("R")


def _in_thread(
    method: Callable[Concatenate[NeuralLog, P], R],
) -> Callable[Concatenate[AsyncNeuralLog, P], Coroutine[Any, Any, R]]:
    """An awaitable twin of a blocking method, run in a worker thread."""

    @functools.wraps(method)
    async def twin(self: AsyncNeuralLog, /, *args: P.args, **kwargs: P.kwargs) -> R:
        call = functools.partial(method, self._sync, *args, **kwargs)
        return await anyio.to_thread.run_sync(call)

    return twin


def _init_like(
    source: Callable[Concatenate[Any, P], None],
) -> Callable[[Callable[..., None]], Callable[Concatenate[Any, P], None]]:
    """Give a forwarding ``__init__`` the signature of ``source``, for type checkers and help()."""

    def decorate(init: Callable[..., None]) -> Callable[Concatenate[Any, P], None]:
        init.__wrapped__ = source  # type: ignore[attr-defined]
        return init

    return decorate


class AsyncLogBatch:
    """Async context manager around :class:`~neurallog.client.LogBatch`.

    Leaving the block enqueues the records and waits for their delivery in a worker thread.
    """

    def __init__(self, batch: LogBatch) -> None:
        self._batch = batch

    async def __aenter__(self) -> LogBatch:
        return self._batch.__enter__()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await anyio.to_thread.run_sync(self._batch.__exit__, exc_type, exc, tb)


class AsyncNeuralLog(AsyncLogging):
    """Async twin of :class:`~neurallog.client.NeuralLog`; takes the same arguments.

    ::

        async with AsyncNeuralLog(api_key="...", endpoint="https://...") as nl:
            await nl.info("User logged in", {"user_id": "123"})
            logs = await nl.logs.search(query="error", limit=10)
            async for log in nl.logs.stream(query="error", follow=True):
                ...

    Logging calls only enqueue: a background worker delivers the records. API calls
    (``logs``, ``rules``, ``actions``) are coroutines that raise
    :mod:`neurallog.exceptions` errors. One instance serves one event loop.

    To share an existing :class:`NeuralLog` (one queue, one worker, one set of counters for
    sync and async code), use :meth:`from_client`.
    """

    @_init_like(NeuralLog.__init__)
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._sync = NeuralLog(*args, **kwargs)
        self._owns_client = True

    @classmethod
    def from_client(cls, client: NeuralLog) -> AsyncNeuralLog:
        """An async client around an existing :class:`NeuralLog`, without owning it.

        Both share the pipeline (queue, worker, :attr:`stats`), the settings and the
        credential. :meth:`close` (and leaving ``async with``) then waits for the records
        pending to be delivered, as :meth:`close` would (within ``timeout``, default
        ``shutdown_timeout``), and closes the async HTTP client this event loop used; the
        :class:`NeuralLog` stays open, and is closed by whoever created it.

        ::

            client = NeuralLog(api_key="...", endpoint="https://...")  # sync code uses it
            async with AsyncNeuralLog.from_client(client) as nl:  # and so does async code
                await nl.info("From a coroutine")
        """
        if not isinstance(client, NeuralLog):
            raise TypeError(
                f"AsyncNeuralLog.from_client() takes a NeuralLog, got {type(client).__name__}"
            )
        wrapper = cls.__new__(cls)
        wrapper._sync = client
        wrapper._owns_client = False
        return wrapper

    @property
    def _core(self) -> ClientCore:
        return self._sync._core

    @property
    def _pipeline(self) -> Pipeline:
        return self._sync._pipeline

    @property
    def sync_client(self) -> NeuralLog:
        """The :class:`NeuralLog` this client wraps (same pipeline, same settings)."""
        return self._sync

    # -- logging (enqueue only): log, debug ... fatal, exception, bind from AsyncLogging ------

    @property
    def _logger(self) -> NeuralLog:
        return self._sync

    flush = _in_thread(NeuralLog.flush)

    async def close(self, timeout: float | None = None) -> bool:
        """Send what is pending (see :meth:`NeuralLog.close`), then close the HTTP clients.

        Built with :meth:`from_client`: wait for what is pending (the same way, within
        ``timeout``), close only the async HTTP client, and leave the :class:`NeuralLog`
        open. Returns what :meth:`NeuralLog.flush` would.
        """
        if self._owns_client:
            delivered = await anyio.to_thread.run_sync(self._sync.close, timeout)
            await self._core.aclose()
            return delivered
        if timeout is None:
            timeout = self._pipeline._opts.shutdown_timeout
        delivered = await anyio.to_thread.run_sync(self._sync.flush, timeout)
        await self._core.aclose_async_http()
        return delivered

    def batch(self) -> AsyncLogBatch:
        """``async with client.batch() as batch:`` collects records, then enqueues and flushes.

        ``batch.info(...)`` and friends are plain (non-awaited) calls: they only collect.
        """
        return AsyncLogBatch(self._sync.batch())

    @property
    def stats(self) -> DeliveryStats:
        """Delivery counters; see :attr:`NeuralLog.stats`."""
        return self._sync.stats

    @property
    def log_level(self) -> Level:
        """The minimum level sent, as its name; see :attr:`NeuralLog.log_level`."""
        return self._sync.log_level

    @property
    def source(self) -> str | None:
        """The default ``source`` of every record, or None; see :attr:`NeuralLog.source`."""
        return self._sync.source

    async def __aenter__(self) -> AsyncNeuralLog:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    # -- resources ---------------------------------------------------------------------------

    @cached_property
    def logs(self) -> AsyncLogs:
        """Search, list, get, delete, stream and batch-log entries."""
        from neurallog.resources.logs import AsyncLogs

        return AsyncLogs(self)

    @cached_property
    def rules(self) -> AsyncRules:
        """Create and manage rules."""
        from neurallog.resources.rules import AsyncRules

        return AsyncRules(self)

    @cached_property
    def actions(self) -> AsyncActions:
        """Create, manage and execute actions."""
        from neurallog.resources.actions import AsyncActions

        return AsyncActions(self)

    @property
    def api(self) -> AuthenticatedClient:
        """The generated ``neurallog_api`` client, configured like this one.

        Its ``asyncio`` functions use this client's async httpx client (auth, retries,
        error mapping)::

            from neurallog_api.api.rules import get_rule
            rule = await get_rule.asyncio(rule_id="...", client=client.api)
        """
        return self._core.api

    # -- settings (no I/O) -------------------------------------------------------------------

    def set_api_key(self, api_key: str) -> None:
        """Authenticate with this API key from the next request on."""
        self._sync.set_api_key(api_key)

    def set_token(self, token: str) -> None:
        """Authenticate with this JWT from the next request on."""
        self._sync.set_token(token)

    def configure_context(self, fields: Any) -> None:
        """Fields added to the metadata of every record this client sends."""
        self._sync.configure_context(fields)

    def __repr__(self) -> str:
        return f"AsyncNeuralLog({self._core.describe()})"
