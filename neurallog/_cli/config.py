"""Where the commands send their requests: flags, then ``NEURALLOG_*`` variables, then a
NeuralLog Local running for this user (found through the state file it writes)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from neurallog._config import ENV_API_KEY, ENV_ENDPOINT, ENV_TOKEN


class UsageError(Exception):
    """A problem with how a command was called (exit status 2)."""


@dataclass(frozen=True)
class Target:
    """An endpoint and the credential to use there."""

    endpoint: str
    api_key: str | None = field(default=None, repr=False)
    token: str | None = field(default=None, repr=False)
    origin: str = "arguments"


def _running_local() -> dict[str, Any] | None:
    # Lazily, and only here: the state file belongs to NeuralLog Local, and the SDK's
    # NeuralLog() never reads it. Its module needs nothing beyond the standard library.
    try:
        from neurallog_local.statefile import read_state
    except ImportError:
        return None
    return read_state()


def resolve_target(endpoint: str | None, api_key: str | None, token: str | None) -> Target:
    """The target of a command, or ``UsageError`` saying how to configure one."""
    if api_key and token:
        raise UsageError("give either --api-key or --token, not both")
    endpoint = endpoint or os.environ.get(ENV_ENDPOINT) or None
    if not (api_key or token):
        api_key = os.environ.get(ENV_API_KEY) or None
        token = None if api_key else os.environ.get(ENV_TOKEN) or None
    if endpoint is not None and (api_key or token):
        return Target(endpoint, api_key, token)
    local = _running_local()
    if local is not None and (endpoint is None or endpoint.rstrip("/") == local["endpoint"]):
        key = api_key or token or local.get("api_key")
        if isinstance(key, str):
            return Target(local["endpoint"], api_key or local.get("api_key"), token, "local")
    if endpoint is None:
        raise UsageError(
            f"no endpoint: pass --endpoint, set {ENV_ENDPOINT}, or start `neurallog local`"
        )
    raise UsageError(f"no credential: pass --api-key or --token, or set {ENV_API_KEY}")
