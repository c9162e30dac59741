"""End to end against NeuralLog Local: every resource method, sync and async, and the SDK
specification's examples run as written."""

from __future__ import annotations

import asyncio
import logging
import os
import subprocess
import sys
import textwrap
import time
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import anyio
import orjson
import pytest
from neurallog_api.api.actions import get_action
from neurallog_api.api.logs import get_log
from neurallog_api.api.rules import get_rule
from neurallog_api.models.action_response import ActionResponse
from neurallog_api.models.log_entry_response import LogEntryResponse
from neurallog_api.models.rule_response import RuleResponse
from pytest_httpserver import HTTPServer

import neurallog.async_client
from neurallog.async_client import AsyncNeuralLog
from neurallog.client import NeuralLog
from neurallog.exceptions import AuthenticationError, NotFoundError, ValidationError

from .test_stream_cleanup import PRELUDE as QUIET_PRELUDE

# bounded_streams: a follow=True loop whose entries never come fails instead of hanging.
pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("bounded_streams")]

WAIT = 15.0  # upper bound of every wait for an event; never a timing assertion


def _options(local: Any) -> dict[str, Any]:
    return {
        "api_key": local.api_key,
        "endpoint": local.endpoint,
        "retries": 2,
        "max_retry_delay": 0.05,
        "batch_interval": 0.05,
    }


@pytest.fixture
def nl(neurallog_local: Any) -> Iterator[NeuralLog]:
    client = NeuralLog(**_options(neurallog_local))
    yield client
    client.close()


@pytest.fixture
async def anl(neurallog_local: Any) -> AsyncIterator[AsyncNeuralLog]:
    async with AsyncNeuralLog(**_options(neurallog_local)) as client:
        yield client


def _entries(n: int, **fields: Any) -> list[dict[str, Any]]:
    return [{"level": "INFO", "message": f"entry {i}", **fields} for i in range(n)]


def _ingest(client: NeuralLog, entries: list[dict[str, Any]]) -> list[str]:
    result = client.logs.ingest(entries)
    assert result["rejected"] == []
    return [i for i in result["ids"] if i is not None]


def _wait_for(predicate: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what}")
        time.sleep(0.02)


class _Enough(Exception):
    """Raised by the recording print() to leave an example's endless loop."""


class Printer:
    """Stands in for print(): records lines; after ``stop_after`` lines, leaves the loop."""

    def __init__(self, stop_after: int | None = None, on_line: Callable[[int], None] | None = None):
        self.lines: list[str] = []
        self._stop_after = stop_after
        self._on_line = on_line

    def __call__(self, *args: Any, **kwargs: Any) -> None:
        self.lines.append(" ".join(str(a) for a in args))
        if self._on_line is not None:
            self._on_line(len(self.lines))
        if self._stop_after is not None and len(self.lines) >= self._stop_after:
            raise _Enough


def _run_example(code: str, namespace: dict[str, Any]) -> dict[str, Any]:
    exec(compile(textwrap.dedent(code), "<example>", "exec"), namespace)  # noqa: S102
    return namespace


# -- the SDK specification's examples, verbatim ------------------------------------------------

SPEC_LOG_SEARCH = """
# Search logs
logs = neurallog.logs.search(
    query="error",
    filter={
        "level": ["ERROR", "FATAL"],
        "source": ["api-service", "auth-service"]
    },
    time_range={
        "start": "2023-04-01T00:00:00Z",
        "end": "2023-04-08T23:59:59Z"
    },
    sort=[
        {"field": "timestamp", "order": "desc"}
    ],
    limit=10
)

# Iterate through results
for log in logs:
    print(f"{log['timestamp']} [{log['level']}] {log['message']}")

# Pagination
next_page = neurallog.logs.search(
    query="error",
    limit=10,
    offset=10
)
"""

SPEC_LOG_STREAMING = """
# Stream logs
for log in neurallog.logs.stream(
    query="error",
    filter={"level": ["ERROR", "FATAL"]},
    follow=True
):
    print(f"{log['timestamp']} [{log['level']}] {log['message']}")
"""

SPEC_ASYNC_STREAMING = """
import asyncio

async def stream_logs():
    async for log in neurallog.logs.astream(
        query="error",
        filter={"level": ["ERROR", "FATAL"]},
        follow=True
    ):
        print(f"{log['timestamp']} [{log['level']}] {log['message']}")

asyncio.run(stream_logs())
"""

