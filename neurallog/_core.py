"""State shared by :class:`NeuralLog` and :class:`AsyncNeuralLog`.

Holds the validated options, the credential, the configured httpx clients and the generated
``AuthenticatedClient`` that uses them. The logging pipeline is attached by the facades.

The HTTP stack (httpx, httpcore, the TLS context) is loaded when the first HTTP client is
built or by :meth:`ClientCore.prime`, not by the constructor: most of a process's start-up
cost would otherwise be paid by every program that only logs a few records. The delivery
thread primes it before its first send, and the fork hooks prime it on the forking thread
first (see :mod:`neurallog._process`), so a fork never happens in the middle of it.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from neurallog._config import ClientOptions, resolve_credentials, resolve_options
from neurallog._credentials import Credentials

if TYPE_CHECKING:
    import ssl

    import httpx
    from neurallog_api import AuthenticatedClient

_EMPTY: Mapping[str, Any] = MappingProxyType({})


class ClientCore:
    """Options, credentials and HTTP clients of one NeuralLog client."""

    def __init__(
        self,
        *,
        api_key: str | None,
        token: str | None,
        endpoint: str | None,
        timeout: float,
        retries: int,
        max_retry_delay: float,
        transport: object,
        log_level: object,
        logger: Any,
        batch_size: int,
        batch_interval: float,
        auto_flush: bool,
        verify: object,
    ) -> None:
        self.options: ClientOptions = resolve_options(
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
        kind, secret = resolve_credentials(api_key, token)
        self.credentials = Credentials(kind, secret)
        self._verify: ssl.SSLContext | bool | None = None  # what httpx verifies with
        verify = self.options.verify
        if isinstance(verify, str):
            # Loaded now, so a bad CA bundle fails here rather than on the first send.
            from neurallog._http import tls_context

            self._verify = tls_context(verify)
        elif verify is not True:
            self._verify = verify  # False, or the caller's SSLContext
        self._primed = False
        self._lock = threading.Lock()
        self._http: httpx.Client | None = None
        self._async_http: httpx.AsyncClient | None = None
        self._api: AuthenticatedClient | None = None
        self.static_context: Mapping[str, Any] = _EMPTY

    def prime(self) -> None:
        """Import the HTTP stack and load the TLS context, on the calling thread, once.

        Everything the first request would load lazily is loaded here (see
        ``_http.prime``). Safe to call from several threads: a second caller waits in the
        import system for the first one's imports to finish, which is what the before-fork
        hook relies on. No lock of ours is held meanwhile (a fork must never inherit one).
        """
        if self._primed:
            return
        from neurallog import _http

        self.prime_imports()
        if self._verify is None:
            self._verify = _http.make_ssl_context()
        self._primed = True

    def prime_imports(self) -> None:
        """Import what the first request would import (the before-fork hook's part)."""
        from neurallog import _http

        _http.prime(self.options.transport)

    def _tls(self) -> ssl.SSLContext | bool:
        self.prime()
        verify = self._verify
        assert verify is not None  # set by prime()
        return verify

    @property
    def http(self) -> httpx.Client:
        """The configured sync httpx client (built on first use, rebuilt after a fork)."""
        client = self._http
        if client is None:
            verify = self._tls()  # outside the lock: it may import
            from neurallog._http import build_sync_client

            with self._lock:
                client = self._http
                if client is None:
                    client = self._http = build_sync_client(
                        self.options, self.credentials, verify=verify
                    )
        return client

    @property
    def async_http(self) -> httpx.AsyncClient:
        """The configured async httpx client (built on first use)."""
        client = self._async_http
        if client is None:
            self.prime()
            with self._lock:
                client = self._async_http
                if client is None:
                    client = self._async_http = self.new_async_http()
        return client

    def new_async_http(self) -> httpx.AsyncClient:
        """A fresh configured async client, for work bound to one event loop."""
        from neurallog._http import build_async_client

        return build_async_client(self.options, self.credentials, verify=self._tls())

    @property
    def api(self) -> AuthenticatedClient:
        """The generated client wired to this core's httpx clients (auth, retries, errors)."""
        api = self._api
        if api is None:
            # Imported on first use: the generated models cost import time that logging-only
            # applications never need.
            from neurallog_api import AuthenticatedClient

            api = AuthenticatedClient(
                base_url=self.options.endpoint, raise_on_unexpected_status=True
            )
            api.set_httpx_client(self.http)
            api.set_async_httpx_client(self.async_http)
            self._api = api
        return api

    def configure_context(self, fields: Mapping[str, Any]) -> None:
        """Replace this client's process-wide context fields."""
        if not isinstance(fields, Mapping):
            raise TypeError(
                f"configure_context() takes a dict of fields, got {type(fields).__name__}"
            )
        self.static_context = MappingProxyType(dict(fields))

    def forget_connections(self) -> None:
        """Drop HTTP clients inherited over a fork without closing the parent's sockets."""
        self._lock = threading.Lock()
        self.credentials.after_fork_in_child()
        self._http = None
        self._async_http = None
        self._api = None

    def close(self) -> None:
        """Close the sync HTTP client (the async one is closed by ``aclose``)."""
        with self._lock:
            client, self._http = self._http, None
            self._api = None
        if client is not None:
            client.close()

    async def aclose(self) -> None:
        """Close both HTTP clients."""
        await self.aclose_async_http()
        self.close()

    async def aclose_async_http(self) -> None:
        """Close the async HTTP client only (the next async call builds a new one)."""
        client, self._async_http = self._async_http, None
        if client is not None:
            self._api = None  # it holds the closed client
            await client.aclose()

    def describe(self) -> str:
        """Safe text for ``repr()``: never the credential."""
        return f"endpoint={self.options.endpoint!r}, auth={self.credentials.kind!r}"
