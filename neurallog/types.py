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
    "CompositeCondition",
    "CompositeParameters",
    "Condition",
    "ConditionType",
    "DeleteResult",
    "Execution",
    "ExecutionStatus",
    "FrequencyCondition",
    "FrequencyParameters",
    "IngestResult",
    "Level",
    "LevelName",
    "LogEntry",
    "LogInput",
    "LogLevelCondition",
    "LogLevelParameters",
    "LogStream",
    "MatchCondition",
    "MatchOperator",
    "MatchParameters",
    "NotGiven",
    "Page",
    "PatternCondition",
    "PatternParameters",
    "RejectedEntry",
    "Rule",
    "RuleAction",
    "RuleTestAction",
    "RuleTestResult",
    "SlackParameters",
    "SortField",
    "TimeRange",
    "TimeValue",
    "WebhookParameters",
]

#: A level as stored and returned.
Level = Literal["DEBUG", "INFO", "WARN", "ERROR", "FATAL"]
#: A level as the logging methods accept it: a name in either case (``WARNING`` and
#: ``CRITICAL`` are ``WARN`` and ``FATAL``) or a stdlib ``logging`` level number.
LevelName = (
    Level
    | Literal["WARNING", "CRITICAL"]
    | Literal["debug", "info", "warn", "warning", "error", "fatal", "critical"]
    | int
)
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


class LogLevelParameters(TypedDict, total=False):
    """Entries at ``level`` or above, from any of ``sources`` if given."""

    level: Required[Level]
    sources: list[str]


class LogLevelCondition(TypedDict):
    """``{"type": "log_level", "parameters": {"level": "ERROR"}}``."""

    type: Literal["log_level"]
    parameters: LogLevelParameters


class PatternParameters(TypedDict, total=False):
    """A regular expression (RE2 syntax) searched in ``field`` (default ``message``)."""

    pattern: Required[str]
    field: str
    case_sensitive: bool


class PatternCondition(TypedDict):
    """``{"type": "pattern", "parameters": {"pattern": "timeout|refused"}}``."""

    type: Literal["pattern"]
    parameters: PatternParameters


MatchOperator = Literal["eq", "ne", "contains", "exists", "gt", "lt"]


class MatchParameters(TypedDict, total=False):
    """``field`` (an entry field or ``metadata.<path>``) compared with ``value``."""

    field: Required[str]
    operator: MatchOperator
    value: Any


class MatchCondition(TypedDict):
    """``{"type": "match", "parameters": {"field": "metadata.code", "value": "E1"}}``."""

    type: Literal["match"]
    parameters: MatchParameters


class FrequencyParameters(TypedDict):
    """``condition`` matched by at least ``threshold`` entries within ``window_seconds``."""

    threshold: int
    window_seconds: int
    condition: Condition


class FrequencyCondition(TypedDict):
    """``{"type": "frequency", "parameters": {"threshold": 5, "window_seconds": 60, ...}}``."""

    type: Literal["frequency"]
    parameters: FrequencyParameters


class CompositeParameters(TypedDict):
    """``conditions`` combined with ``and``, ``or`` or ``not`` (exactly one condition)."""

    operator: Literal["and", "or", "not"]
    conditions: list[Condition]


class CompositeCondition(TypedDict):
    """``{"type": "composite", "parameters": {"operator": "and", "conditions": [...]}}``."""

    type: Literal["composite"]
    parameters: CompositeParameters


#: What a rule matches, told apart by ``type``; each type has its own ``parameters``.
Condition = (
    LogLevelCondition | PatternCondition | MatchCondition | FrequencyCondition | CompositeCondition
)


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


class WebhookParameters(TypedDict, total=False):
    """Parameters of a ``webhook`` action (string values may be templates)."""

    url: Required[str]
    method: Literal["POST", "PUT", "PATCH", "GET"]
    headers: dict[str, str]
    body_template: str


class SlackParameters(TypedDict, total=False):
    """Parameters of a ``slack`` action (string values may be templates)."""

    webhook: Required[str]
    channel: str
    message: str


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
