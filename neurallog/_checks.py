"""Checks of the caller's arguments, shared by the client's settings and the API resources.

One rule for every mistake: a value of the wrong Python type raises ``TypeError``, a value
of the right type that cannot be used raises ``ValueError``, and the message names the
argument, what was given and what is accepted. The client's constructor runs the same checks
through :func:`setting`, which reports them as :class:`~neurallog.exceptions.ConfigurationError`
(one exception to catch for a misconfigured client); API methods let them through as they are,
as Python's own functions do for bad arguments. What is well-formed but breaks the API's rules
is the server's to judge (its 400/422 becomes a ``ValidationError``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Concatenate, ParamSpec, TypeVar

from neurallog.exceptions import ConfigurationError

P = ParamSpec("P")
T = TypeVar("T")


def setting(
    check: Callable[Concatenate[str, P], T], name: str, /, *args: P.args, **kwargs: P.kwargs
) -> T:
    """``check(name, ...)`` for a client setting: its mistakes become ``ConfigurationError``."""
    try:
        return check(name, *args, **kwargs)
    except (TypeError, ValueError) as exc:
        raise ConfigurationError(str(exc)) from None


def string(name: str, value: object) -> str:
    """A ``str``."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string, got {type(value).__name__}")
    return value


def require_id(name: str, value: object) -> str:
    """A non-empty resource id."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string id, got {type(value).__name__}")
    if not value.strip():
        raise ValueError(f"{name} must not be empty")
    return value


def boolean(name: str, value: object) -> bool:
    """``True`` or ``False`` (not a truthy stand-in, which is usually a mistake)."""
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False, got {value!r}")
    return value


def integer(name: str, value: object, *, minimum: int, maximum: int | None = None) -> int:
    """A whole number (not a ``bool``) from ``minimum`` to ``maximum``."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {value!r}")
    if value < minimum or (maximum is not None and value > maximum):
        bounds = f"from {minimum} to {maximum}" if maximum is not None else f"{minimum} or more"
        raise ValueError(f"{name} must be {bounds}, got {value}")
    return value


def seconds(name: str, value: object, *, above_zero: bool) -> float:
    """A finite number of seconds, above 0 or at least 0."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{name} must be a number of seconds, got {value!r}")
    low_ok = value > 0 if above_zero else value >= 0
    if not (low_ok and value < math.inf):  # also refuses NaN
        bound = "above 0" if above_zero else "0 or more"
        raise ValueError(f"{name} must be a finite number of seconds, {bound}; got {value!r}")
    return float(value)


def mapping(name: str, value: object) -> dict[str, Any]:
    """A dict with string keys (copied)."""
    if not isinstance(value, Mapping):
        raise TypeError(f"{name} must be a dict, got {type(value).__name__}")
    for key in value:
        if not isinstance(key, str):
            raise TypeError(f"{name} keys must be strings, got {key!r}")
    return dict(value)


def optional_mapping(name: str, value: object) -> dict[str, Any] | None:
    """``None``, or a dict with string keys."""
    return None if value is None else mapping(name, value)


def choice(name: str, value: object, accepted: Sequence[str]) -> str:
    """One of the ``accepted`` strings."""
    if not isinstance(value, str) or value not in accepted:
        raise ValueError(f"{name} must be one of {', '.join(accepted)}; got {value!r}")
    return value
