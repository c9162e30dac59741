"""Create a rule, log a record that matches it, and receive the webhook it fires.

    export NEURALLOG_ENDPOINT=... NEURALLOG_API_KEY=...   # printed by `neurallog local`
    python examples/webhook_rule.py

The webhook receiver is a small HTTP server on 127.0.0.1 started by this script, standing in
for your incident tool; the server that runs the rule must be able to reach it (NeuralLog
Local on the same machine can).
"""

from __future__ import annotations

import json
import queue
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from neurallog import NeuralLog

received: queue.Queue[dict[str, Any]] = queue.Queue()


class Webhook(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        received.put(json.loads(body or b"{}"))
        self.send_response(204)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep the output to what the script says


def main() -> int:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Webhook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with NeuralLog() as neurallog:
            action = neurallog.actions.create(
                name="Incident webhook",
                type="webhook",
                parameters={
                    "url": f"http://127.0.0.1:{server.server_port}/incident",
                    "body_template": '{"alert": "{{rule.name}}", "message": "{{log.message}}"}',
                },
            )
            rule = neurallog.rules.create(
                name="Payment failures",
                condition={
                    "type": "composite",
                    "parameters": {
                        "operator": "and",
                        "conditions": [
                            {"type": "log_level", "parameters": {"level": "ERROR"}},
                            {
                                "type": "pattern",
                                "parameters": {"pattern": "payment (failed|declined)"},
                            },
                        ],
                    },
                },
                actions=[{"action_id": action["id"]}],
            )
            print(f"Created the rule {rule['name']!r}: ERROR records about failed payments.")

            neurallog.info("Card payment accepted for order 1041")  # does not match
            neurallog.error("Card payment declined for order 1042")  # matches
            neurallog.flush()
            try:
                alert = received.get(timeout=15)
            except queue.Empty:
                print("The webhook received nothing within 15 s.", file=sys.stderr)
                return 1
            print(f"The rule fired. The webhook received: {alert}")

            neurallog.rules.delete(rule["id"])
            neurallog.actions.delete(action["id"])
    finally:
        server.shutdown()
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
