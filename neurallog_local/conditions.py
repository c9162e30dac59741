"""Rule conditions: checked when a rule is saved, compiled once, evaluated per entry."""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import jsonschema_rs
import re2  # type: ignore[import-untyped]  # google-re2 ships no type information

from .contract import schema_issues
from .errors import issue
from .query import FIELDS, LEVELS, SEVERITY
from .spec import load_spec

MATCH_OPERATORS = ("eq", "ne", "contains", "exists", "gt", "lt")
COMPOSITE_OPERATORS = ("and", "or", "not")
_MAX_DEPTH = 8
_MAX_PATTERN = 1024
# RE2's own default: the memory one compiled pattern may use (its program and the caches
# of its automata). A pattern whose program does not fit is refused when the rule is saved.
_PATTERN_MEMORY = 8 << 20

Entry = Mapping[str, Any]


@dataclass
class Evaluation:
    """What one evaluation may read and change."""

    now: float  # seconds, monotonic
    record: bool  # False for a dry run: frequency windows are read, never written
    windows: dict[tuple[str, str], deque[float]] = field(default_factory=dict)
    scope: str = ""  # the rule's id: frequency windows are per rule


class Node(Protocol):
    def evaluate(self, entry: Entry, ev: Evaluation) -> bool: ...


def field_value(entry: Entry, name: str) -> Any:
    """The value of ``name`` (an entry field or a dotted metadata path) in ``entry``."""
    if name.startswith("metadata."):
        value: Any = entry.get("metadata") or {}
        for step in name.split(".")[1:]:
            if not isinstance(value, Mapping):
                return None
            value = value.get(step)
        return value
    return entry.get(name)


def _valid_field(name: Any) -> bool:
    if not isinstance(name, str):
        return False
    if name.startswith("metadata."):
        return all(name.split(".")[1:])
    return name in FIELDS and name != "metadata"


def is_level(value: Any) -> bool:
    """Whether ``value`` names a level (lists and objects never do)."""
    return isinstance(value, str) and value in SEVERITY


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def equal(actual: Any, expected: Any) -> bool:
    """Equality that lets ``"500"`` equal ``500`` but never ``True`` equal ``1``."""
    if actual is None or expected is None:
        return actual is expected
    if isinstance(actual, bool) or isinstance(expected, bool):
        return isinstance(actual, bool) and isinstance(expected, bool) and actual == expected
    if actual == expected:
        return True
    if isinstance(actual, str) != isinstance(expected, str):
        left, right = _number(actual), _number(expected)
        return left is not None and left == right
    return False


def compare(name: str, actual: Any, expected: Any) -> int | None:
    """-1, 0 or 1 comparing ``actual`` to ``expected``; ``None`` when they do not compare."""
    if name == "level":
        # A rule's value may be any JSON, and `in` on a list or an object would raise.
        rank = SEVERITY.get(actual) if isinstance(actual, str) else None
        bound = SEVERITY.get(expected) if isinstance(expected, str) else None
        if rank is None or bound is None:
            return None
        return (rank > bound) - (rank < bound)
    left, right = _number(actual), _number(expected)
    if left is not None and right is not None:
        return (left > right) - (left < right)
    if isinstance(actual, str) and isinstance(expected, str):
        return (actual > expected) - (actual < expected)
    return None


@dataclass
class LogLevel:
    minimum: int
    sources: frozenset[str] | None

    def evaluate(self, entry: Entry, ev: Evaluation) -> bool:
        level = SEVERITY.get(str(entry.get("level")), -1)
        if level < self.minimum:
            return False
        return self.sources is None or entry.get("source") in self.sources


def compile_pattern(pattern: str, case_sensitive: bool) -> Any:
    """``pattern`` compiled by RE2, whose matching takes time linear in the text, whatever
    the pattern: no backtracking, so no pattern can make it run away (``re2.error`` when
    RE2 refuses the pattern: bad syntax, or too large)."""
    options = re2.Options()
    options.case_sensitive = case_sensitive
    options.max_mem = _PATTERN_MEMORY
    options.log_errors = False  # the error is raised, and reported to the client
    return re2.compile(pattern, options)


