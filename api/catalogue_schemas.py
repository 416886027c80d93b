"""Wire messages of the shared catalogues (camelCase, frozen; inputs refuse unknown fields)."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from litestar.params import QueryParameter
from msgspec import Meta

Name = Annotated[str, Meta(min_length=1, max_length=500)]
Code = Annotated[str, Meta(min_length=1, max_length=40)]
IsoDate = Annotated[str, Meta(pattern=r"^\d{4}-\d{2}-\d{2}$")]
PageQuery = Annotated[int, QueryParameter(name="page", ge=1, le=100000)]
PageSizeQuery = Annotated[int, QueryParameter(name="pageSize", ge=1, le=500)]


class _In(msgspec.Struct, frozen=True, forbid_unknown_fields=True, rename="camel"):
    pass


class _Out(msgspec.Struct, frozen=True, rename="camel"):
    pass


class UnitIn(_In, kw_only=True):
    code: Code
    name: Name
    parent: Code | None = None
    division_code: Code | None = None
    active: bool = True


class UnitOut(_Out):
    code: str
    name: str
    parent: str | None
    division_code: str | None
    active: bool
    changed_by: str
    changed_at: str


class UnitPage(_Out):
    items: list[UnitOut]
    total: int
    page: int
    page_size: int


class DayIn(_In):
    date: IsoDate
    name: Name


class HolidayYearIn(_In, kw_only=True):
    unit: Annotated[str, Meta(min_length=1, max_length=40)]
    year: Annotated[int, Meta(ge=2000, le=2100)]
    days_off: Annotated[list[DayIn], Meta(max_length=366)] = []
    working_days: Annotated[list[DayIn], Meta(max_length=366)] = []


class HolidayOut(_Out):
    unit: str
    date: str
    kind: Literal["day_off", "working_day"]
    name: str
    changed_by: str
    changed_at: str


class HolidayPage(_Out):
    items: list[HolidayOut]
    total: int
    page: int
    page_size: int


class NamedIn(_In):
    code: Code
    name: Name


class NamedOut(_Out):
    code: str
    name: str
    changed_by: str
    changed_at: str


class NamedPage(_Out):
    items: list[NamedOut]
    total: int
    page: int
    page_size: int


class StatusIn(_In):
    status: Annotated[str, Meta(min_length=1, max_length=60)]
    label_vi: Name
    label_en: Name
    national_code: int


class StatusOut(_Out):
    status: str
    label_vi: str
    label_en: str
    national_code: int
    changed_by: str
    changed_at: str


class StatusList(_Out):
    items: list[StatusOut]
    total: int


class DivisionOut(_Out):
    code: int
    name: str
    level: str
    division_type: str
    province_code: int | None


class DivisionPage(_Out):
    items: list[DivisionOut]
    total: int
    page: int
    page_size: int
    data_version: str
