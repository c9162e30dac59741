"""Shapes of the dicts the SDK returns and accepts.

Results are plain ``dict`` objects (subscript them: ``log["message"]``, ``rule["id"]``); these
``TypedDict`` classes only describe them for type checkers and IDEs. Keys are snake_case, as
on the wire. Timestamps are RFC 3339 strings in UTC.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal, NotRequired, Required, TypedDict

if TYPE_CHECKING:
    from neurallog.resources._pages import AsyncPage, Page
    from neurallog.resources._streaming import AsyncLogStream, LogStream

__all__ = [
    "NOT_GIVEN",
    "Action",
    "ActionType",
    "AsyncLogStream",
    "AsyncPage",
    "Condition",
    "ConditionType",
    "DeleteResult",
    "Execution",
    "ExecutionStatus",
    "IngestResult",
    "Level",
    "LogEntry",
    "LogInput",
    "LogStream",
    "NotGiven",
    "Page",
    "RejectedEntry",
    "Rule",
    "RuleAction",
    "RuleTestAction",
    "RuleTestResult",
    "SortField",
    "TimeRange",
    "TimeValue",
]

Level = Literal["DEBUG", "INFO", "WARN", "ERROR", "FATAL"]
ConditionType = Literal["log_level", "pattern", "match", "frequency", "composite"]
ActionType = Literal["webhook", "slack", "log"]
ExecutionStatus = Literal["succeeded", "failed"]

#: A point in time for ``time_range``: an RFC 3339 string, a timezone-aware ``datetime``, or
#: a duration before now (``"15m"``, ``"2h"``, ``"7d"``, ``"1h30m"``, or a ``timedelta``).
TimeValue = str | datetime | timedelta


class TimeRange(TypedDict, total=False):
    """``time_range={"start": ..., "end": ...}``; either bound may be left out."""

    start: TimeValue
    end: TimeValue


class SortField(TypedDict, total=False):
    """One key of ``sort=[{"field": "timestamp", "order": "desc"}]``."""

    field: Required[str]
    order: Literal["asc", "desc"]


class LogEntry(TypedDict, total=False):
    """A stored log entry. Every key is present unless ``fields=`` left it out; ``id`` always is."""

    id: Required[str]
    timestamp: str
    received_at: str
    level: Level
    message: str
    source: str | None
    metadata: dict[str, Any]
    tags: list[str]


class LogInput(TypedDict, total=False):
    """An entry for ``logs.batch_log`` and ``logs.ingest``."""

    level: Required[str]
    message: Required[str]
    id: str
    timestamp: str | datetime
    source: str | None
    metadata: dict[str, Any]
    tags: list[str]


class RejectedEntry(TypedDict):
    """An entry the server refused, by its position in the request."""

    index: int
    code: str
    message: str


class IngestResult(TypedDict):
    """What ``logs.ingest`` stored: ``ids`` has one item per entry, ``None`` where rejected."""

    accepted: int
    duplicates: int
    rejected: list[RejectedEntry]
    ids: list[str | None]


class DeleteResult(TypedDict):
    """How many entries ``logs.delete`` removed."""

    deleted: int


class Condition(TypedDict):
    """What a rule matches: ``{"type": "log_level", "parameters": {"level": "ERROR"}}``."""

    type: ConditionType
    parameters: dict[str, Any]


class RuleAction(TypedDict):
    """An action a rule runs, with parameters (templates allowed) merged over the action's."""

    action_id: str
    parameters: NotRequired[dict[str, Any]]


class Rule(TypedDict):
    """A rule."""

    id: str
    name: str
    description: str | None
    condition: Condition
    actions: list[RuleAction]
    enabled: bool
    cooldown_seconds: int
    created_at: str
    updated_at: str
    last_triggered_at: str | None


class RuleTestAction(TypedDict):
    """An action a dry run says would run, with its rendered parameters."""

    action_id: str
    action_name: str | None
    parameters: dict[str, Any]
    would_execute: bool


class RuleTestResult(TypedDict):
    """The outcome of ``rules.test``."""

    matched: bool
    actions: list[RuleTestAction]


class Action(TypedDict):
    """An action."""

    id: str
    name: str
    description: str | None
    type: ActionType
    parameters: dict[str, Any]
    created_at: str
    updated_at: str


class Execution(TypedDict):
    """One run of an action, manual (``rule_id`` is ``None``) or triggered by a rule."""

    id: str
    action_id: str
    rule_id: str | None
    status: ExecutionStatus
    result: dict[str, Any] | None
    error: str | None
    executed_at: str


def __getattr__(name: str) -> Any:
    # The page and stream classes live with the resources; importing them lazily keeps this
    # module free of import cycles while letting users annotate with `neurallog.types.Page`.
    if name in ("Page", "AsyncPage"):
        from neurallog.resources import _pages

        return getattr(_pages, name)
    if name in ("LogStream", "AsyncLogStream"):
        from neurallog.resources import _streaming

        return getattr(_streaming, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class NotGiven:
    """Marks an argument the caller left out (``None`` is a value: it clears a field)."""

    __slots__ = ()

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "NOT_GIVEN"


#: Default of arguments where ``None`` means "set to null" rather than "leave unchanged".
NOT_GIVEN = NotGiven()
