"""``console=True``: each record the client sends is also written to stderr, for development.

One line per record: local time, level, source, message, then the fields
(``key=value``: the scoped context, then the record's metadata); an exception's traceback
follows on the next lines as Python prints it. Coloured by level when stderr is a terminal,
unless ``NO_COLOR`` is set (https://no-color.org); plain text otherwise.

Writing happens on the calling thread (it is a development aid, not the delivery path) and
never raises: a failing stream loses the line, not the record.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final, TextIO

from neurallog import _guard
from neurallog._exc_info import exception_fields, safe_str
from neurallog._levels import LEVEL_NAMES
from neurallog._stdlib_record import is_snapshot, snapshot_metadata
from neurallog.context import current as current_context

if TYPE_CHECKING:
    from neurallog._methods import PutRecord

__all__ = ["Console", "mirrored"]

_RESET: Final = "\x1b[0m"
_DIM: Final = "\x1b[2m"
_SOURCE: Final = "\x1b[36m"
_LEVEL_COLOURS: Final[dict[int, str]] = {
    10: "\x1b[34m",  # DEBUG blue
    20: "\x1b[32m",  # INFO green
    30: "\x1b[33m",  # WARN yellow
    40: "\x1b[31m",  # ERROR red
    50: "\x1b[1;37;41m",  # FATAL white on red
}
_VALUE_LIMIT: Final = 500
_state = _guard._state


class Console:
    """Formats records as lines and writes them to ``sys.stderr`` (looked up at each write)."""

    def __init__(self, default_source: str | None = None) -> None:
        self._default_source = default_source
        self._no_color = bool(os.environ.get("NO_COLOR"))
        self._stream: TextIO | None = None
        self._color = False

    def write(
        self, level: int, message: object, metadata: Mapping[str, Any] | None, source: str | None
    ) -> None:
        """Write one record's line (and traceback); never raises."""
        stream: TextIO | None = sys.stderr
        if stream is None:  # pythonw, a closed console
            return
        # Whatever the write logs (a stderr redirected into logging) is refused by the
        # client as recursion instead of looping back here.
        previous = _state.internal
        _state.internal = True
        try:
            if stream is not self._stream:
                self._stream = stream
                self._color = not self._no_color and _is_terminal(stream)
            stream.write(self.format(level, message, metadata, source, color=self._color))
        except Exception:  # noqa: S110 - a development aid must never break the logging call
            pass
        finally:
            _state.internal = previous

    def format(
        self,
        level: int,
        message: object,
        metadata: Mapping[str, Any] | None,
        source: str | None,
        *,
        color: bool,
    ) -> str:
        """The record's text: one line, then any traceback, ending with a newline."""
        now = time.time()
        stamp = time.strftime("%H:%M:%S", time.localtime(now)) + f".{int(now % 1 * 1000):03d}"
        name = LEVEL_NAMES.get(level, str(level))
        source = source or self._default_source
        fields: dict[str, Any] = dict(current_context())
        if metadata:
            fields.update(metadata)
        tracebacks: list[str] = []
        parts = [_paint(stamp, _DIM, color), _paint(f"{name:<5}", _LEVEL_COLOURS[level], color)]
        if source:
            parts.append(_paint(f"[{source}]", _SOURCE, color))
        parts.append(safe_str(message))
        for key, value in fields.items():
            text, trace = _field_text(value)
            if trace:
                tracebacks.append(trace)
            parts.append(f"{_paint(f'{key}=', _DIM, color)}{text}")
        lines = [" ".join(parts)]
        lines.extend(tracebacks)
        return "\n".join(lines) + "\n"


def mirrored(put: PutRecord, console: Console) -> PutRecord:
    """``put`` that also writes each record it accepted to the console."""
    write = console.write

    def put_and_write(
        level: int, message: object, metadata: Any = None, source: Any = None, *rest: Any
    ) -> None:
        if is_snapshot(metadata):  # a stdlib record's (_stdlib_record)
            metadata = snapshot_metadata(metadata)
        put(level, message, metadata, source, *rest)
        write(level, message, metadata, source)

    return put_and_write


def _field_text(value: object) -> tuple[str, str | None]:
    """A field's value as text, and the traceback it carries (an exception's), if any."""
    if isinstance(value, BaseException):
        value = exception_fields(value)
    if isinstance(value, Mapping) and isinstance(value.get("traceback"), str) and "type" in value:
        summary = f"{value['type']}: {value.get('message', '')}".rstrip(": ")
        return summary, value["traceback"]
    if isinstance(value, str):
        text = value if value and not any(c.isspace() for c in value) else repr(value)
    else:
        try:
            text = repr(value)
        except Exception:
            text = f"<unrepresentable {type(value).__name__}>"
    if len(text) > _VALUE_LIMIT:
        text = text[:_VALUE_LIMIT] + "..."
    return text, None


def _paint(text: str, colour: str, enabled: bool) -> str:
    return f"{colour}{text}{_RESET}" if enabled else text


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except Exception:
        return False
