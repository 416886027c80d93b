"""Statistics exports over HTTP: ask for a CSV / XLSX export, poll it, download it.

``POST /statistics/exports`` answers 202 with the export's record and its ``Location``; the file
is produced by a background job. ``GET /statistics/exports/{id}`` answers 202 (with
``Retry-After``) while the export is requested or running, 200 with the record when it failed,
and the file itself once completed (``?metadata=true``: the record instead). Only the caller who
asked sees the export; to anyone else it does not exist (404). The same callers and scoping
rules as the reports apply (a unit leader exports only their unit and its sub-units).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import Annotated, Any, BinaryIO

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.response import Stream

from api.auth import requires_statistics_reader
from api.documents import content_disposition
from api.schemas import ServicesDep
from application.document_store import CHUNK
from application.statistics_exports import ExportView

Req = Request[Any, Any, Any]
Code = Annotated[str, msgspec.Meta(max_length=120)] | None


class ExportRequestIn(msgspec.Struct, frozen=True, rename="camel", forbid_unknown_fields=True):
    """``format``: ``csv`` or ``xlsx``; ``content``: ``dossiers`` (one row per dossier of the
    status report, with refusals) or ``report`` (its figures and the Decision 766 indicators);
    ``from``/``to``: local dates, both counted (default: this year to date)."""

    format: Annotated[str, msgspec.Meta(max_length=10)] = "csv"
    content: Annotated[str, msgspec.Meta(max_length=20)] = "dossiers"
    unit: Code = None
    procedure_code: Code = None
    field: Code = None
    date_from: date | None = msgspec.field(default=None, name="from")
    date_to: date | None = msgspec.field(default=None, name="to")


class ExportOut(msgspec.Struct, frozen=True, rename="camel"):
    id: str
    status: str
    content: str
    format: str
    unit: str | None
    units: list[str]
    procedure_code: str | None
    field: str | None
    date_from: date = msgspec.field(name="from")
    date_to: date = msgspec.field(name="to")
    requested_at: datetime | None = None
    finished_at: datetime | None = None
    attempts: int = 0
    rows: int | None = None
    sha256: str | None = None
    size: int | None = None
    reason: str | None = None
    location: str = ""


def _out(view: ExportView) -> ExportOut:
    return ExportOut(
        id=view.id, status=view.status, content=view.content, format=view.format, unit=view.unit,
        units=view.units, procedure_code=view.procedure_code, field=view.field, date_from=view.date_from,
        date_to=view.date_to, requested_at=view.requested_at, finished_at=view.finished_at,
        attempts=view.attempts, rows=view.rows, sha256=view.sha256, size=view.size, reason=view.reason,
        location=f"/statistics/exports/{view.id}",
    )


def _chunks(stream: BinaryIO) -> Iterator[bytes]:
    with stream:
        while chunk := stream.read(CHUNK):
            yield chunk


class StatisticsExportController(Controller):
    path = "/statistics/exports"
    tags = ["statistics"]

    @post("", operation_id="requestStatisticsExport", sync_to_thread=True, status_code=202,
          guards=[requires_statistics_reader],
          summary="Yêu cầu kết xuất số liệu (CSV/XLSX) / Request a statistics export, produced in the background")
    def request_export(self, request: Req, services: ServicesDep, data: JSONBody[ExportRequestIn]) -> Response[ExportOut]:
        exports = services.statistics_exports
        export_id = exports.request(
            request.user, content=data.content, format=data.format, unit=data.unit,
            procedure_code=data.procedure_code, field=data.field, date_from=data.date_from, date_to=data.date_to,
        )
        out = _out(exports.get(request.user, str(export_id)))
        return Response(out, status_code=202, headers={"Location": out.location, "Retry-After": "2"})

    @get("/{export_id:str}", operation_id="getStatisticsExport", sync_to_thread=True,
         guards=[requires_statistics_reader],
         summary="Trạng thái hoặc tệp kết xuất / The export's status (202 while pending) or, when done, its file")
    def get_export(self, request: Req, services: ServicesDep, export_id: FromPath[str],
                   metadata: Annotated[bool, QueryParameter(name="metadata")] = False) -> Response[Any]:
        exports = services.statistics_exports
        view = exports.get(request.user, export_id)
        if view.status in ("requested", "running"):
            return Response(_out(view), status_code=202, headers={"Retry-After": "2"})
        if view.status != "completed" or metadata:
            return Response(_out(view), status_code=200)
        view, stream = exports.download(request.user, export_id)
        return Stream(_chunks(stream), media_type=view.media_type, headers={
            "Content-Disposition": content_disposition(view.download_name),
            "Content-Length": str(view.size),
            "ETag": f'"{view.sha256}"',
            "X-Export-Rows": str(view.rows),
            "X-Content-Type-Options": "nosniff",
        })


__all__ = ["StatisticsExportController"]
