"""Fork while the delivery thread is busy: the child must still deliver.

A forked child inherits the parent's memory as it is at the fork. If the worker thread is
then inside an import, the child gets a half-initialised module and a module lock nobody
will release; if it holds a lock the child needs, the child blocks on it forever. These
tests hold the worker at exactly such a point with a transport that blocks on a gate,
fork from the main thread, and check that the child delivers its own records.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
import types
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from neurallog import _process

from .conftest import API_KEY, ClientFactory, Sink, wait_until

pytestmark = pytest.mark.slow

HANG_GUARD = 30  # seconds; only ever reached when the SDK is broken


class Gate:
    """Holds the worker where a test wants it; released by the test's before-fork hook."""

    def __init__(self) -> None:
        self.entered = threading.Event()
        self.release = threading.Event()

    def hold(self) -> None:
        self.entered.set()
        self.release.wait(HANG_GUARD)


class ForwardingTransport(httpx.BaseTransport):
    """Sends each request to the sink on a fresh connection (nothing pooled to inherit).

    ``step()`` runs before every request: the hazard under test (an import, a lock).
    """

    def __init__(self, step: Callable[[], None]) -> None:
        self._step = step

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self._step()
        with httpx.HTTPTransport(verify=False) as inner:
            response = inner.handle_request(request)
            content = response.read()
        return httpx.Response(response.status_code, headers=response.headers, content=content)


# One before-fork hook for the whole test session (at-fork hooks cannot be unregistered).
# Registered after the SDK's, so it runs before the SDK's (before-hooks run in reverse).
_armed: list[Gate] = []
_hook_installed = False


def _release_gates() -> None:
    for gate in _armed:
        gate.release.set()


@pytest.fixture
def arm(make_client: ClientFactory) -> Iterator[Callable[[Gate], None]]:
    global _hook_installed
    make_client()  # the SDK's fork hooks are installed with the first client
    if not _hook_installed:
        os.register_at_fork(before=_release_gates)
        _hook_installed = True
    yield _armed.append
    _release_gates()
    _armed.clear()


