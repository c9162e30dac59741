"""The one transport layer under the facade and direct ``neurallog_api`` calls.

Every request the SDK makes (background delivery, search, rules, actions, streaming, and the
generated endpoint functions called with ``client.api``) goes through an httpx client built
here, which adds:

* authentication read from a thread-safe holder on every request, so ``set_api_key`` and
  ``set_token`` take effect on the next request;
* retries of connection errors, timeouts, 408, 429 and 5xx with full-jitter exponential
  backoff capped by ``max_retry_delay``, honouring ``Retry-After``;
* an ``Idempotency-Key`` on every POST, reused across its retries;
* the mapping of every status >= 400 to the exception tree before any generated parsing
  (the generated code cannot parse unknown statuses such as 520);
* a limit on the whole of each attempt: ``timeout`` seconds from sending the request to the
  last byte of its answer (see ``_deadline``; httpx's own read timeout is per read). A call
  with retries takes at most ``(retries + 1) * timeout`` plus the waits between attempts,
  each at most ``max_retry_delay``;
* the body of every answer read and decoded inside the attempt, so that a reset, a cut or
  undecodable body is retried or raised as an SDK exception (never a raw httpx one), and
  the refusal at once of what retrying cannot fix: an ``https://`` endpoint served in plain
  HTTP, and an endpoint that is not the API's base URL (a 404 outside the API);
* its records kept out of the application's logs (``_guard.quiet_http_loggers``).

Per-request behaviour can be tuned through httpx request extensions: ``"neurallog.retries"``
(an int overriding the retry count), ``"neurallog.sleep"`` (a callable used instead of
``time.sleep`` between sync attempts, so a background worker can cut a backoff short),
``"neurallog.stream"`` (True: a 2xx body is left for the caller to read, for live streams)
and ``"neurallog.attempt_timeout"`` (seconds for one attempt, instead of the read timeout).
"""

from __future__ import annotations

import logging
import os
import platform
import ssl
import time
import urllib.request
import uuid
from collections.abc import Callable, Generator
from typing import Final, cast

import httpx

from neurallog import _process
from neurallog._config import ClientOptions, is_loopback
from neurallog._credentials import Credentials
from neurallog._deadline import attempt_deadline, expired
from neurallog._errors import (
    error_for_response,
    error_for_transport,
    plain_http_error,
    wrong_endpoint,
)
from neurallog._guard import quiet_http_loggers, sdk_http
from neurallog._retry import RETRIES_EXTENSION, SLEEP_EXTENSION, RetryPolicy
from neurallog._version import __version__
from neurallog.exceptions import ConfigurationError, NetworkError, UnexpectedResponseError

USER_AGENT: Final = (
    f"neurallog-python/{__version__} python/{platform.python_version()} httpx/{httpx.__version__}"
)
STREAM_EXTENSION: Final = "neurallog.stream"
ATTEMPT_TIMEOUT_EXTENSION: Final = "neurallog.attempt_timeout"
#: The largest body (before and after decoding) an API call reads: no answer of the API
#: comes near it, and an endless or bombed body must not exhaust memory first.
MAX_RESPONSE_BYTES: Final = 128 * 1024 * 1024

quiet_http_loggers()


class CredentialAuth(httpx.Auth):
    """httpx auth that reads :class:`Credentials` at send time."""

    def __init__(self, credentials: Credentials) -> None:
        self._credentials = credentials

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        self._credentials.apply(request.headers)
        yield request

    def __repr__(self) -> str:
        return f"CredentialAuth({self._credentials!r})"


def _retries_for(request: httpx.Request, policy: RetryPolicy) -> int:
    override = request.extensions.get(RETRIES_EXTENSION)
    retries = override if isinstance(override, int) else policy.retries
    # A body that cannot be replayed (a generator) cannot be sent twice.
    if retries and not isinstance(request.stream, httpx.ByteStream):
        return 0
    return retries


