"""Dossier codes (mã hồ sơ) and the per-unit, per-local-day counter that allocates them.

`{unit identifier}-{yyMMdd}-{NNNN}`: the receiving unit's electronic identifier, the local
date of submission, and a running number from 0001 (more digits past 9999). Numbers must be
gap-free and unique under concurrency, so the counter is an aggregate saved in the same
`save()` as the dossier's `Submitted` event: two submissions racing for the same number
conflict on the counter's version and one of them retries.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast

from eventsourcing.domain import Aggregate

from domain.dossier.errors import InvalidDossierCode
from domain.dossier.ids import counter_id
from domain.dossier.rules import check_instant

_CODE = re.compile(r"^(?P<unit>[0-9A-Z]+(?:\.[0-9A-Z]+)*)-(?P<date>\d{6})-(?P<number>\d{4,})$")
_UNIT = re.compile(r"^[0-9A-Z]+(?:\.[0-9A-Z]+)*$")


def _invalid(text: object, why_vi: str, why_en: str) -> InvalidDossierCode:
    return InvalidDossierCode("code", why_vi, why_en, value=str(text))


def check_unit_code(unit: str) -> str:
    """Unit identifiers (mã định danh) such as `000.00.01.H22`: digits, capitals, dots."""
    if not isinstance(unit, str) or not _UNIT.match(unit):
        raise InvalidDossierCode(
            "unit", "mã định danh đơn vị không hợp lệ", "invalid unit identifier", value=str(unit)
        )
    return unit


@dataclass(frozen=True)
class DossierCode:
    """A parsed dossier code; `str()` gives the canonical text (the only one `parse` accepts)."""

    unit: str
    local_date: date
    number: int

    def __post_init__(self) -> None:
        check_unit_code(self.unit)
        if isinstance(self.number, bool) or not isinstance(self.number, int) or self.number < 1:
            raise _invalid(self.number, "số thứ tự phải từ 1", "running number must be >= 1")
        if not 2000 <= self.local_date.year <= 2099:
            raise _invalid(self.local_date, "năm phải trong 2000-2099", "year must be 2000-2099")

    def __str__(self) -> str:
        return f"{self.unit}-{self.local_date:%y%m%d}-{self.number:04d}"

    @classmethod
    def parse(cls, text: str) -> DossierCode:
        """Strict: a code that would not print back identically is not a code."""
        match = _CODE.match(text) if isinstance(text, str) else None
        if match is None:
            raise _invalid(text, "không đúng định dạng {đơn vị}-{yyMMdd}-{NNNN}",
                           "not of the form {unit}-{yyMMdd}-{NNNN}")
        raw = match["date"]
        try:
            day = date(2000 + int(raw[:2]), int(raw[2:4]), int(raw[4:]))
        except ValueError:
            raise _invalid(text, "ngày không hợp lệ", "not a real date") from None
        code = cls(match["unit"], day, int(match["number"]))
        if str(code) != text:
            raise _invalid(text, "số thứ tự có số 0 thừa", "running number has extra leading zeros")
        return code


def is_dossier_code(text: str) -> bool:
    try:
        DossierCode.parse(text)
    except InvalidDossierCode:
        return False
    return True


class DossierCodeCounter(Aggregate):
    """The running number of one unit on one local date; id = `counter_id(unit, date)`."""

    class Opened(Aggregate.Created):
        unit: str
        local_date: str  # ISO date: the JSON transcoder has no `date` transcoding

    def __init__(self, unit: str, local_date: str) -> None:
        self.unit = unit
        self.local_date = local_date
        self.last_number = 0

    @classmethod
    def open(cls, unit: str, local_date: date, at: datetime) -> DossierCodeCounter:
        """The first submission of the day at this unit opens its counter."""
        check_unit_code(unit)
        return cls._create(
            cls.Opened,
            id=counter_id(unit, local_date),
            timestamp=check_instant(at),
            unit=unit,
            local_date=local_date.isoformat(),
        )

    @property
    def day(self) -> date:
        return date.fromisoformat(self.local_date)

    class NumberAllocated(Aggregate.Event):
        number: int

        def apply(self, aggregate: Any) -> None:
            cast("DossierCodeCounter", aggregate).last_number = self.number

    def allocate(self, at: datetime) -> str:
        """The next code; the caller saves this counter together with the new dossier."""
        self.trigger_event(self.NumberAllocated, timestamp=check_instant(at),
                           number=self.last_number + 1)
        return str(DossierCode(self.unit, self.day, self.last_number))
