"""The credential every request of a client carries, swappable from any thread."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from neurallog._config import validate_secret

if TYPE_CHECKING:
    import httpx

__all__ = ["Credentials"]


class Credentials:
    """The current credential: an API key or a JWT, swappable from any thread."""

    __slots__ = ("_kind", "_lock", "_secret")

    def __init__(self, kind: str, secret: str) -> None:
        self._lock = threading.Lock()
        self._kind = kind
        self._secret = secret

    def after_fork_in_child(self) -> None:
        """A fresh lock: another thread of the parent may have held this one at fork."""
        self._lock = threading.Lock()

    def set_api_key(self, api_key: str) -> None:
        secret = validate_secret("api_key", api_key)
        with self._lock:
            self._kind, self._secret = "api_key", secret

    def set_token(self, token: str) -> None:
        secret = validate_secret("token", token)
        with self._lock:
            self._kind, self._secret = "token", secret

    @property
    def kind(self) -> str:
        """``"api_key"`` or ``"token"``."""
        return self._kind

    def apply(self, headers: httpx.Headers) -> None:
        """Set the auth header for the current credential and remove the other one."""
        with self._lock:
            kind, secret = self._kind, self._secret
        if kind == "api_key":
            headers.pop("authorization", None)
            headers["X-API-Key"] = secret
        else:
            headers.pop("x-api-key", None)
            headers["Authorization"] = f"Bearer {secret}"

    def __repr__(self) -> str:
        return f"Credentials(kind={self._kind!r})"
