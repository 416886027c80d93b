"""Auditors verify the tamper-evident audit hash chain of the event stores."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, get
from litestar.response import Stream
from litestar.params import QueryParameter

from api.auth import requires_auditor
from api.http import access_context
from api.problems import HTTPProblem
from api.schemas import ServicesDep


class ChainBreakView(msgspec.Struct, frozen=True, rename="camel"):
    notification_id: int
    reason: str
    detail: str


class SnapshotBreakView(msgspec.Struct, frozen=True, rename="camel"):
    originator_id: str
    version: int
    reason: str


class ChainVerificationView(msgspec.Struct, frozen=True, rename="camel"):
    store: str
    ok: bool
    events_checked: int
    head_id: int | None
    head_hash: str | None
    digests_checked: int
    snapshots_checked: int
    first_break: ChainBreakView | None
    snapshot_break: SnapshotBreakView | None


class AuditChainController(Controller):
    path = "/audit/chain"
    tags = ["audit"]

    @get("/verification", operation_id="verifyAuditChain", sync_to_thread=True, guards=[requires_auditor],
         summary="Kiểm tra toàn vẹn nhật ký sự kiện / Recompute the audit hash chain, digests and snapshots; "
                 "report the first break of each store")
    def verify(
        self, request: Request[Any, Any, Any], services: ServicesDep,
        store: Annotated[str | None, QueryParameter(name="store", max_length=63)] = None,
        start: Annotated[int | None, QueryParameter(name="start", ge=1)] = None,
        stop: Annotated[int | None, QueryParameter(name="stop", ge=1)] = None,
    ) -> list[ChainVerificationView]:
        chain = services.audit_chain
        if chain is None:
            raise HTTPProblem(503, "audit-chain-unavailable", "Chưa cấu hình chuỗi băm kiểm toán",
                              "The audit chain is not configured in this process")
        if store is not None and store not in chain.names():
            raise HTTPProblem(400, "unknown-store", "Không có kho dữ liệu này",
                              f"Unknown store; known: {', '.join(chain.names())}", field="store")
        views = []
        for name, r in chain.verify(request.user, store=store, start=start, stop=stop):
            b, s = r.first_break, r.snapshot_break
            views.append(ChainVerificationView(
                store=name, ok=r.ok, events_checked=r.events_checked, head_id=r.head_id, head_hash=r.head_hash,
                digests_checked=r.digests_checked, snapshots_checked=r.snapshots_checked,
                first_break=None if b is None else ChainBreakView(b.notification_id, str(b.reason), b.detail),
                snapshot_break=None if s is None else SnapshotBreakView(s.originator_id, s.version, s.reason),
            ))
        return views


class EventLogController(Controller):
    path = "/audit/event-log"
    tags = ["audit"]

    @get("", operation_id="exportEventLog", sync_to_thread=True, guards=[requires_auditor],
         summary="Xuất nhật ký sự kiện / A range of an event store's notification log as NDJSON with chain hashes")
    def export(
        self, request: Request[Any, Any, Any], services: ServicesDep,
        store: Annotated[str, QueryParameter(name="store", max_length=63)] = "dossiers",
        start: Annotated[int | None, QueryParameter(name="start", ge=1)] = None,
        stop: Annotated[int | None, QueryParameter(name="stop", ge=1)] = None,
    ) -> Stream:
        lines = services.event_log.lines(request.user, store, start, stop, access_context(request))
        return Stream(lines, media_type="application/x-ndjson",
                      headers={"Content-Disposition": f'attachment; filename="{store}-event-log.ndjson"'})