@dataclass
class Pattern:
    regex: Any  # an RE2 pattern (re2._Regexp)
    field: str

    def evaluate(self, entry: Entry, ev: Evaluation) -> bool:
        value = field_value(entry, self.field)
        if value is None:
            return False
        if isinstance(value, list):
            return any(self.regex.search(str(item)) for item in value)
        return self.regex.search(value if isinstance(value, str) else str(value)) is not None


@dataclass
class Match:
    field: str
    operator: str
    value: Any

    def evaluate(self, entry: Entry, ev: Evaluation) -> bool:
        actual = field_value(entry, self.field)
        op = self.operator
        if op == "exists":
            return (actual is not None) == (self.value is not False)
        if op == "eq":
            return equal(actual, self.value)
        if op == "ne":
            return not equal(actual, self.value)
        if op == "contains":
            if isinstance(actual, str):
                return isinstance(self.value, str) and self.value in actual
            if isinstance(actual, list):
                return any(equal(item, self.value) for item in actual)
            if isinstance(actual, Mapping):  # has the key (keys are strings)
                return isinstance(self.value, str) and self.value in actual
            return False
        order = compare(self.field, actual, self.value)
        if order is None:
            return False
        return order > 0 if op == "gt" else order < 0


@dataclass
class Frequency:
    threshold: int
    window: float
    inner: Node
    path: str

    def evaluate(self, entry: Entry, ev: Evaluation) -> bool:
        matched = self.inner.evaluate(entry, ev)
        key = (ev.scope, self.path)
        times = ev.windows.get(key)
        if times is None:
            times = deque()
            if ev.record:
                ev.windows[key] = times
        while times and times[0] <= ev.now - self.window:
            times.popleft()
        count = len(times) + (1 if matched else 0)
        if matched and ev.record:
            times.append(ev.now)
        # The current entry has to be one of the matches: an unrelated entry arriving
        # inside a busy window must not fire the rule.
        return matched and count >= self.threshold


@dataclass
class Composite:
    operator: str
    children: list[Node]

    def evaluate(self, entry: Entry, ev: Evaluation) -> bool:
        # Every child is evaluated (no short-circuit) so that frequency windows below an
        # `and`/`or` count every match, whatever their siblings say.
        results = [child.evaluate(entry, ev) for child in self.children]
        if self.operator == "and":
            return all(results)
        if self.operator == "or":
            return any(results)
        return not results[0]


def _re2_message(exc: Exception) -> str:
    # RE2's errors carry its message as bytes.
    message = exc.args[0] if exc.args else exc
    if isinstance(message, bytes):
        message = message.decode("utf-8", "replace")
    return f"{message} (patterns use RE2 syntax: no backreferences or look-around)"


class ConditionError(Exception):
    """A condition the engine cannot use; carries ``{field, message}`` issues."""

    def __init__(self, issues: list[dict[str, str]]) -> None:
        super().__init__("; ".join(f"{i['field']}: {i['message']}" for i in issues))
        self.issues = issues


_shape: jsonschema_rs.Validator | None = None


def _check_shape(condition: Any, where: str) -> None:
    """Nested conditions sit in free-form ``parameters``: check them against the spec's
    own ``Condition`` schema, as the request validator does for the outer one."""
    global _shape
    if _shape is None:
        schema = {"$ref": "#/components/schemas/Condition", "components": load_spec()["components"]}
        _shape = jsonschema_rs.validator_for(schema)
    errors = list(_shape.iter_errors(condition))
    if errors:
        raise ConditionError(schema_issues(errors, where))


