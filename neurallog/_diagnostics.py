"""The SDK's own messages about delivery: rate-limited, never looping, never lost from view.

They go to the client's ``logger`` (default ``neurallog``) so an application decides
where they end up, at most one per kind per minute (a dead backend is quiet). Two rules
keep them both safe and visible, whatever the entry point:

* they are logged with the thread marked internal (:mod:`neurallog._guard`), so no
  handler can feed them back into a client's queue;
* when the only handlers they would reach are the SDK's own (``NeuralLogHandler`` as the
  only root handler, which skips them), they go to :data:`logging.lastResort` instead,
  the stderr handler Python uses when an application configured no logging at all. A
  plain client and the handler setup then report a refused key the same way.

A logger the application silenced (a level above the message's, ``disabled``) is obeyed.
"""

from __future__ import annotations

import logging
import sys
import time
from typing import Final

from neurallog import _guard

__all__ = ["Diagnostics"]

_INTERVAL: Final = 60.0
_HANDLER_MODULE: Final = "neurallog.integrations.logging"
_monotonic = time.monotonic


class Diagnostics:
    """The SDK's messages on one logger, at most one per kind per minute."""

    def __init__(self, logger: logging.Logger) -> None:
        self._logger = logger
        self._last: dict[str, tuple[float, int]] = {}

    def emit(self, key: str, level: int, message: str, *args: object) -> None:
        """Log ``message % args`` unless a message of this ``key`` went out a minute ago."""
        now = _monotonic()
        last, suppressed = self._last.get(key, (-_INTERVAL * 2, 0))
        if now - last < _INTERVAL:
            self._last[key] = (last, suppressed + 1)
            return
        self._last[key] = (now, 0)
        if suppressed:
            message += f" ({suppressed} similar message(s) suppressed)"
        logger = self._logger
        try:
            with _guard.internal():
                if not logger.isEnabledFor(level):
                    return
                if _reaches_an_application_handler(logger):
                    logger.log(level, message, *args)
                else:
                    _last_resort(logger, level, message, args)
        except Exception:  # noqa: S110 - diagnostics must never break delivery
            pass


def _reaches_an_application_handler(logger: logging.Logger) -> bool:
    """Whether a record of ``logger`` meets a handler that is not the SDK's own.

    The walk :meth:`logging.Logger.callHandlers` makes: up the hierarchy until a logger
    that does not propagate; any handler counts, whatever its level, as for Python's
    decision to use its last resort.
    """
    module = sys.modules.get(_HANDLER_MODULE)
    ours: type | None = getattr(module, "NeuralLogHandler", None)
    current: logging.Logger | None = logger
    while current is not None:
        for handler in current.handlers:
            if ours is None or not isinstance(handler, ours):
                return True
        if not current.propagate:
            return False
        current = current.parent
    return False


def _last_resort(
    logger: logging.Logger, level: int, message: str, args: tuple[object, ...]
) -> None:
    handler = logging.lastResort
    if handler is None or level < handler.level:
        return
    record = logger.makeRecord(logger.name, level, __file__, 0, message, args, None)
    if logger.filter(record):
        handler.handle(record)