def _prepare(request: httpx.Request) -> None:
    if request.method == "POST" and "idempotency-key" not in request.headers:
        request.headers["Idempotency-Key"] = str(uuid.uuid4())


def _describe(request: httpx.Request) -> str:
    return f"{request.method} {request.url.path}"


class RetryTransport(httpx.BaseTransport):
    """Sync transport: retries, then turns failures into SDK exceptions."""

    def __init__(self, inner: httpx.BaseTransport, policy: RetryPolicy, options: ClientOptions):
        self._inner = inner
        self._policy = policy
        self._logger = options.logger
        self._endpoint = options.endpoint

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        _prepare(request)
        retries = _retries_for(request, self._policy)
        sleep_ext = request.extensions.get(SLEEP_EXTENSION)
        sleep: Callable[[float], object] = sleep_ext if callable(sleep_ext) else time.sleep
        limit = _attempt_timeout(request)
        attempt = 0
        with sdk_http(request.url):
            while True:
                try:
                    with attempt_deadline(limit):
                        response = self._inner.handle_request(request)
                        response = _settle(request, response, _read_sync)
                except httpx.TransportError as error:
                    delay = _delay_after_error(
                        self._policy, self._endpoint, error, request, attempt, retries
                    )
                    why = repr(error)
                else:
                    if response.status_code < 400:
                        return response
                    delay = _delay_after_status(
                        self._policy, self._endpoint, response, attempt, retries
                    )
                    why = f"HTTP {response.status_code}"
                _log_retry(self._logger, request, why, delay, attempt, retries)
                if sleep(delay) is False:
                    # The sleeper was interrupted (shutdown): stop retrying.
                    raise _interrupted(request)
                attempt += 1

    def close(self) -> None:
        self._inner.close()


def _delay_after_error(
    policy: RetryPolicy,
    endpoint: str,
    error: httpx.TransportError,
    request: httpx.Request,
    attempt: int,
    retries: int,
) -> float:
    """The wait before the next attempt after a transport error; raises when there is none."""
    refusal = plain_http_error(error, request, endpoint)
    if refusal is not None:
        raise refusal from error
    delay = policy.delay_after_error(error, attempt, retries)
    if delay is None:
        raise error_for_transport(error, request) from error
    return delay


def _delay_after_status(
    policy: RetryPolicy, endpoint: str, response: httpx.Response, attempt: int, retries: int
) -> float:
    """The wait before the next attempt after an error status; raises when there is none."""
    delay = policy.delay_after_status(response, attempt, retries)
    if delay is None:
        error = error_for_response(response, response.content)
        misplaced = wrong_endpoint(response, response.content, endpoint)
        if misplaced is not None:
            raise misplaced from error
        raise error
    return delay


def _log_retry(
    logger: logging.Logger,
    request: httpx.Request,
    why: str,
    delay: float,
    attempt: int,
    retries: int,
) -> None:
    # DEBUG: during an outage every batch retries; what is finally lost is reported by the
    # caller (an exception, or the pipeline's rate-limited warning and drop counters).
    logger.debug(
        "NeuralLog: %s got %s; retry %d of %d in %.2fs",
        _describe(request),
        why,
        attempt + 1,
        retries,
        delay,
    )


class AsyncRetryTransport(httpx.AsyncBaseTransport):
    """Async twin of :class:`RetryTransport`; waits with ``anyio.sleep``."""

    def __init__(
        self, inner: httpx.AsyncBaseTransport, policy: RetryPolicy, options: ClientOptions
    ):
        self._inner = inner
        self._policy = policy
        self._logger = options.logger
        self._endpoint = options.endpoint

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        _prepare(request)
        retries = _retries_for(request, self._policy)
        limit = _attempt_timeout(request)
        attempt = 0
        with sdk_http(request.url):
            while True:
                try:
                    with attempt_deadline(limit):
                        response = await self._inner.handle_async_request(request)
                        response = await _asettle(request, response)
                except httpx.TransportError as error:
                    delay = _delay_after_error(
                        self._policy, self._endpoint, error, request, attempt, retries
                    )
                    why = repr(error)
                else:
                    if response.status_code < 400:
                        return response
                    delay = _delay_after_status(
                        self._policy, self._endpoint, response, attempt, retries
                    )
                    why = f"HTTP {response.status_code}"
                _log_retry(self._logger, request, why, delay, attempt, retries)
                await _async_sleep(delay)
                attempt += 1

    async def aclose(self) -> None:
        await self._inner.aclose()


