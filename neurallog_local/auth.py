"""Credentials: API keys and HS256 JWTs mapped to tenants and scopes, and rate limits."""

from __future__ import annotations

import hashlib
import hmac
import math
import time
from dataclasses import dataclass

import jwt

from .errors import ApiError
from .settings import ALL_SCOPES, KeySpec, Settings, parse_scopes, validate_tenant
from .store import StoredKey

_SCHEMES = 'ApiKey header="X-API-Key", Bearer'


@dataclass(frozen=True)
class Principal:
    """Who is calling: a tenant, what it may do, and a rate-limit identity."""

    tenant: str
    scopes: frozenset[str]
    credential: str  # a hash: the rate-limit bucket, never the secret itself
    rate_limit: int
    rate_window: int


def hash_key(key: str) -> str:
    """The stored form of an API key."""
    return hashlib.sha256(key.encode()).hexdigest()


def unauthorized(message: str) -> ApiError:
    return ApiError(401, "unauthorized", message, headers={"WWW-Authenticate": _SCHEMES})


class Authenticator:
    """Resolves the credential of a request."""

    def __init__(self, settings: Settings, stored: list[StoredKey]) -> None:
        self.settings = settings
        self._keys: dict[str, StoredKey] = {k.key_hash: k for k in stored}
        self.failures = FailureLimiter(settings.auth_failure_limit, settings.auth_failure_window)
        for spec in settings.api_keys:
            self.add(self.stored_key(spec))

    @staticmethod
    def stored_key(
        spec: KeySpec, rate_limit: int | None = None, rate_window: int | None = None
    ) -> StoredKey:
        return StoredKey(hash_key(spec.key), spec.tenant, spec.scopes, rate_limit, rate_window)

    def add(self, key: StoredKey) -> None:
        self._keys[key.key_hash] = key

    def authenticate(
        self, api_key: str | None, authorization: str | None, address: str = ""
    ) -> Principal:
        """The principal of these headers; ``ApiError`` 401 when there is none, 429 when
        ``address`` (the client's) has failed to authenticate too often lately.

        A 401 carries the ``X-RateLimit-*`` headers of the address's failures."""
        failures = self.failures.state(address)
        if not failures.allowed:
            raise ApiError(
                429,
                "rate_limited",
                f"more than {failures.limit} failed authentications from this address in "
                f"{self.failures.window} s; check the credential, then retry after the "
                "Retry-After seconds",
                {"limit": failures.limit, "window_seconds": self.failures.window},
                failures.headers(),
            )
        try:
            return self._authenticate(api_key, authorization)
        except ApiError as exc:
            # Only a credential that was sent and is wrong counts: a guess. A missing one
            # is a client still being set up.
            state = self.failures.fail(address) if api_key or authorization else failures
            exc.headers.update(state.headers())
            raise

    def _authenticate(self, api_key: str | None, authorization: str | None) -> Principal:
        if api_key:
            digest = hash_key(api_key)
            # Dictionary lookup by hash: timing reveals nothing about the key itself.
            found = self._keys.get(digest)
            if found is None:
                raise unauthorized("the API key is not valid")
            return Principal(
                found.tenant,
                found.scopes,
                "key:" + digest,
                found.rate_limit if found.rate_limit is not None else self.settings.rate_limit,
                found.rate_window or self.settings.rate_window,
            )
        if authorization:
            scheme, _, token = authorization.partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                raise unauthorized("use 'Authorization: Bearer <jwt>' or 'X-API-Key: <key>'")
            return self._from_jwt(token.strip())
        raise unauthorized("a credential is required: send X-API-Key or Authorization: Bearer")

    def _from_jwt(self, token: str) -> Principal:
        secret = self.settings.jwt_secret
        if not secret:
            raise unauthorized("JWT authentication is not enabled on this server (--jwt-secret)")
        try:
            claims = jwt.decode(
                token, secret, algorithms=["HS256"], options={"require": ["tenant"]}
            )
        except jwt.ExpiredSignatureError:
            raise unauthorized("the token has expired") from None
        except jwt.InvalidTokenError as exc:
            raise unauthorized(f"the token is not valid: {exc}") from None
        tenant = claims.get("tenant")
        try:
            tenant = validate_tenant(tenant if isinstance(tenant, str) else "")
            scope = claims.get("scope")
            if scope is None:
                scopes = frozenset(ALL_SCOPES)
            elif isinstance(scope, str):
                scopes = parse_scopes(scope)
            elif isinstance(scope, list) and all(isinstance(s, str) for s in scope):
                scopes = parse_scopes(" ".join(scope))
            else:
                raise ValueError("the scope claim must be a space-separated string")
        except ValueError as exc:
            raise unauthorized(f"the token is not valid: {exc}") from None
        return Principal(
            tenant,
            scopes,
            "jwt:" + hashlib.sha256(token.encode()).hexdigest(),
            self.settings.rate_limit,
            self.settings.rate_window,
        )

    def check_admin(self, secret: str | None) -> bool:
        """Whether ``secret`` is the admin secret (constant time)."""
        expected = self.settings.admin_secret
        if not expected or not secret:
            return False
        # As bytes: compare_digest raises on a str with a non-ASCII character.
        return hmac.compare_digest(secret.encode(), expected.encode())


