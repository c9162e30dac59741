"""Exceptions as record fields: ``{"type", "message", "traceback"}``, one shape everywhere.

The logging methods' ``exc_info=`` and ``exception()``, exception values anywhere in
metadata, and the logging-framework integrations all send an exception this way.
"""

from __future__ import annotations

import sys
import traceback
from types import TracebackType
from typing import Any, Final, TypeAlias

__all__ = [
    "ExcInfo",
    "exception_fields",
    "exception_of",
    "exception_summary",
    "safe_str",
    "truncate_traceback",
    "type_name",
]

#: What ``exc_info=`` accepts: True (the exception being handled), an exception, a
#: ``sys.exc_info()`` tuple, or False/None (none).
ExcInfo: TypeAlias = (
    bool
    | BaseException
    | tuple[type[BaseException], BaseException, TracebackType | None]
    | tuple[None, None, None]
    | None
)

#: Longest traceback text sent with one record; longer ones keep their head and their tail
#: (the innermost frames and the message are at the end).
MAX_TRACEBACK_CHARS: Final = 32_768
_TRACEBACK_HEAD: Final = 8_192


def type_name(exc_type: type[BaseException]) -> str:
    """``ValueError`` for builtins, else ``package.module.QualName``."""
    module = exc_type.__module__
    if module in ("builtins", "__main__", None):
        return exc_type.__qualname__
    return f"{module}.{exc_type.__qualname__}"


def safe_str(value: object) -> str:
    """``str(value)``, or a placeholder when its ``__str__`` fails."""
    try:
        return str(value)
    except Exception:
        return f"<unprintable {type(value).__name__} object>"


def truncate_traceback(text: str) -> str:
    """Keep tracebacks within :data:`MAX_TRACEBACK_CHARS`, keeping head and tail."""
    if len(text) <= MAX_TRACEBACK_CHARS:
        return text
    tail = MAX_TRACEBACK_CHARS - _TRACEBACK_HEAD
    omitted = len(text) - MAX_TRACEBACK_CHARS
    return f"{text[:_TRACEBACK_HEAD]}\n... ({omitted} characters omitted) ...\n{text[-tail:]}"


def exception_fields(exc: BaseException, traceback_text: str | None = None) -> dict[str, Any]:
    """The fields of an exception in a record: ``type``, ``message`` and ``traceback``.

    The traceback includes chained causes (``raise ... from ...``, and exceptions raised
    while handling another), formatted as Python prints them.
    """
    if traceback_text is None:
        try:
            traceback_text = "".join(traceback.format_exception(exc))
        except Exception:  # a broken __str__ deep in a chain, a cycle in a custom exception
            traceback_text = f"{type_name(type(exc))}: {safe_str(exc)}"
    return {
        "type": type_name(type(exc)),
        "message": safe_str(exc),
        "traceback": truncate_traceback(traceback_text.rstrip("\n")),
    }


def exception_summary(exc: BaseException) -> str:
    """``ValueError: boom`` (or just ``ValueError`` when the message is empty)."""
    message = safe_str(exc)
    name = type(exc).__qualname__
    return f"{name}: {message}" if message else name


def exception_of(exc_info: object) -> BaseException | None:
    """The exception an ``exc_info=`` argument names (see :data:`ExcInfo`), or None.

    Raises:
        TypeError: for a value that is none of the accepted kinds.
    """
    if exc_info is True:
        return sys.exc_info()[1]
    if exc_info is None or exc_info is False:
        return None
    if isinstance(exc_info, BaseException):
        return exc_info
    if isinstance(exc_info, tuple) and len(exc_info) == 3:
        value = exc_info[1]
        if value is None or isinstance(value, BaseException):
            return value
    raise TypeError(
        "exc_info must be True (the exception being handled), an exception, a "
        f"sys.exc_info() tuple, or False/None, got {type(exc_info).__name__}"
    )
