"""Benchmark of the logging path, side by side with the stdlib and OpenTelemetry.

Prints, from one run on one machine:

1. the cost of one ``client.info("user logged in", {"user_id": "123"})`` (batching on, a
   live loopback sink) against ``logging`` to a ``FileHandler`` and against OpenTelemetry's
   ``LoggingHandler`` + ``BatchLogRecordProcessor`` (median over N calls);
2. records per second delivered to a loopback sink, 200,000 records from one thread,
   default settings, against OpenTelemetry's handler + batch processor + OTLP/HTTP exporter;
3. peak extra memory while the sink is down and 1,000,000 records are logged, with the
   drops counted.

The sink runs in its own process (so it never competes for this process's GIL): it
acknowledges ``POST /v1/logs`` in NeuralLog's JSON (202) and in OTLP protobuf (200) and
counts the records it received. Run with ``make bench`` or ``python bench/bench_logging.py``.
"""

from __future__ import annotations

import gc
import gzip
import http.server
import json
import logging
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from typing import Any

CALLS = int(os.environ.get("BENCH_CALLS", "200000"))
THROUGHPUT_RECORDS = int(os.environ.get("BENCH_RECORDS", "200000"))
MEMORY_RECORDS = int(os.environ.get("BENCH_MEMORY_RECORDS", "1000000"))

MESSAGE = "user logged in"
FIELDS = {"user_id": "123"}


# -- the sink (runs in a child process) -------------------------------------------------------


