"""From captured records to what goes on the wire: entries, then request bodies.

Runs on the worker (or on the thread sending inline), never on the caller's: gives each
record its id, merges the static and scoped context and the trace ids into its metadata,
runs ``before_send``, applies redaction and the API's limits (truncating and marking what
is too long), and splits the entries into JSON bodies of at most ``max_batch_bytes``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Final

import orjson

from neurallog._config import (
    API_MAX_SOURCE,
    API_MAX_TAG_LENGTH,
    API_MAX_TAGS,
    PipelineOptions,
)
from neurallog._diagnostics import Diagnostics
from neurallog._encoding import (
    Checked,
    clean,
    encode_entry,
    format_timestamp,
    json_default,
    message_text,
)
from neurallog._ids import new_ids
from neurallog._levels import LEVEL_NAMES
from neurallog._queue import ID, TIME, Record
from neurallog._redact import KeyMatcher
from neurallog._stdlib_record import Snapshot, origin_key, record_metadata, snapshot_metadata

__all__ = ["WireEncoder", "body_of", "dump_batch"]

_BODY_OPEN: Final = b'{"logs":['
_BODY_CLOSE: Final = b"]}"
_MAX_MESSAGE: Final = 65536
_MAX_ORIGINS: Final = 4096  # call sites (per thread) whose checked origin is kept


#: Called once for each record ``before_send`` discards.
OnFiltered = Callable[[], None]
#: Called as ``on_drop(count, reason, error)`` for records no request can carry.
OnDrop = Callable[[int, str, "BaseException | None"], None]


class WireEncoder:
    """Builds the wire entries of a batch and the request bodies that carry them.

    The pipeline's counting callbacks are passed with each call rather than kept, so the
    encoder holds no reference back to the pipeline.
    """

    def __init__(self, options: PipelineOptions, diagnostics: Diagnostics) -> None:
        self._options = options
        self._matcher = KeyMatcher(options.redact_keys) if options.redact_keys else None
        self._diag = diagnostics
        # A stdlib record's ``origin`` by call site and thread, built and checked once.
        self._origins: dict[tuple[Any, ...], Checked] = {}

    def entries(self, batch: list[Record], on_filtered: OnFiltered) -> list[dict[str, Any]]:
        """The wire entries of a batch: ids, merge, before_send, redaction, API limits."""
        fresh = new_ids([record[TIME] for record in batch if record[ID] is None])
        taken = 0
        opts = self._options
        default_source = opts.source
        default_tags = opts.tags
        before_send = opts.before_send
        matcher = self._matcher
        entries: list[dict[str, Any]] = []
        for record in batch:
            (
                _,
                captured,
                level,
                message,
                metadata,
                source,
                tags,
                timestamp,
                context,
                static,
                trace,
                entry_id,
            ) = record
            if entry_id is None:
                entry_id = fresh[taken]
                taken += 1
            if type(message) is not str:
                message = message_text(message)
            entry: dict[str, Any] = {
                "id": entry_id,
                "timestamp": timestamp or format_timestamp(captured),
                "level": LEVEL_NAMES[level],
                "message": message,
            }
            source = source or default_source
            if source is not None:
                entry["source"] = source
            if default_tags:
                tags = tuple(dict.fromkeys((*default_tags, *(tags or ()))))
            if tags:
                entry["tags"] = list(tags)
            if type(metadata) is tuple:  # a stdlib record's snapshot (_stdlib_record)
                metadata = (
                    snapshot_metadata(metadata)
                    if before_send is not None  # the hook may change what it is given
                    else self._snapshot_metadata(metadata)
                )
            merged: dict[str, Any] | None
            if static or context:
                merged = {**static, **context}
                if metadata:
                    merged.update(metadata)
            else:
                merged = metadata
            if trace is not None:
                if merged is None:
                    merged = {}
                merged.setdefault("trace_id", f"{trace[0]:032x}")
                merged.setdefault("span_id", f"{trace[1]:016x}")
            if before_send is not None:
                if merged:
                    entry["metadata"] = merged
                hooked = self._before_send(before_send, entry)
                if hooked is None:
                    on_filtered()
                    continue
                entries.append(self._normalize(hooked))
            elif (
                len(message) > _MAX_MESSAGE
                or (source is not None and len(source) > API_MAX_SOURCE)
                or (tags and _tags_over_limits(tags))
            ):
                if merged:
                    entry["metadata"] = merged
                entries.append(self._normalize(entry))
            else:
                # The usual record: types were checked at the call, limits just now.
                if merged:
                    entry["metadata"] = clean(merged, matcher)
                entries.append(entry)
        return entries

    def _snapshot_metadata(self, snapshot: Snapshot) -> dict[str, Any]:
        """A snapshot's metadata, with the ``origin`` its call site shares with every record
        logged there: checked for the wire once instead of once a record."""
        fields = snapshot[1]
        try:
            key = origin_key(fields)
            origin = self._origins.get(key)
        except TypeError:  # an attribute a filter replaced by something unhashable
            return record_metadata(fields, True)
        metadata = record_metadata(fields, True, origin)
        if origin is None:
            built = metadata["origin"]
            if clean(built, self._matcher) is built:  # else redacted or converted: not shared
                if len(self._origins) >= _MAX_ORIGINS:
                    self._origins.clear()
                metadata["origin"] = self._origins[key] = Checked(built)
        return metadata

    def _before_send(
        self, hook: Callable[[dict[str, Any]], object], entry: dict[str, Any]
    ) -> dict[str, Any] | None:
        try:
            result = hook(entry)
        except Exception as exc:
            self._diag.emit(
                "before_send",
                logging.WARNING,
                "NeuralLog: before_send raised %r; the record is sent unchanged",
                exc,
            )
            return entry
        if result is None or isinstance(result, dict):
            return result
        self._diag.emit(
            "before_send_type",
            logging.WARNING,
            "NeuralLog: before_send must return a dict or None, got %s; record sent unchanged",
            type(result).__name__,
        )
        return entry

    def _normalize(self, entry: dict[str, Any]) -> dict[str, Any]:
        """Fix types, enforce the API's limits (truncating and marking), clean metadata."""
        truncated: list[str] = []
        message = entry.get("message")
        if not isinstance(message, str):
            message = entry["message"] = message_text(message)
        if len(message) > _MAX_MESSAGE:
            entry["message"] = message[:_MAX_MESSAGE]
            truncated.append("message")
        source = entry.get("source")
        if source is not None:
            if not isinstance(source, str):
                source = entry["source"] = message_text(source)
            if len(source) > API_MAX_SOURCE:
                entry["source"] = source[:API_MAX_SOURCE]
                truncated.append("source")
        tags = entry.get("tags")
        if tags is not None:
            fixed = [t if isinstance(t, str) else message_text(t) for t in tags]
            if len(fixed) > API_MAX_TAGS or any(len(t) > API_MAX_TAG_LENGTH for t in fixed):
                fixed = [t[:API_MAX_TAG_LENGTH] for t in fixed[:API_MAX_TAGS]]
                truncated.append("tags")
            entry["tags"] = fixed
        metadata = entry.get("metadata")
        if metadata is not None:
            if isinstance(metadata, Mapping):
                entry["metadata"] = clean(metadata, self._matcher)
            else:
                entry["metadata"] = {"value": clean({"value": metadata}, self._matcher)["value"]}
        if truncated:
            entry["metadata"] = {**entry.get("metadata", {}), "_truncated": truncated}
        return entry

    def _fit(self, entry: dict[str, Any], limit: int, on_drop: OnDrop) -> bytes | None:
        """The entry's JSON, cut to ``limit`` bytes if need be; None (counted) if impossible."""
        part = encode_entry(entry)
        if len(part) <= limit:
            return part
        # Too big for any request: keep the record, replace its metadata by a marker, then
        # shorten the message until it fits.
        size = len(part)
        metadata = entry.get("metadata")
        earlier = metadata.get("_truncated", []) if isinstance(metadata, dict) else []
        marks = [*earlier, "metadata"] if metadata else list(earlier)
        entry["metadata"] = {"_truncated": marks, "_original_bytes": size}
        part = encode_entry(entry)
        text = entry["message"]
        for _ in range(8):
            excess = len(part) - limit
            if excess <= 0:
                return part
            if not text:
                break
            # Cut by the byte excess (a character is at least one byte) plus a margin.
            text = text[: max(0, len(text) - excess - 16)]
            entry["message"] = text
            if "message" not in marks:
                marks.append("message")
            part = encode_entry(entry)
        if len(part) <= limit:
            return part
        on_drop(1, "too_large", None)
        self._diag.emit(
            "too_large",
            logging.WARNING,
            "NeuralLog: dropped a record of %d bytes (max_batch_bytes is %d)",
            size,
            self._options.max_batch_bytes,
        )
        return None

    def requests(
        self, entries: list[dict[str, Any]], on_drop: OnDrop
    ) -> Iterable[tuple[list[dict[str, Any]], bytes]]:
        """Requests for these entries: (entries, body) each within max_batch_bytes."""
        if not entries:
            return
        cap = self._options.max_batch_bytes
        # One orjson call for the whole batch is an order of magnitude cheaper than one per
        # entry; per-entry encoding is only needed to split an oversize batch.
        body = dump_batch(entries)
        if body is not None and len(body) <= cap:
            yield entries, body
            return
        limit = cap - len(_BODY_OPEN) - len(_BODY_CLOSE)
        chunk: list[dict[str, Any]] = []
        parts: list[bytes] = []
        size = 0
        for entry in entries:
            part = self._fit(entry, limit, on_drop)
            if part is None:
                continue
            grown = size + len(part) + (1 if parts else 0)
            if parts and grown > limit:
                yield chunk, _BODY_OPEN + b",".join(parts) + _BODY_CLOSE
                chunk, parts, grown = [], [], len(part)
            chunk.append(entry)
            parts.append(part)
            size = grown
        if parts:
            yield chunk, _BODY_OPEN + b",".join(parts) + _BODY_CLOSE


def dump_batch(entries: list[dict[str, Any]]) -> bytes | None:
    """``{"logs": entries}`` as JSON in one call; None if an entry needs the careful path."""
    try:
        return orjson.dumps({"logs": entries}, default=json_default)
    except Exception:
        return None


def body_of(entries: list[dict[str, Any]]) -> bytes:
    """The request body for these entries (one call, or entry by entry if need be)."""
    body = dump_batch(entries)
    if body is None:
        body = _BODY_OPEN + b",".join(map(encode_entry, entries)) + _BODY_CLOSE
    return body


def _tags_over_limits(tags: Sequence[str]) -> bool:
    return len(tags) > API_MAX_TAGS or any(len(tag) > API_MAX_TAG_LENGTH for tag in tags)
