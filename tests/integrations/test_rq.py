"""RQ: real workers in a subprocess (fakeredis, or redis-server when installed) against Local."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("rq", reason="needs the 'rq' extra")

from neurallog import NeuralLog

# The jobs' module: its client only delivers when told to (interval of ten minutes), so what
# reaches the server was delivered by the worker at the end of each job.
JOBS = """
import os

from rq import get_current_job

from neurallog import NeuralLog

client = NeuralLog(batch_interval=600, batch_size=1000)


def charge(order_id):
    client.info("charging", order_id=order_id, pid=os.getpid())
    return order_id * 2


def decline():
    client.info("declining")
    raise ValueError("card declined")


def flaky():
    client.info("attempt")
    if get_current_job().retries_left:
        raise ConnectionError("gateway busy")
    return "ok"
"""

# Enqueues the jobs, works them in burst mode, prints their ids and statuses.
RUN = """
import json
import sys

from rq import Queue, Retry

import jobs
from neurallog import NeuralLog
from neurallog.integrations.rq import NeuralLogSimpleWorker, NeuralLogWorker

if sys.argv[1] == "fakeredis":
    import fakeredis

    connection = fakeredis.FakeStrictRedis()
    worker_class = NeuralLogSimpleWorker
else:
    from redis import Redis

    connection = Redis.from_url(sys.argv[1])
    worker_class = NeuralLogWorker

queue = Queue("orders", connection=connection)
charges = [queue.enqueue(jobs.charge, n) for n in range(3)]
declined = queue.enqueue(jobs.decline)
flaky = queue.enqueue(jobs.flaky, retry=Retry(max=1))
# Failures go through a client of the worker's; the jobs log through their own.
reporter = NeuralLog(batch_interval=600)
worker = worker_class([queue], connection=connection, neurallog=reporter)
worker.work(burst=True)
print(json.dumps({
    "worker_pid": __import__("os").getpid(),
    "charges": [job.id for job in charges],
    "declined": declined.id,
    "flaky": flaky.id,
    "statuses": [job.get_status(refresh=True) for job in (*charges, declined, flaky)],
}))
"""


def _run(tmp_path: Path, tenant: Any, target: str) -> dict[str, Any]:
    (tmp_path / "jobs.py").write_text(textwrap.dedent(JOBS))
    (tmp_path / "run.py").write_text(textwrap.dedent(RUN))
    env = {
        **os.environ,
        "PYTHONPATH": str(tmp_path),
        "NEURALLOG_API_KEY": tenant.api_key,
        "NEURALLOG_ENDPOINT": tenant.endpoint,
    }
    done = subprocess.run(
        [sys.executable, "run.py", target],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def _check(tenant: Any, ran: dict[str, Any], forked: bool) -> None:
    assert ran["statuses"] == ["finished"] * 3 + ["failed", "finished"]
    client = NeuralLog(api_key=tenant.api_key, endpoint=tenant.endpoint)
    try:
        entries = [dict(e) for e in client.logs.list(limit=100)]
    finally:
        client.close()

    charging = [e["metadata"] for e in entries if e["message"] == "charging"]
    # Each once: a forked work horse never resends what its parent held.
    assert sorted(m["order_id"] for m in charging) == [0, 1, 2]
    for metadata in charging:
        assert metadata["job"] == {
            "id": ran["charges"][metadata["order_id"]],
            "func": "jobs.charge",
            "queue": "orders",
            "retries": 0,
        }
        assert (metadata["pid"] != ran["worker_pid"]) is forked

    errors = [e for e in entries if e["level"] == "ERROR"]
    assert [e["message"] for e in errors] == ["Job jobs.decline failed: ValueError: card declined"]
    (error,) = errors
    assert error["metadata"]["job"]["id"] == ran["declined"]
    assert error["metadata"]["exception"]["type"] == "ValueError"
    assert "card declined" in error["metadata"]["exception"]["traceback"]

    (retrying,) = [e for e in entries if e["level"] == "WARN"]
    assert retrying["message"] == "Job jobs.flaky failed, will retry: ConnectionError: gateway busy"
    attempts = sorted(
        (e["metadata"]["job"]["id"], e["metadata"]["job"]["retries_left"])
        for e in entries
        if e["message"] == "attempt"
    )
    assert attempts == [(ran["flaky"], 0), (ran["flaky"], 1)]
    assert retrying["metadata"]["job"]["retries_left"] == 1


def _fail_job() -> None:
    raise LookupError("no such order")


def test_in_process_worker_binds_the_job_and_reports_its_failure() -> None:
    fakeredis = pytest.importorskip("fakeredis", reason="needs fakeredis (the 'dev' extra)")
    from rq import Queue

    from neurallog.integrations.rq import NeuralLogSimpleWorker
    from neurallog.testing import capture

    connection = fakeredis.FakeStrictRedis()
    queue = Queue("fast", connection=connection)
    job = queue.enqueue(_fail_job)
    client = NeuralLog(api_key="k", endpoint="http://127.0.0.1:9/v1")
    try:
        with capture(client) as logs:
            worker = NeuralLogSimpleWorker([queue], connection=connection, neurallog=client)
            worker.work(burst=True)
        (error,) = logs.entries
        assert error["level"] == "ERROR"
        assert error["message"] == (f"Job {__name__}._fail_job failed: LookupError: no such order")
        assert error["metadata"]["job"] == {
            "id": job.id,
            "func": f"{__name__}._fail_job",
            "queue": "fast",
            "retries": 0,
        }
    finally:
        client.close(timeout=0)


@pytest.mark.slow  # a worker process and NeuralLog Local
def test_simple_worker_with_fakeredis(tmp_path: Path, neurallog_local: Any) -> None:
    pytest.importorskip("fakeredis", reason="needs fakeredis (the 'dev' extra)")
    ran = _run(tmp_path, neurallog_local, "fakeredis")
    _check(neurallog_local, ran, forked=False)


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("redis-server is not installed (Debian package redis-server)")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        from redis import Redis

        connection = Redis(host="127.0.0.1", port=port)
        for _ in range(500):  # until it serves (a few seconds at most)
            try:
                connection.ping()
                break
            except Exception:
                if process.poll() is not None:
                    pytest.fail("redis-server exited at start")
                import time

                time.sleep(0.01)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(30)


@pytest.mark.slow  # redis-server, a worker process and NeuralLog Local
def test_forking_worker_with_redis_server(
    tmp_path: Path, neurallog_local: Any, redis_url: str
) -> None:
    ran = _run(tmp_path, neurallog_local, redis_url)
    _check(neurallog_local, ran, forked=True)
