"""A tour of the SDK: logging, search, live tail, rules and actions, against a live server.

`make demo` starts NeuralLog Local and runs this with NEURALLOG_ENDPOINT and
NEURALLOG_API_KEY set. Against your own tenant:

    NEURALLOG_ENDPOINT=https://api.<tenant>.neurallog.com/v1 NEURALLOG_API_KEY=... \
        python examples/quickstart.py

It starts a small HTTP receiver on 127.0.0.1 that stands in for Slack and for a webhook,
so that actions and rules can be watched firing without leaving the machine.
"""

from __future__ import annotations

import asyncio
import json
import os
import queue
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from neurallog import NeuralLog
from neurallog.async_client import AsyncNeuralLog
from neurallog.exceptions import ApiError, NetworkError, NeuralLogError, NotFoundError

ENDPOINT = os.environ["NEURALLOG_ENDPOINT"]
API_KEY = os.environ["NEURALLOG_API_KEY"]
RUN = uuid.uuid4().hex[:8]  # keeps this run's entries apart from earlier ones
WAIT_SECONDS = 15


def section(title: str) -> None:
    print(f"\n=== {title} {'=' * max(0, 70 - len(title))}")


def show(log: dict[str, Any]) -> None:
    print(f"  {log['timestamp']} [{log['level']}] {log['message']}")


class Receiver:
    """A loopback HTTP server that records every request it gets."""

    def __init__(self) -> None:
        self.requests: queue.Queue[tuple[str, dict[str, Any]]] = queue.Queue()
        received = self.requests

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                try:
                    document = json.loads(body or b"{}")
                except ValueError:
                    document = {"raw": body.decode(errors="replace")}
                received.put((self.path, document))
                self.send_response(200)
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass  # keep the tour's output readable

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def next(self, path: str) -> dict[str, Any]:
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            try:
                got_path, document = self.requests.get(timeout=0.2)
            except queue.Empty:
                continue
            if got_path == path:
                return document
        raise SystemExit(f"nothing reached {self.url}{path} within {WAIT_SECONDS} s")

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def basic_usage() -> NeuralLog:
    section("Log, then search")
    neurallog = NeuralLog(
        api_key=API_KEY,
        # or
        # token="your-jwt-token",
        endpoint=ENDPOINT,
    )
    neurallog.log(
        level="INFO",
        message="User logged in",
        metadata={"user_id": "123", "ip_address": "192.168.1.1", "run": RUN},
    )
    # Two errors from earlier this week: a record may carry its own time.
    now = datetime.now(UTC)
    for days_ago in (2, 5):
        neurallog.log(
            level="ERROR",
            message=f"Payment error {days_ago} days ago",
            source="api-service",
            metadata={"run": RUN},
            timestamp=now - timedelta(days=days_ago),
        )
    # Logging only queues; flush() waits until the records are delivered.
    delivered = neurallog.flush()
    print(f"Logged 3 records; all delivered: {delivered}.")
    week_ago = now - timedelta(days=7)
    logs = neurallog.logs.search(
        query="error",
        filter={"metadata.run": RUN},
        time_range={"start": week_ago, "end": now},
        limit=10,
    )
    print(f"Searching the last 7 days for 'error' found {logs.total} records:")
    for log in logs:
        show(log)
    return neurallog


def logging_api(neurallog: NeuralLog) -> None:
    section("More ways to log")
    neurallog.log(
        level="ERROR",
        message="Database connection failed",
        source="database-service",
        metadata={"error_code": "DB_CONN_FAILED", "host": "db-1.example.com", "run": RUN},
        tags=["database", "connection"],
    )
    neurallog.info("User logged in", {"user_id": "123"})
    neurallog.error("Operation failed", {"error_code": "OP_FAILED"})

    ids = neurallog.logs.batch_log(
        [
            {"level": "INFO", "message": "User logged in", "metadata": {"user_id": "123"}},
            {"level": "INFO", "message": "User updated profile", "metadata": {"user_id": "123"}},
        ]
    )
    print(f"batch_log queued {len(ids)} records; each already has its id, e.g. {ids[0]}")

    with neurallog.batch() as batch:
        batch.info("User logged in", {"user_id": "123"})
        batch.info("User updated profile", {"user_id": "123"})
        batch.info("User logged out", {"user_id": "123"})
    print("The batch() block handed over its 3 records together when it ended.")

    neurallog.configure_context(
        {"app_name": "my-python-app", "app_version": "1.0.0", "environment": "production"}
    )
    neurallog.info("User logged in", {"user_id": "123", "run": RUN})
    neurallog.flush()
    latest = neurallog.logs.search(
        query="logged", filter={"metadata.run": RUN}, sort="timestamp:desc", limit=1
    )
    print("Fields set with configure_context travel with every record:", latest[0]["metadata"])
    neurallog.configure_context({})


