"""`make demo`: start NeuralLog Local on a free port, run examples/quickstart.py, stop it.

Exits with the quickstart's status, so a broken example fails the demo loudly.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
STARTUP_SECONDS = 30


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_healthy(server: subprocess.Popen[bytes], endpoint: str) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"NeuralLog Local exited during start-up (status {server.returncode})")
        try:
            if httpx.get(f"{endpoint}/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise SystemExit(f"NeuralLog Local did not answer {endpoint}/health in {STARTUP_SECONDS} s")


def main() -> int:
    try:
        import neurallog_local.cli  # noqa: F401
    except ImportError as error:
        print(f"NeuralLog Local is not available: {error}", file=sys.stderr)
        return 1

    port = _free_port()
    api_key = "nl_demo_" + secrets.token_hex(12)
    endpoint = f"http://127.0.0.1:{port}/v1"
    with tempfile.TemporaryDirectory(prefix="neurallog-demo-") as workdir:
        database = str(Path(workdir) / "demo.db")
        # A file, not a pipe: a chatty server must never block on a full pipe buffer.
        server_log = Path(workdir) / "server.log"
        print(f"Starting NeuralLog Local on {endpoint} ...", flush=True)
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "neurallog_local",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--db",
                database,
                "--api-key",
                api_key,
            ],
            stdout=subprocess.DEVNULL,
            stderr=server_log.open("wb"),
        )
        try:
            _wait_until_healthy(server, endpoint)
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
