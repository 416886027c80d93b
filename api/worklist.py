"""Officers' worklist: the dossiers of their unit and its sub-units, most urgent first."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get
from litestar.params import QueryParameter

from api.auth import requires_officer
from api.dossier_schemas import DossierPage
from api.listing import to_page
from api.schemas import Cursor, Limit, MinPosition, ServicesDep
from application.dossier_queries import WorklistFilter


class WorklistController(Controller):
    path = "/office/worklist"
    tags = ["office"]

    @get("", operation_id="listWorklist", sync_to_thread=True, guards=[requires_officer],
         summary="Danh sách hồ sơ cần xử lý / Worklist of my unit and its sub-units (overdue computed now)")
    def worklist(
        self, request: Request[Any, Any, Any], services: ServicesDep, cursor: Cursor = None, limit: Limit = None,
        min_position: MinPosition = None,
        status: Annotated[str | None, QueryParameter(name="status", max_length=60)] = None,
        national_status: Annotated[int | None, QueryParameter(name="nationalStatus", ge=1, le=10)] = None,
        overdue: Annotated[bool | None, QueryParameter(name="overdue")] = None,
        waiting: Annotated[bool | None, QueryParameter(name="waiting")] = None,
        mine: Annotated[bool, QueryParameter(name="mine")] = False,
    ) -> DossierPage:
        filters = WorklistFilter(status=status, national_status=national_status, overdue=overdue, waiting=waiting, mine=mine)
        listing = services.queries.worklist(request.user, filters, cursor=cursor, limit=limit, min_position=min_position)
        return to_page(listing, services.queries)
