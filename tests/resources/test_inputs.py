"""Client-side input handling: SDK-spec shapes in, query parameters out, clear errors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import orjson
import pytest
from neurallog_api.types import UNSET

from neurallog.client import NeuralLog
from neurallog.resources import _build, logs

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("15m", timedelta(minutes=15)),
        ("2h", timedelta(hours=2)),
        ("7d", timedelta(days=7)),
        ("1w", timedelta(weeks=1)),
        ("30s", timedelta(seconds=30)),
        ("1h30m", timedelta(hours=1, minutes=30)),
        ("1.5h", timedelta(minutes=90)),
        (" 10M ", timedelta(minutes=10)),
        ("500ms", timedelta(milliseconds=500)),
    ],
)
def test_durations(text: str, expected: timedelta) -> None:
    assert _build.parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "15", "m", "15 minutes", "2023-04-01T00:00:00Z", "-5m"])
def test_not_durations(text: str) -> None:
    assert _build.parse_duration(text) is None


def test_time_range_rfc3339_strings_from_the_sdk_spec() -> None:
    start, end = _build.time_bounds(
        {"start": "2023-04-01T00:00:00Z", "end": "2023-04-08T23:59:59Z"}, now=NOW
    )
    assert start == datetime(2023, 4, 1, tzinfo=UTC)
    assert end == datetime(2023, 4, 8, 23, 59, 59, tzinfo=UTC)


def test_time_range_converts_offsets_to_utc() -> None:
    start, _ = _build.time_bounds({"start": "2023-04-01T02:00:00+02:00"}, now=NOW)
    assert start == datetime(2023, 4, 1, tzinfo=UTC)
    assert isinstance(start, datetime)
    assert start.utcoffset() == timedelta(0)


def test_time_range_relative_forms() -> None:
    assert _build.time_bounds("15m", now=NOW) == (NOW - timedelta(minutes=15), UNSET)
    assert _build.time_bounds(timedelta(hours=1), now=NOW) == (NOW - timedelta(hours=1), UNSET)
    assert _build.time_bounds({"start": "2h", "end": "1h"}, now=NOW) == (
        NOW - timedelta(hours=2),
        NOW - timedelta(hours=1),
    )


def test_time_range_aware_datetimes() -> None:
    tz = timezone(timedelta(hours=-5))
    start, end = _build.time_bounds({"start": datetime(2024, 1, 1, tzinfo=tz), "end": NOW}, now=NOW)
    assert start == datetime(2024, 1, 1, 5, tzinfo=UTC)
    assert end == NOW


def test_naive_datetimes_are_refused_with_a_clear_error() -> None:
    with pytest.raises(ValueError, match=r"naive datetime.*timezone"):
        _build.time_bounds({"start": datetime(2024, 1, 1)}, now=NOW)
    with pytest.raises(ValueError, match="naive datetime"):
        _build.time_bounds({"start": "2024-01-01T00:00:00"}, now=NOW)


@pytest.mark.parametrize(
    ("time_range", "error", "match"),
    [
        ({"from": "1h"}, ValueError, "unknown time_range key"),
        ({"start": "yesterday"}, ValueError, "neither an RFC 3339 time"),
        ({"start": 1700000000}, TypeError, "must be an RFC 3339 string"),
        (42, TypeError, "time_range takes"),
        ({"start": "1h", "end": "2h"}, ValueError, "starts after it ends"),
        ("soon", ValueError, "neither an RFC 3339 time"),
    ],
)
def test_bad_time_ranges(time_range: object, error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        _build.time_bounds(time_range, now=NOW)


def test_filter_is_compact_json_and_levels_are_normalized() -> None:
    text = _build.filter_json(
        {"level": ["error", "Fatal"], "source": ["api-service"], "metadata.user_id": "123"}
    )
    assert isinstance(text, str)
    assert " " not in text
    assert orjson.loads(text) == {
        "level": ["ERROR", "FATAL"],
        "source": ["api-service"],
        "metadata.user_id": "123",
    }
    assert orjson.loads(str(_build.filter_json({"level": "warning"}))) == {"level": "WARN"}


def test_filter_levels_are_normalized_inside_operators_too() -> None:
    text = _build.filter_json({"level": {"gte": "warning", "in": ["error", 50], "ne": None}})
    assert orjson.loads(str(text)) == {
        "level": {"gte": "WARN", "in": ["ERROR", "FATAL"], "ne": None}
    }
    assert orjson.loads(str(_build.filter_json({"level": {"exists": True}}))) == {
        "level": {"exists": True}
    }
    with pytest.raises(ValueError, match=r"filter\['level'\].*unknown log level"):
        _build.filter_json({"level": {"gte": "WARNNG"}})


def test_filter_operators_and_datetimes_pass_through() -> None:
    since = datetime(2024, 1, 1, tzinfo=UTC)
    text = _build.filter_json({"metadata.duration_ms": {"gt": 100}, "timestamp": {"gte": since}})
    assert orjson.loads(str(text)) == {
        "metadata.duration_ms": {"gt": 100},
        "timestamp": {"gte": "2024-01-01T00:00:00.000000Z"},
    }


def test_filter_errors() -> None:
    assert _build.filter_json(None) is UNSET
    assert _build.filter_json({}) is UNSET
    with pytest.raises(TypeError, match="filter must be a dict"):
        _build.filter_json([("level", "ERROR")])
    with pytest.raises(ValueError, match=r"filter\['level'\].*unknown log level"):
        _build.filter_json({"level": ["EROR"]})
    with pytest.raises(TypeError, match="filter cannot be sent as JSON"):
        _build.filter_json({"x": object()})
    with pytest.raises(ValueError, match="naive datetime"):
        _build.filter_json({"timestamp": {"gte": datetime(2024, 1, 1)}})


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ([{"field": "timestamp", "order": "desc"}], "timestamp:desc"),
        (
            [{"field": "timestamp", "order": "DESC"}, {"field": "level", "order": "asc"}],
            "timestamp:desc,level:asc",
        ),
        ("timestamp:desc,level:asc", "timestamp:desc,level:asc"),
        (["timestamp:desc", "level"], "timestamp:desc,level"),
        ([("metadata.user_id", "asc")], "metadata.user_id:asc"),
        ({"field": "timestamp"}, "timestamp"),
    ],
)
def test_sort_forms(sort: object, expected: str) -> None:
    assert _build.sort_param(sort) == expected


@pytest.mark.parametrize(
    ("sort", "error", "match"),
    [
        ([{"field": "timestamp", "order": "down"}], ValueError, "must be 'asc' or 'desc'"),
        ([{"order": "desc"}], ValueError, "each sort item"),
        ([{"field": "a b"}], ValueError, "sort field must be"),
        (42, TypeError, "sort must be a list"),
        ([42], TypeError, "each sort item"),
    ],
)
def test_bad_sort(sort: object, error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        _build.sort_param(sort)


@pytest.mark.parametrize("limit", [0, 1001, -1])
def test_limit_bounds(limit: int) -> None:
    with pytest.raises(ValueError, match="limit must be from 1 to 1000"):
        _build.check_limit(limit)


def test_limit_and_offset_types() -> None:
    with pytest.raises(TypeError, match="limit must be an int"):
        _build.check_limit("10")
    with pytest.raises(TypeError, match="limit must be an int"):
        _build.check_limit(True)
    with pytest.raises(ValueError, match="offset must be 0 or more"):
        _build.check_offset(-1)


def test_ingest_entries_are_normalized() -> None:
    [call] = logs._ingest(
        [{"level": "warning", "message": "m", "timestamp": datetime(2024, 1, 1, tzinfo=UTC)}]
    )
    assert orjson.loads(call.kwargs["content"]) == {
        "logs": [{"level": "WARN", "message": "m", "timestamp": "2024-01-01T00:00:00.000000Z"}]
    }
    assert call.kwargs["headers"]["Content-Type"] == "application/json"


def test_ingest_splits_at_the_api_limit_and_merges_results() -> None:
    calls = logs._ingest([{"level": "INFO", "message": str(i)} for i in range(2500)])
    assert [len(orjson.loads(c.kwargs["content"])["logs"]) for c in calls] == [1000, 1000, 500]
    merged = logs.merge_ingest_results(
        [
            {
                "accepted": 999,
                "duplicates": 0,
                "rejected": [{"index": 5, "code": "x", "message": ""}],
                "ids": ["a"] * 1000,
            },
            {"accepted": 1000, "duplicates": 0, "rejected": [], "ids": ["b"] * 1000},
            {
                "accepted": 499,
                "duplicates": 0,
                "rejected": [{"index": 7, "code": "x", "message": ""}],
                "ids": ["c"] * 500,
            },
        ]
    )
    assert merged["accepted"] == 2498
    assert [r["index"] for r in merged["rejected"]] == [5, 2007]
    assert len(merged["ids"]) == 2500


@pytest.mark.parametrize(
    ("entries", "error", "match"),
    [
        ([], ValueError, "entries is empty"),
        ({"level": "INFO"}, TypeError, "entries must be a list"),
        ([{"level": "INFO", "message": "ok"}, "oops"], TypeError, r"entries\[1\] must be a dict"),
        ([{"message": "no level"}], ValueError, r"entries\[0\] needs 'level'"),
        ([{"level": "LOUD", "message": "m"}], ValueError, r"entries\[0\]\['level'\]"),
    ],
)
def test_bad_ingest_entries(entries: object, error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        logs._ingest(entries)


def test_errors_are_raised_before_any_request(client: NeuralLog) -> None:
    # The client's endpoint (pytest-httpserver) has no handlers: any request would fail
    # with a 500, so these prove the input is refused first.
    with pytest.raises(ValueError, match="needs a filter, query or time_range"):
        client.logs.delete()
    with pytest.raises(ValueError, match="do not combine"):
        client.logs.delete({"level": "DEBUG"}, all=True)
    with pytest.raises(ValueError, match="at least one field"):
        client.rules.update(rule_id="r1")
    with pytest.raises(ValueError, match="at least one field"):
        client.actions.update("a1")
    with pytest.raises(ValueError, match="filter accepts enabled"):
        client.rules.list(filter={"enabled": True, "name": "x"})
    with pytest.raises(ValueError, match="type must be one of log, slack, webhook"):
        client.actions.list(type="email")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="status must be one of failed, succeeded"):
        client.actions.executions("a1", status="ok")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="condition must be a dict"):
        client.rules.create(name="r", condition="log_level")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="rule_id must be a string id"):
        client.rules.get(123)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="rule_id must not be empty"):
        client.rules.delete("")
    with pytest.raises(TypeError, match="actions must be a list"):
        client.rules.create(name="r", condition={}, actions={"action_id": "a"})
    for seconds in (0, -1.5, float("inf"), float("nan")):
        with pytest.raises(ValueError, match="heartbeat_timeout must be a finite number"):
            client.logs.stream(heartbeat_timeout=seconds)
    with pytest.raises(TypeError, match="heartbeat_timeout must be a number of seconds"):
        client.logs.stream(heartbeat_timeout="30")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="history must be from 0 to 1000"):
        client.logs.stream(history=5000)
    for cursor in ("", "a\nb", "caf\u00e9", "c" * 129):
        with pytest.raises(ValueError, match="last_event_id must be a cursor"):
            client.logs.stream(last_event_id=cursor)
    with pytest.raises(TypeError, match="last_event_id must be a string"):
        client.logs.stream(last_event_id=7)  # type: ignore[arg-type]
