"""The small ``check_*`` rules every catalogue shares: codes, names, dates.

Kept apart from the aggregates so the importer and the application can run the same checks on
a whole file before anything is saved (a bad row must leave the store untouched).
"""

from __future__ import annotations

import re
from datetime import date

from domain.catalogue.errors import (
    DateBothOffAndWorking,
    DateOutsideYear,
    InvalidCode,
    InvalidEntry,
    InvalidUnitCode,
)

# Mã định danh điện tử (Decision 20/2020/QĐ-TTg): levels 1-3 as digit groups, then the
# province or ministry letter and number, e.g. 000.00.01.H22.
UNIT_CODE = re.compile(r"\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}")
PROVINCE_WIDE = "*"
"""The holiday calendar that applies to every unit of the province."""
CODE = re.compile(r"[A-Z0-9][A-Z0-9._-]{0,39}")
MAX_NAME = 500


def check_unit_code(value: str, field: str = "code") -> str:
    if not isinstance(value, str) or not UNIT_CODE.fullmatch(value):
        raise InvalidUnitCode(str(value), field)
    return value


def check_code(value: str, field: str = "code") -> str:
    if not isinstance(value, str) or not CODE.fullmatch(value):
        raise InvalidCode(str(value), field)
    return value


def check_name(value: str, field: str = "name") -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_NAME:
        raise InvalidEntry(
            f"Tên không được để trống và tối đa {MAX_NAME} ký tự.",
            f"A name must not be empty and has at most {MAX_NAME} characters.",
            field=field,
        )
    return value.strip()


def check_date(value: str, year: int, field: str = "date") -> str:
    """ISO dates in events: they are local dates of the calendar, never instants."""
    try:
        day = date.fromisoformat(value)
    except (TypeError, ValueError):
        raise InvalidEntry(f"Ngày '{value}' không đúng định dạng YYYY-MM-DD.",
                           f"Date '{value}' is not YYYY-MM-DD.", field=field) from None
    if day.year != year:
        raise DateOutsideYear(value, year)
    return day.isoformat()


def check_year(year: int) -> int:
    if not isinstance(year, int) or isinstance(year, bool) or not 2000 <= year <= 2100:
        raise InvalidEntry(f"Năm '{year}' không hợp lệ (2000-2100).", f"Year '{year}' is out of range (2000-2100).",
                           field="year")
    return year


def check_days_disjoint(days_off: dict[str, str], working_days: dict[str, str]) -> None:
    if clash := sorted(set(days_off) & set(working_days)):
        raise DateBothOffAndWorking(clash)
