"""Rules of the shared catalogues, in given-events -> command -> new-events form."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from eventsourcing.domain import Aggregate

from domain.catalogue import (
    DateBothOffAndWorking,
    DateOutsideYear,
    DocumentTypeCatalogue,
    FieldCatalogue,
    HolidayCatalogue,
    InvalidCode,
    InvalidUnitCode,
    StatusCatalogue,
    UnitCatalogue,
    UnitCycle,
    UnitHasActiveChildren,
    UnknownLocalStatus,
    UnknownNationalStatus,
    UnknownUnit,
)

T0 = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
PROVINCE, CENTRE, DEPT, OFFICE = "000.00.00.H22", "000.00.01.H22", "000.00.10.H22", "000.10.01.H22"


def given(events: list[Any]) -> Any:
    """The aggregate rebuilt from stored-like events only, as a repository would."""
    aggregate = None
    for event in events:
        aggregate = event.mutate(aggregate)
    return aggregate


def new_events(aggregate: Aggregate) -> list[tuple[str, dict[str, Any]]]:
    skip = {"originator_id", "originator_version", "timestamp"}
    return [(type(e).__name__, {k: v for k, v in e.__dict__.items() if k not in skip})
            for e in aggregate.collect_events()]


def unit_history() -> list[Any]:
    c = UnitCatalogue.open(T0)
    c.upsert(code=PROVINCE, name="UBND tỉnh", parent=None, actor_id="admin", at=T0)
    c.upsert(code=DEPT, name="Sở Xây dựng", parent=PROVINCE, actor_id="admin", at=T0)
    c.upsert(code=OFFICE, name="Phòng Quản lý xây dựng", parent=DEPT, actor_id="admin", at=T0)
    return c.collect_events()


LATER = T0 + timedelta(hours=1)


# ----- units -----

def test_a_new_unit_under_an_existing_parent_is_registered_with_who_registered_it() -> None:
    c = given(unit_history())
    assert c.upsert(code=CENTRE, name="Trung tâm PVHCC", parent=PROVINCE, division_code="22", actor_id="admin-2",
                    at=LATER)
    assert new_events(c) == [("UnitRegistered", {"code": CENTRE, "name": "Trung tâm PVHCC", "parent": PROVINCE,
                                                 "division_code": "22", "actor_id": "admin-2"})]
    assert c.units[CENTRE]["changed_by"] == "admin-2"


def test_renaming_a_unit_is_an_amendment_and_repeating_it_changes_nothing() -> None:
    c = given(unit_history())
    c.upsert(code=DEPT, name="Sở Xây dựng tỉnh", parent=PROVINCE, actor_id="admin", at=LATER)
    assert [n for n, _ in new_events(c)] == ["UnitAmended"]
    assert not c.upsert(code=DEPT, name="Sở Xây dựng tỉnh", parent=PROVINCE, actor_id="admin", at=LATER)
    assert new_events(c) == []


def test_a_unit_cannot_be_moved_below_its_own_descendant() -> None:
    c = given(unit_history())
    with pytest.raises(UnitCycle):
        c.upsert(code=DEPT, name="Sở Xây dựng", parent=OFFICE, actor_id="admin", at=LATER)
    with pytest.raises(UnitCycle):
        c.upsert(code=DEPT, name="Sở Xây dựng", parent=DEPT, actor_id="admin", at=LATER)
    assert new_events(c) == []


def test_a_parent_that_is_not_in_the_catalogue_is_refused() -> None:
    c = given(unit_history())
    with pytest.raises(UnknownUnit):
        c.upsert(code=CENTRE, name="Trung tâm", parent="000.00.99.H22", actor_id="admin", at=LATER)
    assert new_events(c) == []


@pytest.mark.parametrize("code", ["000.00.01", "00.00.01.H22", "000.00.01.h22", "000-00-01-H22", "", "000.00.01.H223"])
def test_a_unit_code_of_the_wrong_shape_is_refused(code: str) -> None:
    c = given(unit_history())
    with pytest.raises(InvalidUnitCode):
        c.upsert(code=code, name="Đơn vị", parent=PROVINCE, actor_id="admin", at=LATER)
    assert new_events(c) == []


def test_a_unit_with_active_units_below_cannot_be_retired_but_a_leaf_can() -> None:
    c = given(unit_history())
    with pytest.raises(UnitHasActiveChildren):
        c.upsert(code=DEPT, name="Sở Xây dựng", parent=PROVINCE, active=False, actor_id="admin", at=LATER)
    c.upsert(code=OFFICE, name="Phòng Quản lý xây dựng", parent=DEPT, active=False, actor_id="admin", at=LATER)
    assert [n for n, _ in new_events(c)] == ["UnitRetired"]
    c.upsert(code=OFFICE, name="Phòng Quản lý xây dựng", parent=DEPT, actor_id="admin", at=LATER)
    assert [n for n, _ in new_events(c)] == ["UnitReinstated"]


# ----- holiday calendars -----

def holiday_history() -> list[Any]:
    h = HolidayCatalogue.open(T0)
    h.set_year(unit="*", year=2026, days_off={"2026-03-06": "Lễ hội tỉnh"}, working_days={}, actor_id="admin", at=T0)
    return h.collect_events()


def test_a_unit_year_is_written_as_specific_day_events_and_moving_a_date_clears_the_old_one() -> None:
    h = given(holiday_history())
    h.set_year(unit="*", year=2026, days_off={"2026-03-09": "Lễ hội tỉnh (dời)"},
               working_days={"2026-03-14": "Làm bù ngày 09/3"}, actor_id="admin-2", at=LATER)
    assert new_events(h) == [
        ("DayCleared", {"unit": "*", "date": "2026-03-06", "actor_id": "admin-2"}),
        ("DayOffDeclared", {"unit": "*", "date": "2026-03-09", "name": "Lễ hội tỉnh (dời)", "actor_id": "admin-2"}),
        ("WorkingDayDeclared", {"unit": "*", "date": "2026-03-14", "name": "Làm bù ngày 09/3", "actor_id": "admin-2"}),
    ]
    assert h.dates("*", "day_off") == ["2026-03-09"]


def test_writing_the_same_year_again_emits_nothing() -> None:
    h = given(holiday_history())
    assert not h.set_year(unit="*", year=2026, days_off={"2026-03-06": "Lễ hội tỉnh"}, working_days={},
                          actor_id="admin", at=LATER)
    assert new_events(h) == []


def test_a_date_that_is_both_a_day_off_and_a_make_up_day_is_refused() -> None:
    h = given(holiday_history())
    with pytest.raises(DateBothOffAndWorking):
        h.set_year(unit=OFFICE, year=2026, days_off={"2026-03-10": "Nghỉ"}, working_days={"2026-03-10": "Làm bù"},
                   actor_id="admin", at=LATER)
    assert new_events(h) == []


def test_a_date_outside_the_year_or_an_unknown_shape_of_unit_is_refused() -> None:
    h = given(holiday_history())
    with pytest.raises(DateOutsideYear):
        h.set_year(unit=OFFICE, year=2026, days_off={"2027-01-02": "Nghỉ"}, working_days={}, actor_id="a", at=LATER)
    with pytest.raises(InvalidUnitCode):
        h.set_year(unit="Sở Xây dựng", year=2026, days_off={}, working_days={}, actor_id="a", at=LATER)
    assert new_events(h) == []


# ----- status catalogue -----

def status_history() -> list[Any]:
    s = StatusCatalogue.open(T0)
    s.upsert(status="consulting", label_vi="Đang lấy ý kiến", label_en="Consulting", national_code=4,
             actor_id="system", at=T0)
    return s.collect_events()


def test_relabelling_and_remapping_a_status_are_separate_events() -> None:
    s = given(status_history())
    s.upsert(status="consulting", label_vi="Đang xin ý kiến", label_en="Awaiting opinions", national_code=2,
             actor_id="admin", at=LATER)
    assert new_events(s) == [
        ("StatusRelabelled", {"status": "consulting", "label_vi": "Đang xin ý kiến", "label_en": "Awaiting opinions",
                              "actor_id": "admin"}),
        ("StatusRemapped", {"status": "consulting", "national_code": 2, "actor_id": "admin"}),
    ]


@pytest.mark.parametrize("code", [0, 11, -1, True])
def test_a_national_code_outside_the_ten_is_refused(code: int) -> None:
    s = given(status_history())
    with pytest.raises(UnknownNationalStatus):
        s.upsert(status="consulting", label_vi="Đang lấy ý kiến", label_en="Consulting", national_code=code,
                 actor_id="admin", at=LATER)
    assert new_events(s) == []


def test_a_local_status_the_system_does_not_have_is_refused() -> None:
    s = given(status_history())
    with pytest.raises(UnknownLocalStatus):
        s.upsert(status="archived", label_vi="Lưu trữ", label_en="Archived", national_code=9, actor_id="a", at=LATER)
    assert new_events(s) == []


# ----- fields and document types -----

def test_a_field_is_registered_then_renamed_and_a_bad_code_is_refused() -> None:
    f = given(FieldCatalogue.open(T0).collect_events())
    f.upsert(code="HOTICH", name="Hộ tịch", actor_id="admin", at=LATER)
    f.upsert(code="HOTICH", name="Hộ tịch, quốc tịch", actor_id="admin", at=LATER)
    assert [n for n, _ in new_events(f)] == ["FieldRegistered", "FieldRenamed"]
    with pytest.raises(InvalidCode):
        f.upsert(code="hộ tịch", name="Hộ tịch", actor_id="admin", at=LATER)


def test_a_document_type_is_registered_once() -> None:
    d = given(DocumentTypeCatalogue.open(T0).collect_events())
    assert d.upsert(code="CCCD", name="Căn cước công dân", actor_id="admin", at=LATER)
    assert not d.upsert(code="CCCD", name="Căn cước công dân", actor_id="admin", at=LATER)
    assert [n for n, _ in new_events(d)] == ["DocumentTypeRegistered"]
