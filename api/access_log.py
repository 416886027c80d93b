"""Auditors query the access log (who read what, when, from where, why)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, get
from litestar.params import QueryParameter

from api.auth import requires_auditor
from api.schemas import ServicesDep


class AccessEntryView(msgspec.Struct, frozen=True, rename="camel"):
    id: int
    at: datetime
    actor_id: str
    actor_role: str
    actor_unit: str | None
    action: str
    subject: str
    ip: str
    reason: str
    request_id: str


class AccessLogPage(msgspec.Struct, frozen=True, rename="camel"):
    items: list[AccessEntryView]
    next_cursor: str | None


class AccessLogController(Controller):
    path = "/audit/access-log"
    tags = ["audit"]

    @get("", operation_id="listAccessLog", sync_to_thread=True, guards=[requires_auditor],
         summary="Nhật ký truy cập / Access log, newest first")
    def list_access_log(
        self, request: Request[Any, Any, Any], services: ServicesDep,
        actor_id: Annotated[str | None, QueryParameter(name="actorId", max_length=64)] = None,
        subject: Annotated[str | None, QueryParameter(name="subject", max_length=100)] = None,
        action: Annotated[str | None, QueryParameter(name="action", max_length=40)] = None,
        since: Annotated[datetime | None, QueryParameter(name="since")] = None,
        until: Annotated[datetime | None, QueryParameter(name="until")] = None,
        cursor: Annotated[int | None, QueryParameter(name="cursor", ge=1)] = None,
        limit: Annotated[int, QueryParameter(name="limit", ge=1, le=500)] = 50,
    ) -> AccessLogPage:
        page = services.accesses.query(request.user, actor_id=actor_id, subject=subject, action=action, since=since,
                                       until=until, after_id=cursor, limit=limit)
        return AccessLogPage(
            items=[msgspec.convert(e, AccessEntryView, from_attributes=True) for e in page.entries],
            next_cursor=str(page.next_cursor) if page.next_cursor else None,
        )
