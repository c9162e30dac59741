"""Metadata that JSON cannot encode is converted, never lost, never raised; redaction; ids."""

from __future__ import annotations

import enum
import math
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import PurePosixPath
from typing import Any

import orjson
import pytest

from neurallog import NeuralLog
from neurallog._encoding import clean, encode_entry, format_timestamp, normalize_timestamp
from neurallog._ids import new_id, new_ids
from neurallog._redact import DEFAULT_REDACT_KEYS, REDACTED, KeyMatcher

from .conftest import ClientFactory, Sink


class Color(enum.Enum):
    RED = "red"


@dataclass
class Point:
    x: int
    y: int


class Opaque:
    def __repr__(self) -> str:
        return "<Opaque thing>"


class BadRepr:
    def __repr__(self) -> str:
        raise RuntimeError("no repr for you")

    def __str__(self) -> str:
        raise RuntimeError("no str either")


def _one_entry(sink: Sink, client: NeuralLog) -> dict[str, Any]:
    assert client.flush(5)
    (entry,) = sink.entries
    return entry


def test_unencodable_metadata_is_converted(sink: Sink, make_client: ClientFactory) -> None:
    client = make_client(redact_keys=None)
    cyclic: dict[str, Any] = {"name": "loop"}
    cyclic["self"] = cyclic
    looped: list[Any] = [1]
    looped.append(looped)
    when = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    metadata: dict[Any, Any] = {
        "when": when,
        "day": date(2024, 1, 2),
        "tags": {"b"},
        "frozen": frozenset({"c"}),
        "raw": b"bytes\xff",
        "price": Decimal("12.30"),
        "uid": uuid.UUID("12345678-1234-5678-1234-567812345678"),
        "error": ValueError("bad input"),
        "thing": Opaque(),
        "broken": BadRepr(),
        1: "int key",
        (1, 2): "tuple key",
        None: "none key",
        "huge": 2**80,
        "negative_huge": -(2**80),
        "nan": math.nan,
        "inf": math.inf,
        "cyclic": cyclic,
        "looped": looped,
        "tuple": (1, "two"),
        "color": Color.RED,
        "point": Point(1, 2),
        "path": PurePosixPath("/tmp/x"),
        "delta": timedelta(seconds=90),
        "surrogate": "bad \udc80 string",
        "nested": {"deeper": [{"when": when, "set": {1}}]},
    }
    client.info("converted", metadata)  # must not raise
    meta = _one_entry(sink, client)["metadata"]
    assert meta["when"] == "2024-01-02T03:04:05+00:00"
    assert meta["day"] == "2024-01-02"
    assert meta["tags"] == ["b"]
    assert meta["frozen"] == ["c"]
    assert meta["raw"] == "bytes\\xff"
    assert meta["price"] == "12.30"
    assert meta["uid"] == "12345678-1234-5678-1234-567812345678"
    assert meta["error"]["type"] == "ValueError"
    assert meta["error"]["message"] == "bad input"
    assert meta["thing"] == "<Opaque thing>"
    assert meta["broken"] == "<unrepresentable BadRepr>"
    assert meta["1"] == "int key"
    assert meta["(1, 2)"] == "tuple key"
    assert meta["null"] == "none key"
    assert meta["huge"] == str(2**80)
    assert meta["negative_huge"] == str(-(2**80))
    assert meta["nan"] == "NaN"
    assert meta["inf"] == "Infinity"
    assert meta["cyclic"] == {"name": "loop", "self": "[Circular]"}
    assert meta["looped"] == [1, "[Circular]"]
    assert meta["tuple"] == [1, "two"]
    assert meta["color"] == "red"
    assert meta["point"] == {"x": 1, "y": 2}
    assert meta["path"] == "/tmp/x"
    assert meta["delta"] == 90.0
    assert meta["surrogate"] == "bad \\udc80 string"
    assert meta["nested"] == {"deeper": [{"when": "2024-01-02T03:04:05+00:00", "set": [1]}]}


def test_deep_nesting_is_cut_not_lost(sink: Sink, make_client: ClientFactory) -> None:
    client = make_client()
    deep: dict[str, Any] = {}
    node = deep
    for _ in range(300):
        node["child"] = {}
        node = node["child"]
    client.info("deep", {"tree": deep})
    meta = _one_entry(sink, client)["metadata"]
    text = orjson.dumps(meta).decode()
    assert "child" in text


def test_non_string_messages_are_converted_with_str(sink: Sink, make_client: ClientFactory) -> None:
    client = make_client()
    client.error(ValueError("boom"))
    client.info(42)
    client.info(BadRepr())
    client.info("lone \udc80 surrogate")
    assert client.flush(5)
    assert sorted(sink.messages) == sorted(
        ["boom", "42", "<unprintable BadRepr object>", "lone \\udc80 surrogate"]
    )


