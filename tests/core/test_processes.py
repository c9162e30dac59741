"""Interpreter exit and fork: real subprocesses and a real fork."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import socket
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from .conftest import API_KEY, ClientFactory, Sink

# A hang guard for the child processes, never a performance assertion.
HANG_GUARD = 60

pytestmark = pytest.mark.slow


def _run(
    code: str, sink_url: str, tmp_path: Path, *, args: tuple[str, ...] = (), **env: str
) -> subprocess.CompletedProcess[str]:
    script = tmp_path / "app.py"
    script.write_text(textwrap.dedent(code))
    environment = {
        **os.environ,
        "NEURALLOG_API_KEY": API_KEY,
        "NEURALLOG_ENDPOINT": sink_url,
        **env,
    }
    return subprocess.run(
        [sys.executable, str(script), *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=HANG_GUARD,
        check=False,
    )


def test_exit_without_flush_delivers_every_record(sink: Sink, tmp_path: Path) -> None:
    result = _run(
        """
        from neurallog import NeuralLog

        client = NeuralLog()
        for i in range(1000):
            client.info(f"record {i}", {"i": i})
        # no flush(), no close(): the interpreter simply exits
        """,
        sink.url,
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert sink.wait_stored(1000)
    assert sorted(e["metadata"]["i"] for e in sink.entries) == list(range(1000))
    assert sink.duplicates == 0


def test_exit_after_an_uncaught_exception_still_delivers(sink: Sink, tmp_path: Path) -> None:
    result = _run(
        """
        from neurallog import NeuralLog

        client = NeuralLog(batch_interval=60)
        client.error("about to crash")
        raise SystemExit("crash")
        """,
        sink.url,
        tmp_path,
    )
    assert result.returncode == 1
    assert sink.wait_stored(1)
    assert sink.messages == ["about to crash"]


def test_exit_with_auto_flush_off_still_delivers(sink: Sink, tmp_path: Path) -> None:
    result = _run(
        """
        from neurallog import NeuralLog

        client = NeuralLog(auto_flush=False)
        for i in range(10):
            client.info(f"record {i}")
        """,
        sink.url,
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert sink.wait_stored(10)


def test_exit_is_bounded_by_shutdown_timeout_when_the_backend_hangs(tmp_path: Path) -> None:
    # A listener that never accepts: connections are queued, requests never answered.
    with socket.socket() as blackhole:
        blackhole.bind(("127.0.0.1", 0))
        blackhole.listen(64)
        port = blackhole.getsockname()[1]
        result = _run(
            """
            import atexit
            from neurallog import NeuralLog

            # Registered before the client exists, so it runs after the SDK's exit hook.
            atexit.register(lambda: print("dropped", dict(client.stats.dropped)))
            client = NeuralLog(shutdown_timeout=0.5, timeout=30)
            for i in range(100):
                client.info(f"record {i}")
            """,
            f"http://127.0.0.1:{port}/v1",
            tmp_path,
        )
    assert result.returncode == 0, result.stderr
    line = next(x for x in result.stdout.splitlines() if x.startswith("dropped"))
    dropped = eval(line.removeprefix("dropped "), {})  # noqa: S307 - our own child's output
    assert sum(dropped.values()) == 100
    assert dropped["shutdown"] == 100


def test_exit_while_the_delivery_thread_loads_the_ca_bundle_does_not_crash(
    tmp_path: Path,
) -> None:
    # The delivery thread loads the CA bundle in OpenSSL without the GIL. An exit meanwhile
    # ran OpenSSL's own exit handler under it: a segfault (exit status 139) most times.
    # A large bundle keeps the thread in the load for about a second, long after close().
    code = """
        import time

        import httpx  # loaded already: the delivery thread goes straight to the bundle

        from neurallog import NeuralLog

        client = NeuralLog()
        client.info("started")
        time.sleep(0.2)
        client.close(timeout=0)
        """
    bundle = _large_ca_bundle(tmp_path)
    for _ in range(3):
        result = _run(code, "http://127.0.0.1:9/v1", tmp_path, SSL_CERT_FILE=bundle)
        assert result.returncode == 0, (result.returncode, result.stderr)


def test_exit_while_the_requests_transport_loads_the_ca_bundle_does_not_crash(
    tmp_path: Path,
) -> None:
    # requests loads the CA bundle for every new HTTPS connection, on the delivery thread,
    # before the handshake. The exit comes while the thread is in the load (a large bundle
    # keeps it there for about a second); the server then ends the handshake at once.
    code = """
        import sys, time

        import requests  # loaded already: the delivery thread goes straight to the bundle

        from neurallog import NeuralLog

        client = NeuralLog(transport="requests", verify=sys.argv[1], batch_size=1)
        client.info("started")
        time.sleep(0.2)
        client.close(timeout=0)
        """
    bundle = _large_ca_bundle(tmp_path)
    with socket.create_server(("127.0.0.1", 0), backlog=16) as server:
        threading.Thread(target=_accept_and_close, args=(server,), daemon=True).start()
        endpoint = f"https://127.0.0.1:{server.getsockname()[1]}/v1"
        for _ in range(3):
            result = _run(code, endpoint, tmp_path, args=(bundle,))
            assert result.returncode == 0, (result.returncode, result.stderr)


def test_exit_does_not_wait_for_a_requests_connection_still_connecting(tmp_path: Path) -> None:
    # Only a connection's TLS setup holds the exit up, not its TCP connect: here the server's
    # listen queue is full, so the connect goes on until its timeout (10 s), long after the
    # exit, which must not have waited for it.
    code = """
        import atexit, threading

        ended = []
        # Registered before the SDK's exit hook, so it runs after it.
        atexit.register(lambda: print("attempts ended at exit:", len(ended)))

        import requests

        from neurallog import NeuralLog, _process, _requests_transport

        _process.TLS_LOAD_WAIT = 2 * {HANG_GUARD}  # an exit waiting for the connect ends it
        started = threading.Event()
        send = _requests_transport.RequestsTransport.handle_request

        def counted(self, request):
            started.set()
            try:
                return send(self, request)
            finally:
                ended.append(request)

        _requests_transport.RequestsTransport.handle_request = counted
        client = NeuralLog(transport="requests", batch_size=1)
        client.info("started")
        assert started.wait({HANG_GUARD})
        client.close(timeout=0)
        """
    code = code.replace("{HANG_GUARD}", str(HANG_GUARD))
    with (
        socket.create_server(("127.0.0.1", 0), backlog=0) as server,
        contextlib.ExitStack() as held,
    ):
        address = server.getsockname()
        for _ in range(4):  # connections nobody accepts fill the queue
            waiting = held.enter_context(socket.socket())
            waiting.setblocking(False)
            waiting.connect_ex(address)
        result = _run(code, f"https://127.0.0.1:{address[1]}/v1", tmp_path)
    assert result.returncode == 0, (result.returncode, result.stderr)
    assert "attempts ended at exit: 0" in result.stdout, result.stdout


def test_a_child_forked_during_the_ca_bundle_load_exits_without_waiting_for_it(
    tmp_path: Path,
) -> None:
    # A fork does not wait for the delivery thread beyond FORK_WAIT (here not at all). The
    # load goes on in the parent only; the child's exit must not wait for it.
    code = """
        import os, time

        import httpx

        from neurallog import NeuralLog, _process

        # Longer than HANG_GUARD: a child waiting for the parent's load fails the test.
        _process.TLS_LOAD_WAIT = 2 * {HANG_GUARD}
        _process.FORK_WAIT = 0  # fork at once, in the middle of the load
        client = NeuralLog()
        client.info("started")
        time.sleep(0.2)
        pid = os.fork()
        if pid == 0:
            raise SystemExit(7)  # a normal exit, through the exit hooks
        print("child", os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))
        client.close(timeout=0)
        """
    code = code.replace("{HANG_GUARD}", str(HANG_GUARD))
    result = _run(code, "http://127.0.0.1:9/v1", tmp_path, SSL_CERT_FILE=_large_ca_bundle(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "child 7" in result.stdout


def _accept_and_close(server: socket.socket) -> None:
    with contextlib.suppress(OSError):  # the server socket was closed: the test is over
        while True:
            server.accept()[0].close()


def _large_ca_bundle(folder: Path) -> str:
    """A CA bundle that takes OpenSSL about a second to load (the real one, 25 times)."""
    import certifi

    bundle = folder / "bundle.pem"
    bundle.write_text(Path(certifi.where()).read_text() * 25)
    return str(bundle)


def test_a_forked_child_sends_its_own_records_and_not_the_parents(
    sink: Sink, make_client: ClientFactory
) -> None:
    client = make_client(auto_flush=False)
    for i in range(5):
        client.info(f"parent before fork {i}")
    pid = os.fork()
    if pid == 0:  # the child
        code = 1
        try:
            for i in range(5):
                client.info(f"child {i}", {"pid": os.getpid()})
            code = 0 if client.flush(10) else 2
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert sorted(sink.messages) == [f"child {i}" for i in range(5)]
    assert client.flush(10)
    assert sorted(sink.messages) == sorted(
        [f"child {i}" for i in range(5)] + [f"parent before fork {i}" for i in range(5)]
    )
    assert sink.duplicates == 0
    child_requests = [r for r in sink.requests if any("child" in m for m in _messages(r))]
    assert all(all(m.startswith("child") for m in _messages(r)) for r in child_requests)


def _messages(request: object) -> list[str]:
    return [entry["message"] for entry in request.doc["logs"]]  # type: ignore[attr-defined]


def _child_logs(client_holder: list[object], count: int) -> None:
    client = client_holder[0]
    for i in range(count):
        client.info(f"mp child {i}")  # type: ignore[attr-defined]
    # returns without flush: multiprocessing ends the child with os._exit


def test_a_multiprocessing_child_flushes_at_its_exit(
    sink: Sink, make_client: ClientFactory
) -> None:
    client = make_client(batch_interval=60)  # only the exit hook can send these
    client.info("parent")
    context = multiprocessing.get_context("fork")
    process = context.Process(target=_child_logs, args=([client], 20))
    process.start()
    process.join(HANG_GUARD)
    assert process.exitcode == 0
    assert sink.wait_for(lambda: sum(m.startswith("mp child") for m in sink.messages) == 20)
    assert client.flush(10)
    assert sorted(sink.messages).count("parent") == 1
    assert sink.duplicates == 0


def test_the_worker_starts_lazily_in_the_child(sink: Sink, make_client: ClientFactory) -> None:
    client = make_client()
    client.info("warm up")
    assert client.flush(10)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            pipeline = client._pipeline
            before = pipeline.worker.thread is None and pipeline.stats.enqueued == 0
            client.info("from child")
            ok = client.flush(10)
            os.write(write, b"1" if before and ok else b"0")
        finally:
            os._exit(0)
    os.waitpid(pid, 0)
    assert os.read(read, 1) == b"1"
    os.close(read)
    os.close(write)
    assert sorted(sink.messages) == ["from child", "warm up"]
