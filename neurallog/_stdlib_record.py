"""A :mod:`logging` record's attributes as NeuralLog metadata.

The stdlib handler (:mod:`neurallog.integrations.logging`) sends ``logger``, ``origin``
(file, line, function, thread, process), the ``extra=`` fields and ``stack``. Building that
dict costs as much as the rest of the handler, so for the usual record the handler only
copies the record's attributes (one C-level dict copy, see :data:`SNAPSHOT`) and the
worker turns the snapshot into metadata (:func:`snapshot_metadata`), off the caller's
thread. A record with an exception, a framework request object among its fields,
or of a custom record class is turned into metadata at the call instead.
"""

from __future__ import annotations

import logging
from itertools import islice
from operator import itemgetter
from typing import Any, Final, TypeGuard

__all__ = [
    "PLAIN_RECORD",
    "RECORD_ATTRS",
    "SNAPSHOT",
    "Snapshot",
    "is_snapshot",
    "origin_key",
    "record_metadata",
    "snapshot_metadata",
]

_BARE: Final = vars(logging.LogRecord("", 0, "", 0, "", (), None))

#: How many attributes a bare :class:`logging.LogRecord` has. Its ``__init__`` sets them
#: first and always in the same order, so ``extra=`` fields and attributes that filters add
#: come after them.
PLAIN_RECORD: Final = len(_BARE)

#: Attributes of a record that are not ``extra=`` fields (``message`` and ``asctime`` are
#: set by formatters).
RECORD_ATTRS: Final[frozenset[str]] = frozenset(_BARE) | {"message", "asctime", "taskName"}


#: Marks a record snapshot, ``(SNAPSHOT, attributes)``: the stdlib handler passes one as a
#: record's metadata, the queue keeps it as it is (``attributes`` is the call's own copy), and
#: whoever reads a record's metadata turns it into the metadata dict with
#: :func:`snapshot_metadata` first. A plain tuple, because on the caller's thread it is the
#: cheapest thing to build (a dict subclass costs five times a dict copy); metadata given
#: by an application is never a tuple (the queue accepts only mappings).
SNAPSHOT: Final = object()

Snapshot = tuple[object, dict[str, Any]]


def is_snapshot(value: object) -> TypeGuard[Snapshot]:
    """Whether ``value`` is a record snapshot (and not a tuple an application passed)."""
    return type(value) is tuple and len(value) == 2 and value[0] is SNAPSHOT


def snapshot_metadata(snapshot: Snapshot, origin: dict[str, Any] | None = None) -> dict[str, Any]:
    """``logger``, ``origin``, the ``extra=`` fields and ``stack`` of a record snapshot
    (``origin``: the record's ``origin``, if the caller has it already)."""
    return record_metadata(snapshot[1], True, origin)


#: What a record's ``origin`` is made of, as a tuple (one C call): records logged by one call
#: site on one thread have the same origin, so it can be shared (see the wire encoder).
origin_key: Final = itemgetter("pathname", "lineno", "funcName", "threadName", "process")


def record_metadata(
    fields: dict[str, Any], ordered: bool, origin: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The metadata of a record with these attributes (``ordered``: of a plain LogRecord,
    whose own attributes come first; ``origin``: the record's origin, if known)."""
    if origin is None:
        origin = {
            "file": fields["pathname"],
            "line": fields["lineno"],
            "function": fields["funcName"],
            "thread": fields["threadName"],
            "process": fields["process"],
        }
    metadata: dict[str, Any] = {"logger": fields["name"], "origin": origin}
    if len(fields) > PLAIN_RECORD:
        for key in islice(fields, PLAIN_RECORD, None) if ordered else fields:
            if key in RECORD_ATTRS or key.startswith("_"):
                continue
            metadata[key] = fields[key]
    stack = fields.get("stack_info")
    if stack:
        metadata["stack"] = stack
    return metadata
