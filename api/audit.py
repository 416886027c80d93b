"""Auditors' dossier history: the processing-control slip and state at a past instant."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec
from litestar import Controller, Request, get
from litestar.params import FromQuery

from api import dossier_schemas as s
from api.auth import requires_dossier_reader
from api.http import access_context
from api.problems import HTTPProblem
from api.schemas import DossierCodePath, ServicesDep


class SlipRowView(msgspec.Struct, frozen=True, rename="camel"):
    version: int
    event: str
    at: datetime
    actor_id: str
    actor_role: str
    actor_unit: str | None
    status: str
    national_status: int
    details: dict[str, Any]
    step_name: str | None
    step_due: datetime | None
    grade: str | None


class DossierHistoryController(Controller):
    path = "/audit/dossiers/{code:str}"
    tags = ["audit"]
    guards = [requires_dossier_reader]

    @get("/history", operation_id="getDossierHistory", sync_to_thread=True,
         summary="Phiếu kiểm soát quá trình / Every event with actor, unit, instant, national status; graded hand-overs")
    def history(self, request: Request[Any, Any, Any], code: DossierCodePath, services: ServicesDep) -> list[SlipRowView]:
        rows = services.audit.history(request.user, code, access_context(request))
        return msgspec.convert(rows, list[SlipRowView], from_attributes=True)  # one call for hundreds of rows

    @get("/state", operation_id="getDossierStateAt", sync_to_thread=True,
         summary="Hồ sơ tại một thời điểm / The dossier as it was at an instant (RFC 3339 `at`)")
    def state_at(self, request: Request[Any, Any, Any], code: DossierCodePath, at: FromQuery[datetime],
                 services: ServicesDep) -> s.DossierDetail:
        if at.tzinfo is None:
            raise HTTPProblem(400, "instant-without-offset", "Thời điểm phải có múi giờ",
                              "`at` must carry an offset, e.g. 2026-03-02T09:00:00+07:00", field="at")
        return msgspec.convert(services.audit.state_at(request.user, code, at, access_context(request)), s.DossierDetail, from_attributes=True)
