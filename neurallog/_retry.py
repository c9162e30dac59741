"""When to retry a request and how long to wait first (no HTTP stack imported here)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from neurallog._errors import parse_retry_after

if TYPE_CHECKING:
    import httpx

__all__ = ["RETRIES_EXTENSION", "SLEEP_EXTENSION", "RetryPolicy"]

RETRIES_EXTENSION: Final = "neurallog.retries"
SLEEP_EXTENSION: Final = "neurallog.sleep"

_RETRY_STATUSES: Final = frozenset({408, 429})


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """When and how long to wait before another attempt."""

    retries: int
    max_retry_delay: float
    base_delay: float = 0.5

    def backoff(self, attempt: int) -> float:
        """Full jitter: uniform in [0, min(cap, base * 2**attempt)], attempt counting from 0."""
        ceiling = min(self.max_retry_delay, self.base_delay * (2.0 ** min(attempt, 32)))
        import random  # only once a request failed (import time)

        return random.uniform(0.0, ceiling)

    def delay_after_status(
        self, response: httpx.Response, attempt: int, retries: int
    ) -> float | None:
        """Seconds to wait before retrying this response, or None to stop."""
        status = response.status_code
        if attempt >= retries or not (status in _RETRY_STATUSES or status >= 500):
            return None
        retry_after = parse_retry_after(response.headers)
        if retry_after is None:
            return self.backoff(attempt)
        if retry_after > self.max_retry_delay:
            # Waiting longer than the caller allowed would look like a hang; the caller gets
            # a RateLimitError/ServerError with the server's advice instead.
            return None
        return retry_after

    def delay_after_error(self, error: Exception, attempt: int, retries: int) -> float | None:
        """Seconds to wait before retrying after a transport error, or None to stop."""
        import httpx  # loaded already: it raised the error

        retryable = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)
        if attempt >= retries or not isinstance(error, retryable):
            return None
        return self.backoff(attempt)
