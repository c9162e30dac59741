"""Per-request (per-task) context added to every record logged inside a scope.

Process-wide fields are set with ``client.configure_context({...})``. Fields that belong to
one request, job or task are bound here; they live in a :class:`contextvars.ContextVar`, so
they follow ``await`` and are never mixed between concurrent requests or threads::

    from neurallog import context

    with context.scope(request={"id": "r-1", "path": "/users"}, user_id="123"):
        client.info("loaded user")      # metadata carries request and user_id

Fields given in a log call win over scoped fields, which win over ``configure_context``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar, Token
from types import MappingProxyType
from typing import Any

__all__ = ["bind", "current", "reset", "scope"]

_EMPTY: Mapping[str, Any] = MappingProxyType({})
_fields: ContextVar[Mapping[str, Any]] = ContextVar("neurallog_context", default=_EMPTY)


def current() -> Mapping[str, Any]:
    """The fields bound in the current context (read-only)."""
    return _fields.get()


def bind(fields: Mapping[str, Any] | None = None, /, **more: Any) -> Token[Mapping[str, Any]]:
    """Add fields to the current context until :func:`reset` is called with the token."""
    merged = dict(_fields.get())
    if fields is not None:
        if not isinstance(fields, Mapping):
            raise TypeError(
                f"context fields must be a dict (or keyword arguments), got {type(fields).__name__}"
            )
        merged.update(fields)
    merged.update(more)
    # A read-only view: records captured earlier keep referring to the old mapping safely.
    return _fields.set(MappingProxyType(merged))


def reset(token: Token[Mapping[str, Any]]) -> None:
    """Undo the :func:`bind` that returned ``token``."""
    _fields.reset(token)


@contextmanager
def scope(fields: Mapping[str, Any] | None = None, /, **more: Any) -> Iterator[Mapping[str, Any]]:
    """Bind fields for the duration of a ``with`` block; yields the merged fields."""
    token = bind(fields, **more)
    try:
        yield _fields.get()
    finally:
        _fields.reset(token)
