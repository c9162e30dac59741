"""How entries, rules and actions look in a terminal (rich), and as JSON lines."""

from __future__ import annotations

import os
import sys
import zlib
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import IO, Any

import orjson
from rich.console import Console
from rich.table import Table
from rich.text import Text

LEVEL_STYLES = {
    "DEBUG": "dim",
    "INFO": "cyan",
    "WARN": "yellow",
    "ERROR": "bold red",
    "FATAL": "bold white on red",
}
# Distinct on dark and light terminals; a source keeps its colour across runs.
_SOURCE_COLOURS = (
    "green",
    "magenta",
    "blue",
    "bright_cyan",
    "bright_magenta",
    "bright_green",
    "dark_orange",
    "purple",
    "bright_blue",
    "gold3",
)
_METADATA_SHOWN = 12


def console(stream: IO[str] | None = None) -> Console:
    """A console on ``stream`` (stdout): colour only on a terminal and without NO_COLOR."""
    stream = stream or sys.stdout
    # A pipe gets whole lines: a table is cut to fit a terminal's width only.
    width = None if stream.isatty() else 1_000
    return Console(
        file=stream,
        width=width,
        highlight=False,
        emoji=False,
        markup=False,
        no_color=bool(os.environ.get("NO_COLOR")),
        soft_wrap=True,
    )


def source_style(source: str) -> str:
    """The stable colour of a source."""
    return _SOURCE_COLOURS[zlib.crc32(source.encode()) % len(_SOURCE_COLOURS)]


def short_time(text: object) -> str:
    """``HH:MM:SS.mmm`` in local time (with the date when it is not today)."""
    if not isinstance(text, str):
        return ""
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone()
    except ValueError:
        return text
    clock = moment.strftime("%H:%M:%S.") + f"{moment.microsecond // 1000:03d}"
    if moment.date() == datetime.now().astimezone().date():
        return clock
    return moment.strftime("%Y-%m-%d ") + clock


def _scalar(value: Any) -> str:
    if isinstance(value, str):
        return value if value and " " not in value else orjson.dumps(value).decode()
    return orjson.dumps(value, default=str).decode()


def flat_metadata(metadata: Mapping[str, Any], prefix: str = "") -> Iterable[tuple[str, str]]:
    """``key=value`` pairs, nested keys dotted."""
    for key, value in metadata.items():
        if isinstance(value, Mapping) and value:
            yield from flat_metadata(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", _scalar(value)


def entry_line(entry: Mapping[str, Any]) -> Text:
    """One entry as a line (and its traceback, indented, below it)."""
    level = str(entry.get("level") or "")
    line = Text()
    line.append(short_time(entry.get("timestamp")), style="dim")
    line.append(" ")
    line.append(f"{level:<5}", style=LEVEL_STYLES.get(level, ""))
    source = entry.get("source")
    if source:
        line.append(" ")
        line.append(str(source), style=source_style(str(source)))
    line.append(" ")
    line.append(str(entry.get("message", "")), style="red" if level in ("ERROR", "FATAL") else "")
    metadata = entry.get("metadata") or {}
    exception = metadata.get("exception") if isinstance(metadata, Mapping) else None
    shown = {k: v for k, v in metadata.items() if k != "exception"} if metadata else {}
    for count, (key, value) in enumerate(flat_metadata(shown)):
        if count == _METADATA_SHOWN:
            line.append(" …", style="dim")
            break
        line.append(f" {key}=", style="dim")
        line.append(value, style="dim bold")
    for tag in entry.get("tags") or []:
        line.append(f" #{tag}", style="blue")
    if isinstance(exception, Mapping):
        trace = exception.get("traceback") or f"{exception.get('type')}: {exception.get('message')}"
        for row in str(trace).splitlines():
            line.append("\n    " + row, style="red")
    return line


def json_line(value: Any) -> str:
    """One JSON object per line, for ``jq``."""
    return orjson.dumps(value, default=str).decode()


def entries_table(entries: Iterable[Mapping[str, Any]]) -> Table:
    """Search results as a table."""
    table = Table(box=None, pad_edge=False, header_style="bold dim", expand=False)
    table.add_column("TIME", style="dim", no_wrap=True)
    table.add_column("LEVEL", no_wrap=True)
    table.add_column("SOURCE", no_wrap=True)
    table.add_column("MESSAGE", overflow="fold")
    for entry in entries:
        level = str(entry.get("level") or "")
        source = str(entry.get("source") or "")
        message = Text(str(entry.get("message", "")))
        metadata = entry.get("metadata") or {}
        for key, value in list(flat_metadata(metadata))[:_METADATA_SHOWN]:
            message.append(f" {key}=", style="dim")
            message.append(value, style="dim bold")
        table.add_row(
            short_time(entry.get("timestamp")),
            Text(level, style=LEVEL_STYLES.get(level, "")),
            Text(source, style=source_style(source) if source else ""),
            message,
        )
    return table


def records_table(columns: list[str], rows: Iterable[list[Any]]) -> Table:
    """Rules, actions or executions as a table."""
    table = Table(box=None, pad_edge=False, header_style="bold dim")
    for name in columns:
        table.add_column(name.upper(), overflow="fold")
    for row in rows:
        table.add_row(*(cell if isinstance(cell, Text) else Text(str(cell)) for cell in row))
    return table
