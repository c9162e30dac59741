"""Benchmark of NeuralLog Local: ingest throughput and search latency.

Prints, from one run on one machine:

1. records per second ingested over loopback HTTP in batches of 1,000 records (a file
   database, default server settings, response validation included): one connection into
   an empty database, then the concurrent phase, then one connection again for the rest of
   the entries (the sustained rate as the database grows);
2. the concurrent phase: ``--connections`` clients (8) each sending batches of
   ``--concurrent-batch`` records (100) at once, while one more client searches
   (``declined``, then a metadata filter, in turn) every 50 ms: entries/s, the p50/p99
   latency of an ingest request and of a search during the load, and the server's CPU
   time per entry, printed last as a table beside the targets;
3. search latency (``GET /v1/logs/search``, default ``limit`` of 10) over everything the
   first part stored: 1,000,000 entries by default. The median over a mix of queries, and
   per query.

The server runs in its own process (``python -m neurallog_local``), as users run it.
Run with ``make bench`` or ``python bench/bench_local.py`` (``--quick`` for small sizes).
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import itertools
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import orjson

API_KEY = "bench-key-0123456789"
BATCH = 1000

# Message shapes with their share of the traffic, so that queries have known selectivity.
_SERVICES = ["auth", "payments", "db", "api-gateway", "cache", "infra", "worker", "mailer"]
_REASONS = ["insufficient funds", "card expired", "fraud suspected", "limit exceeded"]
_ERRORS = ["OutOfMemoryError", "SegmentationFault", "KeyError", "BrokenPipe"]
_PATHS = ["/api/v1/users", "/api/v1/orders", "/api/v1/payments", "/health", "/api/v1/search"]


def _record(rng: random.Random, n: int, run: str) -> dict[str, Any]:
    user = f"user_{rng.randrange(100_000)}"
    host = f"db-{rng.randrange(20)}"
    roll = rng.random()
    metadata: dict[str, Any] = {"request_id": f"r{n}", "region": rng.choice(["eu", "us", "ap"])}
    if roll < 0.30:
        level, source = "INFO", "auth"
        message = f"User {user} logged in from 10.{n % 256}.{rng.randrange(256)}.7"
        metadata["user_id"] = user
    elif roll < 0.50:
        level, source = "INFO", "api-gateway"
        status = rng.choice([200, 200, 200, 201, 404, 500])
        path = rng.choice(_PATHS)
        message = f"Request GET {path} completed in {rng.randrange(900)} ms with status {status}"
        metadata["status_code"] = status
    elif roll < 0.62:
        level, source = "DEBUG", "cache"
        message = f"Cache miss for key session:{rng.randrange(10**6)}"
    elif roll < 0.72:
        level, source = "INFO", "mailer"
        message = f"Email sent to {user} with template welcome_{rng.randrange(5)}"
        metadata["user_id"] = user
    elif roll < 0.80:
        level, source = "WARN", "payments"
        message = f"Payment ORD-{n} declined: {rng.choice(_REASONS)}"
        metadata["amount"] = round(rng.random() * 500, 2)
    elif roll < 0.87:
        level, source = "ERROR", "db"
        message = f"Database connection to {host} failed after {rng.randrange(1, 6)} attempts"
        metadata["host"] = host
    elif roll < 0.94:
        level, source = "ERROR", "api-gateway"
        message = f"Timeout calling {rng.choice(_SERVICES)} after {rng.randrange(1000, 30000)} ms"
    elif roll < 0.99:
        level, source = "WARN", "infra"
        message = f"Disk usage on {host} at {rng.randrange(80, 100)} percent"
        metadata["host"] = host
    else:
        level, source = "FATAL", "worker"
        message = f"Worker {rng.randrange(64)} crashed: {rng.choice(_ERRORS)}"
    return {
        "id": f"{run}-{n:06d}",
        # A day per batch, spread over it: timestamps rise as real ones do.
        "timestamp": f"{_DAY.decode()}T{n % BATCH * 86 // 3600:02d}:"
        f"{n % BATCH * 86 // 60 % 60:02d}:{n % BATCH * 86 % 60:02d}Z",
        "level": level,
        "message": message,
        "source": f"{source}-service",
        "metadata": metadata,
        "tags": [source, level.lower()],
    }


_POOL = 100  # distinct batches; beyond them batches repeat with fresh ids
_MARK = b"@@@@@@"
_DAY = b"@@@@@@@@@@"  # ten characters, like 2024-01-01


def _pool(total: int, seed: int, size: int) -> list[bytes]:
    """Serialised batches, made before the clock starts so that the client's own work is
    small; every id starts with ``_MARK``, replaced per batch to keep ids unique."""
    rng = random.Random(seed)
    batches = []
    for start in range(0, min(total, _POOL * size), size):
        logs = [_record(rng, n, _MARK.decode()) for n in range(start, start + size)]
        batches.append(orjson.dumps({"logs": logs}))
    return batches


def _batches(total: int, run: str, seed: int, size: int = BATCH) -> Iterator[bytes]:
    pool = _pool(total, seed, size)
    start = datetime.date(2000, 1, 1) + datetime.timedelta(days=2000 * (ord(run) - ord("a")))
    for number in range(total // size):
        day = (start + datetime.timedelta(days=number)).isoformat().encode()
        body = pool[number % len(pool)].replace(_DAY, day)
        yield body.replace(_MARK, f"{run}{number:05x}".encode())


@contextmanager
def _server(directory: Path, extra: list[str]) -> Iterator[tuple[str, int]]:
    """The endpoint and process id of a server started in ``directory``."""
    ready = directory / "ready.json"
    command = [
        sys.executable,
        "-m",
        "neurallog_local",
        "--port",
        "0",
        "--db",
        str(directory / "bench.db"),
        "--rate-limit",
        "0",
        "--ready-file",
        str(ready),
        *extra,
    ]
    env = {**os.environ, "NEURALLOG_LOCAL_API_KEYS": API_KEY}
    log = (directory / "server.log").open("wb")
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        deadline = time.monotonic() + 60
        while not ready.exists():
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError((directory / "server.log").read_text())
            time.sleep(0.05)
        try:
            yield json.loads(ready.read_text())["endpoint"], process.pid
        except BaseException:
            # Its log says why a request failed (an answer names only the request id).
            print(f"server log (end):\n{(directory / 'server.log').read_text()[-5000:]}")
            raise
    finally:
        process.terminate()
        process.wait(30)
        log.close()


class _Poster:
    """One keep-alive connection posting batches with the standard library's HTTP client.

    The load generator shares the machine's CPUs with the server: httpx costs about ten
    times as much CPU per request, which the server would then not have.
    """

    def __init__(self, endpoint: str) -> None:
        url = urllib.parse.urlsplit(endpoint)
        self.path = url.path + "/logs"
        self.connection = http.client.HTTPConnection(url.hostname or "", url.port, timeout=120)
        self.headers = {"X-API-Key": API_KEY, "Content-Type": "application/json"}

    def post(self, body: bytes) -> tuple[int, bytes]:
        self.connection.request("POST", self.path, body, self.headers)
        response = self.connection.getresponse()
        return response.status, response.read()

    def close(self) -> None:
        self.connection.close()


def _ingest(
    endpoint: str,
    total: int,
    connections: int,
    run: str,
    seed: int,
    size: int = BATCH,
    latencies: list[float] | None = None,
) -> float:
    """Ingest ``total`` records over ``connections`` connections; return records/s.

    With ``latencies``, each request's wall time (ms) is appended to it.
    """
    bodies = _batches(total, run, seed, size)
    first = next(bodies)  # builds the pool before the clock starts
    bodies = itertools.chain([first], bodies)
    lock = threading.Lock()
    failures: list[str] = []

    def work() -> None:
        poster = _Poster(endpoint)
        try:
            while True:
                with lock:
                    body = next(bodies, None)
                if body is None:
                    return
                started = time.perf_counter()
                status, answer = poster.post(body)
                if latencies is not None:
                    latencies.append((time.perf_counter() - started) * 1000)
                if status != 202 or orjson.loads(answer)["data"]["rejected"]:
                    failures.append(answer[:300].decode(errors="replace"))
                    return
        except Exception as exc:  # reported by the caller: a lost request is a failure
            failures.append(repr(exc))
        finally:
            poster.close()

    threads = [threading.Thread(target=work) for _ in range(connections)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if failures:
        raise RuntimeError(f"ingest failed: {failures[0]}")
    return total / elapsed


QUERIES: list[tuple[str, dict[str, Any]]] = [
    ("rare word", {"query": "crashed"}),
    ("word", {"query": "declined"}),
    ("phrase", {"query": '"connection to db-3"'}),
    ("prefix", {"query": "fraud*"}),
    ("OR", {"query": "OutOfMemoryError OR SegmentationFault"}),
    ("NOT", {"query": "timeout NOT payments"}),
    ("word + level", {"query": "failed", "level": "ERROR"}),
    ("metadata value", {"query": "user_4711"}),
    ("word + JSON filter", {"query": "declined", "filter": '{"metadata.region": "eu"}'}),
    ("metadata filter", {"filter": '{"metadata.user_id": "user_4711"}'}),
    ("common word", {"query": "logged"}),
]


def _search(endpoint: str, rounds: int) -> dict[str, tuple[float, int]]:
    """Per query: (median latency in ms, total hits)."""
    results: dict[str, tuple[float, int]] = {}
    headers = {"X-API-Key": API_KEY}
    with httpx.Client(base_url=endpoint, headers=headers, timeout=120) as http:
        for name, params in QUERIES:
            http.get("/logs/search", params=params)  # warm the page cache once
            times = []
            hits = 0
            for _ in range(rounds):
                started = time.perf_counter()
                response = http.get("/logs/search", params=params)
                times.append((time.perf_counter() - started) * 1000)
                response.raise_for_status()
                hits = response.json()["meta"]["pagination"]["total"]
            results[name] = (statistics.median(times), hits)
    return results


DURING_LOAD: list[dict[str, Any]] = [
    {"query": "declined"},
    {"filter": '{"metadata.user_id": "user_4711"}'},
]


def _cpu_seconds(pid: int) -> float | None:
    """CPU time (user + system) of process ``pid`` so far; ``None`` where /proc is absent."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def _concurrent(
    endpoint: str, total: int, connections: int, size: int
) -> tuple[float, list[float], list[float]]:
    """Ingest under ``connections`` clients while another one searches every 50 ms.

    Returns entries/s, the ingest request latencies and the search latencies (ms).
    """
    ingest_ms: list[float] = []
    search_ms: list[float] = []
    failures: list[str] = []
    done = threading.Event()

    def search() -> None:
        headers = {"X-API-Key": API_KEY}
        with httpx.Client(base_url=endpoint, headers=headers, timeout=120) as http:
            for number in itertools.count():
                if done.wait(0.05):
                    return
                started = time.perf_counter()
                response = http.get("/logs/search", params=DURING_LOAD[number % 2])
                search_ms.append((time.perf_counter() - started) * 1000)
                if response.status_code != 200:
                    failures.append(f"{response.request.url}: {response.text[:300]}")
                    return

    searcher = threading.Thread(target=search)
    searcher.start()
    try:
        rate = _ingest(endpoint, total, connections, "b", 2, size, ingest_ms)
    finally:
        done.set()
        searcher.join()
    if failures:
        raise RuntimeError(f"a search during the load failed: {failures[0]}")
    return rate, ingest_ms, search_ms


