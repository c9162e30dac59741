"""Process-wide hooks of the logging pipeline: interpreter exit, fork, multiprocessing exit.

Every live delivery worker (:class:`~neurallog._worker.Worker`) is registered here
(weakly). At interpreter exit every one is closed within its ``shutdown_timeout``; a
``multiprocessing`` child, which ends with ``os._exit`` and so skips ``atexit``, flushes
at its exit too.

The exit also waits for a CA bundle being loaded (:func:`tls_load`): OpenSSL loads it
without the GIL, and OpenSSL's own exit handler, which runs after the interpreter's, frees
what the load is using; an exit during the load crashed the process.

Fork: before it, the HTTP stack is imported on the forking thread (finishing an import a
worker may have under way), then every worker is brought to a safe point (not inside a
request or an import, holding no lock the child could need) and held there, within
:data:`FORK_WAIT` seconds in all; the parent's workers go on after it; in the child every
worker forgets its parent's queue, counters, locks, thread and connections.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import sys
import threading
import time
import weakref
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from neurallog._worker import Worker

__all__ = [
    "FORK_WAIT",
    "TLS_LOAD_WAIT",
    "register",
    "register_multiprocessing_exit",
    "shutdown_all",
    "tls_load",
]

#: Seconds a fork may wait, in all, for the workers to reach their safe point.
FORK_WAIT = 0.5

#: Seconds the exit waits at most for CA bundles being loaded (about 25 ms each) and, with
#: ``transport="requests"``, for the TLS setup of HTTPS connections.
TLS_LOAD_WAIT = 5.0

# Threads loading a CA bundle now (a set: adding and removing one's own id is atomic).
_tls_loading: set[int] = set()
_exiting = False

_workers: weakref.WeakSet[Worker] = weakref.WeakSet()


class _Forking(threading.local):
    # The workers this thread paused for the fork it is making (two threads may fork).
    paused: list[Worker]

    def __init__(self) -> None:
        self.paused = []


_forking = _Forking()
_hooks_installed = False
_mp_exit_pid = 0


def register(worker: Worker) -> None:
    """Cover ``worker`` by the exit and fork hooks (installed with the first one)."""
    global _hooks_installed
    _workers.add(worker)
    if not _hooks_installed:
        _hooks_installed = True
        # Registered after `logging` was imported, so it runs before logging.shutdown().
        atexit.register(shutdown_all)
        os.register_at_fork(
            before=_before_fork,
            after_in_parent=_after_fork_in_parent,
            after_in_child=_after_fork_in_child,
        )


def shutdown_all() -> None:
    """Close every live client, all within the longest ``shutdown_timeout`` (at exit)."""
    workers = list(_workers)
    now = time.monotonic()
    for worker in workers:
        worker.begin_close(now + worker.shutdown_timeout)
    for worker in workers:
        with contextlib.suppress(Exception):  # one client's failure must not stop the others
            worker.finish_close()
    _wait_for_tls_loads()


@contextlib.contextmanager
def tls_load() -> Iterator[None]:
    """Around loading a CA bundle, so that the interpreter's exit waits for it to end.

    A daemon thread that would begin a load once the exit has begun waits for the process
    to end instead; any other thread loads (the exiting thread may be sending inline).
    """
    ident = threading.get_ident()
    _tls_loading.add(ident)
    try:
        # Added before reading _exiting, which the exit sets before reading the set: either
        # this thread sees the exit, or the exit sees this load.
        if _exiting and threading.current_thread().daemon:
            _tls_loading.discard(ident)
            while True:
                time.sleep(60)
        yield
    finally:
        _tls_loading.discard(ident)


def _wait_for_tls_loads() -> None:
    global _exiting
    _exiting = True
    end = time.monotonic() + TLS_LOAD_WAIT
    while _tls_loading and time.monotonic() < end:
        time.sleep(0.005)


def _before_fork() -> None:
    workers = list(_workers)
    for worker in workers:
        # The worker imports the HTTP stack before its first send, not the constructor.
        # Importing it here too finishes that import first if it is under way (this thread
        # waits in the import system for the worker's module locks), however long it
        # takes: the child must never inherit a half-imported module or its lock.
        with contextlib.suppress(Exception):  # never let a hook break the fork
            worker.prime_for_fork()
    deadline = time.monotonic() + FORK_WAIT
    paused = _forking.paused
    for worker in workers:
        paused.append(worker)  # first: a pause that fails halfway must still be undone
        with contextlib.suppress(Exception):  # never let a hook break the fork
            worker.pause_for_fork(deadline)


def _after_fork_in_parent() -> None:
    paused = _forking.paused
    while paused:
        with contextlib.suppress(Exception):
            paused.pop().resume_after_fork()


def _after_fork_in_child() -> None:
    _forking.paused.clear()
    _tls_loading.clear()  # the loading threads are the parent's; none exists here
    for worker in list(_workers):
        worker.after_fork_in_child()


def register_multiprocessing_exit() -> None:
    """In a multiprocessing child, flush at its exit: it ends with os._exit, skipping atexit."""
    global _mp_exit_pid
    multiprocessing = sys.modules.get("multiprocessing")
    pid = os.getpid()
    if multiprocessing is None or _mp_exit_pid == pid:
        return
    try:
        if multiprocessing.parent_process() is None:
            return
        from multiprocessing import util

        util.Finalize(None, shutdown_all, exitpriority=0)
        _mp_exit_pid = pid
    except Exception:  # noqa: S110 - best effort; atexit still covers normal exits
        pass
