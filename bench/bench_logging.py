"""Benchmark of the logging paths, side by side with the stdlib and the peers.

Prints, from one run on one machine:

1. one table of every path (``bench/paths.py``): the caller's cost of one call (median of
   individually timed calls, the timer's own cost removed), that cost as a multiple of the
   stdlib ``FileHandler``'s, the process's CPU time per delivered record (every thread of
   the process: the caller and the delivery thread), and records delivered per second
   from one thread (first call to last acknowledgement);
2. peak extra memory while the sink is down and 1,000,000 records are logged, with the
   drops counted.

Each path runs in a fresh process (their libraries configure process-wide state), against
one loopback sink in its own process (``bench/sink.py``), in ``BENCH_ROUNDS`` interleaved
rounds (the order rotates each round); the figures are the medians of the rounds. Sizes:
``BENCH_RECORDS`` records per path and round (100,000), ``BENCH_ROUNDS`` (3),
``BENCH_MEMORY_RECORDS`` (1,000,000; 0 skips it), ``BENCH_PATHS`` (comma-separated names,
all by default). Run with ``make bench`` or ``python bench/bench_logging.py``.
"""

from __future__ import annotations

import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any

from paths import FLOORS, PATHS
from sink import Sink, free_port, wait_for

RECORDS = int(os.environ.get("BENCH_RECORDS", "100000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
MEMORY_RECORDS = int(os.environ.get("BENCH_MEMORY_RECORDS", "1000000"))
WARM_UP = 2_000


# -- one path in its own process ---------------------------------------------------------------


def median_ns(call: Any, calls: int) -> float:
    """Median duration of one ``call()`` over ``calls`` individually timed calls (the spool
    benchmark measures its call costs with it)."""
    clock = time.perf_counter_ns
    samples = [0] * calls
    for _ in range(min(calls // 10, 10_000)):  # warm-up
        call()
    gc.collect()
    for i in range(calls):
        start = clock()
        call()
        samples[i] = clock() - start
    return float(statistics.median(samples))


def run_path(name: str, records: int, sink_url: str) -> dict[str, Any]:
    """Measure one path (in this process): what the child prints as JSON."""
    import sink as sink_module

    setup = {path_name: make for path_name, _, make in PATHS}[name]
    folder = tempfile.mkdtemp()
    path = setup(sink_url, folder)
    call, clock = path.call, time.perf_counter_ns
    before = sink_module.counts(sink_url)[path.kind] if path.kind else 0
    for _ in range(WARM_UP):
        call()
    path.finish()
    if path.kind:
        before = wait_for(sink_url, path.kind, before + WARM_UP, timeout=30)
    empty = [0] * 10_000
    for i in range(len(empty)):
        start = clock()
        empty[i] = clock() - start
    timer = statistics.median(empty)
    samples = [0] * records
    gc.collect()
    cpu_start, wall_start = time.process_time(), time.monotonic()
    for i in range(records):
        start = clock()
        call()
        samples[i] = clock() - start
    path.finish()
    delivered = records
    if path.kind:
        delivered = wait_for(sink_url, path.kind, before + records, timeout=300) - before
    wall, cpu = time.monotonic() - wall_start, time.process_time() - cpu_start
    return {
        "caller_ns": statistics.median(samples) - timer,
        "cpu_s": cpu,
        "wall_s": wall,
        "delivered": delivered,
        "records": records,
        "remote": path.kind is not None,
    }


def _child(name: str, sink_url: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, "--path", name, str(RECORDS), sink_url],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    if out.returncode != 0:
        raise RuntimeError(f"path {name} failed: {out.stderr.strip()[-2000:]}")
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def bench_table(sink_url: str, names: list[str]) -> dict[str, list[dict[str, Any]]]:
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in names}
    for round_ in range(ROUNDS):
        shift = round_ % len(names)
        for name in names[shift:] + names[:shift]:
            runs[name].append(_child(name, sink_url))
    return runs


def print_table(runs: dict[str, list[dict[str, Any]]]) -> None:
    def med(name: str, key: str) -> float:
        return float(statistics.median(run[key] for run in runs[name]))

    file_ns = med("file", "caller_ns") if "file" in runs else float("nan")
    print(
        f"\n{RECORDS:,} records per path from one thread; medians of {ROUNDS} interleaved "
        "rounds, each path in a fresh process"
    )
    print(
        "\n| path | caller µs | over its floor µs | x stdlib FileHandler "
        "| CPU µs per delivered record | delivered/s |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for name, label, _ in PATHS:
        if name not in runs:
            continue
        caller = med(name, "caller_ns")
        cpu = statistics.median(run["cpu_s"] / max(run["delivered"], 1) for run in runs[name])
        rate = statistics.median(run["delivered"] / run["wall_s"] for run in runs[name])
        lost = statistics.median(1 - run["delivered"] / run["records"] for run in runs[name])
        if runs[name][0]["remote"]:
            delivered = f"{rate:,.0f}" + (f" ({lost:.0%} lost)" if lost >= 0.005 else "")
        else:
            delivered = "(local)"
        floor = FLOORS.get(name)
        over = f"+{(caller - med(floor, 'caller_ns')) / 1000:.2f}" if floor in runs else ""
        print(
            f"| {label} | {caller / 1000:.2f} | {over} | {caller / file_ns:.2f} "
            f"| {cpu * 1e6:.1f} | {delivered} |"
        )


_MEMORY_CHILD = """
import gc, json, os, sys, time
from neurallog import NeuralLog

def rss_kib(field):
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field):
                return int(line.split()[1])
    return 0

count = int(sys.argv[1])
client = NeuralLog(api_key="bench", endpoint=sys.argv[2])
client.info("warm up", {"user_id": "123"})
gc.collect()
baseline = rss_kib("VmRSS:")
start = time.monotonic()
checkpoint = count // 10
for i in range(count):
    client.info("user logged in", {"user_id": "123", "i": i})
    if i == checkpoint:
        early_peak = rss_kib("VmHWM:")
elapsed = time.monotonic() - start
peak = rss_kib("VmHWM:")
queued = client.stats.queued
client.close(timeout=1)
stats = client.stats
print(json.dumps({
    "baseline_kib": baseline, "peak_kib": peak, "early_peak_kib": early_peak,
    "checkpoint": checkpoint, "elapsed_s": elapsed,
    "queued_before_close": queued, "enqueued": stats.enqueued, "sent": stats.sent,
    "queued": stats.queued, "filtered": stats.filtered,
    "dropped": {k: v for k, v in stats.dropped.items() if v},
    "max_queue_size": client._pipeline._max_queue,
}))
"""


def bench_memory() -> dict[str, Any]:
    down = f"http://127.0.0.1:{free_port()}/v1"  # nothing listens: connections are refused
    out = subprocess.run(
        [sys.executable, "-c", _MEMORY_CHILD, str(MEMORY_RECORDS + 0), down],
        capture_output=True,
        text=True,
        check=True,
        timeout=900,
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def _per_record_bytes() -> float:
    """Heap held by one queued record (tracemalloc), for the memory bound."""
    import tracemalloc

    from neurallog import NeuralLog

    client = NeuralLog(api_key="bench", endpoint="http://127.0.0.1:9/v1", auto_flush=False)
    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    for i in range(10_000):
        client.info("user logged in", {"user_id": "123", "i": i})
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    grown = sum(stat.size_diff for stat in after.compare_to(before, "filename"))
    client.close(timeout=0)
    return grown / 10_000


# -- report -----------------------------------------------------------------------------------


def print_memory() -> None:
    per_record = _per_record_bytes()
    mem = bench_memory()
    extra_mib = (mem["peak_kib"] - mem["baseline_kib"]) / 1024
    early_mib = (mem["early_peak_kib"] - mem["baseline_kib"]) / 1024
    # The queue, plus the batch the worker holds while it tries to send it.
    held = mem["max_queue_size"] + 1000
    bound_mib = held * per_record / (1024 * 1024)
    dropped_total = sum(mem["dropped"].values())
    exact = mem["enqueued"] == mem["sent"] + dropped_total + mem["queued"] + mem["filtered"]
    print(f"\nSink down (connection refused), {MEMORY_RECORDS:,} `client.info()` calls")
    print(
        f"   peak extra memory (VmHWM - VmRSS before): {early_mib:.1f} MiB after "
        f"{mem['checkpoint']:,} records, {extra_mib:.1f} MiB after {MEMORY_RECORDS:,}"
    )
    print(
        f"   records held: max_queue_size {mem['max_queue_size']:,} + one 1,000-record batch "
        f"in flight = {held:,} x {per_record:.0f} B/record (tracemalloc) = {bound_mib:.1f} MiB"
    )
    print(
        f"   logging loop {mem['elapsed_s']:.2f} s; enqueued {mem['enqueued']:,}, "
        f"sent {mem['sent']:,}, dropped {mem['dropped']}, queued {mem['queued']}"
    )
    print(f"   every record accounted for: {exact}")


def main() -> None:
    """Run everything and print the figures."""
    print("## Logging paths")
    print(
        f"python {platform.python_version()} on {platform.machine()}, "
        f"{os.cpu_count()} CPU(s), {platform.platform()}"
    )
    wanted = os.environ.get("BENCH_PATHS")
    names = [name for name, _, _ in PATHS if not wanted or name in wanted.split(",")]
    sink = Sink()
    try:
        print_table(bench_table(sink.url, names))
    finally:
        sink.close()
    if MEMORY_RECORDS:
        print_memory()


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--path":
        logging_quiet = __import__("logging")
        logging_quiet.getLogger("neurallog").addHandler(logging_quiet.NullHandler())
        logging_quiet.getLogger("neurallog").propagate = False
        print(json.dumps(run_path(sys.argv[2], int(sys.argv[3]), sys.argv[4])))
    else:
        main()
