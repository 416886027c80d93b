"""The public procedure catalogue: search and one procedure (from the catalogue projection,
never the event store), and a version's e-form. Open to everyone: no token needed."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec
from litestar import Controller, get
from litestar.params import FromPath, QueryParameter
from msgspec import Meta

from api.schemas import ServicesDep
from application.catalogue import ProcedureVersion
from application.catalogue_search import MAX_PAGE_SIZE, CatalogueEntry, CatalogueQuery
from application.errors import ProcedureNotFound

ProcedureCode = FromPath[str]
VersionQuery = Annotated[int | None, QueryParameter(name="version", ge=1)]

Channel = Literal["online", "counter", "postal"]
TimeUnitName = Literal["working_days", "working_hours", "calendar_days"]
Name = Annotated[str, Meta(min_length=1, max_length=500)]
Long = Annotated[str, Meta(max_length=20000)]


class _In(msgspec.Struct, frozen=True, forbid_unknown_fields=True, rename="camel"):
    pass


class TimeLimitIn(_In):
    value: Annotated[int, Meta(ge=1, le=10000)]
    unit: TimeUnitName


class StepIn(_In):
    name: Name
    hours: Annotated[int, Meta(ge=1, le=100000)]
    unit: str = ""
    role: str = ""


class FeeIn(_In):
    name: Name
    amount: Annotated[int, Meta(ge=0)] | None = None
    formula: Long = ""
    payable_online: bool = True


class ComponentIn(_In):
    name: Name
    media_types: Annotated[list[str], Meta(min_length=1, max_length=20)]
    max_size: Annotated[int, Meta(ge=1)]
    originals: Annotated[int, Meta(ge=0)] = 1
    copies: Annotated[int, Meta(ge=0)] = 0
    required: bool = True
    condition: Long = ""
    reusable: bool = False


class ProcedureTerms(_In):
    """What an administrator writes for one version (camelCase on the wire)."""

    name: Name
    field: Name
    receiving_units: Annotated[list[str], Meta(min_length=1)]
    handling_unit: Annotated[str, Meta(min_length=1)]
    service_level: Literal["full", "partial", "offline"]
    channels: Annotated[list[Channel], Meta(min_length=1, max_length=3)]
    processing_time: dict[Literal["online", "counter"], TimeLimitIn]
    description: Long = ""
    implementing_units: list[str] = []
    fee_stops_clock: bool = False
    steps: list[StepIn] = []
    fees: list[FeeIn] = []
    components: list[ComponentIn] = []
    form_schema: dict[str, Any] | None = None
    result_documents: list[Name] = []
    legal_basis: list[Name] = []
    guidance: Long = ""
    source: Annotated[str, Meta(max_length=2000)] = ""


class TimeLimitOut(msgspec.Struct, frozen=True):
    value: int
    unit: str


class StepOut(msgspec.Struct, frozen=True):
    name: str
    hours: int
    unit: str = ""
    role: str = ""


class ProcedureView(msgspec.Struct, frozen=True, rename="camel"):
    code: str
    version: int
    status: str
    name: str
    field: str
    description: str
    implementing_units: list[str]
    receiving_units: list[str]
    handling_unit: str
    service_level: str
    channels: list[str]
    processing_time: dict[str, TimeLimitOut]
    fee_stops_clock: bool
    fee_total: int
    steps: list[StepOut]
    fees: list[dict[str, Any]]
    components: list[dict[str, Any]]
    result_documents: list[str]
    legal_basis: list[str]
    guidance: str
    source: str
    has_form: bool


class ProcedureForm(msgspec.Struct, frozen=True, rename="camel"):
    code: str
    version: int
    name: str
    form_schema: dict[str, Any] | None


def _camel_keys(items: tuple[dict[str, Any], ...]) -> list[dict[str, Any]]:
    def camel(key: str) -> str:
        head, *rest = key.split("_")
        return head + "".join(p.title() for p in rest)

    return [{camel(k): v for k, v in item.items()} for item in items]


def procedure_view(p: ProcedureVersion) -> ProcedureView:
    return ProcedureView(
        code=p.code, version=p.version, status=p.status, name=p.name, field=p.field, description=p.description,
        implementing_units=list(p.implementing_units), receiving_units=list(p.receiving_units),
        handling_unit=p.handling_unit, service_level=p.service_level, channels=list(p.channels),
        processing_time={k: TimeLimitOut(v.value, v.unit) for k, v in p.processing_time.items()},
        fee_stops_clock=p.fee_stops_clock, fee_total=p.fee,
        steps=[StepOut(s.name, s.hours, s.unit, s.role) for s in p.steps],
        fees=_camel_keys(p.fees), components=_camel_keys(p.components),
        result_documents=list(p.result_documents), legal_basis=list(p.legal_basis), guidance=p.guidance,
        source=p.source, has_form=p.form_schema is not None,
    )


class ProcedureFormController(Controller):
    path = "/procedures"
    tags = ["catalogue"]

    @get("/{code:str}/form", operation_id="getProcedureForm", sync_to_thread=True, exclude_from_auth=True,
         security=[], summary="Biểu mẫu điện tử / The e-form (JSON Schema 2020-12) of a procedure version")
    def form(self, code: ProcedureCode, services: ServicesDep, version: VersionQuery = None) -> ProcedureForm:
        p = services.catalogue.get(code, version)
        return ProcedureForm(code=p.code, version=p.version, name=p.name, form_schema=p.form_schema)


class ProcedureSummary(msgspec.Struct, frozen=True, rename="camel"):
    code: str
    version: int
    name: str
    field: str
    service_level: str
    channels: list[str]
    fee_free: bool
    status: str


class ProcedurePage(msgspec.Struct, frozen=True, rename="camel"):
    items: list[ProcedureSummary]
    total: int
    page: int
    page_size: int


def _summary(e: CatalogueEntry) -> ProcedureSummary:
    return ProcedureSummary(code=e.code, version=e.version, name=e.name, field=e.field,
                            service_level=e.service_level, channels=list(e.channels), fee_free=e.fee_free,
                            status=e.status)


Text = Annotated[str, QueryParameter(name="q", max_length=200)]
FieldQuery = Annotated[str | None, QueryParameter(name="field", max_length=200)]
UnitQuery = Annotated[str | None, QueryParameter(name="unit", max_length=40)]
LevelQuery = Annotated[Literal["full", "partial", "offline"] | None, QueryParameter(name="serviceLevel")]
ChannelQuery = Annotated[Channel | None, QueryParameter(name="channel")]
FeeFreeQuery = Annotated[bool | None, QueryParameter(name="feeFree")]
PageQuery = Annotated[int, QueryParameter(name="page", ge=1, le=10000)]
PageSizeQuery = Annotated[int, QueryParameter(name="pageSize", ge=1, le=MAX_PAGE_SIZE)]


class CatalogueController(Controller):
    path = "/procedures"
    tags = ["catalogue"]

    @get("", operation_id="searchProcedures", sync_to_thread=True, exclude_from_auth=True, security=[],
         summary="Tìm thủ tục hành chính / Search procedures (diacritics and case ignored), name matches first")
    def search(self, services: ServicesDep, q: Text = "", field: FieldQuery = None, unit: UnitQuery = None,
               service_level: LevelQuery = None, channel: ChannelQuery = None, fee_free: FeeFreeQuery = None,
               page: PageQuery = 1, page_size: PageSizeQuery = 20) -> ProcedurePage:
        result = services.catalogue_search.search(CatalogueQuery(
            text=q, field=field, unit=unit, service_level=service_level, channel=channel, fee_free=fee_free,
            page=page, page_size=page_size))
        return ProcedurePage(items=[_summary(e) for e in result.items], total=result.total, page=result.page,
                             page_size=result.page_size)

    @get("/{code:str}", operation_id="getProcedure", sync_to_thread=True, exclude_from_auth=True, security=[],
         summary="Thông tin thủ tục / A procedure's current published version")
    def get_one(self, code: ProcedureCode, services: ServicesDep) -> ProcedureView:
        entry = services.catalogue_search.get_entry(code)
        if entry is None:
            raise ProcedureNotFound(f"procedure {code!r} is not in the public catalogue", field="code")
        return msgspec.convert({**entry.document, "status": entry.status}, ProcedureView)