def _attempt_timeout(request: httpx.Request) -> float | None:
    """Seconds one attempt may take in all: the call's ``timeout`` (its read timeout)."""
    given = request.extensions.get(ATTEMPT_TIMEOUT_EXTENSION)
    if isinstance(given, int | float):
        return float(given)
    timeouts = request.extensions.get("timeout")
    read = timeouts.get("read") if isinstance(timeouts, dict) else None
    return float(read) if isinstance(read, int | float) else None


def _streams(request: httpx.Request, response: httpx.Response) -> bool:
    """Whether the caller reads this body itself (a live stream that opened)."""
    return request.extensions.get(STREAM_EXTENSION) is True and response.status_code < 400


def _settle(
    request: httpx.Request,
    response: httpx.Response,
    read: Callable[[httpx.Request, httpx.Response], bytes],
) -> httpx.Response:
    """The response with its body read and decoded inside the attempt (its deadline and
    retries apply to the body too; httpx would read it after the transport)."""
    if _streams(request, response):
        return response
    if response.status_code >= 400:
        try:
            body = read(request, response)
        except httpx.TransportError:
            body = b""  # the status alone decides what is raised
        return _error_replay(request, response, body)
    return _decoded(request, response, read(request, response))


async def _asettle(request: httpx.Request, response: httpx.Response) -> httpx.Response:
    if _streams(request, response):
        return response
    if response.status_code >= 400:
        try:
            body = await _read_async(request, response)
        except httpx.TransportError:
            body = b""
        return _error_replay(request, response, body)
    return _decoded(request, response, await _read_async(request, response))


def _read_sync(request: httpx.Request, response: httpx.Response) -> bytes:
    size = 0
    parts: list[bytes] = []
    try:
        for part in response.stream:  # type: ignore[union-attr]
            size = _take(request, response, parts, part, size)
    finally:
        response.close()
    return b"".join(parts)


async def _read_async(request: httpx.Request, response: httpx.Response) -> bytes:
    size = 0
    parts: list[bytes] = []
    try:
        async for part in response.stream:  # type: ignore[union-attr]
            size = _take(request, response, parts, part, size)
    finally:
        await response.aclose()
    return b"".join(parts)


def _take(
    request: httpx.Request, response: httpx.Response, parts: list[bytes], part: bytes, size: int
) -> int:
    # Checked here too for transports that are not the SDK's own (see _deadline).
    size += len(part)
    if size > MAX_RESPONSE_BYTES:
        raise _malformed(request, response, f"a body larger than {MAX_RESPONSE_BYTES} bytes")
    if expired():
        raise httpx.ReadTimeout("the whole response took longer than the timeout", request=request)
    parts.append(part)
    return size


def _decoded(request: httpx.Request, response: httpx.Response, raw: bytes) -> httpx.Response:
    """A 2xx/3xx answer with its body decoded; a body that does not decode is refused."""
    probe = _probe(request, response, raw)
    size = 0
    parts: list[bytes] = []
    try:
        for part in probe.iter_bytes():
            size += len(part)
            if size > MAX_RESPONSE_BYTES:
                raise _malformed(request, response, f"a body decoding to over {size} bytes")
            parts.append(part)
    except httpx.DecodingError as error:
        encoding = response.headers.get("content-encoding", "")
        raise _malformed(
            request, response, f"a body that is not valid {encoding} ({error})"
        ) from error
    return _replay(request, response, b"".join(parts))