def _concurrency_rows(
    total: int, rate: float, ingest_ms: list[float], search_ms: list[float], cpu: float | None
) -> list[tuple[str, str, str]]:
    """``(figure, measured, target)`` of the concurrent phase."""
    rows = [
        ("ingest rate", f"{rate:,.0f} entries/s", ">= 30,000 entries/s"),
        (
            "ingest request latency p50 / p99",
            f"{_percentile(ingest_ms, 0.5):.1f} / {_percentile(ingest_ms, 0.99):.1f} ms",
            "p99 < 100 ms",
        ),
        (
            f"search during the load p50 / p99 ({len(search_ms)} searches)",
            f"{_percentile(search_ms, 0.5):.1f} / {_percentile(search_ms, 0.99):.1f} ms",
            "p99 < 100 ms",
        ),
    ]
    if cpu is not None:
        # The machine's other work changes the rate; the server's CPU per entry much less.
        rows.append(("server CPU per entry (all its threads)", f"{cpu / total * 1e6:.0f} µs", ""))
    return rows


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (a smoke run)")
    parser.add_argument("--entries", type=int, help="entries to store (default 1,000,000)")
    parser.add_argument(
        "--connections", type=int, default=8, help="concurrent clients of the concurrent phase"
    )
    parser.add_argument(
        "--concurrent-batch", type=int, default=100, help="records per batch of that phase"
    )
    parser.add_argument("--rounds", type=int, help="searches per query (default 15)")
    parser.add_argument(
        "--no-response-validation",
        action="store_true",
        help="start the server with --no-response-validation",
    )
    args = parser.parse_args(argv)
    entries = args.entries or (50_000 if args.quick else 1_000_000)
    rounds = args.rounds or (5 if args.quick else 15)
    if entries < 5 * BATCH or args.connections < 1 or rounds < 1 or args.concurrent_batch < 1:
        parser.error(
            f"--entries must be at least {5 * BATCH}, --connections, --concurrent-batch and "
            "--rounds at least 1"
        )
    # Whole batches only: the rates divide the records sent by the time taken.
    single = min(entries // 5, 10_000 if args.quick else 100_000) // BATCH * BATCH
    rest = (entries - 2 * single) // BATCH * BATCH
    entries = 2 * single + rest
    extra = ["--no-response-validation"] if args.no_response_validation else []

    print("NeuralLog Local benchmark")
    print(f"  python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs")
    print(f"  file database, batches of {BATCH}, server in its own process")
    with tempfile.TemporaryDirectory() as directory, _server(Path(directory), extra) as server:
        endpoint, pid = server
        one = _ingest(endpoint, single, 1, "a", 1)
        print(f"ingest, 1 connection:   {one:>9,.0f} records/s  (first {single:,} records)")
        cpu_before, load = _cpu_seconds(pid), os.getloadavg()[0]
        many, ingest_ms, search_ms = _concurrent(
            endpoint, single, args.connections, args.concurrent_batch
        )
        cpu_after = _cpu_seconds(pid)
        fill = _ingest(endpoint, rest, 1, "c", 3)
        print(
            f"ingest, 1 connection:   {fill:>9,.0f} records/s"
            f"  (the remaining {rest:,}, up to {entries:,} stored)"
        )
        size = (Path(directory) / "bench.db").stat().st_size
        print(f"stored {entries:,} entries, database {size / 2**20:,.0f} MiB")
        results = _search(endpoint, rounds)
    medians = [median for median, _ in results.values()]
    print(f"search over {entries:,} entries, limit 10, {rounds} runs per query:")
    for name, (median, hits) in results.items():
        print(f"  {name:<20} median {median:7.1f} ms   {hits:>9,} matches")
    print(f"search median over all queries: {statistics.median(medians):.1f} ms")
    cpu = None if cpu_before is None or cpu_after is None else cpu_after - cpu_before
    rows = _concurrency_rows(single, many, ingest_ms, search_ms, cpu)
    rows.append(
        (
            f"metadata filter over {entries:,} entries (median)",
            f"{results['metadata filter'][0]:.1f} ms",
            "< 100 ms",
        )
    )
    print(
        f"\nUnder concurrency: {args.connections} clients x {args.concurrent_batch}-entry "
        f"batches ({single:,} entries), load average {load:.1f} as the phase began"
    )
    print(f"| {'figure':<50} | {'measured':<20} | {'target':<20} |")
    print(f"|{'-' * 52}|{'-' * 22}|{'-' * 22}|")
    for name, measured, target in rows:
        print(f"| {name:<50} | {measured:<20} | {target:<20} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
