"""The sender: turns one batch of records into requests, and their responses into outcomes.

How a batch travels here (on the worker thread, or on a thread sending inline at exit):
:meth:`Sender.deliver` asks the wire encoder (:mod:`neurallog._wire`) for the entries (ids,
merged context, ``before_send``, redaction, the API's limits) and for request bodies of at
most ``max_batch_bytes``; each body is gzipped (above 1 KiB) and POSTed to ``/logs``
through the client's shared transport, which retries connection errors, timeouts, 408 and
5xx (:mod:`neurallog._http`). What comes back becomes an outcome reported to the
accounting (:mod:`neurallog._accounting`):

* the API's acknowledgement (a 202 in the shape of openapi.yaml, read by
  :mod:`neurallog._ack`): :meth:`~neurallog._accounting.Accounting.sent` for the records
  the server stored, ``rejected`` for the ones it refused; any other success answer is
  retried like a server error, then lost as ``unacknowledged``;
* 429: the batch is *held* (buffered, not dropped) until the server's ``Retry-After`` has
  passed, while the queue has room; once it is full, the held batch (the oldest records)
  is dropped as ``rate_limited``;
* 413: the body is split in halves, each sent on its own (a lone record is ``too_large``);
* any other failure: the records are lost with a named reason (``unauthorized``,
  ``rejected``, ``retries_exhausted``, ``shutdown``), and after an exhausted retry budget
  the sender pauses before the next batch instead of hammering a backend that is down;
* during shutdown each body is first tried once without retries: a refused connection
  ends delivery there (the rest is counted as ``shutdown``), any other failure is retried
  as usual within the shutdown deadline.

Every record of a batch ends counted exactly once; :meth:`Sender.deliver` never raises.
The sender keeps no record once ``deliver`` returns. The seam for a durable buffer, which
must keep a record until the server has it: :attr:`Sender.acknowledged` is called with the
ids of the entries each request got acknowledged (their commit point), while losses reach
the accounting with their reason; the worker then settles the batch.

Waiting (a 429 hold, the outage pause, backoffs between retries) goes through the
worker's :class:`Control`, so ``close()`` can cut it short and no wait overruns the
shutdown deadline.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final, Protocol

from neurallog._ack import Acknowledgement, NotAcknowledged, read_acknowledgement
from neurallog._config import PipelineOptions
from neurallog._diagnostics import Diagnostics
from neurallog._queue import Record
from neurallog._retry import RETRIES_EXTENSION, SLEEP_EXTENSION, RetryPolicy
from neurallog._wire import WireEncoder, body_of
from neurallog.exceptions import ApiError, ConfigurationError, NetworkError, RateLimitError

if TYPE_CHECKING:
    import httpx

    from neurallog._accounting import Accounting
    from neurallog._core import ClientCore
    from neurallog._queue import RecordQueue

__all__ = ["Control", "Sender"]

_GZIP_ABOVE: Final = 1024  # bytes: below this gzip's header costs more than it saves
_GZIP_LEVEL: Final = 1  # 2x faster than 5 for ~8% more bytes (random ids dominate)

_monotonic = time.monotonic


class Control(Protocol):
    """What the sender needs from the worker that drives it: shutdown state and waiting."""

    @property
    def stopping(self) -> bool:
        """close() has begun: send what is left, start no long wait."""

    @property
    def deadline(self) -> float | None:
        """The monotonic time by which the current sending must end (None: no limit)."""

    def sleep(self, delay: float, wake_on_close: bool = False) -> bool:
        """Wait ``delay`` seconds unless that would overrun shutdown; False means give up."""


class Sender:
    """Encodes, compresses and POSTs batches; reports every record's outcome."""

    def __init__(
        self,
        core: ClientCore,
        options: PipelineOptions,
        queue: RecordQueue,
        account: Accounting,
        diagnostics: Diagnostics,
    ) -> None:
        client_options = core.options
        self._core = core
        self._compress = options.compression == "gzip"
        self._timeout = client_options.timeout
        self._policy = RetryPolicy(
            retries=client_options.retries, max_retry_delay=client_options.max_retry_delay
        )
        self._queue = queue
        self._account = account
        self._diag = diagnostics
        self._wire = WireEncoder(options, diagnostics)
        #: Called after each acknowledged request with the ids of the entries the server
        #: stored (now or before). The commit point for a buffer that keeps records until
        #: the server has them (a durable spool); None when nothing needs it.
        self.acknowledged: Callable[[list[str]], None] | None = None
        self.reset()

    def reset(self) -> None:
        """Forget the rate limit and outage state (a forked child starts afresh)."""
        self._blocked_until = 0.0  # monotonic time before which the API asked us to wait
        self._outage = 0  # batches lost in a row to an exhausted retry budget
        self._refused: NetworkError | None = None  # a refused connection during shutdown

    def deliver(self, batch: list[Record], control: Control) -> None:
        """Encode, split and send one batch; every record ends counted. Never raises.

        ``control`` is the worker driving this call: the sender waits and stops as it says
        (and keeps no reference to it, so neither keeps the other alive).
        """
        account = self._account
        before = account.resolved
        try:
            entries = self._wire.entries(batch, account.filtered)
            for chunk, body in self._wire.requests(entries, account.drop):
                self._send(chunk, body, control)
        except Exception as exc:  # a bug: count what it cost and keep going
            account.drop(max(0, len(batch) - (account.resolved - before)), "error", exc)
            account.internal_error(exc)

    def _send(self, entries: list[dict[str, Any]], body: bytes, control: Control) -> None:
        """Deliver one request: hold it on 429, split it on 413, count what happens."""
        count = len(entries)
        account = self._account
        # One key per body: a repeat of this exact body is recognised by the server, while
        # a different body (after a split) gets a key of its own.
        import uuid  # loaded by the worker's ClientCore.prime(), as gzip and httpx are

        key = str(uuid.uuid4())
        holds = 0
        unacknowledged = 0
        limited: RateLimitError | None = None
        # During shutdown a first attempt goes without the transport's retries: a refused
        # connection then ends delivery at once instead of backing off until the deadline.
        probe = control.stopping
        while True:
            if self._refused is not None and control.stopping:
                account.drop(count, "shutdown", self._refused)
                return
            wait = self._blocked_until - _monotonic()
            if wait > 0:
                # Rate limited: hold this batch (buffer rather than drop) while the queue has
                # room; once it is full, this batch (the oldest records) makes room.
                queue = self._queue
                with queue.lock:
                    full = queue.size >= queue.max_size
                    deadline = control.deadline
                if full and not control.stopping:
                    account.drop(count, "rate_limited", limited)
                    return
                if deadline is not None and self._blocked_until > deadline:
                    account.drop(count, "shutdown", limited)  # no point waiting
                    return
                if not control.sleep(min(wait, 1.0), wake_on_close=True):
                    account.drop(count, "shutdown", limited)
                    return
                continue
            try:
                response = self._post(body, key, control, probe)
            except RateLimitError as exc:
                limited = exc
                advised = exc.retry_after
                policy = self._policy
                # The server's hint is honoured up to the user's bound, never beyond: a
                # Retry-After of a day (or year 9999) must not stall delivery.
                pause = policy.backoff(holds) if advised is None else advised
                pause = min(pause, policy.max_retry_delay)
                holds += 1
                self._blocked_until = _monotonic() + pause
                self._diag.emit(
                    "rate_limited",
                    logging.WARNING,
                    "NeuralLog: rate limited (429); holding %d record(s) for %.1fs",
                    count,
                    pause,
                )
                continue
            except ApiError as exc:
                if exc.status == 413 and count > 1:
                    for half in (entries[: count // 2], entries[count // 2 :]):
                        self._send(half, body_of(half), control)
                    return
                reason = _reason_for_status(exc.status)
                if probe and reason == "retries_exhausted":
                    probe = False  # a server error: retried as usual
                    continue
                self._fail(count, reason, exc, control)
                return
            except NetworkError as exc:
                import httpx  # loaded already: it raised the error

                if control.stopping and isinstance(exc.__cause__, httpx.ConnectError):
                    # Plainly unreachable (refused, no such host): what is left is lost.
                    self._refused = exc
                elif probe:
                    probe = False  # a timeout or a reset: retried as usual
                    continue
                reason = "shutdown" if control.stopping else "retries_exhausted"
                self._fail(count, reason, exc, control)
                return
            except ConfigurationError as exc:
                # A wrong endpoint (no API there, https:// to plain HTTP): retrying cannot help.
                self._fail(count, "configuration", exc, control)
                return
            if not 200 <= response.status_code < 300:
                # A redirect (http:// to https://, a moved endpoint) stored nothing.
                self._fail(count, "rejected", _unexpected(response), control)
                return
            try:
                ack = read_acknowledgement(response, count)
            except NotAcknowledged as exc:
                # Nothing is known to be stored: send the same body again (its ids make a
                # repeat harmless), as many times as a server error would be retried.
                policy = self._policy
                if unacknowledged >= policy.retries:
                    self._fail(count, "unacknowledged", exc, control)
                    return
                if not control.sleep(policy.backoff(unacknowledged)):
                    account.drop(count, "shutdown", exc)
                    return
                unacknowledged += 1
                continue
            self._accepted(ack, entries)
            return

    def _post(self, body: bytes, key: str, control: Control, once: bool) -> httpx.Response:
        """POST one body; ``once`` sends it without the transport's retries."""
        import gzip  # loaded by the worker's ClientCore.prime(), as httpx is

        import httpx

        headers = {"Content-Type": "application/json", "Idempotency-Key": key}
        if self._compress and len(body) > _GZIP_ABOVE:
            body = gzip.compress(body, compresslevel=_GZIP_LEVEL, mtime=0)
            headers["Content-Encoding"] = "gzip"
        timeout = self._timeout
        deadline = control.deadline
        if deadline is not None:
            timeout = max(0.001, min(timeout, deadline - _monotonic()))
        extensions: dict[str, object] = {SLEEP_EXTENSION: control.sleep}
        if once:
            extensions[RETRIES_EXTENSION] = 0
        queue = self._queue
        queue.request_since = _monotonic()  # the producers' backpressure reads it
        try:
            return self._core.http.post(
                "logs",
                content=body,
                headers=headers,
                timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
                extensions=extensions,
            )
        finally:
            queue.request_since = None

    def _accepted(self, ack: Acknowledgement, entries: list[dict[str, Any]]) -> None:
        count = len(entries)
        rejected = ack.rejected
        self._outage = 0
        self._account.sent(ack.stored)
        acknowledged = self.acknowledged
        if acknowledged is not None:
            acknowledged([entries[index]["id"] for index in ack.acknowledged_indexes(count)])
        if rejected:
            self._account.drop(len(rejected), "rejected", None)
            first = rejected[0]
            self._diag.emit(
                "rejected",
                logging.WARNING,
                "NeuralLog: the API rejected %d of %d record(s): %s (%s)",
                len(rejected),
                count,
                first["message"],
                first["code"],
            )

    def _fail(self, count: int, reason: str, exc: BaseException, control: Control) -> None:
        self._account.lost(count, reason, exc)
        if reason == "retries_exhausted" and not control.stopping:
            # The backend looks down: pause before the next batch instead of hammering it.
            self._outage += 1
            control.sleep(self._policy.backoff(self._outage + 1))


def _unexpected(response: httpx.Response) -> ApiError:
    where = response.headers.get("location")
    hint = f" to {where} (check the endpoint)" if where else ""
    return ApiError(
        f"POST /logs answered HTTP {response.status_code}{hint}",
        status=response.status_code,
        request_id=response.headers.get("x-request-id"),
    )


def _reason_for_status(status: int) -> str:
    if status in (401, 403):
        return "unauthorized"
    if status == 413:
        return "too_large"
    if status == 408 or status >= 500:
        return "retries_exhausted"
    return "rejected"