def _error_replay(request: httpx.Request, response: httpx.Response, raw: bytes) -> httpx.Response:
    """An error answer with its body decoded if it can be (else as received, for the message)."""
    probe = _probe(request, response, raw)
    try:
        body = probe.read()
    except httpx.DecodingError:
        body = raw
    return _replay(request, response, body)


def _probe(request: httpx.Request, response: httpx.Response, raw: bytes) -> httpx.Response:
    """A response over the raw bytes that decodes them as its headers say when read."""
    return httpx.Response(
        status_code=response.status_code,
        headers=response.headers,
        stream=httpx.ByteStream(raw),
        request=request,
    )


def _replay(request: httpx.Request, response: httpx.Response, body: bytes) -> httpx.Response:
    headers = httpx.Headers(response.headers)
    for name in ("content-encoding", "content-length", "transfer-encoding"):
        headers.pop(name, None)
    return httpx.Response(
        status_code=response.status_code,
        headers=headers,
        content=body,
        request=request,
        extensions=response.extensions,
    )


def _malformed(
    request: httpx.Request, response: httpx.Response, what: str
) -> UnexpectedResponseError:
    return UnexpectedResponseError(
        f"{_describe(request)} answered HTTP {response.status_code} with {what}",
        status=response.status_code,
        code="unexpected_response",
        request_id=response.headers.get("x-request-id"),
    )


async def _async_sleep(delay: float) -> None:
    # anyio works under asyncio and trio alike; imported here to keep `import neurallog` light.
    import anyio

    await anyio.sleep(delay)


def _interrupted(request: httpx.Request) -> NetworkError:
    return NetworkError(f"{_describe(request)}: retries interrupted by shutdown")


_default_ssl_context: ssl.SSLContext | None = None


def make_ssl_context() -> ssl.SSLContext:
    """The process-wide TLS context of every client that verifies with the default CA bundle.

    Loading the bundle costs about 25 ms; an ``SSLContext`` is safe to share between clients,
    threads and (after a fork) processes, so it is loaded once per process. Without a lock:
    two threads building their first clients at once may each load one (one is kept), while
    a lock held by a loading thread when another forks would hang every client the child
    builds.
    """
    global _default_ssl_context
    context = _default_ssl_context
    if context is None:
        # sdk_http: httpx logs loading the bundle, the SDK's business and not the app's.
        with sdk_http(), _process.tls_load():
            context = _default_ssl_context = httpx.create_ssl_context()
    return context


def tls_context(verify: ssl.SSLContext | bool | str) -> ssl.SSLContext | bool:
    """What the SDK's httpx transports verify with, for a validated ``verify=`` value.

    A CA bundle path is loaded here (httpx deprecates being given the path), once per client.
    """
    if verify is True:
        return make_ssl_context()
    if isinstance(verify, str):
        directory = os.path.isdir(verify)
        try:
            with _process.tls_load():
                return ssl.create_default_context(
                    cafile=None if directory else verify, capath=verify if directory else None
                )
        except (OSError, ssl.SSLError) as error:
            raise ConfigurationError(
                f"verify: cannot load the CA bundle at {verify!r}: {error}"
            ) from None
    return verify


def prime(transport: object) -> None:
    """Import now, on the calling thread, what the first request would import lazily.

    httpx 0.28 imports httpcore when its first transport is built, CPython imports the
    ``idna`` codec on the first name lookup or TLS handshake, and the requests adapter
    imports requests (and ``netrc`` on its first request). The background worker builds the
    transport and sends the first request, so without this those first imports would run
    on the worker; if another thread forks meanwhile (a gunicorn master with ``--preload``)
    the child inherits a half-initialised module in ``sys.modules`` and a module lock held
    by a thread that no longer exists, and every request it makes fails or hangs. Called by
    the delivery thread before its first send and by the before-fork hook (see
    ``ClientCore.prime``).
    """
    "localhost".encode("idna")
    import gzip  # noqa: F401 - the worker compresses its requests

    if transport == "httpx":
        import httpcore  # noqa: F401

        import neurallog._deadline_backends
    elif transport == "requests":
        import netrc  # noqa: F401

        import requests  # noqa: F401

        import neurallog._requests_transport  # noqa: F401