SPEC_RULES = """
# Create a rule
rule = neurallog.rules.create(
    name="Error Notification",
    description="Send notification when errors occur",
    condition={
        "type": "log_level",
        "parameters": {
            "level": "ERROR"
        }
    },
    actions=[
        {
            "action_id": "action-123",
            "parameters": {
                "channel": "slack",
                "message": "Error detected: {{log.message}}"
            }
        }
    ],
    enabled=True
)

# Update a rule
neurallog.rules.update(
    rule_id=rule["id"],
    enabled=False
)

# Delete a rule
neurallog.rules.delete(rule["id"])

# List rules
rules = neurallog.rules.list(
    filter={"enabled": True},
    limit=10
)

# Test a rule
result = neurallog.rules.test(
    rule_id=rule["id"],
    sample_data={
        "level": "ERROR",
        "message": "Test error message",
        "source": "api-service"
    }
)
"""

SPEC_ACTIONS = """
# Create an action
action = neurallog.actions.create(
    name="Slack Notification",
    description="Send notification to Slack",
    type="slack",
    parameters={
        "webhook": "https://hooks.slack.com/services/...",
        "channel": "#alerts"
    }
)

# Execute an action
result = neurallog.actions.execute(
    action_id=action["id"],
    parameters={
        "message": "Custom alert message"
    },
    context={
        "source": "manual-trigger"
    }
)
"""

SPEC_ASYNC_SUPPORT = """
import asyncio
from neurallog.async_client import AsyncNeuralLog

async def main():
    # Initialize async client
    neurallog = AsyncNeuralLog(
        api_key="your-api-key",
        endpoint="https://api.your-tenant.neurallog.com/v1"
    )

    # Log asynchronously
    await neurallog.info("User logged in", {"user_id": "123"})

    # Search logs asynchronously
    logs = await neurallog.logs.search(
        query="error",
        limit=10
    )

    # Stream logs asynchronously
    async for log in neurallog.logs.stream(
        query="error",
        follow=True
    ):
        print(f"{log['timestamp']} [{log['level']}] {log['message']}")

asyncio.run(main())
"""


def test_spec_log_search_example(nl: NeuralLog) -> None:
    day = "2023-04-0{}T{:02d}:00:00Z"
    wanted = [
        {
            "level": "ERROR",
            "message": f"error {i}",
            "source": "api-service",
            "timestamp": day.format(2 + i % 6, i),
        }
        for i in range(12)
    ]
    others = [
        {
            "level": "INFO",
            "message": "error but only INFO",
            "source": "api-service",
            "timestamp": day.format(3, 0),
        },
        {
            "level": "ERROR",
            "message": "error elsewhere",
            "source": "billing",
            "timestamp": day.format(3, 0),
        },
        {
            "level": "FATAL",
            "message": "error too late",
            "source": "auth-service",
            "timestamp": "2023-05-01T00:00:00Z",
        },
    ]
    _ingest(nl, wanted + others)
    printer = Printer()
    ns = _run_example(SPEC_LOG_SEARCH, {"neurallog": nl, "print": printer})

    newest = sorted(wanted, key=lambda e: e["timestamp"], reverse=True)[:10]
    assert printer.lines == [f"{e['timestamp']} [ERROR] {e['message']}" for e in newest]
    logs = ns["logs"]
    assert (logs.total, logs.has_more, len(logs)) == (12, True, 10)
    next_page = ns["next_page"]
    assert (next_page.total, next_page.offset, len(next_page)) == (15, 10, 5)


def test_spec_log_streaming_example(nl: NeuralLog) -> None:
    _ingest(
        nl,
        [
            {"level": "ERROR", "message": "error in history"},
            {"level": "INFO", "message": "error but INFO"},
        ],
    )

    def log_more(count: int) -> None:
        if count == 1:  # the stream is open: what is logged now must arrive too
            nl.log(level="FATAL", message="error after opening")
            nl.flush()

    printer = Printer(stop_after=2, on_line=log_more)
    with pytest.raises(_Enough):
        _run_example(SPEC_LOG_STREAMING, {"neurallog": nl, "print": printer})
    assert [line.split("] ", 1)[1] for line in printer.lines] == [
        "error in history",
        "error after opening",
    ]
    assert "[FATAL]" in printer.lines[1]


def test_spec_async_streaming_example(nl: NeuralLog) -> None:
    _ingest(
        nl, [{"level": "ERROR", "message": "error one"}, {"level": "FATAL", "message": "error two"}]
    )
    printer = Printer(stop_after=2)
    with pytest.raises(_Enough):
        _run_example(SPEC_ASYNC_STREAMING, {"neurallog": nl, "print": printer})
    assert [line.split("] ", 1)[1] for line in printer.lines] == ["error one", "error two"]


