"""Server settings and the ``KEY[:TENANT[:SCOPES]]`` credential syntax."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

ALL_SCOPES: tuple[str, ...] = (
    "logs:write",
    "logs:read",
    "logs:delete",
    "rules:read",
    "rules:write",
    "actions:read",
    "actions:write",
    "actions:execute",
)
DEFAULT_TENANT = "default"
TENANT_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}")
MAX_BODY_BYTES = 5 * 1024 * 1024  # the contract's limit, after gzip decoding


@dataclass(frozen=True)
class KeySpec:
    """An API key, the tenant it belongs to and the scopes it grants."""

    key: str
    tenant: str = DEFAULT_TENANT
    scopes: frozenset[str] = frozenset(ALL_SCOPES)

    @classmethod
    def parse(cls, text: str) -> KeySpec:
        """Parse ``KEY``, ``KEY:TENANT`` or ``KEY:TENANT:scope,scope``."""
        parts = text.split(":", 2)
        key = parts[0]
        if len(key) < 8 or not key.isprintable() or " " in key:
            raise ValueError("an API key needs at least 8 printable characters and no spaces")
        tenant = parts[1] if len(parts) > 1 and parts[1] else DEFAULT_TENANT
        scopes = frozenset(ALL_SCOPES)
        if len(parts) > 2 and parts[2]:
            scopes = parse_scopes(parts[2].replace(",", " "))
        return cls(key, validate_tenant(tenant), scopes)


def validate_tenant(tenant: str) -> str:
    """Return ``tenant`` when it is a valid tenant name, else raise ``ValueError``."""
    if not TENANT_PATTERN.fullmatch(tenant):
        raise ValueError(f"invalid tenant {tenant!r}: use 1 to 64 letters, digits, '_', '.' or '-'")
    return tenant


def parse_scopes(text: str) -> frozenset[str]:
    """Parse space-separated scopes; ``ValueError`` on an unknown one."""
    scopes = frozenset(text.split())
    unknown = scopes - set(ALL_SCOPES)
    if unknown:
        raise ValueError(
            f"unknown scope(s) {', '.join(sorted(unknown))}; known: {' '.join(ALL_SCOPES)}"
        )
    return scopes


@dataclass
class Settings:
    """Everything that configures one NeuralLog Local server."""

    db: str = "neurallog-local.db"
    api_keys: list[KeySpec] = field(default_factory=list)
    jwt_secret: str | None = None
    # Enables the loopback-only provisioning routes under /_admin (used by the pytest plugin).
    admin_secret: str | None = None
    rate_limit: int = 6000
    rate_window: int = 60
    heartbeat_interval: float = 15.0
    action_timeout: float = 10.0
    # Seconds one rule may spend on one ingested batch before it is skipped for the rest
    # of the batch (see RuleEngine.evaluate).
    rule_budget: float = 1.0
    validate_responses: bool = True
    max_body_bytes: int = MAX_BODY_BYTES
    # Seconds a request's headers, then its body, may take to arrive (else 408).
    header_timeout: float = 10.0
    body_timeout: float = 30.0
    # Open client connections at most; None: as many as the open-file limit leaves room for.
    max_connections: int | None = None
    # Failed authentications per client address per window before every request of that
    # address that needs a credential is a 429 until the window ends; 0 for no limit.
    auth_failure_limit: int = 100
    auth_failure_window: int = 60
