"""The appointment rule against a table of cases worked out by hand from DESIGN.md §3.

The table, not the code, is the specification here: each case carries its reasoning, so a
disagreement is settled by re-deriving it by hand, never by copying the code's answer.
"""

from __future__ import annotations

import tomllib
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from domain.calendar import ProcessingTime, TimeUnit, WorkingCalendar

CASES_FILE = Path(__file__).parent / "data" / "appointment_cases.toml"
BASE_CALENDAR = WorkingCalendar()


def load_cases() -> list[dict[str, Any]]:
    with CASES_FILE.open("rb") as handle:
        return list(tomllib.load(handle)["case"])


CASES = load_cases()


def calendar_for(case: dict[str, Any]) -> WorkingCalendar:
    days_off: list[date] = case.get("days_off", [])
    working_days: list[date] = case.get("working_days", [])
    if not days_off and not working_days:
        return BASE_CALENDAR
    return BASE_CALENDAR.with_unit_days(days_off, working_days)


def hours(value: float) -> timedelta:
    return timedelta(hours=value)


def outcome(case: dict[str, Any]) -> tuple[Any, Any]:
    """Run one case; return (actual, expected) for the kind of rule it exercises."""
    calendar = calendar_for(case)
    kind = case["kind"]
    if kind == "start":
        return calendar.processing_start(case["received"]), case["expected"]
    if kind == "due":
        processing_time = ProcessingTime(case["value"], TimeUnit(case["unit"]))
        return calendar.due_instant(case["received"], processing_time), case["expected"]
    if kind == "add":
        return calendar.add_working_time(case["start"], hours(case["hours"])), case["expected"]
    if kind == "between":
        actual = calendar.working_time_between(case["start"], case["end"])
        return actual, hours(case["expected_hours"])
    if kind == "wait":
        actual = calendar.delay_for_wait(
            case["due"], case["wait_start"], case["wait_end"], TimeUnit(case["unit"])
        )
        return actual, (case["expected"], hours(case["expected_wait_hours"]))
    raise AssertionError(f"unknown case kind {kind!r} in {case['name']}")


def test_the_golden_table_is_big_enough_and_names_are_unique() -> None:
    names = [case["name"] for case in CASES]
    assert len(names) >= 70
    assert len(set(names)) == len(names)


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_appointment_matches_the_hand_worked_case(case: dict[str, Any]) -> None:
    actual, expected = outcome(case)
    assert actual == expected
    for value in actual if isinstance(actual, tuple) else (actual,):
        if isinstance(value, datetime):
            assert value.utcoffset() == timedelta(0), "returned instants are in UTC"
