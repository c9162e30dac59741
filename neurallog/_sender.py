"""The sender: turns one batch of records into requests, and their responses into outcomes.

How a batch travels here (on the worker thread, or on a thread sending inline at exit):
:meth:`Sender.deliver` asks the wire encoder (:mod:`neurallog._wire`) for the entries (ids,
merged context, ``before_send``, redaction, the API's limits) and for request bodies of at
most ``max_batch_bytes``; each body is gzipped (above 1 KiB) and POSTed to ``/logs``
through the client's shared transport, which retries connection errors, timeouts, 408 and
5xx (:mod:`neurallog._http`). What comes back becomes an outcome reported to the
accounting (:mod:`neurallog._accounting`):

* a 2xx acknowledgement: :meth:`~neurallog._accounting.Accounting.sent` for the records
  the server took, ``rejected`` for the ones it refused;
* 429: the batch is *held* (buffered, not dropped) until the server's ``Retry-After`` has
  passed, while the queue has room; once it is full, the held batch (the oldest records)
  is dropped as ``rate_limited``;
* 413: the body is split in halves, each sent on its own (a lone record is ``too_large``);
* any other failure: the records are lost with a named reason (``unauthorized``,
  ``rejected``, ``retries_exhausted``, ``shutdown``), and after an exhausted retry budget
  the sender pauses before the next batch instead of hammering a backend that is down.

Every record of a batch ends counted exactly once; :meth:`Sender.deliver` never raises.
The sender keeps no record once ``deliver`` returns: a durable buffer that must keep a
record until the server acknowledged it learns the outcome from the accounting's
callbacks (``sent``/``drop``/``filtered``) and the worker's ``settle`` of the batch.

Waiting (a 429 hold, the outage pause, backoffs between retries) goes through the
worker's :class:`Control`, so ``close()`` can cut it short and no wait overruns the
shutdown deadline.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any, Final, Protocol

import orjson

from neurallog._config import PipelineOptions
from neurallog._queue import Record
from neurallog._retry import SLEEP_EXTENSION, RetryPolicy
from neurallog._stats import Diagnostics
from neurallog._wire import WireEncoder, body_of
from neurallog.exceptions import ApiError, NetworkError, RateLimitError

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
        self.reset()

    def reset(self) -> None:
        """Forget the rate limit and outage state (a forked child starts afresh)."""
        self._blocked_until = 0.0  # monotonic time before which the API asked us to wait
        self._outage = 0  # batches lost in a row to an exhausted retry budget

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
        limited: RateLimitError | None = None
        while True:
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
                response = self._post(body, key, control)
            except RateLimitError as exc:
                limited = exc
                advised = exc.retry_after
                pause = self._policy.backoff(holds) if advised is None else advised
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
                self._fail(count, _reason_for_status(exc.status), exc, control)
                return
            except NetworkError as exc:
                reason = "shutdown" if control.stopping else "retries_exhausted"
                self._fail(count, reason, exc, control)
                return
            if not 200 <= response.status_code < 300:
                # A redirect (http:// to https://, a moved endpoint) stored nothing.
                self._fail(count, "rejected", _unexpected(response), control)
                return
            self._accepted(response, count)
            return

    def _post(self, body: bytes, key: str, control: Control) -> httpx.Response:
        import gzip

        import httpx

        headers = {"Content-Type": "application/json", "Idempotency-Key": key}
        if self._compress and len(body) > _GZIP_ABOVE:
            body = gzip.compress(body, compresslevel=_GZIP_LEVEL, mtime=0)
            headers["Content-Encoding"] = "gzip"
        timeout = self._timeout
        deadline = control.deadline
        if deadline is not None:
            timeout = max(0.001, min(timeout, deadline - _monotonic()))
        queue = self._queue
        queue.request_since = _monotonic()  # the producers' backpressure reads it
        try:
            return self._core.http.post(
                "logs",
                content=body,
                headers=headers,
                timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
                extensions={SLEEP_EXTENSION: control.sleep},
            )
        finally:
            queue.request_since = None

    def _accepted(self, response: httpx.Response, count: int) -> None:
        rejected: list[Any] = []
        try:
            document = orjson.loads(response.content) if response.content else None
        except orjson.JSONDecodeError:
            document = None
        data = document.get("data") if isinstance(document, dict) else None
        if isinstance(data, dict) and isinstance(data.get("rejected"), list):
            rejected = data["rejected"][:count]
        self._outage = 0
        self._account.sent(count - len(rejected))
        if rejected:
            self._account.drop(len(rejected), "rejected", None)
            first = rejected[0] if isinstance(rejected[0], dict) else {}
            self._diag.emit(
                "rejected",
                logging.WARNING,
                "NeuralLog: the API rejected %d of %d record(s): %s (%s)",
                len(rejected),
                count,
                first.get("message"),
                first.get("code"),
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
