"""The loopback sink of the logging benchmark: one process that acknowledges every peer.

It runs in its own process so it never competes with the measured process for the GIL, and
counts the records it received by kind:

* ``neurallog``: ``POST /v1/logs``, NeuralLog's JSON (optionally gzip), answered 202;
* ``otlp``: ``POST /v1/logs`` in OTLP protobuf (OpenTelemetry's OTLP/HTTP exporter), 200;
* ``sentry``: ``POST /api/<project>/envelope/`` (sentry-sdk), the ``log`` items counted;
* ``logtail``: ``POST /`` in msgpack (logtail-python), 202.

``GET /`` answers the counts as JSON. Start it with ``python bench/sink.py PORT``; it prints
``ready`` once it listens.
"""

from __future__ import annotations

import gzip
import http.server
import json
import socket
import subprocess
import sys
import time
import urllib.request
import zlib
from typing import Any


def serve(port: int) -> None:
    """Listen on 127.0.0.1:``port`` until killed."""
    import msgpack
    import orjson
    from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import (
        ExportLogsServiceRequest,
        ExportLogsServiceResponse,
    )

    counts = {"neurallog": 0, "otlp": 0, "sentry": 0, "logtail": 0, "requests": 0}
    ok_otlp = ExportLogsServiceResponse().SerializeToString()

    def sentry_logs(body: bytes) -> int:
        # An envelope: a header line, then per item a header line (with the payload's
        # length) and the payload.
        total = 0
        position = body.index(b"\n") + 1
        while position < len(body):
            end = body.find(b"\n", position)
            end = len(body) if end < 0 else end
            line = body[position:end].strip()
            position = end + 1
            if not line:
                continue
            header = orjson.loads(line)
            length = header.get("length", 0)
            if header.get("type") == "log":
                total += header.get("item_count", 0)
            position += length + 1
        return total

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as real collectors do

        def setup(self) -> None:
            super().setup()
            # Headers and body go out in separate writes: without this, Nagle's algorithm
            # and delayed ACKs add ~40 ms to every response (for every client alike).
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _reply(self, status: int, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            self._reply(200, json.dumps(counts).encode(), "application/json")

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            encoding = self.headers.get("Content-Encoding", "")
            if encoding == "gzip":
                raw = gzip.decompress(raw)
            elif encoding == "deflate":
                raw = zlib.decompress(raw)
            counts["requests"] += 1
            content_type = self.headers.get("Content-Type", "")
            if content_type.startswith("application/x-protobuf"):
                request = ExportLogsServiceRequest()
                request.ParseFromString(raw)
                counts["otlp"] += sum(
                    len(scope.log_records)
                    for resource in request.resource_logs
                    for scope in resource.scope_logs
                )
                self._reply(200, ok_otlp, "application/x-protobuf")
                return
            if "/envelope" in self.path:
                counts["sentry"] += sentry_logs(raw)
                self._reply(200, b"{}", "application/json")
                return
            if content_type.startswith("application/msgpack"):
                counts["logtail"] += len(msgpack.unpackb(raw))
                self._reply(202, b"", "text/plain")
                return
            entries = orjson.loads(raw)["logs"]
            counts["neurallog"] += len(entries)
            data = {
                "accepted": len(entries),
                "duplicates": 0,
                "rejected": [],
                "ids": [e.get("id") for e in entries],
            }
            self._reply(202, orjson.dumps({"data": data, "meta": {}}), "application/json")

    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    print("ready", flush=True)
    server.serve_forever()


def free_port() -> int:
    """A port nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Sink:
    """The sink process, seen from the benchmark."""

    def __init__(self) -> None:
        self.port = free_port()
        self.process = subprocess.Popen(
            [sys.executable, __file__, str(self.port)], stdout=subprocess.PIPE, text=True
        )
        assert self.process.stdout is not None
        self.process.stdout.readline()  # "ready"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def close(self) -> None:
        self.process.terminate()
        self.process.wait(10)
        if self.process.stdout is not None:
            self.process.stdout.close()


def counts(url: str) -> dict[str, int]:
    """The sink's counts so far."""
    with urllib.request.urlopen(url + "/", timeout=10) as answer:  # noqa: S310 - loopback
        result: dict[str, int] = json.loads(answer.read())
        return result


def wait_for(url: str, kind: str, count: int, timeout: float, settle: float = 0.5) -> int:
    """Wait until ``count`` records of ``kind`` arrived, or nothing more came for ``settle``.

    Returns the count reached (less than ``count`` when records were lost).
    """
    deadline = time.monotonic() + timeout
    last, last_change = -1, time.monotonic()
    while True:
        now_count = counts(url)[kind]
        now = time.monotonic()
        if now_count >= count:
            return now_count
        if now_count != last:
            last, last_change = now_count, now
        elif now - last_change > settle or now > deadline:
            return now_count
        time.sleep(0.002)


if __name__ == "__main__":
    serve(int(sys.argv[1]))
