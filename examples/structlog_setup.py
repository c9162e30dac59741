"""structlog configured to send every event to NeuralLog and print it on the console.

export NEURALLOG_ENDPOINT=... NEURALLOG_API_KEY=...   # printed by `neurallog local`
python examples/structlog_setup.py
"""

from __future__ import annotations

import structlog

from neurallog.integrations.structlog import NeuralLogProcessor

# Reads NEURALLOG_ENDPOINT and NEURALLOG_API_KEY.
neurallog = NeuralLogProcessor(source="billing")

structlog.configure(
    processors=[
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso"),
        # Sends the event and passes it on unchanged, so a renderer can follow.
        neurallog,
        structlog.dev.ConsoleRenderer(colors=False),
    ],
)


def main() -> None:
    log = structlog.get_logger()
    structlog.contextvars.bind_contextvars(invoice_run="2026-12")
    log.info("Invoices sent", count=3)
    log.warning("Invoice bounced", invoice_id="INV-7", reason="mailbox full")
    neurallog.client.flush()
    print("sent", neurallog.client.stats.sent, "events to NeuralLog")


if __name__ == "__main__":
    main()