def log_batching() -> None:
    section("Many records")
    neurallog = NeuralLog(
        api_key=API_KEY,
        endpoint=ENDPOINT,
        batch_size=20,  # Send logs in batches of 20
        batch_interval=10,  # Or every 10 seconds, whichever comes first
    )
    for i in range(100):
        neurallog.info(f"Iteration {i}", {"run": RUN})
    neurallog.flush()
    stats = neurallog.stats
    print(
        f"Logged 100 records: {stats.sent} delivered in {stats.requests} request(s), "
        f"{stats.dropped_total} lost."
    )
    neurallog.close()


def search(neurallog: NeuralLog) -> None:
    section("Search")
    logs = neurallog.logs.search(
        query="error",
        filter={
            "level": ["ERROR", "FATAL"],
            "source": ["api-service", "auth-service"],
            "metadata.run": RUN,
        },
        time_range="7d",
        sort=[{"field": "timestamp", "order": "desc"}],
        limit=10,
    )
    print("Errors of api-service or auth-service in the last 7 days, newest first:")
    for log in logs:
        show(log)

    first = neurallog.logs.search(query="iteration", filter={"metadata.run": RUN}, limit=10)
    next_page = neurallog.logs.search(
        query="iteration", filter={"metadata.run": RUN}, limit=10, offset=10
    )
    print(
        f"'iteration' matches {first.total} records; the first page shows {len(first)}, "
        f"the second starts with {next_page[0]['message']!r}; more pages after it: "
        f"{'yes' if next_page.has_more else 'no'}."
    )


def _log_later(neurallog: NeuralLog, messages: list[str]) -> threading.Thread:
    def run() -> None:
        time.sleep(0.5)
        for message in messages:
            neurallog.error(message, {"run": RUN})
        neurallog.flush()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def streaming(neurallog: NeuralLog) -> None:
    section("Live tail")
    expected = [f"error {n} while streaming ({RUN})" for n in range(3)]
    writer = _log_later(neurallog, expected)
    seen = []
    for log in neurallog.logs.stream(
        query="error", filter={"level": ["ERROR", "FATAL"]}, follow=True
    ):
        print(f"{log['timestamp']} [{log['level']}] {log['message']}")
        if log["message"] in expected:
            seen.append(log["message"])
        if len(seen) == len(expected):
            break
    writer.join()
    print("The live tail showed the 3 errors logged after it opened.")


def async_streaming(neurallog: NeuralLog) -> None:
    section("Live tail from async code")
    expected = f"async stream error ({RUN})"

    async def stream_logs() -> None:
        print("The same live tail, from an async function (the latest errors, then new ones):")
        writer = _log_later(neurallog, [expected])
        async for log in neurallog.logs.astream(
            query="error", filter={"level": ["ERROR", "FATAL"]}, follow=True
        ):
            print(f"{log['timestamp']} [{log['level']}] {log['message']}")
            if log["message"] == expected:
                break
        writer.join()

    asyncio.run(stream_logs())