def build_sync_client(
    options: ClientOptions,
    credentials: Credentials,
    *,
    verify: ssl.SSLContext | bool = True,
) -> httpx.Client:
    """The configured httpx client for synchronous calls and background delivery.

    ``verify`` is for httpx (see :func:`tls_context`); requests gets ``options.verify``.
    """
    inner = _sync_inner_transport(options, verify)
    return httpx.Client(
        base_url=options.endpoint + "/",
        auth=CredentialAuth(credentials),
        headers=_default_headers(),
        timeout=_timeout(options),
        transport=RetryTransport(inner, _policy(options), options),
        follow_redirects=False,
    )


def build_async_client(
    options: ClientOptions,
    credentials: Credentials,
    *,
    verify: ssl.SSLContext | bool = True,
) -> httpx.AsyncClient:
    """The configured httpx client for asynchronous calls."""
    if isinstance(options.transport, httpx.AsyncBaseTransport):
        inner: httpx.AsyncBaseTransport = options.transport
    else:
        from neurallog._deadline_backends import bound

        inner = httpx.AsyncHTTPTransport(verify=verify, proxy=environment_proxy(options.endpoint))
        bound(inner)
    return httpx.AsyncClient(
        base_url=options.endpoint + "/",
        auth=CredentialAuth(credentials),
        headers=_default_headers(),
        timeout=_timeout(options),
        transport=AsyncRetryTransport(inner, _policy(options), options),
        follow_redirects=False,
    )


def _sync_inner_transport(
    options: ClientOptions, verify: ssl.SSLContext | bool
) -> httpx.BaseTransport:
    transport = options.transport
    if isinstance(transport, httpx.BaseTransport):
        return transport
    if transport == "requests":
        from neurallog._requests_transport import RequestsTransport

        # A bool or a CA bundle path: _config refuses an SSLContext for requests.
        return RequestsTransport(verify=cast("bool | str", options.verify))
    from neurallog._deadline_backends import bound

    inner = httpx.HTTPTransport(verify=verify, proxy=environment_proxy(options.endpoint))
    bound(inner)
    return inner


def environment_proxy(endpoint: str) -> str | None:
    """The proxy ``HTTPS_PROXY``/``HTTP_PROXY``/``ALL_PROXY`` name for ``endpoint``, if any.

    httpx reads these variables only when it builds its own transport; the SDK builds the
    transport (to wrap it with retries), so it applies them itself, ``NO_PROXY`` included.
    """
    url = httpx.URL(endpoint)
    if is_loopback(url.host):
        return None  # a proxy's loopback is not this machine's (NeuralLog Local, tests)
    proxies = urllib.request.getproxies()
    proxy = proxies.get(url.scheme) or proxies.get("all")
    if not proxy or urllib.request.proxy_bypass(url.host):
        return None
    return proxy if "://" in proxy else f"http://{proxy}"


def _policy(options: ClientOptions) -> RetryPolicy:
    return RetryPolicy(retries=options.retries, max_retry_delay=options.max_retry_delay)


def _timeout(options: ClientOptions) -> httpx.Timeout:
    return httpx.Timeout(options.timeout, connect=min(options.timeout, 10.0))


def _default_headers() -> dict[str, str]:
    return {"User-Agent": USER_AGENT, "Accept": "application/json"}


__all__ = [
    "USER_AGENT",
    "AsyncRetryTransport",
    "CredentialAuth",
    "Credentials",
    "RetryPolicy",
    "RetryTransport",
    "build_async_client",
    "build_sync_client",
    "make_ssl_context",
    "prime",
    "tls_context",
]
