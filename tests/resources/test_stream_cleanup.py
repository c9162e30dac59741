"""Streams left the way the SDK specification's examples leave them: ``break`` out of a bare
loop, no ``with``, no ``aclose()``, inside ``asyncio.run()``.

Each example runs in a child interpreter where every warning is an error and asyncio runs in
debug mode (which reports unclosed transports, tasks destroyed while pending, coroutines
never awaited and errors closing async generators). The child prints nothing on stderr, and
the server sees the connection closed while the child, its example done, is still alive:
the connection was released by the loop itself, not by the process exiting.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import entry
from .sse_server import Connection, ScriptedServer

pytestmark = pytest.mark.slow

WAIT = 30.0  # upper bound of every wait for an event; never a timing assertion

# asyncio's debug mode also logs every callback that takes over 100 ms (a cold import on a
# busy machine): a matter of speed, not of correctness, so that one record is dropped;
# everything else asyncio logs still reaches stderr.
PRELUDE = """
import logging as _logging

class _NotSlow(_logging.Filter):
    def filter(self, record):
        return record.msg != "Executing %s took %.3f seconds"

_logging.getLogger("asyncio").addFilter(_NotSlow())
"""

# Once the example is done: say so, then stay alive until the test has looked at the server.
EPILOGUE = """
import sys as _sys

print("EXAMPLE DONE", flush=True)
_sys.stdin.read()
"""


class Tail:
    """A server whose one stream sends two entries, then waits for the client to hang up."""

    def __init__(self) -> None:
        self.closed = threading.Event()
        self.server = ScriptedServer([self._endless])

    def _endless(self, conn: Connection) -> None:
        conn.start()
        conn.event("log", entry(1, level="ERROR"), "cursor-1")
        conn.event("log", entry(2, level="FATAL"), "cursor-2")
        if conn.wait_until_client_closes(WAIT):
            self.closed.set()


@pytest.fixture
def tail() -> Iterator[Tail]:
    tail = Tail()
    yield tail
    tail.server.close()
    assert tail.server.errors == []


def run_example(tail: Tail, example: str, tmp_path: Path) -> str:
    """Run ``example`` in a child; its stdout, once stderr was found empty."""
    code = PRELUDE + textwrap.dedent(example).replace("ENDPOINT", repr(tail.server.endpoint))
    env = {
        **os.environ,
        "PYTHONASYNCIODEBUG": "1",
        "PYTHONWARNINGS": "error",
        "PYTHONDEVMODE": "1",
    }
    child = subprocess.Popen(
        [sys.executable, "-X", "dev", "-W", "error", "-c", code + EPILOGUE],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    try:
        released = tail.closed.wait(WAIT)
    finally:
        out, err = child.communicate("", timeout=WAIT)
    assert err == ""
    assert child.returncode == 0
    assert "EXAMPLE DONE" in out
    assert released, "the connection was still open after the example"
    assert len(tail.server.connections) == 1
    return out


def test_spec_async_streaming_left_with_break(tail: Tail, tmp_path: Path) -> None:
    out = run_example(
        tail,
        """
        from neurallog import NeuralLog

        neurallog = NeuralLog(api_key="your-api-key", endpoint=ENDPOINT)

        import asyncio

        async def stream_logs():
            async for log in neurallog.logs.astream(
                query="error",
                filter={"level": ["ERROR", "FATAL"]},
                follow=True
            ):
                print(f"{log['timestamp']} [{log['level']}] {log['message']}")
                break

        asyncio.run(stream_logs())
        """,
        tmp_path,
    )
    assert out.splitlines()[0] == "2024-01-01T00:00:01Z [ERROR] error 1"


def test_spec_async_support_left_with_break(tail: Tail, tmp_path: Path) -> None:
    # AsyncNeuralLog's shared httpx client, and the client is never closed.
    out = run_example(
        tail,
        """
        import asyncio
        from neurallog.async_client import AsyncNeuralLog

        async def main():
            # Initialize async client
            neurallog = AsyncNeuralLog(
                api_key="your-api-key",
                endpoint=ENDPOINT
            )

            # Stream logs asynchronously
            async for log in neurallog.logs.stream(
                query="error",
                follow=True
            ):
                print(f"{log['timestamp']} [{log['level']}] {log['message']}")
                break

        asyncio.run(main())
        """,
        tmp_path,
    )
    assert out.splitlines()[0] == "2024-01-01T00:00:01Z [ERROR] error 1"


@pytest.mark.parametrize("flavour", ["astream", "AsyncNeuralLog"])
def test_a_cancelled_tail_task(tail: Tail, tmp_path: Path, flavour: str) -> None:
    make = (
        'NeuralLog(api_key="k", endpoint=ENDPOINT).logs.astream'
        if flavour == "astream"
        else 'AsyncNeuralLog(api_key="k", endpoint=ENDPOINT).logs.stream'
    )
    out = run_example(
        tail,
        f"""
        import asyncio
        from neurallog import AsyncNeuralLog, NeuralLog

        async def main():
            stream = {make}
            received = asyncio.Event()

            async def tail():
                async for log in stream(query="error", follow=True):
                    print(log["message"])
                    received.set()

            task = asyncio.create_task(tail())
            await received.wait()
            task.cancel()
            try:
                await task
            except asyncio.CancelledError:
                print("cancelled")

        asyncio.run(main())
        """,
        tmp_path,
    )
    assert out.splitlines()[-2:] == ["cancelled", "EXAMPLE DONE"]


def test_a_tail_task_still_running_when_asyncio_run_ends(tail: Tail, tmp_path: Path) -> None:
    # asyncio.run() cancels the task that is still tailing as it shuts down.
    out = run_example(
        tail,
        """
        import asyncio
        from neurallog import NeuralLog

        neurallog = NeuralLog(api_key="k", endpoint=ENDPOINT)

        async def main():
            received = asyncio.Event()

            async def tail():
                async for log in neurallog.logs.astream(follow=True):
                    print(log["message"])
                    received.set()

            background = asyncio.create_task(tail())
            await received.wait()

        asyncio.run(main())
        """,
        tmp_path,
    )
    assert "error 1" in out


def test_spec_log_streaming_left_with_break(tail: Tail, tmp_path: Path) -> None:
    # The sync twin: the connection is closed as the loop drops the stream.
    out = run_example(
        tail,
        """
        from neurallog import NeuralLog

        neurallog = NeuralLog(api_key="your-api-key", endpoint=ENDPOINT)

        # Stream logs
        for log in neurallog.logs.stream(
            query="error",
            filter={"level": ["ERROR", "FATAL"]},
            follow=True
        ):
            print(f"{log['timestamp']} [{log['level']}] {log['message']}")
            break
        """,
        tmp_path,
    )
    assert out.splitlines()[0] == "2024-01-01T00:00:01Z [ERROR] error 1"
