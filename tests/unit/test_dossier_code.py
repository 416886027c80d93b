"""Dossier codes and their counter: gap-free, unique, per unit and per local day."""

from __future__ import annotations

from datetime import date, datetime
from uuid import uuid5

import pytest
from eventsourcing.persistence import IntegrityError

from domain.dossier import (
    NAMESPACE,
    DossierCode,
    DossierCodeCounter,
    InvalidDossierCode,
    counter_id,
    dossier_id,
    is_dossier_code,
)
from tests.unit.dossier_fixtures import CALENDAR, UNIT, Clock, local, memory_app, submit


def counter_for(unit: str, at: datetime) -> DossierCodeCounter:
    return DossierCodeCounter.open(unit, CALENDAR.local_date(at), at)


def test_a_code_prints_unit_local_date_and_a_four_digit_running_number() -> None:
    code = DossierCode(UNIT, date(2026, 3, 2), 7)
    assert str(code) == "000.00.01.H22-260302-0007"
    assert DossierCode.parse("000.00.01.H22-260302-0007") == code


def test_running_numbers_grow_more_digits_past_9999() -> None:
    assert str(DossierCode(UNIT, date(2026, 3, 2), 12345)) == "000.00.01.H22-260302-12345"
    assert DossierCode.parse("000.00.01.H22-260302-10000").number == 10000


@pytest.mark.parametrize(
    "text",
    [
        "000.00.01.h22-260302-0001",  # lower case
        "000.00.01.H22-260230-0001",  # 30 February
        "000.00.01.H22-260302-001",  # three digits
        "000.00.01.H22-260302-00001",  # leading zero past four digits
        "000.00.01.H22-260302-0000",  # numbers start at 1
        "000..01.H22-260302-0001",  # empty unit segment
        "-260302-0001",
        " 000.00.01.H22-260302-0001",
        "",
    ],
)
def test_malformed_codes_are_refused_naming_the_code_field(text: str) -> None:
    with pytest.raises(InvalidDossierCode) as error:
        DossierCode.parse(text)
    assert (error.value.code, error.value.field) == ("invalid-dossier-code", "code")
    assert not is_dossier_code(text)


def test_the_dossier_id_is_uuid5_of_the_code_in_a_fixed_namespace() -> None:
    code = "000.00.01.H22-260302-0001"
    assert dossier_id(code) == uuid5(NAMESPACE, code)
    assert dossier_id(code) != dossier_id("000.00.01.H22-260302-0002")


def test_the_counter_allocates_0001_0002_and_so_on() -> None:
    clock = Clock()
    counter = counter_for(UNIT, clock.now)
    codes = [counter.allocate(clock.tick()) for _ in range(3)]
    assert codes == [f"{UNIT}-260302-000{n}" for n in (1, 2, 3)]
    assert [type(e).__name__ for e in counter.collect_events()] == [
        "Opened", "NumberAllocated", "NumberAllocated", "NumberAllocated"]


def test_each_unit_and_local_day_has_its_own_counter() -> None:
    monday, tuesday = local("2026-03-02 09:00"), local("2026-03-03 09:00")
    assert counter_id(UNIT, date(2026, 3, 2)) != counter_id("000.00.02.H22", date(2026, 3, 2))
    assert counter_id(UNIT, date(2026, 3, 2)) != counter_id(UNIT, date(2026, 3, 3))
    assert counter_for(UNIT, monday).id == counter_id(UNIT, date(2026, 3, 2))
    assert counter_for(UNIT, tuesday).allocate(tuesday) == f"{UNIT}-260303-0001"
    assert counter_for("000.00.02.H22", monday).allocate(monday) == "000.00.02.H22-260302-0001"


def test_the_counter_uses_the_local_date_in_ho_chi_minh_city() -> None:
    evening_utc = datetime.fromisoformat("2026-03-01T18:00:00+00:00")  # 01:00 on 2 March
    counter = counter_for(UNIT, evening_utc)
    assert counter.id == counter_id(UNIT, date(2026, 3, 2))
    assert counter.allocate(evening_utc) == f"{UNIT}-260302-0001"


def test_a_reloaded_counter_continues_where_it_stopped() -> None:
    app = memory_app()
    clock = Clock()
    counter = counter_for(UNIT, clock.now)
    counter.allocate(clock.tick())
    app.save(counter)
    again: DossierCodeCounter = app.repository.get(counter.id)
    assert again.allocate(clock.tick()) == f"{UNIT}-260302-0002"


def test_two_allocations_from_the_same_counter_version_conflict_at_save() -> None:
    app = memory_app()
    clock = Clock()
    counter = counter_for(UNIT, clock.now)
    app.save(counter)
    first: DossierCodeCounter = app.repository.get(counter.id)
    second: DossierCodeCounter = app.repository.get(counter.id)
    assert first.allocate(clock.tick()) == second.allocate(clock.tick())
    app.save(first)
    with pytest.raises(IntegrityError):
        app.save(second)
    assert app.repository.get(counter.id).last_number == 1


def test_opening_the_same_days_counter_twice_conflicts_at_save() -> None:
    app = memory_app()
    clock = Clock()
    app.save(counter_for(UNIT, clock.now))
    with pytest.raises(IntegrityError):
        app.save(counter_for(UNIT, clock.now))


def test_the_counter_and_the_dossier_it_numbered_are_saved_together() -> None:
    app = memory_app()
    clock = Clock()
    counter = counter_for(UNIT, clock.now)
    code = counter.allocate(clock.now)
    dossier = submit(clock, code=code)
    app.save(counter, dossier)
    assert app.repository.get(dossier_id(code)).code == code
    assert app.repository.get(counter.id).last_number == 1
