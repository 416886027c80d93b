"""The composition root: the one place that picks concrete adapters from settings.

Everything else receives what it needs; nothing below this module decides between SQLite and
PostgreSQL, in-process or Redis, or reads the environment.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from application.clock import Clock, WallClock
from application.services import Check, Services
from ops.settings import Settings


@dataclass
class Container:
    settings: Settings
    clock: Clock
    services: Services
    closers: list[Any] = field(default_factory=list)

    def start(self) -> None:
        """Start background work (projection runners, job workers)."""

    def close(self) -> None:
        for closer in reversed(self.closers):
            closer()
        self.closers.clear()


def build_container(settings: Settings, *, clock: Clock | None = None) -> Container:
    clock = clock or WallClock()
    settings.data_path.mkdir(parents=True, exist_ok=True)

    def process_check() -> Check:
        return Check(name="process", ok=True)

    services = Services(settings=settings, clock=clock, checks=[process_check])
    return Container(settings=settings, clock=clock, services=services)