def test_spec_rules_example(nl: NeuralLog) -> None:
    # The example names an action "action-123" that does not exist: the API keeps such a
    # reference (skipped, and recorded as failed, when the rule fires). It tests the rule
    # after deleting it.
    code = SPEC_RULES
    with pytest.raises(NotFoundError) as caught:
        _run_example(code, ns := {"neurallog": nl})
    # Everything up to the last step ran: `rules` is set, `result` (from rules.test) is not.
    assert "rules" in ns
    assert "result" not in ns
    assert caught.value.code == "not_found"
    rule = ns["rule"]
    assert rule["name"] == "Error Notification"
    assert rule["actions"][0]["parameters"]["message"] == "Error detected: {{log.message}}"
    assert ns["rules"].total == 0  # the only rule was deleted
    with pytest.raises(NotFoundError):
        nl.rules.get(rule["id"])

    # The example's last step on a rule that still exists:
    live = _run_example(code.split("# Update a rule")[0], {"neurallog": nl})["rule"]
    result = nl.rules.test(
        rule_id=live["id"],
        sample_data={"level": "ERROR", "message": "Test error message", "source": "api-service"},
    )
    assert result["matched"] is True
    assert result["actions"][0]["parameters"]["message"] == "Error detected: Test error message"
    assert result["actions"][0]["action_name"] is None
    assert result["actions"][0]["would_execute"] is False


