"""Everything one server holds: storage, validators, credentials, engine and runners."""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass, field
from importlib import metadata

from .actions import ActionRunner, Delivery
from .auth import Authenticator, RateLimiter
from .contract import Contract
from .db import Database
from .group_commit import GroupCommitter
from .logstore import LogStore
from .rules import RuleEngine, RuleEvaluator
from .settings import DEFAULT_TENANT, KeySpec, Settings
from .store import Store
from .streaming import Broker
from .web.sessions import ViewerSessions

_DEV_KEY_SETTING = "dev_api_key"


def server_version() -> str:
    """The installed distribution's version (read from metadata, not from the SDK)."""
    try:
        return metadata.version("neurallog")
    except metadata.PackageNotFoundError:
        return "0.0.0"


@dataclass
class Services:
    """The state shared by every request of one server."""

    settings: Settings
    db: Database
    logs: LogStore
    writer: GroupCommitter
    store: Store
    contract: Contract
    auth: Authenticator
    limiter: RateLimiter
    engine: RuleEngine
    evaluator: RuleEvaluator
    delivery: Delivery
    runner: ActionRunner
    broker: Broker
    dev_api_key: str | None
    version: str
    viewer: ViewerSessions = field(default_factory=ViewerSessions)
    idempotency_locks: dict[tuple[str, str], tuple[asyncio.Lock, int]] = field(default_factory=dict)

    @staticmethod
    def dev_key_of(settings: Settings) -> str:
        """The development key of the database ``settings`` name (created if missing)."""
        db = Database(settings.db)
        try:
            return Store(db).set_setting_once(_DEV_KEY_SETTING, "nl_dev_" + secrets.token_hex(16))
        finally:
            db.close()

    @classmethod
    def open(cls, settings: Settings) -> Services:
        """Open the database and build everything around it."""
        db = Database(settings.db)
        try:
            store = Store(db)
            dev_key = None
            if not settings.api_keys:
                # Created once and kept in the database, so a file database keeps its key.
                dev_key = store.set_setting_once(
                    _DEV_KEY_SETTING, "nl_dev_" + secrets.token_hex(16)
                )
            auth = Authenticator(settings, store.keys())
            if dev_key is not None:
                auth.add(Authenticator.stored_key(KeySpec(dev_key, DEFAULT_TENANT)))
            delivery = Delivery(store, settings.action_timeout)
            engine = RuleEngine(store, settings.rule_budget)
            runner = ActionRunner(store, delivery)
            logs = LogStore(db)
            return cls(
                settings=settings,
                db=db,
                logs=logs,
                writer=GroupCommitter(logs, engine),
                store=store,
                contract=Contract(),
                auth=auth,
                limiter=RateLimiter(),
                engine=engine,
                evaluator=RuleEvaluator(engine, runner.submit),
                delivery=delivery,
                runner=runner,
                broker=Broker(),
                dev_api_key=dev_key,
                version=server_version(),
            )
        except BaseException:
            db.close()
            raise
