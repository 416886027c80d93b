"""The shared catalogues over HTTP: one thin controller per catalogue.

Lists are public (the portal shows units, holiday calendars, fields, document types, status
names and divisions to anyone); every upsert is for administrators only and answers with the
entry as stored, including who changed it last and when.
"""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

import msgspec
from litestar import Controller, Request, get, post
from litestar.params import JSONBody, QueryParameter

from api.auth import requires_administrator
from api.catalogue_schemas import (
    DivisionOut,
    DivisionPage,
    HolidayOut,
    HolidayPage,
    HolidayYearIn,
    NamedIn,
    NamedOut,
    NamedPage,
    PageQuery,
    PageSizeQuery,
    StatusIn,
    StatusList,
    StatusOut,
    UnitIn,
    UnitOut,
    UnitPage,
)
from api.schemas import ServicesDep
from application.catalogue_records import HolidayYear

Req = Request[Any, Any, Any]
T = TypeVar("T")
PUBLIC: dict[str, Any] = {"exclude_from_auth": True, "security": [], "sync_to_thread": True}
ADMIN: dict[str, Any] = {"guards": [requires_administrator], "sync_to_thread": True, "status_code": 200}
UnitQuery = Annotated[str | None, QueryParameter(name="unit", max_length=40)]
ParentQuery = Annotated[str | None, QueryParameter(name="parent", max_length=40)]
ActiveQuery = Annotated[bool | None, QueryParameter(name="active")]
YearQuery = Annotated[int | None, QueryParameter(name="year", ge=2000, le=2100)]
ProvinceQuery = Annotated[int | None, QueryParameter(name="province", ge=1, le=999)]


def _convert(items: list[Any], out: type[T]) -> list[T]:
    return [msgspec.convert(item, out, from_attributes=True) for item in items]


def _slice(items: list[Any], page: int, page_size: int) -> list[Any]:
    return items[(page - 1) * page_size:page * page_size]


class UnitController(Controller):
    path = "/catalogues/units"
    tags = ["catalogues"]

    @get("", operation_id="listUnits", **PUBLIC,
         summary="Danh mục đơn vị / Units with their identifier codes and hierarchy")
    def list_units(self, services: ServicesDep, parent: ParentQuery = None, active: ActiveQuery = None,
                   page: PageQuery = 1, page_size: PageSizeQuery = 100) -> UnitPage:
        units = services.shared_catalogues.units(parent=parent, active=active)
        return UnitPage(items=_convert(_slice(units, page, page_size), UnitOut), total=len(units), page=page,
                        page_size=page_size)

    @post("", operation_id="upsertUnit", **ADMIN,
          summary="Thêm hoặc sửa đơn vị / Register or change a unit (administrators)")
    def upsert_unit(self, request: Req, data: JSONBody[UnitIn], services: ServicesDep) -> UnitOut:
        shared = services.shared_catalogues
        code = shared.upsert_unit(request.user, code=data.code, name=data.name, parent=data.parent,
                                  division_code=data.division_code, active=data.active)
        return next(u for u in _convert(shared.units(), UnitOut) if u.code == code)


class HolidayController(Controller):
    path = "/catalogues/holidays"
    tags = ["catalogues"]

    @get("", operation_id="listHolidays", **PUBLIC,
         summary="Ngày nghỉ, ngày làm bù / Units' (and the province's '*') days off and make-up days")
    def list_holidays(self, services: ServicesDep, unit: UnitQuery = None, year: YearQuery = None,
                      page: PageQuery = 1, page_size: PageSizeQuery = 100) -> HolidayPage:
        days = services.shared_catalogues.holidays(unit=unit, year=year)
        return HolidayPage(items=_convert(_slice(days, page, page_size), HolidayOut), total=len(days), page=page,
                           page_size=page_size)

    @post("", operation_id="upsertHoliday", **ADMIN,
          summary="Đặt lịch nghỉ một năm của đơn vị / Set a unit's (or '*') days of one year (administrators)")
    def upsert_holiday(self, request: Req, data: JSONBody[HolidayYearIn], services: ServicesDep) -> HolidayPage:
        shared = services.shared_catalogues
        shared.set_holidays(request.user, HolidayYear(
            unit=data.unit, year=data.year, days_off={d.date: d.name for d in data.days_off},
            working_days={d.date: d.name for d in data.working_days}))
        days = shared.holidays(unit=data.unit, year=data.year)
        return HolidayPage(items=_convert(days, HolidayOut), total=len(days), page=1, page_size=max(len(days), 1))