def test_spec_actions_example(nl: NeuralLog, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/slack", method="POST").respond_with_data("ok")
    code = SPEC_ACTIONS.replace(
        "https://hooks.slack.com/services/...", httpserver.url_for("/slack")
    )
    ns = _run_example(code, {"neurallog": nl})
    result = ns["result"]
    assert result["status"] == "succeeded", result
    assert result["action_id"] == ns["action"]["id"]
    assert result["rule_id"] is None
    [(request, _)] = httpserver.log
    assert orjson.loads(request.data) == {"channel": "#alerts", "text": "Custom alert message"}


def test_spec_async_support_example(neurallog_local: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    seeder = NeuralLog(**_options(neurallog_local))
    try:
        _ingest(seeder, [{"level": "ERROR", "message": "error seeded"}])
    finally:
        seeder.close()
    made: list[AsyncNeuralLog] = []

    class Recording(AsyncNeuralLog):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            made.append(self)

    monkeypatch.setattr(neurallog.async_client, "AsyncNeuralLog", Recording)
    code = SPEC_ASYNC_SUPPORT.replace('"your-api-key"', repr(neurallog_local.api_key)).replace(
        '"https://api.your-tenant.neurallog.com/v1"', repr(neurallog_local.endpoint)
    )
    printer = Printer(stop_after=1)
    with pytest.raises(_Enough):
        _run_example(code, {"print": printer})
    assert printer.lines[0].endswith("[ERROR] error seeded")
    [client] = made
    try:
        assert client.sync_client.flush(timeout=WAIT) is True
        logged = client.sync_client.logs.search(query="logged", filter={"metadata.user_id": "123"})
        assert [e["message"] for e in logged] == ["User logged in"]
    finally:
        client.sync_client.close()


# -- logs --------------------------------------------------------------------------------------


def test_pagination_totals_across_pages(nl: NeuralLog) -> None:
    ids = set(_ingest(nl, _entries(25, tags=["paged"])))
    _ingest(nl, _entries(3, tags=["other"]))
    first = nl.logs.list(filter={"tags": "paged"}, limit=10)
    pages = [first]
    while (page := pages[-1].next_page()) is not None:
        pages.append(page)
    assert [len(p) for p in pages] == [10, 10, 5]
    assert [p.total for p in pages] == [25, 25, 25]
    assert [p.offset for p in pages] == [0, 10, 20]
    assert [p.has_more for p in pages] == [True, True, False]
    walked = [e["id"] for e in first.iter_all()]
    assert len(walked) == 25
    assert set(walked) == ids

    found = nl.logs.search(query="entry", filter={"tags": ["paged"]}, limit=7)
    assert found.total == 25
    assert len({e["id"] for e in found.iter_all()}) == 25


def test_get_list_search_filters_sort_fields_and_time_range(nl: NeuralLog) -> None:
    now = datetime.now(UTC)
    ids = _ingest(
        nl,
        [
            {
                "level": "WARN",
                "message": "slow checkout",
                "source": "checkout",
                "metadata": {"user_id": "123", "ms": 900},
                "tags": ["perf"],
                "timestamp": (now - timedelta(minutes=5)).isoformat(),
            },
            {
                "level": "ERROR",
                "message": "checkout failed",
                "source": "checkout",
                "metadata": {"user_id": "456", "ms": 50},
                "timestamp": now - timedelta(minutes=1),
            },
            {
                "level": "INFO",
                "message": "old news",
                "source": "checkout",
                "metadata": {"user_id": "123"},
                "timestamp": now - timedelta(days=3),
            },
        ],
    )
    entry = nl.logs.get(ids[0])
    assert entry["message"] == "slow checkout"
    assert entry["metadata"] == {"user_id": "123", "ms": 900}
    assert entry["tags"] == ["perf"]
    with pytest.raises(NotFoundError):
        nl.logs.get("no-such-entry")

    by_user = nl.logs.list(filter={"metadata.user_id": "123"})
    assert {e["message"] for e in by_user} == {"slow checkout", "old news"}
    recent = nl.logs.list(filter={"source": "checkout"}, time_range="1h")
    assert {e["message"] for e in recent} == {"slow checkout", "checkout failed"}
    window = nl.logs.list(time_range={"start": now - timedelta(minutes=3), "end": now})
    assert [e["message"] for e in window] == ["checkout failed"]
    slow = nl.logs.list(filter={"metadata.ms": {"gt": 100}})
    assert [e["message"] for e in slow] == ["slow checkout"]
    by_level = nl.logs.list(sort=[{"field": "level", "order": "asc"}])
    assert [e["level"] for e in by_level] == ["INFO", "WARN", "ERROR"]
    assert [e["level"] for e in nl.logs.list(sort="level:desc")] == ["ERROR", "WARN", "INFO"]
    slim = nl.logs.search(query="slow OR failed", fields=["level", "message"])
    assert slim.total == 2
    assert all(set(e) == {"id", "level", "message"} for e in slim)
    assert nl.logs.search(query="checkout", filter={"level": ["error"]}).total == 1


def test_delete(nl: NeuralLog) -> None:
    _ingest(nl, _entries(3, source="noisy") + _entries(2, source="keep"))
    with pytest.raises(ValueError, match="needs a filter"):
        nl.logs.delete()
    assert nl.logs.delete({"source": "noisy"}) == {"deleted": 3}
    assert nl.logs.list().total == 2
    assert nl.logs.delete(query="entry", time_range="1h")["deleted"] == 2
    _ingest(nl, _entries(2))
    assert nl.logs.delete(all=True) == {"deleted": 2}
    assert nl.logs.list().total == 0


def test_batch_log_and_logging_reach_the_server(nl: NeuralLog) -> None:
    ids = nl.logs.batch_log(
        [
            {"level": "INFO", "message": "User logged in", "metadata": {"user_id": "123"}},
            {"level": "INFO", "message": "User updated profile", "metadata": {"user_id": "123"}},
        ]
    )
    nl.error("Operation failed", {"error_code": "OP_FAILED"})
    assert nl.flush(timeout=WAIT) is True
    assert [nl.logs.get(i)["message"] for i in ids] == ["User logged in", "User updated profile"]
    failed = nl.logs.search(query="failed")
    assert [(e["level"], e["metadata"]["error_code"]) for e in failed] == [("ERROR", "OP_FAILED")]


def test_stream_follow_false_ends(nl: NeuralLog) -> None:
    _ingest(nl, [{"level": "INFO", "message": f"m{i}"} for i in range(4)])
    with nl.logs.stream(follow=False, history=3) as stream:
        got = [e["message"] for e in stream]
    assert got == ["m1", "m2", "m3"]  # the newest three, oldest first
    assert stream.last_event_id is not None
    # Resuming from a cursor sends only what came after it.
    _ingest(nl, [{"level": "INFO", "message": "m4"}])
    after = nl.logs.stream(follow=False, last_event_id=stream.last_event_id)
    assert [e["message"] for e in after] == ["m4"]


def test_stream_follow_true_delivers_entries_ingested_after_it_opened(nl: NeuralLog) -> None:
    _ingest(nl, [{"level": "ERROR", "message": "error before"}])
    got: list[str] = []
    with nl.logs.stream(query="error", follow=True, history=1) as stream:
        for log in stream:
            got.append(log["message"])
            if len(got) == 1:
                nl.error("error after, logged")  # through the logging pipeline
                nl.flush(timeout=WAIT)
                _ingest(
                    nl,
                    [
                        {"level": "INFO", "message": "not matching"},
                        {"level": "WARN", "message": "error after, ingested"},
                    ],
                )
            if len(got) == 3:
                break
    assert got == ["error before", "error after, logged", "error after, ingested"]


class _OnResume(logging.Handler):
    """Calls ``action`` with the stream's cursor when the stream reports a drop."""

    def __init__(self, action: Callable[[], None]) -> None:
        super().__init__(logging.INFO)
        self.cursors: list[object] = []
        self._action = action

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage().startswith("NeuralLog: log stream interrupted"):
            cursor = record.args[-1] if isinstance(record.args, tuple) else None
            # A drop before the stream holds a cursor (a loaded machine can be slower than
            # heartbeat_timeout to send the opening heartbeat) is not the case under test:
            # act on the first drop that will resume from a cursor.
            if cursor is not None and not self.cursors:
                self._action()
            if cursor is not None:
                self.cursors.append(cursor)


def _tail_across_a_drop(local: Any, *, history: int, want: int) -> list[str]:
    """Tail with ``heartbeat_timeout`` far below the server's 15 s heartbeat, so that the
    quiet stream counts as dropped; an entry is stored while it is down (once the stream
    holds a cursor). The messages received."""
    logger = logging.getLogger(f"neurallog.test.{local.tenant}")
    logger.propagate = False
    logger.setLevel(logging.INFO)
    nl = NeuralLog(**_options(local), logger=logger)
    handler = _OnResume(lambda: _ingest(nl, [{"level": "ERROR", "message": "error in the gap"}]))
    logger.addHandler(handler)
    try:
        _ingest(nl, [{"level": "ERROR", "message": f"error {i}"} for i in range(3)])
        got: list[str] = []
        with nl.logs.stream(query="error", history=history, heartbeat_timeout=0.2) as stream:
            for log in stream:
                got.append(log["message"])
                if len(got) == want:
                    break
    finally:
        logger.removeHandler(handler)
        nl.close()
    return got


def test_a_dropped_stream_resumes_without_replaying_history(neurallog_local: Any) -> None:
    got = _tail_across_a_drop(neurallog_local, history=2, want=3)
    assert got == ["error 1", "error 2", "error in the gap"]


def test_a_stream_dropped_before_any_entry_resumes_from_the_opening_heartbeat(
    neurallog_local: Any,
) -> None:
    # history=0: nothing comes but the heartbeat the stream opens with. Its id is the cursor
    # the stream resumes from, so the entry stored during the gap is not missed.
    got = _tail_across_a_drop(neurallog_local, history=0, want=1)
    assert got == ["error in the gap"]


SPEC_ASYNC_SUPPORT_WITH_BREAK = SPEC_ASYNC_SUPPORT.replace(
    "        print(f\"{log['timestamp']} [{log['level']}] {log['message']}\")\n",
    "        print(f\"{log['timestamp']} [{log['level']}] {log['message']}\")\n        break\n",
)


def test_spec_async_support_example_left_with_break_is_quiet(
    nl: NeuralLog, neurallog_local: Any, tmp_path: Path
) -> None:
    # The example as written (the client is never closed), the endless loop left with
    # `break`, in a child where every warning is an error and asyncio runs in debug mode.
    assert "        break\n" in SPEC_ASYNC_SUPPORT_WITH_BREAK
    _ingest(nl, [{"level": "ERROR", "message": "error seeded"}])
    code = SPEC_ASYNC_SUPPORT_WITH_BREAK.replace(
        '"your-api-key"', repr(neurallog_local.api_key)
    ).replace('"https://api.your-tenant.neurallog.com/v1"', repr(neurallog_local.endpoint))
    child = subprocess.run(
        [sys.executable, "-X", "dev", "-W", "error", "-c", QUIET_PRELUDE + code],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONASYNCIODEBUG": "1", "PYTHONWARNINGS": "error"},
        cwd=tmp_path,
        timeout=WAIT * 2,
        check=False,
    )
    assert child.stderr == ""
    assert child.returncode == 0
    assert child.stdout.strip().endswith("[ERROR] error seeded")


# -- rules and actions -------------------------------------------------------------------------


def test_rules_every_method(nl: NeuralLog) -> None:
    action = nl.actions.create(name="Record", type="log")
    rule = nl.rules.create(
        name="Payment errors",
        description="errors of the payment service",
        condition={
            "type": "composite",
            "parameters": {
                "operator": "and",
                "conditions": [
                    {"type": "log_level", "parameters": {"level": "ERROR"}},
                    {"type": "pattern", "parameters": {"pattern": "card|payment"}},
                ],
            },
        },
        actions=[{"action_id": action["id"], "parameters": {"note": "{{log.message}}"}}],
        cooldown_seconds=60,
    )
    assert rule["enabled"] is True
    assert rule["cooldown_seconds"] == 60
    assert nl.rules.get(rule["id"]) == rule

    renamed = nl.rules.update(rule["id"], name="Card errors")
    assert renamed["name"] == "Card errors"
    assert renamed["description"] == "errors of the payment service"  # untouched
    assert renamed["condition"] == rule["condition"]
    cleared = nl.rules.update(rule_id=rule["id"], description=None, enabled=False)
    assert (cleared["description"], cleared["enabled"]) == (None, False)

    assert nl.rules.list(filter={"enabled": True}).total == 0
    assert nl.rules.enable(rule["id"])["enabled"] is True
    enabled = nl.rules.list(filter={"enabled": True}, limit=10)
    assert [r["id"] for r in enabled] == [rule["id"]]
    assert nl.rules.disable(rule["id"])["enabled"] is False
    assert nl.rules.list(enabled=False).total == 1

    hit = nl.rules.test(rule["id"], {"level": "ERROR", "message": "card declined"})
    assert hit["matched"] is True
    assert hit["actions"] == [
        {
            "action_id": action["id"],
            "action_name": "Record",
            "parameters": {"note": "card declined"},
            "would_execute": True,
        }
    ]
    miss = nl.rules.test(rule_id=rule["id"], sample_data={"level": "INFO", "message": "card"})
    assert miss == {"matched": False, "actions": []}

    nl.rules.delete(rule["id"])
    with pytest.raises(NotFoundError):
        nl.rules.get(rule["id"])
    with pytest.raises(NotFoundError):
        nl.rules.delete(rule["id"])


@pytest.mark.parametrize(
    ("condition", "actions", "field"),
    [
        ({"type": "sometimes", "parameters": {}}, None, "condition"),
        ({"type": "pattern", "parameters": {"pattern": "(unclosed"}}, None, "pattern"),
        ({"type": "log_level", "parameters": {"level": "ERROR"}}, [{"parameters": {}}], "action"),
    ],
    ids=["unknown-condition-type", "bad-regex", "missing-action-id"],
)
def test_wrong_rules_fail_with_the_servers_details(
    nl: NeuralLog, condition: dict[str, Any], actions: Any, field: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        nl.rules.create(name="wrong", condition=condition, actions=actions)
    error = caught.value
    assert error.status in (400, 422)
    assert error.errors, error
    assert any(field in issue["field"] for issue in error.errors), error.errors


def test_actions_every_method(nl: NeuralLog, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/hook", method="PUT").respond_with_data("ok")
    webhook = nl.actions.create(
        name="Hook",
        type="webhook",
        parameters={
            "url": httpserver.url_for("/hook"),
            "method": "PUT",
            "body_template": "{{parameters.text}} from {{context.source}}",
        },
        description="a webhook",
    )
    log_action = nl.actions.create("Just record", "log")
    assert nl.actions.get(webhook["id"]) == webhook
    assert [a["id"] for a in nl.actions.list()] == [webhook["id"], log_action["id"]]
    assert [a["id"] for a in nl.actions.list(filter={"type": "log"})] == [log_action["id"]]
    assert nl.actions.list(type="webhook", limit=1).total == 1

    updated = nl.actions.update(log_action["id"], name="Recorder", description=None)
    assert (updated["name"], updated["description"], updated["type"]) == ("Recorder", None, "log")

    run = nl.actions.execute(
        action_id=webhook["id"], parameters={"text": "hello"}, context={"source": "a test"}
    )
    assert run["status"] == "succeeded", run
    assert httpserver.log[0][0].data == b"hello from a test"
    assert nl.actions.execute(log_action["id"])["status"] == "succeeded"

    httpserver.clear()
    httpserver.expect_request("/hook").respond_with_data("nope", status=500)
    failed = nl.actions.execute(webhook["id"], {"text": "again"})
    assert failed["status"] == "failed"
    assert failed["error"]

    history = nl.actions.executions(webhook["id"])
    assert [e["status"] for e in history] == ["failed", "succeeded"]  # newest first
    assert all(e["rule_id"] is None for e in history)
    assert nl.actions.executions(webhook["id"], status="failed").total == 1

    with pytest.raises(ValidationError) as caught:
        nl.actions.create(name="bad", type="email")
    assert caught.value.errors
    with pytest.raises(ValidationError):
        nl.actions.create(name="bad", type="webhook", parameters={})

    nl.actions.delete(webhook["id"])
    with pytest.raises(NotFoundError):
        nl.actions.get(webhook["id"])


def test_a_rule_fires_its_webhook_when_a_matching_entry_is_logged(
    nl: NeuralLog, httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/incident", method="POST").respond_with_json({"ok": True})
    action = nl.actions.create(
        name="Incident webhook",
        type="webhook",
        parameters={"url": httpserver.url_for("/incident")},
    )
    rule = nl.rules.create(
        name="Checkout errors",
        condition={"type": "log_level", "parameters": {"level": "ERROR", "sources": ["checkout"]}},
        actions=[{"action_id": action["id"], "parameters": {"severity": "high"}}],
    )
    nl.info("all good", source="checkout")
    nl.error("error elsewhere", source="search")
    nl.error("Payment failed", {"order_id": "o-1"}, source="checkout")
    assert nl.flush(timeout=WAIT) is True

    _wait_for(lambda: len(httpserver.log) >= 1, "the webhook call")
    [(request, _)] = httpserver.log
    body = orjson.loads(request.data)
    assert body["log"]["message"] == "Payment failed"
    assert body["log"]["metadata"]["order_id"] == "o-1"
    assert body["rule"]["id"] == rule["id"]
    assert body["parameters"]["severity"] == "high"

    _wait_for(lambda: nl.actions.executions(action["id"]).total == 1, "the recorded execution")
    [execution] = nl.actions.executions(action["id"], rule_id=rule["id"])
    assert execution["status"] == "succeeded"
    assert nl.rules.get(rule["id"])["last_triggered_at"] is not None


# -- async -------------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_async_logs_every_method(anl: AsyncNeuralLog) -> None:
    ids = await anl.logs.batch_log(_entries(3, source="batch"))
    await anl.warn("error-ish warning", {"user_id": "7"})
    assert await anl.flush(timeout=WAIT) is True
    result = await anl.logs.ingest(_entries(21, tags=["bulk"]))
    assert result["accepted"] == 21

    assert (await anl.logs.get(ids[0]))["source"] == "batch"
    page = await anl.logs.list(filter={"tags": "bulk"}, limit=10)
    assert (page.total, len(page), page.has_more) == (21, 10, True)
    assert len({e["id"] async for e in page.iter_all()}) == 21
    found = await anl.logs.search(query="warning", filter={"metadata.user_id": "7"})
    assert [e["level"] for e in found] == ["WARN"]
    assert (await anl.logs.delete({"source": "batch"}))["deleted"] == 3

    history = [e["message"] async for e in anl.logs.stream(follow=False, history=2)]
    assert len(history) == 2

    await anl.logs.ingest([{"level": "INFO", "message": "fresh zero"}])
    got: list[str] = []
    async with anl.logs.stream(query="fresh", follow=True, history=1) as stream:
        async for log in stream:
            got.append(log["message"])
            if len(got) == 1:  # connected: what is stored from now on must arrive
                await anl.logs.ingest([{"level": "INFO", "message": "fresh one"}])
            if len(got) == 2:
                await anl.info("fresh two")
                await anl.flush(timeout=WAIT)
            if len(got) == 3:
                break
    assert got == ["fresh zero", "fresh one", "fresh two"]


@pytest.mark.anyio
async def test_async_rules_and_actions_every_method(
    anl: AsyncNeuralLog, httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/hook").respond_with_data("ok")
    action = await anl.actions.create(
        "Hook", "webhook", {"url": httpserver.url_for("/hook")}, description="d"
    )
    assert (await anl.actions.get(action["id"]))["name"] == "Hook"
    assert (await anl.actions.list(type="webhook")).total == 1
    assert (await anl.actions.update(action["id"], name="Hook 2"))["name"] == "Hook 2"
    assert (await anl.actions.execute(action["id"], context={"x": 1}))["status"] == "succeeded"
    assert [e["status"] async for e in await anl.actions.executions(action["id"])] == ["succeeded"]

    rule = await anl.rules.create(
        name="r",
        condition={"type": "match", "parameters": {"field": "metadata.code", "value": "E1"}},
        actions=[{"action_id": action["id"]}],
        enabled=False,
    )
    assert (await anl.rules.get(rule["id"]))["enabled"] is False
    assert (await anl.rules.enable(rule["id"]))["enabled"] is True
    assert (await anl.rules.list(filter={"enabled": True})).total == 1
    assert (await anl.rules.update(rule["id"], cooldown_seconds=5))["cooldown_seconds"] == 5
    result = await anl.rules.test(rule["id"], {"message": "m", "metadata": {"code": "E1"}})
    assert result["matched"] is True
    assert (await anl.rules.disable(rule["id"]))["enabled"] is False
    with pytest.raises(ValidationError) as caught:
        await anl.rules.update(rule["id"], condition={"type": "nope", "parameters": {}})
    assert caught.value.errors
    await anl.rules.delete(rule["id"])
    await anl.actions.delete(action["id"])
    with pytest.raises(NotFoundError):
        await anl.rules.get(rule["id"])
    with pytest.raises(NotFoundError):
        await anl.actions.get(action["id"])


def _open_connections(client: AsyncNeuralLog) -> int:
    transport = client._core.async_http._transport
    pool = transport._inner._pool  # type: ignore[attr-defined]
    return sum(1 for c in pool.connections if not c.is_closed())


@pytest.mark.anyio
async def test_cancelling_an_async_stream_leaves_no_open_connection(
    anl: AsyncNeuralLog,
) -> None:
    await anl.logs.ingest([{"level": "ERROR", "message": "error to tail"}])
    received = anyio.Event()

    async def tail() -> None:
        async for _ in anl.logs.stream(query="error", follow=True):
            received.set()

    async with anyio.create_task_group() as tasks:
        tasks.start_soon(tail)
        with anyio.fail_after(WAIT):
            await received.wait()
        assert _open_connections(anl) == 1
        tasks.cancel_scope.cancel()
    assert _open_connections(anl) == 0
    # The client still works afterwards.
    assert (await anl.logs.search(query="error")).total == 1


# -- the generated functions, with the facade's client -------------------------------------------


def test_generated_functions_use_the_facades_client(nl: NeuralLog, neurallog_local: Any) -> None:
    [log_id] = _ingest(nl, [{"level": "INFO", "message": "direct"}])
    action = nl.actions.create("A", "log")
    rule = nl.rules.create("R", {"type": "log_level", "parameters": {"level": "FATAL"}})

    entry = get_log.sync(log_id=log_id, client=nl.api)
    assert isinstance(entry, LogEntryResponse)
    assert entry.data.message == "direct"
    got_rule = get_rule.sync(rule_id=rule["id"], client=nl.api)
    assert isinstance(got_rule, RuleResponse)
    assert got_rule.data.name == "R"
    got_action = get_action.sync(action_id=action["id"], client=nl.api)
    assert isinstance(got_action, ActionResponse)
    with pytest.raises(NotFoundError):
        get_rule.sync(rule_id="missing", client=nl.api)

    # The credential is read per request: set_token switches every path at once.
    nl.set_token(neurallog_local.mint_jwt())
    assert get_log.sync(log_id=log_id, client=nl.api) is not None
    nl.set_api_key("wrong-key")
    with pytest.raises(AuthenticationError):
        get_action.sync(action_id=action["id"], client=nl.api)
    with pytest.raises(AuthenticationError):
        nl.rules.get(rule["id"])


@pytest.mark.anyio
async def test_generated_asyncio_functions_use_the_facades_client(anl: AsyncNeuralLog) -> None:
    [log_id] = (await anl.logs.ingest([{"level": "INFO", "message": "direct"}]))["ids"]
    assert log_id is not None
    action = await anl.actions.create("A", "log")
    rule = await anl.rules.create("R", {"type": "log_level", "parameters": {"level": "FATAL"}})
    entry = await get_log.asyncio(log_id=log_id, client=anl.api)
    assert isinstance(entry, LogEntryResponse)
    got_rule = await get_rule.asyncio(rule_id=rule["id"], client=anl.api)
    assert isinstance(got_rule, RuleResponse)
    got_action = await get_action.asyncio(action_id=action["id"], client=anl.api)
    assert isinstance(got_action, ActionResponse)
    with pytest.raises(NotFoundError):
        await get_action.asyncio(action_id="missing", client=anl.api)


def test_tenants_are_isolated(nl: NeuralLog, neurallog_local: Any) -> None:
    _ingest(nl, [{"level": "INFO", "message": "mine"}])
    other = neurallog_local.new_tenant()
    with NeuralLog(api_key=other.api_key, endpoint=other.endpoint) as theirs:
        assert theirs.logs.list().total == 0
        assert list(theirs.logs.stream(follow=False)) == []


def test_many_loops_for_astream(nl: NeuralLog) -> None:
    _ingest(nl, [{"level": "INFO", "message": "once"}])

    async def tail() -> list[str]:
        return [e["message"] async for e in nl.logs.astream(follow=False)]

    assert asyncio.run(tail()) == ["once"]
    assert asyncio.run(tail()) == ["once"]
