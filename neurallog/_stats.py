"""What the logging pipeline counts: the drop reasons and the ``DeliveryStats`` snapshot."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

__all__ = ["DROP_REASONS", "LOSSES", "DeliveryStats"]

#: Why records can be lost, as counted in :attr:`DeliveryStats.dropped`.
DROP_REASONS: Final = (
    "queue_full",  # the queue was at max_queue_size (see the overflow policy)
    "rate_limited",  # 429 while the queue was full: the held batch made room
    "retries_exhausted",  # 5xx, timeouts or connection errors after every retry
    "unacknowledged",  # a success answer without the API's acknowledgement, every retry
    "rejected",  # the API refused the entry (a 202's `rejected`, or a 400/422 batch)
    "unauthorized",  # 401/403: the credential was refused
    "too_large",  # one entry above max_batch_bytes even after truncation, or a lone 413
    "shutdown",  # still pending when close()/exit ran out of shutdown_timeout
    "closed",  # logged after close()
    "recursion",  # logged by the SDK's own delivery code (see neurallog._guard)
    "error",  # an unexpected error inside the SDK (a bug: reported to the logger)
)
#: Drops that mean "the app's records were lost"; recursion is SDK-internal noise.
LOSSES: Final = frozenset(DROP_REASONS) - {"recursion"}


@dataclass(frozen=True, kw_only=True, slots=True)
class DeliveryStats:
    """A snapshot of a client's delivery counters (``client.stats``).

    ``enqueued == sent + dropped_total + queued + filtered`` once the counts settle;
    records below ``log_level`` are never enqueued and not counted.
    """

    enqueued: int
    """Records accepted by the logging methods and ``batch_log``."""
    sent: int
    """Records the API acknowledged (new or already stored)."""
    queued: int
    """Records waiting in the queue or being sent right now."""
    filtered: int
    """Records ``before_send`` chose to discard, or sampling (``sample_rate``) left out."""
    dropped: Mapping[str, int]
    """Records lost, by reason (every reason of ``DROP_REASONS`` is present)."""
    requests: int
    """POST /logs requests that succeeded."""

    @property
    def dropped_total(self) -> int:
        """All records lost, whatever the reason."""
        return sum(self.dropped.values())
