"""Liveness and readiness: an orchestrator restarts on /health, routes traffic on /ready."""

from __future__ import annotations

import msgspec
from litestar import Controller, Response, get

from api.rate_limits import UNLIMITED_OPT
from api.schemas import ServicesDep


class Health(msgspec.Struct, frozen=True):
    status: str


class ComponentStatus(msgspec.Struct, frozen=True, omit_defaults=True):
    name: str
    ok: bool
    detail: str = ""
    lagEvents: int | None = None


class Readiness(msgspec.Struct, frozen=True):
    status: str
    components: list[ComponentStatus]


class HealthController(Controller):
    path = "/"
    tags = ["health"]

    @get("/health", operation_id="getHealth", opt={UNLIMITED_OPT: False}, summary="Process is alive")
    async def health(self) -> Health:
        return Health(status="ok")

    @get("/ready", operation_id="getReadiness", opt={UNLIMITED_OPT: False}, summary="Event store, index and projection lag", sync_to_thread=True)
    def ready(self, services: ServicesDep) -> Response[Readiness]:
        checks = services.readiness()
        components = [ComponentStatus(name=c.name, ok=c.ok, detail=c.detail, lagEvents=c.lag) for c in checks]
        ok = all(c.ok for c in checks)
        return Response(Readiness(status="ready" if ok else "not-ready", components=components), status_code=200 if ok else 503)
