"""``transport="requests"``: send the SDK's synchronous requests through a requests.Session.

The SDK is built on httpx. This adapter exists for applications that must route traffic
through requests (a corporate adapter, a mounted proxy, certificate pinning set up on a
Session). It turns an httpx request into a requests call and the answer back into an httpx
response, mapping requests' failures to the httpx errors the retry layer understands.

requests loads the CA bundle again for every new HTTPS connection, on the delivery thread and
in OpenSSL without the GIL; an interpreter exit meanwhile crashed the process. The SDK's own
Session runs the TLS setup of its HTTPS connections (the load and the handshake, one step in
urllib3) inside :func:`neurallog._process.tls_load`, which the exit waits for; the TCP
connect before it is not waited for.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import httpx

from neurallog import _process
from neurallog.exceptions import ConfigurationError

if TYPE_CHECKING:
    import requests
    import requests.adapters

_CHUNK = 64 * 1024


class RequestsTransport(httpx.BaseTransport):
    """An httpx transport backed by ``requests.Session``."""

    def __init__(
        self,
        verify: bool | str = True,
        session: requests.Session | None = None,
    ) -> None:
        try:
            import requests
        except ImportError:
            raise ConfigurationError(
                "transport='requests' needs the requests package: "
                "pip install 'neurallog[requests]' (or use the default transport='httpx')"
            ) from None
        self._requests = requests
        if session is None:
            session = requests.Session()
            adapter = _guarded_adapter()()
            session.mount("https://", adapter)
            session.mount("http://", adapter)  # an https:// proxy is a TLS connection too
        self._session = session
        if self._session.auth is None:
            # With no auth set, requests looks up ~/.netrc for the host and its Basic auth
            # replaces the SDK's Authorization header (or joins X-API-Key): the credential
            # the SDK sends must be the only one.
            self._session.auth = _headers_as_given
        # True (requests' own CA bundle), False or a CA bundle path; never an SSLContext,
        # which requests cannot use (refused in _config).
        self._verify = verify

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        requests = self._requests
        timeouts: dict[str, Any] = request.extensions.get("timeout", {})
        try:
            answer = self._session.request(
                request.method,
                str(request.url),
                headers=dict(request.headers),
                data=request.read() or None,
                timeout=(timeouts.get("connect"), timeouts.get("read")),
                verify=self._verify,
                stream=True,
                allow_redirects=False,
            )
        except requests.exceptions.ConnectTimeout as error:
            raise httpx.ConnectTimeout(str(error), request=request) from error
        except requests.exceptions.Timeout as error:
            raise httpx.ReadTimeout(str(error), request=request) from error
        except requests.exceptions.ConnectionError as error:
            raise httpx.ConnectError(str(error), request=request) from error
        except requests.exceptions.RequestException as error:
            raise httpx.ReadError(str(error), request=request) from error
        return httpx.Response(
            status_code=answer.status_code,
            headers=list(answer.raw.headers.items()),
            stream=_RequestsStream(answer, request),
            extensions={"reason_phrase": (answer.reason or "").encode("latin-1", "replace")},
        )

    def close(self) -> None:
        self._session.close()


@functools.cache
def _guarded_adapter() -> type[requests.adapters.HTTPAdapter]:
    """An adapter whose HTTPS connections, to the server or a proxy, set up TLS inside
    :func:`~neurallog._process.tls_load` (defined on first use: requests is optional)."""
    import socket

    import urllib3
    from requests.adapters import HTTPAdapter
    from urllib3.connection import HTTPSConnection
    from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

    class GuardedHTTPSConnection(HTTPSConnection):
        _tls_setup: contextlib.ExitStack | None = None

        def connect(self) -> None:
            with contextlib.ExitStack() as self._tls_setup:
                try:
                    super().connect()
                finally:
                    self._tls_setup = None

        def _new_conn(self) -> socket.socket:
            sock = super()._new_conn()  # the TCP connect, which the exit need not wait for
            if self._tls_setup is not None:  # what connect() does next is the TLS setup
                self._tls_setup.enter_context(_process.tls_load())
            return sock

    class GuardedHTTPSConnectionPool(HTTPSConnectionPool):
        ConnectionCls = GuardedHTTPSConnection

    pools = {"http": HTTPConnectionPool, "https": GuardedHTTPSConnectionPool}

    class GuardedAdapter(HTTPAdapter):
        def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
            super().init_poolmanager(*args, **kwargs)
            self.poolmanager.pool_classes_by_scheme = pools

        def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> urllib3.PoolManager:
            manager: urllib3.PoolManager = super().proxy_manager_for(proxy, **proxy_kwargs)
            # A SOCKS proxy's manager has pools of its own kind: left as they are.
            if isinstance(manager, urllib3.ProxyManager):
                manager.pool_classes_by_scheme = pools
            return manager

    return GuardedAdapter


def _headers_as_given(request: requests.PreparedRequest) -> requests.PreparedRequest:
    return request


class _RequestsStream(httpx.SyncByteStream):
    def __init__(self, answer: requests.Response, request: httpx.Request) -> None:
        self._answer = answer
        self._request = request

    def __iter__(self) -> Iterator[bytes]:
        import urllib3.exceptions

        raw = self._answer.raw
        try:
            # Undecoded bytes (httpx applies Content-Encoding itself), as they arrive: the
            # reader checks the attempt's deadline between them. (A mounted adapter's own
            # response object may only have stream(), which fills each chunk first.)
            if hasattr(raw, "read1"):
                while part := raw.read1(_CHUNK, decode_content=False):
                    yield part
            else:
                yield from raw.stream(_CHUNK, decode_content=False)
        except urllib3.exceptions.ReadTimeoutError as error:
            raise httpx.ReadTimeout(str(error), request=self._request) from error
        except (urllib3.exceptions.HTTPError, OSError) as error:
            raise httpx.ReadError(str(error), request=self._request) from error

    def close(self) -> None:
        self._answer.close()