def require_scope(principal: Principal, scope: str) -> None:
    """403 unless ``principal`` holds ``scope``."""
    if scope not in principal.scopes:
        raise ApiError(
            403,
            "forbidden",
            f"the credential lacks the {scope!r} scope",
            {"required_scope": scope},
        )


@dataclass
class RateState:
    """Where a credential stands in its current window."""

    limit: int
    remaining: int
    reset: int  # epoch seconds
    allowed: bool

    def headers(self) -> dict[str, str]:
        if self.limit <= 0:
            return {}
        headers = {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": str(self.reset),
        }
        if not self.allowed:
            headers["Retry-After"] = str(max(1, math.ceil(self.reset - time.time())))
        return headers


# Past this many credentials in memory, those whose windows have ended are forgotten.
PRUNE_ABOVE = 10_000


class RateLimiter:
    """Fixed windows per credential. A limit of 0 means unlimited."""

    def __init__(self) -> None:
        self._windows: dict[str, tuple[int, int]] = {}  # credential: (window's end, count)

    def hit(self, principal: Principal) -> RateState:
        """Count one request of ``principal``."""
        window = max(1, principal.rate_window)
        now = time.time()
        reset = int(now // window * window) + window
        if principal.rate_limit <= 0:
            return RateState(0, 0, reset, True)
        if len(self._windows) > PRUNE_ABOVE:
            # By each window's own end: credentials have windows of different lengths.
            self._windows = {k: v for k, v in self._windows.items() if v[0] > now}
        ends, count = self._windows.get(principal.credential, (reset, 0))
        if ends != reset:
            count = 0
        if count >= principal.rate_limit:
            return RateState(principal.rate_limit, 0, reset, False)
        count += 1
        self._windows[principal.credential] = (reset, count)
        return RateState(principal.rate_limit, principal.rate_limit - count, reset, True)


class FailureLimiter:
    """Failed authentications per client address, in windows that start at an address's
    first failure. A limit of 0 means unlimited."""

    def __init__(self, limit: int, window: int) -> None:
        self.limit = limit
        self.window = max(1, window)
        self._windows: dict[str, tuple[int, int]] = {}  # address: (window's end, failures)

    def _current(self, address: str) -> tuple[int, int]:
        now = time.time()
        ends, count = self._windows.get(address, (0, 0))
        if ends <= now:
            # From the start of this second: a window that ended a second late would ask
            # for a Retry-After longer than the window itself.
            return math.floor(now) + self.window, 0
        return ends, count

    def state(self, address: str) -> RateState:
        """Where ``address`` stands, without counting anything."""
        reset, count = self._current(address)
        if self.limit <= 0:
            return RateState(0, 0, reset, True)
        return RateState(self.limit, max(0, self.limit - count), reset, count < self.limit)

    def fail(self, address: str) -> RateState:
        """Count one failed authentication of ``address``."""
        if self.limit <= 0:
            return self.state(address)
        if len(self._windows) > PRUNE_ABOVE:
            now = time.time()
            self._windows = {k: v for k, v in self._windows.items() if v[0] > now}
        reset, count = self._current(address)
        self._windows[address] = (reset, count + 1)
        # The failure itself is answered 401; the ones after the limit get 429.
        return RateState(self.limit, max(0, self.limit - count - 1), reset, True)
