"""Benchmark of durable delivery (``spool_dir``), ratios from one run on one machine.

1. One ``client.info("user logged in", {"user_id": "123"})`` with the spool on (each
   fsync policy) against ``logging`` to a ``FileHandler`` (target: at most 0.5x);
2. with the spool off, this tree's hot path against the baseline tree's (``git`` revision
   ``BENCH_BASELINE``, default ``main``), measured in alternating child processes (target:
   at most 5% slower);
3. records per second delivered from a spool left by an earlier process (a backlog of
   ``BENCH_SPOOL_RECORDS`` records) to a loopback sink (target: at least 50,000/s), against
   the same backlog sent from the in-memory queue and from the baseline tree's spool.

Run with ``make bench`` or ``python bench/bench_spool.py``.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CALLS = int(os.environ.get("BENCH_CALLS", "200000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
BACKLOG = int(os.environ.get("BENCH_SPOOL_RECORDS", "200000"))
BASELINE = os.environ.get("BENCH_BASELINE", "main")
SECTIONS = os.environ.get("BENCH_SPOOL_SECTIONS", "123")  # which of the three to run


def _bench_logging() -> Any:
    spec = importlib.util.spec_from_file_location("bench_logging_shared", HERE / "bench_logging.py")
    if spec is None or spec.loader is None:
        raise RuntimeError("bench/bench_logging.py is missing")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# The same measurement, run in a child process against one source tree.
_CALL_CHILD = """
import json, logging, os, sys, tempfile
sys.path.insert(0, sys.argv[1])
sys.path.insert(1, sys.argv[4])
from bench_logging import median_ns
from neurallog import NeuralLog

logging.getLogger("neurallog").addHandler(logging.NullHandler())
logging.getLogger("neurallog").propagate = False
calls, endpoint, mode = int(sys.argv[2]), sys.argv[3], sys.argv[5]
folder = tempfile.mkdtemp()
out = {"timer": median_ns(lambda: None, calls)}
if mode == "stdlib":
    logger = logging.getLogger("bench.stdlib")
    logger.propagate = False
    logger.setLevel(logging.INFO)
    handler = logging.FileHandler(os.path.join(folder, "app.log"))
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    logger.addHandler(handler)
    out["ns"] = median_ns(lambda: logger.info("user logged in", extra={"user_id": "123"}), calls)
else:
    options = {} if mode == "off" else {"spool_dir": os.path.join(folder, "spool"),
                                         "spool_fsync": mode}
    client = NeuralLog(api_key="bench", endpoint=endpoint, **options)
    out["ns"] = median_ns(lambda: client.info("user logged in", {"user_id": "123"}), calls)
    client.flush(120)
    stats = client.stats
    out["dropped"] = stats.dropped_total
    client.close()
print(json.dumps(out))
"""


def _call_cost(tree: Path, mode: str, endpoint: str) -> float:
    # One device flush per call: a few thousand calls say what it costs.
    calls = min(CALLS, 2000) if mode == "always" else CALLS
    out = subprocess.run(
        [sys.executable, "-c", _CALL_CHILD, str(tree), str(calls), endpoint, str(HERE), mode],
        capture_output=True,
        text=True,
        check=True,
        timeout=900,
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    return float(result["ns"] - result["timer"])


def _baseline_tree() -> Path | None:
    """The baseline revision's ``neurallog`` and ``neurallog_api``, in a temporary folder."""
    folder = Path(tempfile.mkdtemp(prefix="bench-baseline-"))
    try:
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", BASELINE, "neurallog", "generated"],
            capture_output=True,
            check=True,
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    except (OSError, subprocess.CalledProcessError):
        shutil.rmtree(folder, ignore_errors=True)
        return None
    # neurallog_api lives under generated/ in the repository.
    (folder / "generated" / "neurallog_api").rename(folder / "neurallog_api")
    return folder


_BACKLOG_CHILD = """
import json, logging, os, sys, time
from neurallog import NeuralLog

logging.getLogger("neurallog").addHandler(logging.NullHandler())
logging.getLogger("neurallog").propagate = False
spool, endpoint, count, phase = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
if phase == "fill":
    # Nothing is sent (auto_flush off) and the process dies: the backlog stays on disk.
    client = NeuralLog(api_key="bench", endpoint=endpoint, spool_dir=spool, auto_flush=False)
    for i in range(count):
        client.info("user logged in", {"user_id": "123", "i": i})
    os._exit(0)
if phase == "memory":
    # The same backlog from the in-memory queue, for comparison.
    client = NeuralLog(api_key="bench", endpoint=endpoint, auto_flush=False, max_queue_size=count)
    for i in range(count):
        client.info("user logged in", {"user_id": "123", "i": i})
    start = time.monotonic()
else:
    start = time.monotonic()
    client = NeuralLog(api_key="bench", endpoint=endpoint, spool_dir=spool)
client.flush(600)
elapsed = time.monotonic() - start
stats = client.stats
client.close()
print(json.dumps({"elapsed": elapsed, "sent": stats.sent, "recovered": stats.recovered,
                  "requests": stats.requests, "dropped": stats.dropped_total}))
"""


