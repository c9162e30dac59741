"""Celery: a real worker (prefork pool, filesystem broker and results) against NeuralLog Local."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

celery = pytest.importorskip("celery", reason="needs the 'celery' extra")

from kombu.transport import TRANSPORT_ALIASES  # noqa: E402

from neurallog import NeuralLog  # noqa: E402
from neurallog.integrations.celery import NeuralLogCelery  # noqa: E402
from neurallog.testing import capture  # noqa: E402

from . import celery_broker  # noqa: E402

# kombu's filesystem transport with atomic message writes (see celery_broker.py), under
# an alias that the worker registers too.
BROKER = "neurallogfs"

# The worker's module: its client only delivers when told to (interval of ten minutes), so
# what reaches the server was delivered by the integration's flushes.
TASKS = """
import logging
import os

from celery import Celery, signals
from kombu.transport import TRANSPORT_ALIASES

TRANSPORT_ALIASES[BROKER] = "celery_broker:Transport"

from neurallog import NeuralLog
from neurallog.integrations.celery import NeuralLogCelery
from neurallog.integrations.logging import NeuralLogHandler

app = Celery("tasks")
app.conf.update(CONF)
client = NeuralLog(batch_interval=600, batch_size=1000)
neurallog = NeuralLogCelery(client)


@signals.after_setup_logger.connect
def send_errors(logger, **_):
    # Celery's own record of a failure comes here too: it must not be sent twice.
    logger.addHandler(NeuralLogHandler(client, level=logging.ERROR))


@app.task
def charge(order_id):
    neurallog.info("charging", order_id=order_id, pid=os.getpid())
    return order_id * 2


@app.task
def decline():
    raise ValueError("card declined")


@app.task(bind=True, max_retries=2)
def flaky(self):
    neurallog.info("attempt", attempt=self.request.retries)
    if self.request.retries == 0:
        raise self.retry(countdown=0)
    return "ok"
"""


def _conf(directory: Path) -> dict[str, Any]:
    queue = directory / "queue"
    queue.mkdir(exist_ok=True)
    (directory / "results").mkdir(exist_ok=True)
    return {
        "broker_url": f"{BROKER}://",
        "broker_transport_options": {
            "data_folder_in": str(queue),
            "data_folder_out": str(queue),
            # Broadcasts (worker shutdown) go here, not into the current directory.
            "control_folder": str(directory / "control"),
            "store_processed": False,
            "polling_interval": 0.05,
        },
        "result_backend": f"file://{directory / 'results'}",
        "broker_connection_retry_on_startup": True,
    }


@dataclass
class Worker:
    app: Any
    process: subprocess.Popen[bytes]
    log: Path

    def result(self, result: Any, **get: Any) -> Any:
        """The task's result; fails with the worker's output if the worker has died."""
        for _ in range(240):  # a minute at most
            try:
                return result.get(timeout=0.25, **get)
            except celery.exceptions.TimeoutError:
                if self.process.poll() is not None:
                    break
        pytest.fail(f"the worker did not run the task:\n{self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        """A warm shutdown, as a deployment stops a worker."""
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(60)


@pytest.fixture
def worker(
    tmp_path: Path, neurallog_local: Any, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Worker]:
    conf = _conf(tmp_path)
    source = TASKS.replace("CONF", repr(conf)).replace("BROKER", repr(BROKER))
    (tmp_path / "tasks.py").write_text(textwrap.dedent(source))
    shutil.copy(celery_broker.__file__, tmp_path / "celery_broker.py")
    # kombu calls a callable alias for the transport's class.
    monkeypatch.setitem(TRANSPORT_ALIASES, BROKER, lambda: celery_broker.Transport)
    env = {
        **os.environ,
        "PYTHONPATH": str(tmp_path),
        "NEURALLOG_API_KEY": neurallog_local.api_key,
        "NEURALLOG_ENDPOINT": neurallog_local.endpoint,
    }
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "tasks",
        "worker",
        "--pool=prefork",
        "--concurrency=2",
        "--loglevel=INFO",
        "--without-heartbeat",
        "--without-gossip",
        "--without-mingle",
        "--hostname=w1@127.0.0.1",
    ]
    log_path = tmp_path / "worker.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    app = celery.Celery("tasks")
    app.conf.update(conf)
    try:
        yield Worker(app, process, log_path)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(30)


def test_eager_tasks_carry_their_context_until_the_integration_is_closed() -> None:
    app = celery.Celery("eager")
    app.conf.task_always_eager = True
    client = NeuralLog(api_key="k", endpoint="http://127.0.0.1:9/v1")
    integration = NeuralLogCelery(client)

    @app.task(name="eager.add")
    def add(x: int, y: int) -> int:
        integration.info("adding", x=x)
        return x + y

    @app.task(name="eager.boom")
    def boom() -> None:
        raise KeyError("missing")

    try:
        with capture(client) as logs:
            added = add.delay(1, 2)
            assert added.get() == 3
            failed = boom.delay()
            with pytest.raises(KeyError):
                failed.get()
            integration.close()
            add.delay(5, 6)
        first, error, after = logs.entries
        assert first["metadata"] == {
            "x": 1,
            "task": {"id": added.id, "name": "eager.add", "retries": 0},
        }
        assert error["message"] == "Task eager.boom failed: KeyError: 'missing'"
        assert error["metadata"]["task"]["id"] == failed.id
        assert after["metadata"] == {"x": 5}  # disconnected: no task context
    finally:
        client.close(timeout=0)


@pytest.mark.slow  # a worker process and NeuralLog Local
def test_task_records_carry_the_task_and_are_delivered_when_the_worker_stops(
    worker: Worker, neurallog_local: Any
) -> None:
    app, process = worker.app, worker.process
    charges = [app.send_task("tasks.charge", args=[n]) for n in range(6)]
    assert [worker.result(result) for result in charges] == [0, 2, 4, 6, 8, 10]
    failed = app.send_task("tasks.decline")
    with pytest.raises(ValueError, match="card declined"):
        worker.result(failed)
    retried = app.send_task("tasks.flaky")
    assert worker.result(retried) == "ok"

    client = NeuralLog(api_key=neurallog_local.api_key, endpoint=neurallog_local.endpoint)
    try:
        # The worker's client holds its records: nothing was delivered while it runs.
        assert list(client.logs.list(limit=10)) == []
        worker.stop()
        entries = [dict(e) for e in client.logs.list(limit=100)]
    finally:
        client.close()

    charging = [e["metadata"] for e in entries if e["message"] == "charging"]
    # Each once: no record is shared across a fork.
    assert sorted(metadata["order_id"] for metadata in charging) == [0, 1, 2, 3, 4, 5]
    for metadata in charging:
        assert metadata["task"] == {
            "id": charges[metadata["order_id"]].id,
            "name": "tasks.charge",
            "retries": 0,
        }
        assert metadata["pid"] != process.pid  # logged in a pool process

    errors = [e for e in entries if e["level"] == "ERROR"]
    assert len(errors) == 1, [e["message"] for e in errors]
    (error,) = errors
    assert error["message"] == "Task tasks.decline failed: ValueError: card declined"
    assert error["metadata"]["task"]["id"] == failed.id
    assert error["metadata"]["exception"]["type"] == "ValueError"
    assert "card declined" in error["metadata"]["exception"]["traceback"]

    attempts = sorted(
        (e["metadata"]["attempt"], e["metadata"]["task"]["retries"], e["metadata"]["task"]["id"])
        for e in entries
        if e["message"] == "attempt"
    )
    assert attempts == [(0, 0, retried.id), (1, 1, retried.id)]
