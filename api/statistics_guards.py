"""Who may read processing statistics, and over which units.

Analysts, administrators and auditors read any unit; a unit leader reads their own unit and the
units below it (asking for another unit is refused, not silently narrowed).
"""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from application.errors import AccessDenied
from application.services import Services
from domain.actor import Actor, Role

PROVINCE_WIDE = frozenset({Role.ANALYST, Role.ADMINISTRATOR, Role.AUDITOR})
STATISTICS_READERS = PROVINCE_WIDE | {Role.UNIT_LEADER}


def requires_statistics_reader(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    actor: Actor = connection.user
    if actor.role not in STATISTICS_READERS:
        allowed = ", ".join(sorted(r.value for r in STATISTICS_READERS))
        raise AccessDenied(f"this needs one of the roles: {allowed}")


def units_for(actor: Actor | None, unit: str | None, services: Services) -> frozenset[str]:
    """The receiving units counted: `unit` with its sub-units; empty means every unit."""
    if actor is not None and actor.role not in PROVINCE_WIDE:
        own = services.units.descendants(actor.unit) if actor.unit else frozenset()
        if unit is None:
            return own or frozenset({"-"})
        if unit not in own:
            raise AccessDenied("statistics of units outside your own are not available to you", field="unit")
    return services.units.descendants(unit) if unit else frozenset()


__all__ = ["PROVINCE_WIDE", "STATISTICS_READERS", "requires_statistics_reader", "units_for"]
