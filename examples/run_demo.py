"""`make demo`: start NeuralLog Local on a free port, run examples/quickstart.py, stop it.

Exits with the quickstart's status, so a broken example fails the demo loudly.
"""

from __future__ import annotations

import json
import os
import secrets
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


def main() -> int:
    try:
        import neurallog_local.cli  # noqa: F401
    except ImportError as error:
        print(f"NeuralLog Local is not available: {error}", file=sys.stderr)
        return 1

    api_key = "nl_demo_" + secrets.token_hex(12)
    with tempfile.TemporaryDirectory(prefix="neurallog-demo-") as workdir:
        database = Path(workdir) / "demo.db"
        ready_file = Path(workdir) / "ready.json"
        # A file, not a pipe: a chatty server must never block on a full pipe buffer.
        server_log = Path(workdir) / "server.log"
        print("Starting NeuralLog Local ...", flush=True)
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
            # The key travels in the environment, not the command line (visible to `ps`).
            env={**os.environ, "NEURALLOG_LOCAL_API_KEYS": api_key},
            stdout=subprocess.DEVNULL,
            stderr=server_log.open("wb"),
        )
        try:
            endpoint = _wait_until_ready(server, ready_file)
            print(f"NeuralLog Local is serving {endpoint}", flush=True)
            env = {**os.environ, "NEURALLOG_ENDPOINT": endpoint, "NEURALLOG_API_KEY": api_key}
            return subprocess.call([sys.executable, str(HERE / "quickstart.py")], env=env)
        finally:
            server.send_signal(signal.SIGINT)
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
            if server.returncode not in (0, -signal.SIGINT):
                sys.stderr.write(server_log.read_text(errors="replace"))
            print("NeuralLog Local stopped.", flush=True)


if __name__ == "__main__":
    sys.exit(main())
