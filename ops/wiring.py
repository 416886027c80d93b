"""The composition root: the one place that picks concrete adapters from settings.

Everything else receives what it needs; nothing below this module decides between SQLite and
PostgreSQL, in-process or Redis, or reads the environment.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from adapters.catalogue.seed import SeedCatalogue
from application.accounts import Accounts
from application.clock import Clock, WallClock
from application.services import Check, Services
from application.tokens import RevocationList, TokenService
from ops.secrets import secret
from ops.settings import Settings
from ops.stores import store_env


@dataclass
class Container:
    settings: Settings
    clock: Clock
    services: Services
    closers: list[Any] = field(default_factory=list)
    starters: list[Any] = field(default_factory=list)

    def start(self) -> None:
        """Start background work (projection runners, job workers)."""
        for starter in self.starters:
            starter()

    def close(self) -> None:
        for closer in reversed(self.closers):
            try:
                closer()
            except Exception:  # closing must go on for the others
                pass
        self.closers.clear()


def build_revocations(settings: Settings, clock: Clock) -> RevocationList:
    if settings.redis_url:
        import redis

        from adapters.revocation.redis import RedisRevocationList

        return RedisRevocationList(redis.Redis.from_url(settings.redis_url), clock)
    from adapters.revocation.memory import InMemoryRevocationList

    return InMemoryRevocationList(clock)


def build_container(settings: Settings, *, clock: Clock | None = None) -> Container:
    clock = clock or WallClock()
    settings.data_path.mkdir(parents=True, exist_ok=True)
    catalogue = SeedCatalogue(settings.procedures_file or None)
    accounts = Accounts(store_env(settings, "Accounts"), clock)
    tokens = TokenService(
        secret(settings.jwt_secret, settings.data_path, "jwt"),
        clock,
        build_revocations(settings, clock),
        access_ttl=timedelta(minutes=settings.access_token_minutes),
        refresh_ttl=timedelta(days=settings.refresh_token_days),
    )

    def event_store() -> Check:
        accounts.recorder.max_notification_id()
        return Check(name="event-store", ok=True)

    services = Services(
        settings=settings, clock=clock, accounts=accounts, tokens=tokens,
        catalogue=catalogue, units=catalogue, checks=[event_store],
    )
    container = Container(settings=settings, clock=clock, services=services)
    container.closers.append(accounts.close)
    return container