def _fork_and_log_in_child(client: object, message: str) -> int:
    """Fork; the child logs ``message`` and flushes; returns the child's exit code."""
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            client.info(message)  # type: ignore[attr-defined]
            code = 0 if client.flush(HANG_GUARD) else 2  # type: ignore[attr-defined]
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def test_fork_while_the_worker_imports_a_module(
    sink: Sink,
    make_client: ClientFactory,
    arm: Callable[[Gate], None],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # What gunicorn --preload hit: the worker imports a module for the first time (httpx
    # imported httpcore there) when the master forks. Here the module's body waits at a gate.
    gate = Gate()
    gate_module = types.ModuleType("nl_fork_gate")
    gate_module.hold = gate.hold  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "nl_fork_gate", gate_module)
    (tmp_path / "nl_fork_lazy.py").write_text(
        "import nl_fork_gate\n\nnl_fork_gate.hold()\n\n\ndef answer():\n    return 42\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "nl_fork_lazy", raising=False)
    monkeypatch.setattr(_process, "FORK_WAIT", HANG_GUARD)

    def lazy_import() -> None:
        import nl_fork_lazy

        assert nl_fork_lazy.answer() == 42  # a half-initialised module has no answer()

    client = make_client(transport=ForwardingTransport(lazy_import))
    arm(gate)
    client.info("parent")
    assert gate.entered.wait(HANG_GUARD)  # the worker is inside the import now
    assert _fork_and_log_in_child(client, "child") == 0
    assert client.flush(HANG_GUARD)
    assert sorted(sink.messages) == ["child", "parent"]
    monkeypatch.delitem(sys.modules, "nl_fork_lazy", raising=False)


def test_fork_while_the_worker_holds_a_lock_inside_a_send(
    sink: Sink,
    make_client: ClientFactory,
    arm: Callable[[Gate], None],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Like a connection pool's lock held by the worker mid-request: a child that inherits
    # it locked can never send through that transport.
    gate = Gate()
    lock = threading.Lock()
    first = [True]

    def locked_send() -> None:
        with lock:
            if first[0]:
                first[0] = False
                gate.hold()

    monkeypatch.setattr(_process, "FORK_WAIT", HANG_GUARD)
    client = make_client(transport=ForwardingTransport(locked_send))
    arm(gate)
    client.info("parent")
    assert gate.entered.wait(HANG_GUARD)  # the worker holds the lock now
    assert _fork_and_log_in_child(client, "child") == 0
    assert client.flush(HANG_GUARD)
    assert sorted(sink.messages) == ["child", "parent"]


def test_a_fork_does_not_wait_for_a_stuck_request_beyond_its_bound(
    sink: Sink, make_client: ClientFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The worker is held in a request that outlasts the fork: the fork goes ahead after
    # FORK_WAIT, and the child, which never touches the parent's request, still delivers.
    gate = Gate()
    first = [True]

    def stuck_once() -> None:
        if first[0]:
            first[0] = False
            gate.hold()

    monkeypatch.setattr(_process, "FORK_WAIT", 0.05)
    client = make_client(transport=ForwardingTransport(stuck_once))
    client.info("parent")
    assert gate.entered.wait(HANG_GUARD)
    assert _fork_and_log_in_child(client, "child") == 0
    assert _fork_and_log_in_child(client, "second child") == 0  # not waited for again
    gate.release.set()
    assert client.flush(HANG_GUARD)
    assert sorted(sink.messages) == ["child", "parent", "second child"]


def test_the_worker_goes_on_after_the_fork_in_the_parent(
    sink: Sink, make_client: ClientFactory
) -> None:
    client = make_client()
    client.info("before")
    assert client.flush(HANG_GUARD)
    assert _fork_and_log_in_child(client, "child") == 0
    pipeline = client._pipeline
    assert not pipeline.worker._paused
    client.info("after")
    assert client.flush(HANG_GUARD)
    assert sorted(sink.messages) == ["after", "before", "child"]


def _run_script(source: str, sink: Sink, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    # A fresh interpreter: this one has imported the HTTP stack long ago.
    script = tmp_path / "app.py"
    script.write_text(textwrap.dedent(source))
    return subprocess.run(
        [sys.executable, str(script)],
        env={**os.environ, "NEURALLOG_API_KEY": API_KEY, "NEURALLOG_ENDPOINT": sink.url},
        capture_output=True,
        text=True,
        timeout=HANG_GUARD * 3,
        check=False,
    )


def test_a_fork_imports_first_whatever_the_worker_would_import(sink: Sink, tmp_path: Path) -> None:
    # The constructor loads no HTTP stack (start-up time); the worker loads it before its
    # first send. A fork before that must leave the worker nothing to import afterwards:
    # the before-fork hook imports all of it on the forking thread.
    result = _run_script(
        """
        import os, sys, threading
        from neurallog import NeuralLog

        client = NeuralLog()
        print("loaded by the constructor:", [m for m in ("httpx", "httpcore") if m in sys.modules])
        pid = os.fork()
        if pid == 0:
            os._exit(0)
        os.waitpid(pid, 0)
        loaded = set(sys.modules)
        imported = []

        def audit(event, args):
            if event == "import" and threading.current_thread().name == "neurallog-worker":
                imported.append(args[0])

        sys.addaudithook(audit)
        for i in range(5):
            client.info(f"record {i}", {"i": i}, tags=["t"])
        client.error("x" * 5000)  # gzip
        assert client.flush(30)
        print("first imports on the worker:", sorted(set(imported) - loaded))
        """,
        sink,
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "loaded by the constructor: []" in result.stdout, result.stdout
    assert "first imports on the worker: []" in result.stdout, result.stdout
    assert wait_until(lambda: len(sink.messages) == 6)


def test_fork_while_the_worker_imports_the_http_stack(sink: Sink, tmp_path: Path) -> None:
    # The worker is held inside its first import of httpcore (holding that module's import
    # lock) when the main thread forks; the gate opens just before the fork, and the import
    # goes on for longer than a fork waits for a busy worker (FORK_WAIT). The fork must
    # still wait for it: a child that inherits the module lock of a thread it does not have
    # hangs on its first send.
    result = _run_script(
        f"""
        import os, sys, threading, time
        from neurallog import NeuralLog

        entered, release = threading.Event(), threading.Event()

        class Gate:
            def find_spec(self, name, path=None, target=None):
                if name == "httpcore" and threading.current_thread().name == "neurallog-worker":
                    entered.set()
                    release.wait({HANG_GUARD})
                    time.sleep({_process.FORK_WAIT * 3})  # longer than the pause waits
                return None

        sys.meta_path.insert(0, Gate())
        client = NeuralLog()
        client.info("parent")
        assert entered.wait({HANG_GUARD})
        os.register_at_fork(before=release.set)  # runs before the SDK's hook (registered first)
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                client.info("child")
                code = 0 if client.flush({HANG_GUARD}) else 2
            finally:
                os._exit(code)
        deadline = time.monotonic() + {HANG_GUARD}
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                print("child exit code:", os.waitstatus_to_exitcode(status))
                break
            if time.monotonic() > deadline:
                os.kill(pid, 9)
                os.waitpid(pid, 0)
                print("child hung")
                break
            time.sleep(0.01)
        assert client.flush({HANG_GUARD})
        """,
        sink,
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "child exit code: 0" in result.stdout, result.stdout
    assert wait_until(lambda: sorted(sink.messages) == ["child", "parent"])


def _exit_code_within(pid: int, timeout: float) -> int:
    """The child's exit code; a child still running after ``timeout`` is killed (hung)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        time.sleep(0.01)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    return -signal.SIGKILL


def test_fork_while_another_thread_loads_the_tls_context(monkeypatch: pytest.MonkeyPatch) -> None:
    # The first client of a process loads the CA bundle (~25 ms). A child forked meanwhile
    # must still be able to build clients: nothing it needs may be held by a thread of the
    # parent, which does not exist in the child.
    from neurallog import NeuralLog, _http

    monkeypatch.setattr(_http, "_default_ssl_context", None)
    parent = os.getpid()
    gate = Gate()
    real = httpx.create_ssl_context

    def slow_in_parent(*args: object, **kwargs: object) -> object:
        if os.getpid() == parent:
            gate.hold()
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(httpx, "create_ssl_context", slow_in_parent)
    loader = threading.Thread(target=_http.make_ssl_context)
    loader.start()
    try:
        assert gate.entered.wait(HANG_GUARD)  # the loader is building the context now
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                NeuralLog(api_key=API_KEY, endpoint="http://127.0.0.1:9/v1").close(timeout=0)
                code = 0
            finally:
                os._exit(code)
        assert _exit_code_within(pid, HANG_GUARD) == 0
    finally:
        gate.release.set()
        loader.join(HANG_GUARD)
