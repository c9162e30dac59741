"""Ingest: each entry validated on its own against ``LogInput``, then stored."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import jsonschema_rs
import orjson

from .contract import schema_issues
from .ids import uuid7
from .logstore import PreparedEntry
from .query import SEVERITY
from .timeutil import parse_rfc3339


@dataclass
class Prepared:
    """The outcome of validating a batch: what to store, what was refused, and ids."""

    entries: list[PreparedEntry] = field(default_factory=list)
    rejected: list[dict[str, Any]] = field(default_factory=list)
    ids: list[str | None] = field(default_factory=list)


def _search_values(value: Any, out: list[str]) -> None:
    # Metadata values (not keys) are searchable: strings and numbers, however nested.
    # Flat values are handled in the loop: a call per value was most of the cost.
    for item in value.values() if isinstance(value, dict) else value:
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, bool) or item is None:
            continue
        elif isinstance(item, int | float):
            out.append(str(item))
        elif isinstance(item, dict | list):
            _search_values(item, out)


def _reject(prepared: Prepared, index: int, message: str) -> None:
    prepared.rejected.append({"index": index, "code": "validation_error", "message": message})
    prepared.ids.append(None)


def prepare(validator: jsonschema_rs.Validator, logs: list[Any], received_at: int) -> Prepared:
    """Validate and normalise every entry of ``logs``."""
    prepared = Prepared()
    entries = prepared.entries
    ids = prepared.ids
    is_valid = validator.is_valid
    dumps = orjson.dumps
    for index, raw in enumerate(logs):
        if not is_valid(raw):
            found = schema_issues(validator.iter_errors(raw), f"logs[{index}]")
            _reject(prepared, index, "; ".join(f"{i['field']}: {i['message']}" for i in found))
            continue
        get = raw.get
        stamp = get("timestamp")
        metadata = get("metadata") or {}
        tags = get("tags") or []
        try:
            ts = received_at if stamp is None else parse_rfc3339(stamp)
            metadata_json = dumps(metadata).decode()
        except (ValueError, TypeError, orjson.JSONEncodeError) as exc:
            _reject(prepared, index, f"logs[{index}]: {exc}")
            continue
        words: list[str] = []
        if metadata:
            _search_values(metadata, words)
        entry_id = get("id") or uuid7()
        # Positional: with twelve keyword arguments the dataclass's __init__ took three
        # times as long (0.65 of the entry's 4.7 µs).
        entries.append(
            PreparedEntry(
                entry_id,
                ts,
                received_at,
                SEVERITY[raw["level"]],
                raw["message"],
                get("source"),
                metadata,
                tags,
                metadata_json,
                dumps(tags).decode(),
                " ".join(tags),
                " ".join(words),
            )
        )
        ids.append(entry_id)
    return prepared