def test_mappings_other_than_dict_are_accepted(sink: Sink, make_client: ClientFactory) -> None:
    from collections import OrderedDict
    from types import MappingProxyType

    client = make_client()
    client.info("od", OrderedDict(a=1))
    client.info("proxy", MappingProxyType({"b": 2}))
    assert client.flush(5)
    assert {e["message"]: e["metadata"] for e in sink.entries} == {
        "od": {"a": 1},
        "proxy": {"b": 2},
    }


def test_default_redaction(sink: Sink, make_client: ClientFactory) -> None:
    client = make_client()
    client.configure_context({"api_key": "static-secret"})
    client.info(
        "login",
        {
            "user": "ann",
            "password": "hunter2",
            "Authorization": "Bearer x",
            "accessToken": "t",
            "X-Api-Key": "k",
            "db_password": "p",
            "cookie": "c",
            "request": {"headers": {"set-cookie": "s", "accept": "json"}},
            "attempts": [{"secret": "s1", "ok": True}],
            "prompt_tokens": 12,
            "secretary": "Joan",
            "SECRET_KEY": "django",
            "jwt": "eyJ...",
        },
    )
    meta = _one_entry(sink, client)["metadata"]
    assert meta == {
        "api_key": REDACTED,
        "user": "ann",
        "password": REDACTED,
        "Authorization": REDACTED,
        "accessToken": REDACTED,
        "X-Api-Key": REDACTED,
        "db_password": REDACTED,
        "cookie": REDACTED,
        "request": {"headers": {"set-cookie": REDACTED, "accept": "json"}},
        "attempts": [{"secret": REDACTED, "ok": True}],
        "prompt_tokens": 12,
        "secretary": "Joan",
        "SECRET_KEY": REDACTED,
        "jwt": REDACTED,
    }


def test_nested_fields_are_redacted_and_converted_on_every_record(
    sink: Sink, make_client: ClientFactory
) -> None:
    # Records of one shape repeat: the second and later ones take the encoder's fast path,
    # where keys already seen are known not to be secrets.
    client = make_client()
    for _ in range(3):
        client.info(
            "login",
            {
                "user": {"name": "ann", "password": "hunter2"},
                "origin": {"file": "app.py", "line": 3},
                "ratio": {"value": math.nan},
                "big": {"value": 1 << 70},
                "keys": {1: "one"},
            },
        )
        client.info("plain", {"user": {"name": "bob"}, "origin": {"file": "app.py", "line": 4}})
    assert client.flush(5)
    logins = [entry["metadata"] for entry in sink.entries if entry["message"] == "login"]
    assert (
        logins
        == [
            {
                "user": {"name": "ann", "password": REDACTED},
                "origin": {"file": "app.py", "line": 3},
                "ratio": {"value": "NaN"},
                "big": {"value": str(1 << 70)},
                "keys": {"1": "one"},
            }
        ]
        * 3
    )
    plain = [entry["metadata"] for entry in sink.entries if entry["message"] == "plain"]
    assert plain == [{"user": {"name": "bob"}, "origin": {"file": "app.py", "line": 4}}] * 3


@dataclass
class Login:
    user: str
    password: str
    again: Any = None


def test_redaction_reaches_the_fields_of_dataclasses(
    sink: Sink, make_client: ClientFactory
) -> None:
    # orjson encodes dataclasses itself: their fields must be redacted like a dict's keys.
    client = make_client()
    login = Login("ann", "hunter2")
    login.again = login
    client.info("x", {"login": login, "many": [Login("bob", "pw")]})
    assert _one_entry(sink, client)["metadata"] == {
        "login": {"user": "ann", "password": REDACTED, "again": "[Circular]"},
        "many": [{"user": "bob", "password": REDACTED, "again": None}],
    }


def test_redaction_is_configurable(sink: Sink, make_client: ClientFactory) -> None:
    client = make_client(redact_keys=NeuralLog.DEFAULT_REDACT_KEYS | {"ssn_number"})
    client.info("x", {"ssn_number": "1", "password": "2", "name": "3"})
    assert _one_entry(sink, client)["metadata"] == {
        "ssn_number": REDACTED,
        "password": REDACTED,
        "name": "3",
    }


def test_redaction_can_be_turned_off(sink: Sink, make_client: ClientFactory) -> None:
    client = make_client(redact_keys=None)
    client.info("x", {"password": "visible"})
    assert _one_entry(sink, client)["metadata"] == {"password": "visible"}


def test_redaction_does_not_touch_the_callers_objects(
    sink: Sink, make_client: ClientFactory
) -> None:
    client = make_client()
    nested = {"password": "p"}
    client.info("x", {"inner": nested})
    assert client.flush(5)
    assert nested == {"password": "p"}


