"""NeuralLog Local: a local server for the NeuralLog v1 API.

``neurallog local`` (or ``python -m neurallog_local``) runs it from the command line;
``LocalServer`` runs it in a background thread; ``create_app`` builds the ASGI app.
This module imports nothing beyond the standard library until one of those is used,
because the pytest plugin loads it in every test session, ``local`` extra or not.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .app import create_app
    from .server import LocalServer
    from .settings import KeySpec, Settings

__all__ = ["KeySpec", "LocalServer", "Settings", "create_app"]

_EXPORTS = {
    "create_app": "app",
    "LocalServer": "server",
    "KeySpec": "settings",
    "Settings": "settings",
}


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'neurallog_local' has no attribute {name!r}")
    from importlib import import_module

    return getattr(import_module(f"neurallog_local.{module}"), name)
