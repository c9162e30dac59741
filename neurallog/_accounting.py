"""Delivery accounting: the one place that counts what became of every record.

Every record a logging call accepts ends in exactly one of four places, and this object is
the only one that counts them::

    enqueued == sent + dropped (by reason) + queued + filtered

* the queue (:mod:`neurallog._queue`) reports what it refuses at the door (``closed``,
  ``recursion``) and what its overflow policy drops (``queue_full``); the records it admits
  are counted by its sequence number, so the hot path adds nothing here;
* the sender (:mod:`neurallog._sender`) reports each request's outcome: records the server
  acknowledged (:meth:`Accounting.sent`), records lost with a reason (:meth:`Accounting.lost`
  with a warning, :meth:`Accounting.drop` without), records ``before_send`` discarded;
* the worker (:mod:`neurallog._worker`) writes off what shutdown leaves behind
  (``shutdown``) and asks :meth:`Accounting.report` to tell ``on_drop`` about new losses.

The counters share the queue's lock (passed in), so a :class:`DeliveryStats` snapshot taken
under it sees the queue and the counters at one instant and the equation above holds in
it exactly, whatever the mode (normal, outage, overflow, 413 split, 429 hold, closed, fork).

Loss reports: the SDK's diagnostics (:class:`~neurallog._stats.Diagnostics`, at most one
message per kind per minute) and the user's ``on_drop(reason, count, error)``, called
outside any lock.
"""

from __future__ import annotations

import logging
import threading
from typing import Final

from neurallog._config import OnDrop
from neurallog._stats import DROP_REASONS, LOSSES, DeliveryStats, Diagnostics

__all__ = ["Accounting"]

# Reasons counted when a record is refused before it gets a sequence number.
_REFUSED: Final = ("closed", "recursion")


class Accounting:
    """Counters of one client's records, ``on_drop`` and the SDK's loss reports."""

    def __init__(
        self, lock: threading.RLock, diagnostics: Diagnostics, on_drop: OnDrop | None
    ) -> None:
        self.diag = diagnostics
        self._on_drop = on_drop
        self.reset(lock)

    def reset(self, lock: threading.RLock) -> None:
        """Start from zero under ``lock`` (a new client, or a forked child's fresh lock)."""
        self.lock = lock
        self.sent_count = 0
        self.filtered_count = 0
        self.requests = 0
        self.dropped: dict[str, int] = dict.fromkeys(DROP_REASONS, 0)
        self.losses = 0  # records lost for a reason in LOSSES (flush() and close() compare)
        self.resolved = 0  # records the sender has sent, dropped or filtered
        self.written_off = 0  # in-flight records close() counted as lost while still busy
        self._flush_mark = 0  # ``losses`` when the last flush (or close) returned
        self._reported: dict[str, int] = dict.fromkeys(DROP_REASONS, 0)
        self._last_error: dict[str, BaseException | None] = {}

    # -- the queue's side (lock held by the caller) ------------------------------------------

    def refuse(self, reason: str) -> None:
        """A record refused before admission: ``closed`` or ``recursion`` (lock held)."""
        self.dropped[reason] += 1
        if reason in LOSSES:
            self.losses += 1

    def overflow(self) -> None:
        """The overflow policy dropped one record (lock held)."""
        self.dropped["queue_full"] += 1
        self.losses += 1

    # -- the sender's side -------------------------------------------------------------------

    def sent(self, count: int) -> None:
        """One request succeeded and the server acknowledged ``count`` records."""
        with self.lock:
            self.requests += 1
            self.sent_count += count
            self.resolved += count
            self._unwrite(count)

    def drop(self, count: int, reason: str, error: BaseException | None) -> None:
        """``count`` records are lost for ``reason`` (``error`` kept for ``on_drop``)."""
        with self.lock:
            self._unwrite(count)
            self.dropped[reason] += count
            self.resolved += count
            if reason in LOSSES:
                self.losses += count
            if error is not None and self._on_drop is not None:
                # Kept only for on_drop: its traceback holds the request body.
                self._last_error[reason] = error

    def lost(self, count: int, reason: str, error: BaseException) -> None:
        """:meth:`drop`, and say so in the SDK's diagnostics."""
        self.drop(count, reason, error)
        self.diag.emit(
            reason,
            logging.WARNING if reason != "unauthorized" else logging.ERROR,
            "NeuralLog: dropped %d record(s) (%s): %s",
            count,
            reason,
            error,
        )

    def filtered(self) -> None:
        """``before_send`` discarded a record."""
        with self.lock:
            self.filtered_count += 1
            self.resolved += 1
            self._unwrite(1)

    def internal_error(self, exc: BaseException) -> None:
        """A bug in the SDK's delivery code (its cost is counted by the caller as ``error``)."""
        self.diag.emit(
            "error",
            logging.ERROR,
            "NeuralLog: internal error while delivering logs (please report it): %r",
            exc,
        )

    # -- the worker's side -------------------------------------------------------------------

    def write_off(self, count: int, in_flight: int) -> None:
        """``count`` records are lost to shutdown; ``in_flight`` of them may still resolve.

        Lock held. A batch still in flight when close() gives up may never finish (the
        process may be exiting): it is counted as lost now and the count is corrected by
        :meth:`sent`, :meth:`drop` or :meth:`filtered` if it does finish.
        """
        self.written_off = in_flight
        if count:
            self.dropped["shutdown"] += count
            self.losses += count

    def _unwrite(self, count: int) -> None:
        """Records close() wrote off as lost were resolved after all (lock held)."""
        if self.written_off:
            taken = min(count, self.written_off)
            self.written_off -= taken
            self.dropped["shutdown"] -= taken
            self.losses -= taken

    def flush_mark(self) -> int:
        """The loss count a flush starting now compares with (lock held)."""
        return self._flush_mark

    def end_flush(self, mark: int) -> bool:
        """Whether no record was lost since ``mark``; the next flush starts from now."""
        clean = self.losses == mark
        self._flush_mark = self.losses
        return clean

    def report_shutdown(self, left: int) -> None:
        """Say how many records shutdown left unsent."""
        if left:
            self.diag.emit(
                "shutdown",
                logging.WARNING,
                "NeuralLog: %d record(s) not sent before the shutdown deadline",
                left,
            )

    def report(self) -> None:
        """Tell ``on_drop`` about new losses; called holding no lock."""
        callback = self._on_drop
        if callback is None:
            return
        with self.lock:
            news = [
                (reason, count - self._reported[reason], self._last_error.pop(reason, None))
                for reason, count in self.dropped.items()
                if count != self._reported[reason] and reason != "recursion"
            ]
            self._reported.update(self.dropped)
        for reason, count, error in news:
            try:
                callback(reason, count, error)
            except BaseException as exc:  # a callback must not stop delivery
                self.diag.emit("on_drop", logging.WARNING, "NeuralLog: on_drop raised %r", exc)

    # -- the snapshot ------------------------------------------------------------------------

    def snapshot(self, admitted: int, pending: int) -> DeliveryStats:
        """The counters, given what the queue admitted and still holds (lock held).

        ``admitted`` is the queue's sequence number (every record that got past the door);
        ``pending`` the records queued or in flight.
        """
        dropped = self.dropped
        return DeliveryStats(
            enqueued=admitted + sum(dropped[reason] for reason in _REFUSED),
            sent=self.sent_count,
            queued=pending - self.written_off,
            filtered=self.filtered_count,
            dropped=dict(dropped),  # a snapshot: the caller may keep it
            requests=self.requests,
        )
