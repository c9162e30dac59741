"""The synchronous NeuralLog client."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any

from neurallog._core import ClientCore

if TYPE_CHECKING:
    from neurallog_api import AuthenticatedClient

    from neurallog.resources.actions import ActionsModule
    from neurallog.resources.logs import LogsModule
    from neurallog.resources.rules import RulesModule


class NeuralLog:
    """Ship logs to NeuralLog and use its search, streaming, rules and actions APIs.

    Logging calls (:meth:`log`, :meth:`info`, ...) only validate and enqueue: a background
    worker batches, compresses and delivers them, so they never block on the network and
    never raise for delivery problems. API calls (``logs.search``, ``rules.create``, ...)
    are synchronous and raise :mod:`neurallog.exceptions` errors.

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
        batch_size: Records per request when sending by size.
        batch_interval: Seconds after which pending records are sent anyway.
        auto_flush: When False nothing is sent until :meth:`flush` is called.
    """

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
    ) -> None:
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
        )

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
        """Enqueue one record."""
        raise NotImplementedError("the logging pipeline is not built yet")

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