class StatusController(Controller):
    path = "/catalogues/statuses"
    tags = ["catalogues"]

    @get("", operation_id="listStatuses", **PUBLIC,
         summary="Danh mục trạng thái hồ sơ / Local dossier statuses and their national codes")
    def list_statuses(self, services: ServicesDep) -> StatusList:
        statuses = services.shared_catalogues.statuses()
        return StatusList(items=_convert(statuses, StatusOut), total=len(statuses))

    @post("", operation_id="upsertStatus", **ADMIN,
          summary="Đổi nhãn hoặc mã quốc gia của trạng thái / Relabel or remap a status (administrators)")
    def upsert_status(self, request: Req, data: JSONBody[StatusIn], services: ServicesDep) -> StatusOut:
        shared = services.shared_catalogues
        status = shared.upsert_status(request.user, status=data.status, label_vi=data.label_vi,
                                      label_en=data.label_en, national_code=data.national_code)
        return next(s for s in _convert(shared.statuses(), StatusOut) if s.status == status)


class FieldController(Controller):
    path = "/catalogues/fields"
    tags = ["catalogues"]

    @get("", operation_id="listFields", **PUBLIC, summary="Danh mục lĩnh vực / Fields (lĩnh vực)")
    def list_fields(self, services: ServicesDep, page: PageQuery = 1, page_size: PageSizeQuery = 100) -> NamedPage:
        fields = services.shared_catalogues.fields()
        return NamedPage(items=_convert(_slice(fields, page, page_size), NamedOut), total=len(fields), page=page,
                         page_size=page_size)

    @post("", operation_id="upsertField", **ADMIN, summary="Thêm hoặc đổi tên lĩnh vực / Upsert a field")
    def upsert_field(self, request: Req, data: JSONBody[NamedIn], services: ServicesDep) -> NamedOut:
        shared = services.shared_catalogues
        code = shared.upsert_field(request.user, code=data.code, name=data.name)
        return next(f for f in _convert(shared.fields(), NamedOut) if f.code == code)


class DocumentTypeController(Controller):
    path = "/catalogues/document-types"
    tags = ["catalogues"]

    @get("", operation_id="listDocumentTypes", **PUBLIC, summary="Danh mục loại giấy tờ / Document types")
    def list_document_types(self, services: ServicesDep, page: PageQuery = 1,
                            page_size: PageSizeQuery = 100) -> NamedPage:
        types = services.shared_catalogues.document_types()
        return NamedPage(items=_convert(_slice(types, page, page_size), NamedOut), total=len(types), page=page,
                         page_size=page_size)

    @post("", operation_id="upsertDocumentType", **ADMIN,
          summary="Thêm hoặc đổi tên loại giấy tờ / Upsert a document type")
    def upsert_document_type(self, request: Req, data: JSONBody[NamedIn], services: ServicesDep) -> NamedOut:
        shared = services.shared_catalogues
        code = shared.upsert_document_type(request.user, code=data.code, name=data.name)
        return next(d for d in _convert(shared.document_types(), NamedOut) if d.code == code)


class DivisionController(Controller):
    path = "/catalogues/divisions"
    tags = ["catalogues"]

    @get("", operation_id="listDivisions", **PUBLIC,
         summary="Đơn vị hành chính / Provinces, or the communes of one (2025 two-level divisions)")
    def list_divisions(self, services: ServicesDep, province: ProvinceQuery = None, page: PageQuery = 1,
                       page_size: PageSizeQuery = 100) -> DivisionPage:
        divisions = services.divisions
        result = divisions.page(province, page, page_size)
        return DivisionPage(items=_convert(result.items, DivisionOut), total=result.total, page=result.page,
                            page_size=result.page_size, data_version=divisions.data_version)
