"""Only what the server acknowledged in the API's shape counts as sent.

``POST /logs`` answers 202 with ``{"data": {"accepted", "duplicates", "rejected", "ids"}}``
(openapi.yaml, ``IngestResponse``). Any other success (an HTML page from a proxy, a 204,
a cut body, another document) is no proof that a record was stored: the batch is retried
with the same ids (the server ignores ids it already has), and lost as ``unacknowledged``
when no attempt is acknowledged.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from werkzeug import Response

from .conftest import Captured, ClientFactory, Sink, wait_until


def _json(document: object, status: int = 202) -> Response:
    return Response(json.dumps(document), status=status, content_type="application/json")


def _shaped(captured: Captured, **changes: Any) -> dict[str, Any]:
    """The acknowledgement the API would send for this request, with ``changes``."""
    ids = captured.ids
    data = {"accepted": len(ids), "duplicates": 0, "rejected": [], "ids": ids, **changes}
    return {"data": data, "meta": {"request_id": "r"}}


BAD_ACKS = {
    "200 html page": lambda c: Response("<html><body>Welcome</body></html>", status=200),
    "204 no content": lambda c: Response(status=204),
    "202 text": lambda c: Response("ok", status=202, content_type="text/plain"),
    "202 truncated json": lambda c: Response('{"data": {"accepted": 1, "dupl', status=202),
    "202 empty object": lambda c: _json({}),
    "202 data empty": lambda c: _json({"data": {}}),
    "202 data null": lambda c: _json({"data": None}),
    "202 data string": lambda c: _json({"data": "accepted"}),
    "200 right shape": lambda c: _json(_shaped(c), status=200),
    "202 ids too short": lambda c: _json(_shaped(c, ids=c.ids[:-1])),
    "202 counts do not add up": lambda c: _json(_shaped(c, accepted=0)),
    "202 accepted not a number": lambda c: _json(_shaped(c, accepted="2")),
    "202 accepted a bool": lambda c: _json(_shaped(c, accepted=True, duplicates=1)),
    "202 rejected not a list": lambda c: _json(_shaped(c, rejected={})),
    "202 rejected index out of range": lambda c: _json(
        _shaped(
            c,
            accepted=1,
            rejected=[{"index": 7, "code": "validation_error", "message": "bad"}],
            ids=[c.ids[0], None],
        )
    ),
    "202 rejected entry has an id": lambda c: _json(
        _shaped(
            c,
            accepted=1,
            rejected=[{"index": 1, "code": "validation_error", "message": "bad"}],
        )
    ),
}


@pytest.mark.parametrize("answer", BAD_ACKS.values(), ids=BAD_ACKS.keys())
def test_a_success_that_is_not_an_acknowledgement_is_never_counted_as_sent(
    sink: Sink, make_client: ClientFactory, answer: Any
) -> None:
    sink.gate = answer
    seen: list[tuple[str, int, BaseException | None]] = []
    client = make_client(retries=2, auto_flush=False, on_drop=lambda *args: seen.append(args))
    client.info("first")
    client.info("second")
    assert client.flush(10) is False
    stats = client.stats
    assert stats.sent == 0
    assert stats.dropped["unacknowledged"] == 2
    assert stats.dropped_total == 2
    assert stats.enqueued == stats.sent + stats.dropped_total + stats.queued + stats.filtered
    # Retried like a server error (bounded by `retries`), with the same ids every time.
    assert len(sink.requests) == 3
    assert all(request.ids == sink.requests[0].ids for request in sink.requests)
    assert wait_until(lambda: bool(seen))  # on_drop is called from the worker
    assert [(reason, count) for reason, count, _ in seen] == [("unacknowledged", 2)]
    assert "acknowledge" in str(seen[0][2])


@pytest.mark.parametrize("answer", BAD_ACKS.values(), ids=BAD_ACKS.keys())
def test_a_bad_acknowledgement_then_a_good_one_delivers_each_record_once(
    sink: Sink, make_client: ClientFactory, answer: Any
) -> None:
    sink.script = [answer]
    client = make_client(retries=2, auto_flush=False)
    client.info("first")
    client.info("second")
    assert client.flush(10)
    assert sorted(sink.messages) == ["first", "second"]
    assert client.stats.sent == 2
    assert client.stats.dropped_total == 0
    first, second = sink.requests
    assert first.ids == second.ids
    assert first.headers["Idempotency-Key"] == second.headers["Idempotency-Key"]


def test_rejected_entries_of_a_valid_acknowledgement_are_counted_by_index(
    sink: Sink, make_client: ClientFactory
) -> None:
    sink.reject = lambda entry: "no" if entry["message"].startswith("bad") else None
    client = make_client(auto_flush=False)
    for message in ["bad 1", "good 1", "bad 2", "good 2", "good 3"]:
        client.info(message)
    assert client.flush(10) is False
    stats = client.stats
    assert (stats.sent, stats.dropped["rejected"], stats.dropped_total) == (3, 2, 2)


def test_the_sender_reports_the_ids_the_server_acknowledged(
    sink: Sink, make_client: ClientFactory
) -> None:
    # The commit point a buffer that keeps records until the server has them relies on.
    sink.reject = lambda entry: "no" if entry["message"] == "refused" else None
    client = make_client(auto_flush=False)
    acknowledged: list[str] = []
    client._pipeline.sender.acknowledged = acknowledged.extend
    for message in ["kept", "refused", "kept too"]:
        client.info(message)
    assert client.flush(10) is False  # one record was rejected
    assert sorted(acknowledged) == sorted(sink.stored)
    assert len(acknowledged) == 2
