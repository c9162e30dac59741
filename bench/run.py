"""``make bench``: the logging paths, cold start, durable delivery, then NeuralLog Local.

Benchmarks print figures side by side; they are not tests and assert nothing.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _load(name: str) -> object | None:
    path = HERE / f"{name}.py"
    if not path.exists():
        return None
    spec = importlib.util.spec_from_file_location(f"bench_{name}", path)
    if spec is None or spec.loader is None:
        return None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> int:
    """Run every benchmark that exists; the exit code is non-zero if one crashed."""
    failures = 0
    for name in ("bench_logging", "bench_start", "bench_spool", "bench_local"):
        module = _load(name)
        entry = getattr(module, "main", None)
        if entry is None:
            continue
        try:
            entry()
        except Exception as exc:  # keep going: one benchmark's crash must not hide another
            failures += 1
            print(f"{name} failed: {exc!r}", file=sys.stderr)
        print()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
