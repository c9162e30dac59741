"""Cold start: what ``import neurallog`` and the first ``NeuralLog(...)`` cost a process.

Each figure comes from fresh interpreters (``BENCH_START_RUNS``, 15 by default), the
minimum over the runs (start-up work is deterministic; a shared machine only ever adds to
it), beside the import of the stdlib ``logging`` module, structlog and loguru measured the
same way:

* ``import``: wall time of the import statement in a fresh interpreter (``perf_counter``
  around it, so the interpreter's own start-up is not counted);
* ``NeuralLog(...)``: the constructor, right after the import;
* ``first record delivered``: ``client.info()`` then ``flush()`` to a loopback endpoint
  that answers 202, which is where the HTTP stack is loaded now (on the delivery thread).

``python -X importtime -c "import neurallog"`` shows the import piece by piece.
Run with ``make bench`` or ``python bench/bench_start.py``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

from sink import Sink

RUNS = int(os.environ.get("BENCH_START_RUNS", "15"))

_PROBE = """
import sys, time
start = time.perf_counter()
import {module}
imported = time.perf_counter()
result = {{"import": imported - start}}
if {client!r}:
    from neurallog import NeuralLog
    start = time.perf_counter()
    client = NeuralLog(api_key="bench", endpoint=sys.argv[1] + "/v1")
    result["construct"] = time.perf_counter() - start
    result["httpx_loaded"] = "httpx" in sys.modules
    start = time.perf_counter()
    client.info("started")
    assert client.flush(30)
    result["first"] = time.perf_counter() - start
    client.close()
print(result)
"""


# As an installed application starts: with the compiled bytecode cached (the first run of
# each probe writes it; the minimum is taken over the later ones too).
_ENV = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}


def _probe(module: str, client: bool, url: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-c", _PROBE.format(module=module, client=client), url],
        env=_ENV,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    result: dict[str, Any] = eval(out.stdout.strip().splitlines()[-1])  # noqa: S307 - our own
    return result


def main() -> None:
    """Print the cold-start figures."""
    print(f"## Cold start (minimum of {RUNS} fresh interpreters)")
    sink = Sink()
    try:
        ours = [_probe("neurallog", True, sink.url) for _ in range(RUNS)]
        peers = {
            name: min(_probe(name, False, sink.url)["import"] for _ in range(RUNS))
            for name in ("logging", "structlog", "loguru")
        }
    finally:
        sink.close()
    print(f"   import neurallog                   {min(r['import'] for r in ours) * 1e3:7.1f} ms")
    print(
        f"   NeuralLog(...)                     {min(r['construct'] for r in ours) * 1e3:7.1f} ms"
    )
    print(
        f"   first record delivered (info+flush){min(r['first'] for r in ours) * 1e3:7.1f} ms"
        f"  (HTTP stack loaded by the constructor: {any(r['httpx_loaded'] for r in ours)})"
    )
    for name, seconds in peers.items():
        print(f"   import {name:<28}{seconds * 1e3:7.1f} ms")


if __name__ == "__main__":
    main()