def _delivery(endpoint: str, phases: tuple[str, ...], tree: Path | None = None) -> dict[str, Any]:
    """Run the phases in fresh processes on one spool; ``tree``: import neurallog from it."""
    spool = tempfile.mkdtemp(prefix="bench-spool-")
    env = dict(os.environ)
    if tree is not None:
        env["PYTHONPATH"] = str(tree)
    try:
        for phase in phases:
            out = subprocess.run(
                [sys.executable, "-c", _BACKLOG_CHILD, spool, endpoint, str(BACKLOG), phase],
                capture_output=True,
                text=True,
                check=True,
                timeout=900,
                env=env,
                cwd=spool,  # not the repository: the tree imported is the one asked for
            )
        result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
        return result
    finally:
        shutil.rmtree(spool, ignore_errors=True)


def _section_call_cost(endpoint: str) -> None:
    costs: dict[str, list[float]] = {"stdlib": [], "interval": [], "never": [], "always": []}
    for _ in range(ROUNDS):
        for mode in costs:
            costs[mode].append(_call_cost(ROOT, mode, endpoint))
    median = {mode: statistics.median(values) for mode, values in costs.items()}
    print(
        f"\n1. One info() call, median of {CALLS:,} calls ('always': 2,000), "
        f"median of {ROUNDS} rounds"
    )
    print(f"   stdlib logging -> FileHandler            {median['stdlib']:8.0f} ns")
    for mode in ("interval", "never", "always"):
        ratio = median[mode] / median["stdlib"]
        print(
            f"   spool_dir, spool_fsync={mode!r:<11}     {median[mode]:8.0f} ns  "
            f"({ratio:.3f}x stdlib)"
        )
    print("   target: the default ('interval') <= 0.5x stdlib")


def _section_spool_off(endpoint: str) -> None:
    baseline = _baseline_tree()
    if baseline is None:
        print(f"\n2. Spool off against {BASELINE}: no git revision {BASELINE!r} here, skipped")
        return
    try:
        pairs: list[tuple[float, float]] = []
        for _ in range(ROUNDS):
            pairs.append((_call_cost(baseline, "off", endpoint), _call_cost(ROOT, "off", endpoint)))
    finally:
        shutil.rmtree(baseline, ignore_errors=True)
    before = statistics.median(p[0] for p in pairs)
    after = statistics.median(p[1] for p in pairs)
    print(f"\n2. Spool off, one info() call, alternating rounds ({ROUNDS})")
    print(f"   {BASELINE:<14} {before:8.0f} ns")
    print(f"   this tree      {after:8.0f} ns  ({after / before - 1:+.1%}; target <= +5%)")


def _section_delivery(endpoint: str) -> None:
    print(f"\n3. Delivery of a {BACKLOG:,}-record backlog to the loopback sink")
    baseline = _baseline_tree()
    kinds: dict[str, tuple[tuple[str, ...], Path | None]] = {
        "spool": (("fill", "drain"), None),
        "memory": (("memory",), None),
    }
    if baseline is not None:
        kinds["baseline"] = (("fill", "drain"), baseline)
    rates: dict[str, list[float]] = {kind: [] for kind in kinds}
    try:
        for _ in range(ROUNDS):
            for kind, (phases, tree) in kinds.items():
                result = _delivery(endpoint, phases, tree)
                rates[kind].append(result["sent"] / result["elapsed"])
    finally:
        if baseline is not None:
            shutil.rmtree(baseline, ignore_errors=True)
    spool_rate = statistics.median(rates["spool"])
    memory_rate = statistics.median(rates["memory"])
    print(
        f"   from the spool, left by a dead process  {spool_rate:10,.0f} records/s "
        "(from the client's start; target >= 50,000/s)"
    )
    print(
        f"   from the in-memory queue (flush())      {memory_rate:10,.0f} records/s "
        f"(spool/memory {spool_rate / memory_rate:.2f})"
    )
    if rates.get("baseline"):
        before = statistics.median(rates["baseline"])
        print(
            f"   from the spool, {BASELINE:<24} {before:10,.0f} records/s "
            f"(this tree/{BASELINE} {spool_rate / before:.2f})"
        )
    print(f"   each the median of {ROUNDS} alternating rounds: {_rounds(rates)}")


def _rounds(rates: dict[str, list[float]]) -> str:
    return "; ".join(
        f"{kind} " + ", ".join(f"{rate:,.0f}" for rate in values) for kind, values in rates.items()
    )


def main() -> None:
    """Run the sections asked for (``BENCH_SPOOL_SECTIONS``, default all) and print them."""
    shared = _bench_logging()
    print("## Durable delivery (spool_dir)")
    sink = shared.Sink()
    endpoint = sink.url + "/v1"
    sections = {"1": _section_call_cost, "2": _section_spool_off, "3": _section_delivery}
    try:
        for key, section in sections.items():
            if key in SECTIONS:
                section(endpoint)
    finally:
        sink.close()


if __name__ == "__main__":
    main()
