"""`make demo`: start NeuralLog Local on a free port, run examples/quickstart.py, stop it.

The records are kept in ./neurallog-local.db, the database `neurallog local` serves by
default, so they are still there after the tour. Exits with the quickstart's status, so a
broken example fails the demo loudly.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
STARTUP_SECONDS = 30


def _wait_until_ready(server: subprocess.Popen[bytes], ready_file: Path) -> str:
    """Wait for the server's ready file, then for its health check; return the endpoint."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"NeuralLog Local exited during start-up (status {server.returncode})")
        try:
            endpoint = str(json.loads(ready_file.read_text())["endpoint"])
            if httpx.get(f"{endpoint}/health", timeout=1).status_code == 200:
                return endpoint
        except (OSError, ValueError, KeyError, httpx.TransportError):
            pass
        time.sleep(0.1)
    raise SystemExit(f"NeuralLog Local was not ready within {STARTUP_SECONDS} s")


def _api_key(server_log: Path) -> str:
    """The development key NeuralLog Local printed when it started (kept in its database)."""
    found = re.search(r"api key:\s+(\S+)", server_log.read_text(errors="replace"))
    if found is None:
        raise SystemExit("NeuralLog Local did not print its development key")
    return found.group(1)


def _next_steps(database: Path, api_key: str) -> str:
    return f"""
What next
---------
The tour's records are kept in {database}.
Keep a server running with them: from this directory (it stays up until Ctrl-C),

    neurallog local

It prints a link to its log viewer: open it to browse and tail the tour's records.
Then point an application at it, in another terminal:

    export NEURALLOG_ENDPOINT=http://127.0.0.1:8765/v1
    export NEURALLOG_API_KEY={api_key}
    neurallog tail -f &
    python examples/worker.py

More examples: examples/README.md. The documentation: make docs, then open site/index.html.
"""


def main() -> int:
    try:
        import neurallog_local.cli  # noqa: F401
    except ImportError as error:
        print(f"NeuralLog Local is not available: {error}", file=sys.stderr)
        return 1

    database = Path("neurallog-local.db").resolve()
    with tempfile.TemporaryDirectory(prefix="neurallog-demo-") as workdir:
        ready_file = Path(workdir) / "ready.json"
        # A file, not a pipe: a chatty server must never block on a full pipe buffer.
        server_log = Path(workdir) / "server.log"
        print(f"Starting NeuralLog Local, with its records in {database} ...", flush=True)
        with server_log.open("wb") as log_file:
            server = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "neurallog_local",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    "0",
                    "--db",
                    str(database),
                    "--ready-file",
                    str(ready_file),
                ],
                # No keys given: the server uses the development key of its database.
                env={k: v for k, v in os.environ.items() if k != "NEURALLOG_LOCAL_API_KEYS"},
                stdout=log_file,
                stderr=subprocess.STDOUT,
            )
        try:
            endpoint = _wait_until_ready(server, ready_file)
            api_key = _api_key(server_log)
            print(f"NeuralLog Local is serving {endpoint}", flush=True)
            env = {**os.environ, "NEURALLOG_ENDPOINT": endpoint, "NEURALLOG_API_KEY": api_key}
            env.pop("NEURALLOG_TOKEN", None)
            # The interpreter's own options (-X dev, -W error) apply to the tour too.
            flags = [f"-W{option}" for option in sys.warnoptions]
            if sys.flags.dev_mode:
                flags += ["-X", "dev"]
            status = subprocess.call([sys.executable, *flags, str(HERE / "quickstart.py")], env=env)
            if status == 0:
                print(_next_steps(database, api_key), flush=True)
            return status
        finally:
            server.send_signal(signal.SIGINT)
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
            if server.returncode not in (0, -signal.SIGINT):
                sys.stderr.write(server_log.read_text(errors="replace"))


if __name__ == "__main__":
    sys.exit(main())
