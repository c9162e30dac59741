"""Running NeuralLog Local with uvicorn: blocking (the CLI) or in a background thread."""

from __future__ import annotations

import asyncio
import socket
import sys
import threading
import time
from collections.abc import Callable, Coroutine
from types import TracebackType
from typing import Any

import uvicorn

from .app import create_app
from .connections import guarded_protocol, raise_open_file_limit
from .services import Services
from .settings import Settings
from .spec import API_PREFIX

_SWITCH_INTERVAL = 0.0002  # seconds; for a whole process that is the server (see serve)


def bind(host: str, port: int) -> socket.socket:
    """A socket bound to ``host:port`` (port 0 picks a free one); ``OSError`` when taken."""
    family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
    # An explicit IPPROTO_TCP matters: asyncio only sets TCP_NODELAY on accepted sockets
    # whose protocol says TCP, and without it every keep-alive response waits ~40 ms for
    # a delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


def base_url_of(sock: socket.socket) -> str:
    """``http://host:port`` of a bound socket."""
    host, port = sock.getsockname()[:2]
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


class _Server(uvicorn.Server):
    def __init__(self, config: uvicorn.Config, services: Services) -> None:
        super().__init__(config)
        self.services = services

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        # uvicorn waits for open connections before the application's lifespan ends, so
        # live-tail streams are told to finish first.
        self.services.broker.close()
        await super().shutdown(sockets=sockets)


def _uvicorn(settings: Settings, log_level: str, access_log: bool) -> _Server:
    services = Services.open(settings)
    config = uvicorn.Config(
        create_app(services=services),
        log_level=log_level,
        access_log=access_log,
        lifespan="on",
        http=guarded_protocol(settings),
        timeout_graceful_shutdown=5,
        ws="none",
    )
    return _Server(config, services)


def _run(server: _Server, main: Coroutine[Any, Any, None]) -> None:
    # uvicorn's choice of event loop: uvloop when it is installed, else asyncio's.
    with asyncio.Runner(loop_factory=server.config.get_loop_factory()) as runner:
        runner.run(main)


def serve(
    settings: Settings,
    sock: socket.socket,
    *,
    log_level: str = "warning",
    access_log: bool = False,
    on_ready: Callable[[Services], None] | None = None,
) -> None:
    """Serve on ``sock`` until interrupted (uvicorn handles SIGINT and SIGTERM)."""
    # The whole process is the server: every file descriptor it may have is for clients
    # and the database (a server in a thread of another program leaves the limit alone).
    raise_open_file_limit()
    # The ingest writer gives the GIL up around every SQLite call and then waits for the
    # event loop to let go of it, up to the switch interval (5 ms by default) each time;
    # under load that waiting was most of a group's time. Paired runs, 8 clients x 100
    # entries: 26,979 -> 30,623 entries/s (medians of 7), ingest p99 69 -> 57 ms.
    sys.setswitchinterval(_SWITCH_INTERVAL)
    server = _uvicorn(settings, log_level, access_log)

    async def main() -> None:
        async def announce() -> None:
            while not server.started:
                if server.should_exit:
                    return
                await asyncio.sleep(0.01)
            if on_ready is not None:
                on_ready(server.services)

        task = asyncio.create_task(announce())
        await server.serve(sockets=[sock])
        task.cancel()

    _run(server, main())


class LocalServer:
    """NeuralLog Local in a background thread of this process.

    >>> with LocalServer() as server:          # in-memory database, free loopback port
    ...     print(server.endpoint, server.api_key)
    """

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        log_level: str = "warning",
    ) -> None:
        self.settings = settings or Settings(db=":memory:")
        self.host = host
        self.port = port
        self.log_level = log_level
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._sock: socket.socket | None = None
        self.base_url = ""

    @property
    def endpoint(self) -> str:
        """The API endpoint, ``http://host:port/v1``."""
        return self.base_url + API_PREFIX

    @property
    def api_key(self) -> str | None:
        """The development key (``None`` when the settings name API keys)."""
        return None if self._server is None else self._server.services.dev_api_key

    @property
    def services(self) -> Services | None:
        """The running server's state (storage, rule engine, ...), ``None`` when stopped."""
        return None if self._server is None else self._server.services

    @property
    def open_connections(self) -> int:
        """How many client connections are open now."""
        return 0 if self._server is None else len(self._server.server_state.connections)

    def start(self, timeout: float = 30.0) -> LocalServer:
        """Start serving; return once requests are accepted."""
        if self._thread is not None:
            raise RuntimeError("already started")
        self._sock = bind(self.host, self.port)
        self.base_url = base_url_of(self._sock)
        server = self._server = _uvicorn(self.settings, self.log_level, False)
        sock = self._sock
        self._thread = threading.Thread(
            target=lambda: _run(server, server.serve(sockets=[sock])),
            name="neurallog-local",
            daemon=True,
        )
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("NeuralLog Local did not start")
            time.sleep(0.01)
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Stop serving and close the database."""
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout)
        if self._sock is not None:
            self._sock.close()
        self._server = self._thread = self._sock = None

    def __enter__(self) -> LocalServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
