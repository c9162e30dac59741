"""``neurallog tail``, ``search``, ``send``, ``rules`` and ``actions``."""

from __future__ import annotations

import argparse
import logging
import re
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from rich.text import Text

from neurallog import NeuralLog
from neurallog._cli import render
from neurallog._cli.config import UsageError, resolve_target
from neurallog._levels import parse_level
from neurallog.types import Level, LogEntry

LEVELS = ("DEBUG", "INFO", "WARN", "ERROR", "FATAL")
_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)")
_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_PROGRESS_EVERY = 0.25  # seconds between updates of a progress line
_SEND_BACKLOG = 5_000  # records waiting for delivery before `send` waits for them


def since_to_iso(text: str) -> str:
    """``10m``, ``2h``, ``1d`` (before now) or an ISO 8601 time, as RFC 3339."""
    match = _DURATION.fullmatch(text.strip())
    if match:
        seconds = float(match[1]) * _UNITS[match[2]]
        moment = datetime.now(UTC) - timedelta(seconds=seconds)
    else:
        try:
            moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
        except ValueError:
            raise UsageError(
                f"--since {text!r}: give a duration such as 10m, 2h or 1d, or an ISO time "
                "such as 2026-01-31T12:00:00Z"
            ) from None
        if moment.tzinfo is None:
            moment = moment.astimezone()  # a time without offset is local time
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def level_name(text: str) -> Level:
    """A level as the API names it; ``UsageError`` when it is none."""
    try:
        number = parse_level(text)
    except (ValueError, TypeError):
        raise UsageError(f"--level {text!r}: use one of {', '.join(LEVELS)}") from None
    return cast("Level", LEVELS[min(max(number // 10 - 1, 0), 4)])


def log_filter(args: argparse.Namespace) -> dict[str, Any]:
    """The filter of ``--level`` (that level and above), ``--source``, ``--tag`` and
    ``--since``."""
    selection: dict[str, Any] = {}
    if args.level:
        selection["level"] = {"gte": level_name(args.level)}
    if args.source:
        selection["source"] = list(args.source)
    if args.tag:
        selection["tags"] = list(args.tag)
    if args.since:
        selection["timestamp"] = {"gte": since_to_iso(args.since)}
    return selection


class _Outages(logging.Handler):
    """Turns the SDK's reconnection notices into one line per outage on stderr."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.down = False

    def emit(self, record: logging.LogRecord) -> None:
        if "log stream interrupted" in record.getMessage() and not self.down:
            self.down = True
            message = "tail: connection lost; reconnecting and resuming where it stopped"
            render.console(sys.stderr).print(Text(message, "yellow"))

    def entry_arrived(self) -> None:
        if self.down:
            self.down = False
            render.console(sys.stderr).print(Text("tail: resumed", "dim"))


def _client(args: argparse.Namespace, handler: logging.Handler, **options: Any) -> NeuralLog:
    target = resolve_target(args.endpoint, args.api_key, args.token)
    logger = logging.getLogger(f"neurallog.cli.{args.command}")
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    logger.handlers[:] = [handler]
    return NeuralLog(
        api_key=target.api_key,
        token=target.token,
        endpoint=target.endpoint,
        logger=logger,
        log_level="DEBUG",
        **options,
    )


def _print_entry(out: Any, entry: LogEntry, as_json: bool) -> None:
    if as_json:
        out.file.write(render.json_line(entry) + "\n")
    else:
        out.print(render.entry_line(entry))
    out.file.flush()


def tail(args: argparse.Namespace) -> int:
    """History, then (with ``-f``) every new entry as it arrives."""
    selection = log_filter(args)
    history = 1000 if args.since else args.lines
    if not 0 <= history <= 1000:
        raise UsageError("--lines must be between 0 and 1000")
    # First a plain request, which fails at once on a wrong endpoint or credential...
    with _client(args, logging.NullHandler(), retries=0) as probe:
        probe.logs.search(query=args.query or None, filter=selection or None, limit=1, fields="id")
    outages = _Outages()
    # ...then the stream, whose reconnections are retried for as long as the command runs.
    with _client(args, outages, retries=1_000_000, max_retry_delay=2.0) as client:
        out = render.console()
        stream = client.logs.stream(
            query=args.query or None,
            filter=selection or None,
            follow=args.follow,
            history=history,
        )
        with stream:
            for entry in stream:
                outages.entry_arrived()
                _print_entry(out, entry, args.json)
    return 0


def search(args: argparse.Namespace) -> int:
    """A page of matches as a table (or JSON lines); ``--all`` walks every page."""
    if not 1 <= args.limit <= 1000:
        raise UsageError("--limit must be between 1 and 1000")
    selection = log_filter(args)
    with _client(args, logging.NullHandler()) as client:
        out = render.console()
        page_size = 1000 if args.all else args.limit
        page = client.logs.search(
            query=args.query,
            filter=selection or None,
            limit=page_size,
            sort=args.sort,
        )
        entries: Iterator[LogEntry] = page.iter_all() if args.all else iter(page)
        if args.json:
            for entry in _with_progress(entries, page.total if args.all else 0):
                out.file.write(render.json_line(entry) + "\n")
            out.file.flush()
            return 0
        rows = list(_with_progress(entries, page.total if args.all else 0))
        out.print(render.entries_table(rows))
        more = "" if args.all or not page.has_more else " (more with --limit or --all)"
        err = render.console(sys.stderr)
        err.print(Text(f"{len(rows)} of {page.total} matching entries{more}", "dim"))
        return 0


def _with_progress(entries: Iterator[LogEntry], total: int) -> Iterator[LogEntry]:
    """``entries``, with a progress line on a terminal's stderr while ``--all`` walks."""
    if not total or not sys.stderr.isatty():
        yield from entries
        return
    from rich.progress import Progress

    with Progress(console=render.console(sys.stderr), transient=True) as progress:
        task = progress.add_task("fetching", total=total)
        for count, entry in enumerate(entries, 1):
            if count % 100 == 0:
                progress.update(task, completed=count)
            yield entry


def _metadata(pairs: list[str]) -> dict[str, Any]:
    metadata: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise UsageError(f"--meta {pair!r}: write KEY=VALUE")
        metadata[key] = value
    return metadata


def send(args: argparse.Namespace) -> int:
    """One entry, or one per line of stdin, through the SDK's batching pipeline."""
    level = level_name(args.level)
    metadata = _metadata(args.meta) or None
    tags = list(args.tag) or None
    lines = 0
    # Big batches: a pipe can hold many lines; shutdown_timeout gives the tail time to go.
    options: dict[str, Any] = {
        "batch_size": 500,
        "batch_interval": 0.2,
        "max_queue_size": 4 * _SEND_BACKLOG,
        "shutdown_timeout": 60.0,
    }
    client = _client(args, logging.NullHandler(), **options)
    try:
        if args.message is not None:
            client.log(level, args.message, metadata, source=args.source, tags=tags)
            lines = 1
        else:
            lines = _send_lines(client, level, metadata, args.source, tags)
    finally:
        client.close()
    stats = client.stats
    lost = stats.dropped_total + stats.queued
    if lost:
        reasons = ", ".join(f"{n} {why}" for why, n in stats.dropped.items() if n)
        raise SendLost(f"{lost} of {lines} entries were not delivered ({reasons or 'unsent'})")
    return 0


class SendLost(Exception):
    """Entries that ``send`` could not deliver (exit status 1)."""


def _send_lines(
    client: NeuralLog,
    level: Level,
    metadata: dict[str, Any] | None,
    source: str | None,
    tags: list[str] | None,
) -> int:
    progress = sys.stderr.isatty()
    if sys.stdin.isatty():
        print("neurallog send: one entry per line; Ctrl-D ends", file=sys.stderr)
    count = 0
    shown = time.monotonic()
    for raw in sys.stdin:
        line = raw.rstrip("\r\n")
        if not line.strip():
            continue
        client.log(level, line, metadata, source=source, tags=tags)
        count += 1
        if count % 500 == 0 and client.stats.queued > _SEND_BACKLOG:
            # Wait for delivery rather than let the queue drop: no line may be lost.
            client.flush()
        if progress and time.monotonic() - shown > _PROGRESS_EVERY:
            shown = time.monotonic()
            sys.stderr.write(f"\rneurallog send: {count} lines, {client.stats.sent} delivered")
            sys.stderr.flush()
    client.flush()
    if progress:
        sys.stderr.write(f"\rneurallog send: {count} lines, {client.stats.sent} delivered\n")
    return count


def rules(args: argparse.Namespace) -> int:
    """``rules list`` and ``rules test ID``."""
    with _client(args, logging.NullHandler()) as client:
        out = render.console()
        if args.rules_command == "list":
            page = client.rules.list(limit=100)
            items = list(page.iter_all())
            if args.json:
                _json_lines(out, items)
                return 0
            out.print(
                render.records_table(
                    ["id", "name", "enabled", "condition", "actions", "last triggered"],
                    (
                        [
                            r["id"],
                            r["name"],
                            Text("on", "green") if r["enabled"] else Text("off", "dim"),
                            _condition(r["condition"]),
                            len(r["actions"]),
                            render.short_time(r["last_triggered_at"]) or "never",
                        ]
                        for r in items
                    ),
                )
            )
            return 0
        sample: dict[str, Any] = {"level": level_name(args.level), "message": args.message}
        if args.source:
            sample["source"] = args.source
        if args.meta:
            sample["metadata"] = _metadata(args.meta)
        result = client.rules.test(args.rule_id, sample)
        if args.json:
            _json_lines(out, [result])
            return 0
        matched = result.get("matched")
        out.print(Text("matched" if matched else "no match", "green" if matched else "yellow"))
        for action in result.get("actions") or []:
            out.print(render.json_line(action))
        return 0


def actions(args: argparse.Namespace) -> int:
    """``actions list`` and ``actions executions ID``."""
    with _client(args, logging.NullHandler()) as client:
        out = render.console()
        if args.actions_command == "list":
            items = list(client.actions.list(limit=100).iter_all())
            if args.json:
                _json_lines(out, items)
                return 0
            out.print(
                render.records_table(
                    ["id", "name", "type", "description"],
                    ([a["id"], a["name"], a["type"], a.get("description") or ""] for a in items),
                )
            )
            return 0
        page = client.actions.executions(args.action_id, limit=args.limit)
        if args.json:
            _json_lines(out, list(page))
            return 0
        styles = {"success": "green", "failed": "red", "pending": "yellow"}
        out.print(
            render.records_table(
                ["executed", "status", "rule", "result"],
                (
                    [
                        render.short_time(e["executed_at"]),
                        Text(e["status"], styles.get(e["status"], "")),
                        e.get("rule_id") or "manual",
                        e.get("error") or render.json_line(e.get("result")),
                    ]
                    for e in page
                ),
            )
        )
        return 0


def _json_lines(out: Any, items: list[Any]) -> None:
    for item in items:
        out.file.write(render.json_line(item) + "\n")
    out.file.flush()


def _condition(condition: Any) -> str:
    if not isinstance(condition, dict):
        return str(condition)
    params = condition.get("parameters") or {}
    kind = condition.get("type")
    if kind == "log_level":
        return f"level >= {params.get('level')}"
    if kind == "pattern":
        return f"{params.get('field', 'message')} ~ /{params.get('pattern')}/"
    if kind == "match":
        return f"{params.get('field')} {params.get('operator', 'eq')} {params.get('value', '')}"
    return f"{kind} {render.json_line(params)}"