def compile_condition(condition: Any, where: str = "body.condition", depth: int = 0) -> Node:
    """Check ``condition`` and compile it; ``ConditionError`` lists what is wrong."""
    if depth > _MAX_DEPTH:
        raise ConditionError([issue(where, f"conditions nest at most {_MAX_DEPTH} deep")])
    _check_shape(condition, where)
    kind = condition["type"]
    params: dict[str, Any] = condition["parameters"]
    at = where + ".parameters"
    problems: list[dict[str, str]] = []

    def need(name: str) -> Any:
        if name not in params:
            problems.append(issue(f"{at}.{name}", "is required"))
        return params.get(name)

    if kind == "log_level":
        level = need("level")
        sources = params.get("sources")
        if level is not None and not is_level(level):
            problems.append(issue(f"{at}.level", f"must be one of {', '.join(LEVELS)}"))
        if sources is not None and (
            not isinstance(sources, list) or not all(isinstance(s, str) for s in sources)
        ):
            problems.append(issue(f"{at}.sources", "must be a list of strings"))
        if problems:
            raise ConditionError(problems)
        return LogLevel(SEVERITY[level], None if sources is None else frozenset(sources))

    if kind == "pattern":
        pattern = need("pattern")
        name = params.get("field", "message")
        case_sensitive = params.get("case_sensitive", False)
        if not _valid_field(name):
            problems.append(issue(f"{at}.field", "must be an entry field or metadata.<path>"))
        if not isinstance(case_sensitive, bool):
            problems.append(issue(f"{at}.case_sensitive", "must be true or false"))
        regex = None
        if pattern is not None:
            if not isinstance(pattern, str) or len(pattern) > _MAX_PATTERN:
                problems.append(
                    issue(f"{at}.pattern", f"must be a string of at most {_MAX_PATTERN}")
                )
            else:
                try:
                    regex = compile_pattern(pattern, case_sensitive is True)
                except re2.error as exc:
                    problems.append(
                        issue(f"{at}.pattern", f"invalid regular expression: {_re2_message(exc)}")
                    )
        if problems or regex is None:
            raise ConditionError(problems)
        return Pattern(regex, name)

    if kind == "match":
        name = need("field")
        operator = params.get("operator", "eq")
        if name is not None and not _valid_field(name):
            problems.append(issue(f"{at}.field", "must be an entry field or metadata.<path>"))
        if operator not in MATCH_OPERATORS:
            problems.append(issue(f"{at}.operator", f"must be one of {', '.join(MATCH_OPERATORS)}"))
        elif operator != "exists" and "value" not in params:
            problems.append(issue(f"{at}.value", "is required"))
        elif (
            name == "level"
            and operator in ("eq", "ne", "gt", "lt")
            and not is_level(params["value"])
        ):
            problems.append(issue(f"{at}.value", f"must be one of {', '.join(LEVELS)}"))
        if problems:
            raise ConditionError(problems)
        return Match(name, operator, params.get("value"))

    if kind == "frequency":
        threshold = need("threshold")
        window = need("window_seconds")
        inner = need("condition")
        for label, number in (("threshold", threshold), ("window_seconds", window)):
            # JSON has one kind of number: 60.0 is the integer 60, as JSON Schema says.
            integral = isinstance(number, int) or (
                isinstance(number, float) and number.is_integer()
            )
            if number is not None and (isinstance(number, bool) or not integral or number < 1):
                problems.append(issue(f"{at}.{label}", "must be an integer >= 1"))
        if problems:
            raise ConditionError(problems)
        threshold = int(threshold)
        node = compile_condition(inner, f"{at}.condition", depth + 1)
        return Frequency(threshold, float(window), node, where)

    # composite (the schema's enum admits nothing else)
    operator = need("operator")
    children = need("conditions")
    if operator is not None and operator not in COMPOSITE_OPERATORS:
        problems.append(issue(f"{at}.operator", "must be and, or or not"))
    if children is not None and (not isinstance(children, list) or not children):
        problems.append(issue(f"{at}.conditions", "must be a non-empty list of conditions"))
    elif operator == "not" and isinstance(children, list) and len(children) != 1:
        problems.append(issue(f"{at}.conditions", "'not' takes exactly one condition"))
    if problems:
        raise ConditionError(problems)
    nodes = [
        compile_condition(child, f"{at}.conditions[{i}]", depth + 1)
        for i, child in enumerate(children)
    ]
    return Composite(operator, nodes)
