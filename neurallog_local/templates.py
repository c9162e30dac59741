"""Action templates: ``{{log.message}}``-style dotted-path substitution, nothing more.

No expression is evaluated and no attribute is looked up, only keys of plain dicts (and
indexes of lists), so a template can read the data it is given and do nothing else. A
missing key renders as an empty string, and a substituted value is never rendered again,
so a log message containing ``{{...}}`` stays literal text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import orjson

_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z0-9_\-]+(?:\.[A-Za-z0-9_\-]+)*)\s*\}\}")


def lookup(context: Mapping[str, Any], path: str) -> Any:
    """The value at a dotted ``path`` in ``context``, or ``None`` when any step is missing."""
    value: Any = context
    for step in path.split("."):
        if isinstance(value, Mapping):
            value = value.get(step)
        elif isinstance(value, list) and step.isdigit() and int(step) < len(value):
            value = value[int(step)]
        else:
            return None
    return value


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return orjson.dumps(value).decode()


def render(template: str, context: Mapping[str, Any]) -> str:
    """Render one template string."""
    return _PLACEHOLDER.sub(lambda m: _text(lookup(context, m.group(1))), template)


def render_value(value: Any, context: Mapping[str, Any]) -> Any:
    """Render every string inside ``value`` (dicts and lists are walked)."""
    if isinstance(value, str):
        return render(value, context)
    if isinstance(value, dict):
        return {key: render_value(item, context) for key, item in value.items()}
    if isinstance(value, list):
        return [render_value(item, context) for item in value]
    return value
