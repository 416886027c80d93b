"""Processing statistics over HTTP: the status report, the Decision 766 index, the public summary.

Thin handlers over the `Statistics` port. When the statistics store is unreachable the port
raises `StatisticsUnavailable` and the problem mapper answers 503 with `Retry-After`; nothing
else in the API depends on it.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import msgspec
from litestar import Controller, Request, get
from litestar.params import QueryParameter

from api.problems import HTTPProblem
from api.schemas import ServicesDep
from api.auth import requires_statistics_reader
from application.policy import statistics_units
from application.statistics import Ratio, Scope, StatisticsUnavailable
from application.services import Services

Unit = Annotated[str | None, QueryParameter(name="unit", max_length=60)]
Procedure = Annotated[str | None, QueryParameter(name="procedureCode", max_length=60)]
Field = Annotated[str | None, QueryParameter(name="field", max_length=120)]
From = Annotated[date | None, QueryParameter(name="from")]
To = Annotated[date | None, QueryParameter(name="to")]


class ScopeOut(msgspec.Struct, frozen=True, rename="camel"):
    date_from: date
    date_to: date
    unit: str | None
    units: list[str]
    procedure_code: str | None
    field: str | None


class RatioOut(msgspec.Struct, frozen=True):
    numerator: float
    denominator: int
    value: float | None


class StatusReportOut(msgspec.Struct, frozen=True, rename="camel"):
    scope: ScopeOut
    received: int
    carried_over: int
    new: int
    new_online: int
    new_counter: int
    new_postal: int
    finished: int
    early: int
    on_time: int
    late: int
    completed: int
    stopped: int
    withdrawn: int
    in_progress: int
    within_deadline: int
    overdue: int
    waiting: int
    returned: int
    refused: int


class ServiceIndexOut(msgspec.Struct, frozen=True, rename="camel"):
    scope: ScopeOut
    on_time_rate: RatioOut
    average_processing_days: RatioOut
    share_online: RatioOut
    share_paid_online: RatioOut
    share_electronic_result: RatioOut
    share_digitised: RatioOut
    share_reusing_data: RatioOut
    satisfaction: RatioOut


class PublicStatisticsOut(msgspec.Struct, frozen=True, rename="camel"):
    scope: ScopeOut
    received: int
    finished: int
    finished_on_time: int
    in_progress: int
    on_time_rate: RatioOut
    satisfaction: RatioOut


def _ratio(r: Ratio) -> RatioOut:
    return RatioOut(numerator=r.numerator, denominator=r.denominator,
                    value=None if r.value is None else round(r.value, 6))


def _scope(services: Services, actor: Any, unit: str | None, date_from: date | None, date_to: date | None,
           procedure: str | None = None, field: str | None = None) -> tuple[Scope, ScopeOut]:
    if services.statistics is None:
        raise StatisticsUnavailable("statistics are not configured in this process")
    today = services.clock.now().astimezone(ZoneInfo(services.settings.timezone)).date()
    date_to = date_to or today
    date_from = date_from or date_to.replace(month=1, day=1)
    if date_from > date_to:
        raise HTTPProblem(422, "invalid-range", "Khoảng thời gian không hợp lệ",
                          "'from' must not be after 'to'", field="from")
    scope = Scope(units=statistics_units(actor, unit, services.units.descendants), date_from=date_from, date_to=date_to,
                  procedure_code=procedure, field=field)
    out = ScopeOut(date_from=date_from, date_to=date_to, unit=unit, units=sorted(scope.units),
                   procedure_code=procedure, field=field)
    return scope, out


def _figures(struct: Any, value: Any, scope: ScopeOut) -> Any:
    fields = {}
    for name in struct.__struct_fields__:
        if name != "scope":
            item = getattr(value, name)
            fields[name] = _ratio(item) if isinstance(item, Ratio) else item
    return struct(scope=scope, **fields)


class StatisticsController(Controller):
    path = "/statistics"
    tags = ["statistics"]

    @get("/status-report", operation_id="getStatusReport", sync_to_thread=True,
         guards=[requires_statistics_reader],
         summary="Thống kê tình trạng giải quyết hồ sơ / Processing-status report by unit, procedure, field, dates")
    def status_report(self, request: Request[Any, Any, Any], services: ServicesDep, unit: Unit = None,
                      date_from: From = None, date_to: To = None, procedure_code: Procedure = None,
                      field: Field = None) -> StatusReportOut:
        scope, out = _scope(services, request.user, unit, date_from, date_to, procedure_code, field)
        return _figures(StatusReportOut, services.statistics.status_report(scope), out)

    @get("/service-index", operation_id="getServiceIndex", sync_to_thread=True,
         guards=[requires_statistics_reader],
         summary="Chỉ số phục vụ theo Quyết định 766 / Decision 766 dossier indicators")
    def service_index(self, request: Request[Any, Any, Any], services: ServicesDep, unit: Unit = None,
                      date_from: From = None, date_to: To = None, procedure_code: Procedure = None,
                      field: Field = None) -> ServiceIndexOut:
        scope, out = _scope(services, request.user, unit, date_from, date_to, procedure_code, field)
        return _figures(ServiceIndexOut, services.statistics.service_index(scope), out)


class PublicStatisticsController(Controller):
    path = "/public/statistics"
    tags = ["portal"]

    @get("", operation_id="getPublicStatistics", sync_to_thread=True, exclude_from_auth=True, security=[],
         summary="Số liệu công khai / Public summary per unit (no personal data)")
    def public(self, services: ServicesDep, unit: Unit = None, date_from: From = None,
               date_to: To = None) -> PublicStatisticsOut:
        scope, out = _scope(services, None, unit, date_from, date_to)
        return _figures(PublicStatisticsOut, services.statistics.public_summary(scope), out)


__all__ = ["PublicStatisticsController", "StatisticsController"]
