"""The unit directory and the working calendar read the shared catalogues without going stale."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from application.catalogue_records import HolidayYear
from application.clock import SimulatedClock
from application.shared_catalogues import SharedCatalogues
from domain.actor import Actor, Role
from ops.calendars import calendar_provider
from ops.settings import load_settings

ADMIN = Actor(id="admin-1", role=Role.ADMINISTRATOR, name="Quản trị")
PROVINCE, DEPT, OFFICE = "000.00.00.H22", "000.00.10.H22", "000.10.01.H22"


@pytest.fixture
def shared() -> SharedCatalogues:
    app = SharedCatalogues({}, clock=SimulatedClock(datetime(2026, 3, 2, 2, 0, tzinfo=UTC)))  # in memory
    app.upsert_unit(ADMIN, code=PROVINCE, name="UBND tỉnh")
    app.upsert_unit(ADMIN, code=DEPT, name="Sở Xây dựng", parent=PROVINCE)
    return app


def test_an_officers_scope_grows_as_soon_as_a_unit_is_added_below_theirs(shared) -> None:
    assert shared.descendants(DEPT) == {DEPT}
    shared.upsert_unit(ADMIN, code=OFFICE, name="Phòng Quản lý xây dựng", parent=DEPT)
    assert shared.descendants(DEPT) == {DEPT, OFFICE}
    assert shared.descendants(PROVINCE) == {PROVINCE, DEPT, OFFICE}


def test_the_cached_calendar_is_replaced_after_a_holiday_change(tmp_path, shared) -> None:
    calendar_for = calendar_provider(load_settings({}, data_dir=str(tmp_path)), shared)
    tuesday = date(2026, 3, 3)
    assert calendar_for(DEPT).is_working_day(tuesday)
    shared.set_holidays(ADMIN, HolidayYear(unit=DEPT, year=2026, days_off={"2026-03-03": "Kiểm kê"}))
    assert not calendar_for(DEPT).is_working_day(tuesday)
    assert calendar_for(PROVINCE).is_working_day(tuesday)  # another unit keeps its calendar


def test_a_units_own_make_up_day_wins_over_the_provinces_day_off(tmp_path, shared) -> None:
    calendar_for = calendar_provider(load_settings({}, data_dir=str(tmp_path)), shared)
    shared.set_holidays(ADMIN, HolidayYear(unit="*", year=2026, days_off={"2026-03-04": "Lễ hội tỉnh"}))
    shared.set_holidays(ADMIN, HolidayYear(unit=DEPT, year=2026, working_days={"2026-03-04": "Trực tiếp nhận"}))
    assert not calendar_for(PROVINCE).is_working_day(date(2026, 3, 4))
    assert calendar_for(DEPT).is_working_day(date(2026, 3, 4))