def actions_and_rules(neurallog: NeuralLog, receiver: Receiver) -> None:
    section("Actions")
    action = neurallog.actions.create(
        name="Slack Notification",
        description="Send notification to Slack",
        type="slack",
        parameters={
            # A stand-in for https://hooks.slack.com/services/...
            "webhook": f"{receiver.url}/slack",
            "channel": "#alerts",
        },
    )
    result = neurallog.actions.execute(
        action_id=action["id"],
        parameters={"message": "Custom alert message"},
        context={"source": "manual-trigger"},
    )
    print(f"Ran the action {action['name']!r} by hand: {result['status']}.")
    print("  Slack received:", receiver.next("/slack"))

    section("Rules")
    rule = neurallog.rules.create(
        name="Error Notification",
        description="Send notification when errors occur",
        condition={"type": "log_level", "parameters": {"level": "ERROR"}},
        actions=[
            {
                "action_id": action["id"],
                "parameters": {"channel": "slack", "message": "Error detected: {{log.message}}"},
            }
        ],
        enabled=True,
    )
    print(f"Created the rule {rule['name']!r}.")
    neurallog.rules.update(rule_id=rule["id"], enabled=False)
    rules = neurallog.rules.list(filter={"enabled": True}, limit=10)
    print(f"Disabled it; enabled rules now: {[r['name'] for r in rules] or 'none'}.")
    result = neurallog.rules.test(
        rule_id=rule["id"],
        sample_data={"level": "ERROR", "message": "Test error message", "source": "api-service"},
    )
    print(
        f"A dry run with a sample error matched: {result['matched']}; it would send "
        f"{result['actions'][0]['parameters']}"
    )
    neurallog.rules.delete(rule["id"])
    print("Deleted the rule.")

    section("A rule firing a webhook")
    webhook = neurallog.actions.create(
        name="Incident webhook",
        type="webhook",
        parameters={
            "url": f"{receiver.url}/incident",
            "body_template": '{"alert": "{{rule.name}}", "message": "{{log.message}}"}',
        },
    )
    rule = neurallog.rules.create(
        name="Payment failures",
        condition={
            "type": "pattern",
            "parameters": {"pattern": "payment (failed|declined)", "field": "message"},
        },
        actions=[{"action_id": webhook["id"]}],
    )
    neurallog.error("Card payment declined for order 1042", {"order_id": "1042"})
    neurallog.flush()
    print("Logged a matching error. The rule fired; the webhook received:")
    print("  ", receiver.next("/incident"))
    # The server records an execution once the delivery has finished.
    deadline = time.monotonic() + WAIT_SECONDS
    while not (history := neurallog.actions.executions(webhook["id"])):
        if time.monotonic() > deadline:
            raise SystemExit("the rule's execution was never recorded")
        time.sleep(0.1)
    print(f"The action's history records the run: {[e['status'] for e in history]}")
    neurallog.rules.delete(rule["id"])


def error_handling(neurallog: NeuralLog) -> None:
    section("Errors")
    try:
        neurallog.info("User logged in", {"user_id": "123"})
    except ApiError as e:
        print(f"API Error: {e.message}, Code: {e.code}, Status: {e.status}")
    except NetworkError as e:
        print(f"Network Error: {e.message}")
    except NeuralLogError as e:
        print(f"SDK Error: {e.message}")
    print("Logging never raises for delivery problems; API calls raise clear errors:")
    try:
        neurallog.rules.get("no-such-rule")
    except NotFoundError as e:
        print(f"  asking for a rule that does not exist: {e.message} (status {e.status})")


def async_support() -> None:
    section("The async client")

    async def main() -> None:
        async with AsyncNeuralLog(api_key=API_KEY, endpoint=ENDPOINT) as neurallog:
            await neurallog.info("User logged in", {"user_id": "123"})
            await neurallog.error(f"async client error ({RUN})", {"run": RUN})
            await neurallog.flush()
            logs = await neurallog.logs.search(query="error", limit=10)
            print(f"The async client's search found {logs.total} records matching 'error'.")
            async for log in neurallog.logs.stream(query="error", follow=True):
                print(f"{log['timestamp']} [{log['level']}] {log['message']}")
                if RUN in log["message"]:
                    break

    asyncio.run(main())


def main() -> None:
    receiver = Receiver()
    try:
        with basic_usage() as neurallog:
            logging_api(neurallog)
            log_batching()
            search(neurallog)
            streaming(neurallog)
            async_streaming(neurallog)
            actions_and_rules(neurallog, receiver)
            error_handling(neurallog)
        async_support()
    finally:
        receiver.close()
    section("Done")
    print(f"Every part of the tour ran against {ENDPOINT}.")


if __name__ == "__main__":
    main()
