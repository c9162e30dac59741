"""Viewer sign-ins: one-time login tokens and the sessions their cookies name.

A session holds the API key it was opened with, in this process only: the browser gets a
random session id (an HttpOnly cookie) and a CSRF token, never the key.
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field

SESSION_SECONDS = 24 * 3600
MAX_SESSIONS = 10_000
MAX_LOGIN_TOKENS = 100


@dataclass(frozen=True)
class Session:
    """A signed-in browser: the credential it acts with and its CSRF token."""

    id: str
    api_key: str = field(repr=False)
    tenant: str
    scopes: tuple[str, ...]
    csrf: str = field(repr=False)
    expires: float

    def csrf_matches(self, token: str | None) -> bool:
        """Whether ``token`` is this session's CSRF token (constant time)."""
        return bool(token) and hmac.compare_digest(str(token).encode(), self.csrf.encode())


class ViewerSessions:
    """Every open viewer session and unused login token of one server (thread-safe)."""

    def __init__(self, lifetime: float = SESSION_SECONDS) -> None:
        self.lifetime = lifetime
        self._lock = threading.Lock()
        self._sessions: OrderedDict[str, Session] = OrderedDict()
        self._tokens: OrderedDict[str, str] = OrderedDict()

    def issue_login_token(self, api_key: str) -> str:
        """A token that opens one session acting with ``api_key``, once."""
        token = secrets.token_urlsafe(24)
        with self._lock:
            self._tokens[token] = api_key
            while len(self._tokens) > MAX_LOGIN_TOKENS:
                self._tokens.popitem(last=False)
        return token

    def redeem(self, token: str) -> str | None:
        """The API key of an unused login token, which is used up; None otherwise."""
        with self._lock:
            return self._tokens.pop(token, None)

    def open(self, api_key: str, tenant: str, scopes: tuple[str, ...]) -> Session:
        """A new session acting with ``api_key``."""
        session = Session(
            id=secrets.token_urlsafe(32),
            api_key=api_key,
            tenant=tenant,
            scopes=scopes,
            csrf=secrets.token_urlsafe(32),
            expires=time.monotonic() + self.lifetime,
        )
        with self._lock:
            self._sessions[session.id] = session
            while len(self._sessions) > MAX_SESSIONS:
                self._sessions.popitem(last=False)  # the oldest sign-in goes first
        return session

    def get(self, session_id: str | None) -> Session | None:
        """The live session of this id, if any."""
        if not session_id:
            return None
        with self._lock:
            session = self._sessions.get(session_id)
            if session is not None and session.expires <= time.monotonic():
                del self._sessions[session_id]
                return None
            return session

    def close(self, session_id: str) -> None:
        """Sign out."""
        with self._lock:
            self._sessions.pop(session_id, None)
