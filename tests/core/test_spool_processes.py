"""Durable delivery with ``spool_dir``, with real processes: kill -9, outages, prefork
workers sharing a spool, damaged segments at start-up, a full disk."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from werkzeug import Response

from .conftest import API_KEY, ClientFactory, Sink, error_response, wait_until

pytestmark = pytest.mark.slow

# A hang guard for the child processes, never a performance assertion.
HANG_GUARD = 60

# Logs numbered records as fast as it can; after each logging call returns, appends the
# record's number to the progress file with one os.write (which a kill -9 cannot tear:
# the page cache keeps what a returned write wrote).
PRODUCER = """
import os, sys
from neurallog import NeuralLog

run, progress = sys.argv[1], sys.argv[2]
client = NeuralLog(spool_dir=os.environ["SPOOL"], batch_interval=0.02, max_retry_delay=0.05)
fd = os.open(progress, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
os.write(fd, b"ready\\n")
i = 0
while i < 200_000:
    client.info(f"{run}-{i}", {"run": run, "i": i})
    os.write(fd, f"{i}\\n".encode())
    i += 1
"""


def _env(sink_url: str, spool: Path) -> dict[str, str]:
    return {
        **os.environ,
        "NEURALLOG_API_KEY": API_KEY,
        "NEURALLOG_ENDPOINT": sink_url,
        "SPOOL": str(spool),
    }


def _returned(progress: Path) -> list[int]:
    lines = progress.read_text().splitlines()
    return [int(line) for line in lines if line.isdigit()]


def _drain_spool(sink_url: str, spool: Path, tmp_path: Path) -> str:
    """A fresh process with the same spool_dir: it adopts what is left and delivers it."""
    script = tmp_path / "drain.py"
    script.write_text(
        textwrap.dedent(
            """
            import os
            from neurallog import NeuralLog

            client = NeuralLog(spool_dir=os.environ["SPOOL"], batch_interval=0.02)
            ok = client.flush(30)
            stats = client.stats
            client.close()
            print(ok, stats.recovered, stats.spool_bytes, stats.dropped_total)
            """
        )
    )
    result = subprocess.run(
        [sys.executable, str(script)],
        env=_env(sink_url, spool),
        capture_output=True,
        text=True,
        timeout=HANG_GUARD,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_every_call_that_returned_before_a_kill_9_arrives_exactly_once(
    sink: Sink, tmp_path: Path
) -> None:
    spool = tmp_path / "spool"
    script = tmp_path / "producer.py"
    script.write_text(PRODUCER)
    rng = random.Random(1234)
    returned: dict[str, list[int]] = {}
    for run in range(20):
        progress = tmp_path / f"progress-{run}"
        child = subprocess.Popen(
            [sys.executable, str(script), f"r{run}", str(progress)],
            env=_env(sink.url, spool),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        assert wait_until(lambda p=progress: p.exists() and b"ready" in p.read_bytes(), 30)
        # Killed while it logs: inside a logging call, between two, or while its worker
        # sends or acknowledges a batch.
        time.sleep(rng.uniform(0.0, 0.25))
        child.send_signal(signal.SIGKILL)
        child.wait(HANG_GUARD)
        assert child.returncode == -signal.SIGKILL, child.stderr.read() if child.stderr else ""
        returned[f"r{run}"] = _returned(progress)
    _drain_spool(sink.url, spool, tmp_path)

    stored: dict[str, set[int]] = {}
    for entry in sink.entries:
        stored.setdefault(entry["metadata"]["run"], set()).add(entry["metadata"]["i"])
    for run, numbers in returned.items():
        missing = set(numbers) - stored.get(run, set())
        assert not missing, f"{run}: {len(missing)} returned call(s) never arrived"
    # Stored once each: the sink stores by id, and every message is unique.
    messages = sink.messages
    assert len(messages) == len(set(messages))
    assert sum(len(n) for n in returned.values()) > 20  # the runs did log something
    assert not list(spool.glob("*.seg"))  # delivered, acknowledged, deleted


def test_an_outage_of_many_batch_intervals_loses_nothing(
    sink: Sink, make_client: ClientFactory, tmp_path: Path
) -> None:
    down = True

    def gate(_: object) -> Response | None:
        return error_response(503, "unavailable", "down for maintenance") if down else None

    sink.gate = gate
    client = make_client(spool_dir=tmp_path / "spool", batch_interval=0.02, retries=1)
    for i in range(500):
        client.info(f"during the outage {i}")
    # Many batch intervals and several failed deliveries, the records safe on disk.
    assert wait_until(lambda: len(sink.requests) >= 5, 20)
    assert not client.flush(0.2)
    assert client.stats.dropped_total == 0
    assert client.stats.spool_bytes > 0
    down = False
    assert client.flush(30)
    assert sink.wait_stored(500)
    assert sorted(sink.messages) == sorted(f"during the outage {i}" for i in range(500))
    stats = client.stats
    assert stats.dropped_total == 0
    assert stats.sent == 500


def test_two_prefork_workers_share_a_spool_and_one_is_killed(
    sink: Sink, make_client: ClientFactory, tmp_path: Path
) -> None:
    spool = tmp_path / "spool"
    # The master builds the client before forking, as gunicorn --preload does.
    client = make_client(spool_dir=spool, batch_interval=0.02)
    client.info("master before fork")
    assert client.flush(10)
    pids = []
    for worker in range(2):
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # a worker
            code = 1
            try:
                os.close(read_end)
                for i in range(300):
                    client.info(f"worker {worker} record {i}", {"worker": worker, "i": i})
                os.write(write_end, b"logged")
                if worker == 0:
                    os.kill(os.getpid(), signal.SIGKILL)  # dies with records unsent
                code = 0 if client.flush(20) else 2
            finally:
                os._exit(code)
        os.close(write_end)
        assert os.read(read_end, 16) == b"logged"
        os.close(read_end)
        pids.append(pid)
    statuses = [os.waitpid(pid, 0)[1] for pid in pids]
    assert os.WIFSIGNALED(statuses[0])
    assert os.waitstatus_to_exitcode(statuses[1]) == 0
    # The master adopts the dead worker's segments (it looks for dead owners while idle).
    expected = {f"worker {w} record {i}" for w in range(2) for i in range(300)}
    assert sink.wait_for(lambda: expected <= set(sink.messages), 30)
    messages = sink.messages
    assert len(messages) == len(set(messages)) == 601
    assert client.stats.recovered <= 300


def test_a_damaged_spool_at_start_up_delivers_the_intact_records(
    sink: Sink, tmp_path: Path
) -> None:
    spool = tmp_path / "spool"
    writer = subprocess.run(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                """
                import os
                from neurallog import NeuralLog

                # Nothing can be delivered: the records stay in the spool.
                client = NeuralLog(spool_dir=os.environ["SPOOL"], auto_flush=False)
                for i in range(200):
                    client.info(f"record {i:03d}", {"i": i})
                os.kill(os.getpid(), 9)
                """
            ),
        ],
        env=_env(sink.url, spool),
        capture_output=True,
        timeout=HANG_GUARD,
        check=False,
    )
    assert writer.returncode == -signal.SIGKILL, writer.stderr
    (segment,) = spool.glob("*.seg")
    data = bytearray(segment.read_bytes())
    at = data.index(b'"record 100"')
    data[at + 2] ^= 0x55  # flipped bits in one record
    segment.write_bytes(bytes(data[:-9]))  # and a torn last record
    summary = _drain_spool(sink.url, spool, tmp_path)
    ok, recovered, spool_bytes, dropped = summary.split()
    assert int(recovered) == 198
    assert int(spool_bytes) == 0
    assert int(dropped) == 2  # one damaged region and one torn tail, counted
    assert ok == "False"  # flush() reports the loss
    assert sorted(sink.messages) == [f"record {i:03d}" for i in range(199) if i != 100]


def test_a_full_disk_never_raises_into_the_application_and_is_counted(
    sink: Sink, tmp_path: Path
) -> None:
    script = tmp_path / "full.py"
    script.write_text(
        textwrap.dedent(
            """
            import os, resource
            from neurallog import NeuralLog

            client = NeuralLog(spool_dir=os.environ["SPOOL"], auto_flush=False)
            # Any file this process writes stops growing at 64 KiB.
            resource.setrlimit(resource.RLIMIT_FSIZE, (65536, 65536))
            for i in range(5000):
                client.info(f"record {i}", {"padding": "x" * 100})
            stats = client.stats
            print(stats.enqueued, stats.dropped["spool_error"], stats.queued)
            client.flush(30)
            """
        )
    )
    result = subprocess.run(
        [sys.executable, str(script)],
        env=_env(sink.url, tmp_path / "spool"),
        capture_output=True,
        text=True,
        timeout=HANG_GUARD,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    enqueued, failed, queued = map(int, result.stdout.split())
    assert enqueued == 5000
    assert 0 < failed < 5000
    assert queued == 5000 - failed
    assert sink.wait_stored(5000 - failed)
