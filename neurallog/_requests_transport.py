"""``transport="requests"``: send the SDK's synchronous requests through a requests.Session.

The SDK is built on httpx. This adapter exists for applications that must route traffic
through requests (a corporate adapter, a mounted proxy, certificate pinning set up on a
Session). It turns an httpx request into a requests call and the answer back into an httpx
response, mapping requests' failures to the httpx errors the retry layer understands.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import httpx

from neurallog.exceptions import ConfigurationError

if TYPE_CHECKING:
    import requests

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
        self._session = session if session is not None else requests.Session()
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