def test_before_send_can_change_and_drop(sink: Sink, make_client: ClientFactory) -> None:
    def hook(entry: dict[str, Any]) -> dict[str, Any] | None:
        if entry["message"] == "drop me":
            return None
        entry["metadata"] = {**entry.get("metadata", {}), "hooked": True, "token": "t"}
        return entry

    client = make_client(before_send=hook)
    client.info("keep me", {"a": 1})
    client.info("drop me")
    assert client.flush(5)
    (entry,) = sink.entries
    # Redaction runs after the hook, so what it adds is redacted too.
    assert entry["metadata"] == {"a": 1, "hooked": True, "token": REDACTED}
    assert client.stats.filtered == 1


def test_a_raising_before_send_sends_the_record_unchanged(
    sink: Sink, make_client: ClientFactory
) -> None:
    def hook(entry: dict[str, Any]) -> dict[str, Any]:
        raise RuntimeError("hook bug")

    client = make_client(before_send=hook)
    client.info("still sent")
    assert client.flush(5)
    assert sink.messages == ["still sent"]


def test_opentelemetry_ids_are_added(sink: Sink, make_client: ClientFactory) -> None:
    from opentelemetry.sdk.trace import TracerProvider

    tracer = TracerProvider().get_tracer("test")
    client = make_client()
    with tracer.start_as_current_span("work") as span:
        client.info("in span")
        client.info("own ids win", {"trace_id": "mine"})
        ctx = span.get_span_context()
    client.info("no span")
    assert client.flush(5)
    meta: dict[str, Any] = {e["message"]: e.get("metadata") for e in sink.entries}
    assert meta["in span"] == {"trace_id": f"{ctx.trace_id:032x}", "span_id": f"{ctx.span_id:016x}"}
    assert meta["own ids win"]["trace_id"] == "mine"
    assert meta["no span"] is None


def test_clean_never_mutates_and_marks_cycles() -> None:
    data: dict[str, Any] = {"a": [1, 2]}
    data["b"] = data["a"]  # shared, not cyclic
    assert clean(data, KeyMatcher(DEFAULT_REDACT_KEYS)) == {"a": [1, 2], "b": [1, 2]}


def test_encode_entry_always_returns_json() -> None:
    entry = {"id": "x", "message": "m\udc80", "metadata": {"k": BadRepr()}}
    decoded = orjson.loads(encode_entry(entry))
    assert decoded["message"] == "m\\udc80"


def test_timestamps() -> None:
    assert format_timestamp(1_700_000_000_123_456_789) == "2023-11-14T22:13:20.123456Z"
    assert normalize_timestamp("2023-04-01T00:00:00Z") == "2023-04-01T00:00:00.000000Z"
    assert normalize_timestamp("2023-04-01 02:00:00.5+02:00") == "2023-04-01T00:00:00.500000Z"
    assert normalize_timestamp(None) is None
    for bad in ("2023-04-01", "2023-04-01T00:00:00", "soon"):
        with pytest.raises(ValueError, match="timestamp"):
            normalize_timestamp(bad)
    with pytest.raises(TypeError):
        normalize_timestamp(1700000000)


def test_ids_are_uuid7_and_strictly_increasing() -> None:
    # Ids are monotonic per process, so use instants later than any id made so far.
    base_ms = time.time_ns() // 1_000_000 + 86_400_000
    same_instant = new_ids([base_ms * 1_000_000] * 1000)
    assert same_instant == sorted(same_instant)
    assert len(set(same_instant)) == 1000
    parsed = uuid.UUID(same_instant[0])
    assert parsed.version == 7
    assert parsed.variant == uuid.RFC_4122
    assert parsed.int >> 80 == base_ms  # Unix milliseconds
    later = new_id((base_ms + 1) * 1_000_000)
    assert later > same_instant[-1]
    assert uuid.UUID(later).int >> 80 == base_ms + 1
    # A clock that steps back still gives increasing ids.
    assert new_id(1_600_000_000_000_000_000) > later


def test_ids_of_successive_batches_keep_increasing() -> None:
    # A batch's ids count up from one start; the next batch in the same instant continues
    # the count, and a later instant starts afresh, above them.
    base_ms = time.time_ns() // 1_000_000 + 2 * 86_400_000
    instant = base_ms * 1_000_000
    made = [*new_ids([instant] * 300), *new_ids([instant] * 300), *new_ids([instant + 5] * 2)]
    made += new_ids([instant + 2_000_000] * 300)
    assert made == sorted(made)
    assert len(set(made)) == len(made)
    assert {uuid.UUID(one).version for one in made} == {7}
    assert uuid.UUID(made[-1]).int >> 80 == base_ms + 2
