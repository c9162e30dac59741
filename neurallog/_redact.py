"""Key-based redaction of metadata values (applied in the worker, never on the hot path)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final

__all__ = ["DEFAULT_REDACT_KEYS", "REDACTED", "KeyMatcher"]

REDACTED: Final = "[REDACTED]"

#: Keys whose values are replaced by ``"[REDACTED]"`` by default. Matching ignores case,
#: treats ``-``, spaces and camelCase humps like ``_``, and also matches a key ending with
#: ``_<term>`` (``db_password``, ``accessToken``, ``X-Api-Key``), but not a term that is only
#: part of a word (``prompt_tokens`` and ``secretary`` are kept).
DEFAULT_REDACT_KEYS: Final[frozenset[str]] = frozenset(
    {
        "password",
        "passwd",
        "pwd",
        "secret",
        "secret_key",
        "token",
        "jwt",
        "api_key",
        "apikey",
        "access_key",
        "private_key",
        "privatekey",
        "authorization",
        "auth",
        "credentials",
        "cookie",
        "set_cookie",
        "session",
        "sessionid",
        "csrf",
        "csrftoken",
        "xsrf",
        "card_number",
        "cvv",
        "ssn",
    }
)

_CACHE_LIMIT: Final = 4096


class KeyMatcher:
    """Decides whether a metadata key names a secret; memoizes decisions per key."""

    __slots__ = ("_cache", "_terms", "safe")

    def __init__(self, terms: Iterable[str]) -> None:
        self._terms = frozenset(_normalize(t) for t in terms)
        self._cache: dict[str, bool] = {}
        #: Keys decided not to be secrets: a mapping whose keys are a subset needs no
        #: per-key check (one set comparison in C; see ``neurallog._encoding.clean``).
        self.safe: set[str] = set()

    def __bool__(self) -> bool:
        return bool(self._terms)

    def matches(self, key: str) -> bool:
        """True when the value under ``key`` must be redacted."""
        found = self._cache.get(key)
        if found is None:
            found = self._decide(key)
            if len(self._cache) < _CACHE_LIMIT:
                # Keys repeat from record to record; a bounded memo keeps this O(1) without
                # letting keys made of data (ids as keys) grow it forever.
                self._cache[key] = found
                if not found and type(key) is str:
                    self.safe.add(key)
        return found

    def _decide(self, key: str) -> bool:
        norm = _normalize(key)
        if norm in self._terms:
            return True
        return any(norm.endswith("_" + term) for term in self._terms)


_HUMP: Final = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def _normalize(key: str) -> str:
    return _HUMP.sub("_", key.strip()).lower().replace("-", "_").replace(" ", "_")
