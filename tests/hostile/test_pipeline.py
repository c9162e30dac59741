"""The logging pipeline against every misbehaviour: it never raises, and counts every record.

``enqueued == sent + dropped + queued + filtered`` once the client is closed, whatever the
server did; a record is either acknowledged or counted lost with its reason.
"""

from __future__ import annotations

import pytest

from .delivery import RECORDS, deliver
from .scenarios import scenarios
from .server import HostileServer, Scenario

pytestmark = pytest.mark.timeout(30)

ALL = scenarios("http://127.0.0.1:9")


@pytest.mark.parametrize("scenario", ALL, ids=lambda s: s.name)
def test_logging_never_raises_and_every_record_is_accounted_for(
    hostile: HostileServer, other_origin: HostileServer, scenario: Scenario
) -> None:
    hostile.behaviour = {s.name: s for s in scenarios(other_origin.origin)}[scenario.name].behaviour
    result = deliver(hostile.endpoint)
    assert result.raised is None
    stats = result.stats
    assert stats.enqueued == RECORDS
    assert result.balanced, stats
    assert stats.queued == 0
    assert not other_origin.seen, "a batch followed a redirect to another origin"


def test_https_to_a_plain_http_port_is_a_configuration_drop(hostile: HostileServer) -> None:
    result = deliver(f"https://127.0.0.1:{hostile.port}/v1")
    assert result.raised is None
    assert result.stats.dropped["configuration"] == RECORDS
    assert result.balanced
