"""The logging pipeline against one misbehaviour: what it counted, and whether logging raised."""

from __future__ import annotations

from dataclasses import dataclass

from neurallog import NeuralLog
from neurallog._stats import DeliveryStats

from .scenarios import TIMEOUT

RECORDS = 5


@dataclass
class Delivered:
    stats: DeliveryStats
    raised: BaseException | None
    flushed: bool

    @property
    def balanced(self) -> bool:
        s = self.stats
        return s.enqueued == s.sent + s.dropped_total + s.queued + s.filtered


def deliver(endpoint: str) -> Delivered:
    """Log a few records through a client pointed at ``endpoint``, flush and close it."""
    client = NeuralLog(
        api_key="hostile-key",
        endpoint=endpoint,
        timeout=TIMEOUT,
        retries=1,
        max_retry_delay=0.01,
        batch_interval=0.01,
    )
    raised: BaseException | None = None
    try:
        for i in range(RECORDS):
            client.info(f"record {i}", {"i": i})
        flushed = client.flush(timeout=5)
    except BaseException as error:  # the logging path must never raise: recorded, asserted
        raised, flushed = error, False
    finally:
        client.close(timeout=2)
    return Delivered(client.stats, raised, flushed)