def _sink_main(port: int) -> None:
    import orjson
    from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import (
        ExportLogsServiceRequest,
        ExportLogsServiceResponse,
    )

    counts = {"neurallog": 0, "otlp": 0, "requests": 0}
    ok_otlp = ExportLogsServiceResponse().SerializeToString()

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as real collectors do

        def setup(self) -> None:
            super().setup()
            # Headers and body go out in separate writes: without this, Nagle's algorithm
            # and delayed ACKs add ~40 ms to every response (for both clients alike).
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _reply(self, status: int, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            self._reply(200, json.dumps(counts).encode(), "application/json")

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            if self.headers.get("Content-Encoding") == "gzip":
                raw = gzip.decompress(raw)
            counts["requests"] += 1
            if self.headers.get("Content-Type", "").startswith("application/x-protobuf"):
                request = ExportLogsServiceRequest()
                request.ParseFromString(raw)
                counts["otlp"] += sum(
                    len(scope.log_records)
                    for resource in request.resource_logs
                    for scope in resource.scope_logs
                )
                self._reply(200, ok_otlp, "application/x-protobuf")
                return
            entries = orjson.loads(raw)["logs"]
            counts["neurallog"] += len(entries)
            data = {
                "accepted": len(entries),
                "duplicates": 0,
                "rejected": [],
                "ids": [e.get("id") for e in entries],
            }
            self._reply(202, orjson.dumps({"data": data, "meta": {}}), "application/json")

    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    print("ready", flush=True)
    server.serve_forever()


class Sink:
    """The sink process, seen from the benchmark."""

    def __init__(self) -> None:
        self.port = _free_port()
        self.process = subprocess.Popen(
            [sys.executable, __file__, "--sink", str(self.port)], stdout=subprocess.PIPE, text=True
        )
        assert self.process.stdout is not None
        self.process.stdout.readline()  # "ready"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def counts(self) -> dict[str, int]:
        with urllib.request.urlopen(self.url + "/count", timeout=10) as answer:  # noqa: S310
            result: dict[str, int] = json.loads(answer.read())
            return result

    def wait_for(self, kind: str, count: int, timeout: float = 120.0) -> float:
        """Wait until ``count`` records of ``kind`` arrived; the monotonic time they did."""
        deadline = time.monotonic() + timeout
        while True:
            if self.counts()[kind] >= count:
                return time.monotonic()
            if time.monotonic() > deadline:
                raise RuntimeError(f"sink got {self.counts()[kind]} of {count} {kind} records")
            time.sleep(0.002)

    def close(self) -> None:
        self.process.terminate()
        self.process.wait(10)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# -- measurements -----------------------------------------------------------------------------


def median_ns(call: Callable[[], object], calls: int) -> float:
    """Median duration of one ``call()`` over ``calls`` individually timed calls."""
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


def _quiet_logger(name: str) -> logging.Logger:
    logger = logging.getLogger(name)
    logger.handlers.clear()
    logger.propagate = False
    logger.setLevel(logging.INFO)
    return logger


def _otel_pipeline(sink: Sink, name: str) -> tuple[logging.Logger, Any, Callable[[], None]]:
    from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter
    from opentelemetry.sdk._logs import LoggerProvider, LoggingHandler
    from opentelemetry.sdk._logs.export import BatchLogRecordProcessor

    provider = LoggerProvider()
    provider.add_log_record_processor(
        BatchLogRecordProcessor(OTLPLogExporter(endpoint=sink.url + "/v1/logs"))
    )
    logger = _quiet_logger(name)
    logger.addHandler(LoggingHandler(level=logging.INFO, logger_provider=provider))
    return logger, provider, provider.shutdown


def bench_call_cost(sink: Sink) -> dict[str, Any]:
    from neurallog import NeuralLog

    empty = median_ns(lambda: None, CALLS)

    folder = tempfile.mkdtemp()
    std = _quiet_logger("bench.stdlib")
    handler = logging.FileHandler(os.path.join(folder, "app.log"))
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    std.addHandler(handler)
    stdlib = median_ns(lambda: std.info(MESSAGE, extra=FIELDS), CALLS)
    handler.close()

    client = NeuralLog(api_key="bench", endpoint=sink.url + "/v1")  # defaults: batching on
    ours = median_ns(lambda: client.info(MESSAGE, FIELDS), CALLS)
    client.flush(60)
    stats = client.stats
    client.close()

    otel_logger, _, shutdown = _otel_pipeline(sink, "bench.otel.cost")
    otel = median_ns(lambda: otel_logger.info(MESSAGE, extra=FIELDS), CALLS)
    shutdown()
    return {
        "timer_ns": empty,
        "stdlib_ns": stdlib,
        "neurallog_ns": ours,
        "otel_ns": otel,
        "neurallog_dropped": stats.dropped_total,
        "neurallog_enqueued": stats.enqueued,
    }


def bench_throughput(sink: Sink) -> dict[str, Any]:
    from neurallog import NeuralLog

    before = sink.counts()
    client = NeuralLog(api_key="bench", endpoint=sink.url + "/v1")
    start = time.monotonic()
    for i in range(THROUGHPUT_RECORDS):
        client.info(MESSAGE, {"user_id": "123", "i": i})
    produced = time.monotonic() - start
    client.flush(300)
    stats = client.stats
    delivered = stats.sent
    end = sink.wait_for("neurallog", before["neurallog"] + delivered)
    ours_elapsed = end - start
    client.close()

    before = sink.counts()
    otel_logger, provider, shutdown = _otel_pipeline(sink, "bench.otel.throughput")
    start = time.monotonic()
    for i in range(THROUGHPUT_RECORDS):
        otel_logger.info(MESSAGE, extra={"user_id": "123", "i": i})
    otel_produced = time.monotonic() - start
    provider.force_flush(300_000)
    otel_delivered = sink.counts()["otlp"] - before["otlp"]
    otel_end = time.monotonic()
    shutdown()
    return {
        "records": THROUGHPUT_RECORDS,
        "neurallog_delivered": delivered,
        "neurallog_dropped": {k: v for k, v in stats.dropped.items() if v},
        "neurallog_requests": stats.requests,
        "neurallog_produce_s": produced,
        "neurallog_elapsed_s": ours_elapsed,
        "neurallog_rate": delivered / ours_elapsed,
        "otel_delivered": otel_delivered,
        "otel_produce_s": otel_produced,
        "otel_elapsed_s": otel_end - start,
        "otel_rate": otel_delivered / (otel_end - start),
    }


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
    down = f"http://127.0.0.1:{_free_port()}/v1"  # nothing listens: connections are refused
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


def main() -> None:
    """Run everything and print the figures."""
    logging.getLogger("neurallog").addHandler(logging.NullHandler())
    logging.getLogger("neurallog").propagate = False
    # OpenTelemetry warns on every record its full queue drops; its delivered count says it.
    logging.getLogger("opentelemetry").setLevel(logging.ERROR)
    print("## Logging path")
    print(
        f"python {platform.python_version()} on {platform.machine()}, "
        f"{os.cpu_count()} CPU(s), {platform.platform()}"
    )
    sink = Sink()
    try:
        cost = bench_call_cost(sink)
        timer = cost["timer_ns"]
        ours = cost["neurallog_ns"] - timer
        std = cost["stdlib_ns"] - timer
        otel = cost["otel_ns"] - timer
        print(
            f"\n1. One info() call, median of {CALLS:,} calls "
            f"(timer overhead {timer:.0f} ns removed)"
        )
        print(f"   neurallog client.info(...)              {ours:8.0f} ns")
        print(f"   stdlib logging -> FileHandler           {std:8.0f} ns")
        print(f"   OpenTelemetry LoggingHandler + BLRP     {otel:8.0f} ns")
        print(f"   ratio to stdlib: {ours / std:.3f}x (target <= 0.5x)")
        print(f"   ratio to OpenTelemetry: {ours / otel:.3f}x (target <= 0.3x)")
        print(
            f"   (during this run the worker delivered to the live sink; "
            f"{cost['neurallog_dropped']:,} of {cost['neurallog_enqueued']:,} records dropped "
            "by the queue bound)"
        )

        tput = bench_throughput(sink)
        ratio = tput["neurallog_rate"] / tput["otel_rate"]
        print(f"\n2. Delivered to a loopback sink, {tput['records']:,} records from one thread")
        print(
            f"   neurallog (defaults)       {tput['neurallog_rate']:10,.0f} records/s  "
            f"({tput['neurallog_delivered']:,} delivered in {tput['neurallog_elapsed_s']:.2f} s, "
            f"{tput['neurallog_requests']} requests, "
            f"logging loop {tput['neurallog_produce_s']:.2f} s, "
            f"dropped {tput['neurallog_dropped'] or 0})"
        )
        print(
            f"   OpenTelemetry BLRP + OTLP  {tput['otel_rate']:10,.0f} records/s  "
            f"({tput['otel_delivered']:,} delivered in {tput['otel_elapsed_s']:.2f} s, "
            f"logging loop {tput['otel_produce_s']:.2f} s)"
        )
        print(f"   ratio: {ratio:.2f}x OpenTelemetry (target >= 2x, and >= 50,000/s)")
    finally:
        sink.close()

    per_record = _per_record_bytes()
    mem = bench_memory()
    extra_mib = (mem["peak_kib"] - mem["baseline_kib"]) / 1024
    early_mib = (mem["early_peak_kib"] - mem["baseline_kib"]) / 1024
    # The queue, plus the batch the worker holds while it tries to send it.
    held = mem["max_queue_size"] + 1000
    bound_mib = held * per_record / (1024 * 1024)
    dropped_total = sum(mem["dropped"].values())
    exact = mem["enqueued"] == mem["sent"] + dropped_total + mem["queued"] + mem["filtered"]
    print(f"\n3. Sink down (connection refused), {MEMORY_RECORDS:,} records logged")
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


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--sink":
        _sink_main(int(sys.argv[2]))
    else:
        main()
