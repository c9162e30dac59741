"""Figures of docs/reliability.md: every misbehaviour against every call and the pipeline.

    .venv/bin/python -m tests.hostile.report

Prints a Markdown table. Durations are wall-clock on the machine it runs on (noisy on a
loaded machine); the clients' timeout is ``scenarios.TIMEOUT`` seconds, one attempt per
API call, two per batch.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter

from neurallog.exceptions import NeuralLogError

from .delivery import RECORDS, deliver
from .scenarios import ASYNC_CALLS, REQUESTS_CALLS, SYNC_CALLS, TIMEOUT, async_client, scenarios
from .scenarios import sync_client as make_sync
from .server import HostileServer


def _outcome(error: BaseException | None) -> str:
    if error is None:
        return "returned"
    if isinstance(error, NeuralLogError):
        return type(error).__name__
    return f"RAW {type(error).__module__}.{type(error).__name__}"


def main() -> None:
    server, other = HostileServer(), HostileServer()
    httpx_client = make_sync(server.endpoint)
    requests_client = make_sync(server.endpoint, transport="requests")
    rows = []
    totals: Counter[str] = Counter()
    try:
        # Warm up (first imports, first connection) outside the figures.
        for client in (httpx_client, requests_client):
            with contextlib.suppress(NeuralLogError):
                client.logs.get("warm-up")
        for scenario in scenarios(other.origin):
            server.behaviour = scenario.behaviour
            outcomes: Counter[str] = Counter()
            slowest = 0.0
            plan = [(httpx_client, name) for name in SYNC_CALLS]
            plan += [(requests_client, name) for name in REQUESTS_CALLS]
            for client, name in plan:
                started = time.monotonic()
                try:
                    SYNC_CALLS[name](client)
                    error = None
                except Exception as caught:
                    error = caught
                slowest = max(slowest, time.monotonic() - started)
                outcomes[_outcome(error)] += 1

            async def run_async() -> list[BaseException | None]:
                client = async_client(server.endpoint)
                found: list[BaseException | None] = []
                try:
                    for call in ASYNC_CALLS.values():
                        try:
                            await call(client)
                            found.append(None)
                        except Exception as caught:
                            found.append(caught)
                finally:
                    await client.close(timeout=0)
                return found

            for error in asyncio.run(run_async()):
                outcomes[_outcome(error)] += 1
            delivered = deliver(server.endpoint)
            stats = delivered.stats
            dropped = {k: v for k, v in stats.dropped.items() if v}
            calls = sum(outcomes.values())
            raw = sum(n for k, n in outcomes.items() if k.startswith("RAW"))
            totals.update(
                scenarios=1,
                calls=calls,
                raw=raw,
                records=RECORDS,
                sent=stats.sent,
                lost=stats.dropped_total,
                unbalanced=0 if delivered.balanced else 1,
                logging_raised=0 if delivered.raised is None else 1,
                redirected=len(other.seen),
            )
            rows.append(
                f"| {scenario.name} | "
                + ", ".join(f"{n} {k}" for k, n in outcomes.most_common())
                + f" | {slowest:.2f} | {stats.sent} | "
                + (", ".join(f"{n} {k}" for k, n in dropped.items()) or "0")
                + f" | {'yes' if delivered.balanced else 'NO'} |"
            )
    finally:
        httpx_client.close(timeout=0)
        requests_client.close(timeout=0)
        server.close()
        other.close()
    print(f"timeout={TIMEOUT}s, retries=0 for API calls, retries=1 for delivery\n")
    columns = ("misbehaviour", "API call outcomes", "slowest call (s)", "counted sent")
    print("| " + " | ".join(columns) + " | dropped | balanced |")
    print("|---|---|---|---|---|---|")
    print("\n".join(rows))
    print()
    print(
        f"{totals['scenarios']} misbehaviours, {totals['calls']} API calls, "
        f"{totals['raw']} raw (non-SDK) exceptions, {totals['redirected']} requests to the "
        f"redirect target; delivery: {totals['records']} records, {totals['sent']} counted "
        f"sent, {totals['lost']} counted lost, {totals['unbalanced']} unbalanced, "
        f"{totals['logging_raised']} times logging raised"
    )


if __name__ == "__main__":
    main()
