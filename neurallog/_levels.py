"""Log levels: NeuralLog's five names, aligned with the stdlib's numbers."""

from __future__ import annotations

from typing import Final

DEBUG: Final = 10
INFO: Final = 20
WARN: Final = 30
ERROR: Final = 40
FATAL: Final = 50

#: Wire name of each level number.
LEVEL_NAMES: Final[dict[int, str]] = {
    DEBUG: "DEBUG",
    INFO: "INFO",
    WARN: "WARN",
    ERROR: "ERROR",
    FATAL: "FATAL",
}

_BY_NAME: Final[dict[str, int]] = {
    "DEBUG": DEBUG,
    "INFO": INFO,
    "WARN": WARN,
    "WARNING": WARN,
    "ERROR": ERROR,
    "FATAL": FATAL,
    "CRITICAL": FATAL,
}

VALID_LEVELS_TEXT: Final = (
    "DEBUG, INFO, WARN (or WARNING), ERROR, FATAL (or CRITICAL), in any case, "
    "or a stdlib logging level number"
)


def parse_level(value: object) -> int:
    """Return the NeuralLog level number for a name or a stdlib level number.

    Names are case-insensitive; ``WARNING`` and ``CRITICAL`` are accepted for ``WARN`` and
    ``FATAL``. A number between the standard ones (a custom stdlib level such as 25) maps to
    the nearest level at or below it; anything below ``DEBUG`` is ``DEBUG``.

    Raises:
        ValueError: for an unknown name or a value that is neither a string nor an int.
    """
    if type(value) is str:
        found = _BY_NAME.get(value) or _BY_NAME.get(value.upper())
        if found is not None:
            return found
        raise ValueError(f"unknown log level {value!r}; valid levels are {VALID_LEVELS_TEXT}")
    if isinstance(value, int) and not isinstance(value, bool):
        if value >= FATAL:
            return FATAL
        if value < DEBUG:
            return DEBUG
        return value - value % 10
    raise ValueError(
        f"log level must be a string or an int, got {type(value).__name__}; "
        f"valid levels are {VALID_LEVELS_TEXT}"
    )


def level_name(value: object) -> str:
    """Return the wire name (``DEBUG`` ... ``FATAL``) for any accepted level spelling."""
    return LEVEL_NAMES[parse_level(value)]
