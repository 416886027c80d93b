"""Focused behaviour of the working-time calendar, plus properties the rule must keep.

The golden table (test_appointment_golden_table.py) pins concrete dates; these tests pin the
edges of the API: validation, immutability, time zones and the algebra of working time.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.calendar import CalendarError, ProcessingTime, TimeUnit, WorkingCalendar

VN = ZoneInfo("Asia/Ho_Chi_Minh")
CALENDAR = WorkingCalendar()
ONE_DAY = ProcessingTime(1, TimeUnit.WORKING_DAYS)


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=VN)


# -- processing time ---------------------------------------------------------------------------


def test_only_calendar_days_are_not_working_time() -> None:
    assert [unit.is_working_time for unit in TimeUnit] == [True, True, False]


def test_a_working_day_is_eight_working_hours() -> None:
    assert ProcessingTime(3, TimeUnit.WORKING_DAYS).working_time == timedelta(hours=24)
    assert ProcessingTime(3, TimeUnit.WORKING_HOURS).working_time == timedelta(hours=3)


def test_calendar_days_have_no_working_time_budget() -> None:
    with pytest.raises(CalendarError):
        ProcessingTime(3, TimeUnit.CALENDAR_DAYS).working_time


def test_processing_time_accepts_the_unit_as_catalogue_text() -> None:
    processing_time = ProcessingTime(2, "working_hours")  # type: ignore[arg-type]
    assert processing_time.unit is TimeUnit.WORKING_HOURS


@pytest.mark.parametrize(
    ("value", "unit"),
    [(0, "working_days"), (-1, "working_days"), (1.5, "working_hours"), (True, "working_days"),
     ("5", "working_days"), (1, "fortnights")],
)
def test_processing_time_must_be_a_positive_whole_number_of_a_known_unit(
    value: object, unit: str
) -> None:
    with pytest.raises(CalendarError):
        ProcessingTime(value, unit)  # type: ignore[arg-type]


# -- calendar settings ---------------------------------------------------------------------------


def test_the_national_calendar_comes_from_the_holidays_package() -> None:
    assert CALENDAR.is_working_day(date(2025, 4, 26))  # make-up Saturday
    assert not CALENDAR.is_working_day(date(2025, 5, 2))  # substituted day off (a Friday)
    assert not CALENDAR.is_working_day(date(2026, 2, 17))  # Tết
    assert not CALENDAR.is_working_day(date(2026, 3, 7))  # plain Saturday
    assert CALENDAR.is_working_day(date(2026, 3, 9))  # plain Monday


def test_unit_days_are_layered_on_top_of_the_national_calendar() -> None:
    unit = CALENDAR.with_unit_days([date(2026, 3, 9)], [date(2026, 3, 7), date(2026, 2, 17)])
    assert not unit.is_working_day(date(2026, 3, 9))
    assert unit.is_working_day(date(2026, 3, 7))
    assert unit.is_working_day(date(2026, 2, 17))
    assert CALENDAR.is_working_day(date(2026, 3, 9)), "the shared calendar is not changed"
    again = unit.with_unit_days([date(2026, 3, 10)], [])
    assert again.days_off == {date(2026, 3, 9), date(2026, 3, 10)}, "earlier unit days stay"


def test_a_date_both_off_and_worked_is_rejected() -> None:
    day = date(2026, 3, 3)
    with pytest.raises(CalendarError, match="2026-03-03"):
        WorkingCalendar(days_off=[day], working_days=[day])
    with pytest.raises(CalendarError):
        WorkingCalendar(days_off=[day]).with_unit_days([], [day])


def test_unit_days_must_be_dates_not_instants() -> None:
    with pytest.raises(CalendarError):
        WorkingCalendar(days_off=[datetime(2026, 3, 3, tzinfo=UTC)])


def test_calendars_with_equal_settings_are_equal_and_hash_alike() -> None:
    one = WorkingCalendar(days_off=[date(2026, 3, 3)])
    other = WorkingCalendar().with_unit_days([date(2026, 3, 3)], [])
    assert one == other
    assert hash(one) == hash(other)
    assert one != CALENDAR


def test_a_calendar_cannot_be_changed_after_it_is_built() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        CALENDAR.cutoff = time(16, 0)  # type: ignore[misc]


@pytest.mark.parametrize(
    "periods",
    [
        (),
        ((time(11, 30), time(7, 30)),),
        ((time(7, 30), time(11, 30)), (time(11, 0), time(17, 0))),
        ((time(13, 0), time(17, 0)), (time(7, 30), time(11, 30))),
    ],
    ids=["empty", "reversed", "overlapping", "out_of_order"],
)
def test_unusable_working_periods_are_rejected(periods: tuple[tuple[time, time], ...]) -> None:
    with pytest.raises(CalendarError):
        WorkingCalendar(periods=periods)


def test_an_unknown_time_zone_is_rejected() -> None:
    with pytest.raises(CalendarError):
        WorkingCalendar(timezone="Asia/Atlantis")


def test_a_calendar_with_no_working_day_in_sight_fails_loudly() -> None:
    start = date(2026, 3, 2)
    closed = WorkingCalendar(days_off=[start + timedelta(days=n) for n in range(1200)])
    with pytest.raises(CalendarError, match="no working day"):
        closed.processing_start(local("2026-03-02T09:00"))


def test_custom_periods_and_cutoff_are_honoured() -> None:
    late_office = WorkingCalendar(
        periods=((time(8, 0), time(12, 0)), (time(13, 30), time(17, 30))), cutoff=time(16, 0)
    )
    received = local("2026-03-02T15:30")
    assert late_office.processing_start(received) == received
    # 15:30-17:30 is 2 h, Tue 08:00-12:00 4 h, then 2 h from 13:30.
    assert late_office.due_instant(received, ONE_DAY) == local("2026-03-03T15:30")
    three_days = ProcessingTime(3, TimeUnit.CALENDAR_DAYS)
    assert late_office.due_instant(received, three_days) == local("2026-03-05T17:30")


# -- instants and time zones -----------------------------------------------------------------


def test_naive_datetimes_are_rejected() -> None:
    naive = datetime(2026, 3, 2, 9, 0)
    aware = local("2026-03-02T09:00")
    calls = [
        lambda: CALENDAR.processing_start(naive),
        lambda: CALENDAR.due_instant(naive, ONE_DAY),
        lambda: CALENDAR.add_working_time(naive, timedelta(hours=1)),
        lambda: CALENDAR.working_time_between(naive, aware),
        lambda: CALENDAR.working_time_between(aware, naive),
        lambda: CALENDAR.delay_for_wait(naive, aware, aware, TimeUnit.WORKING_DAYS),
        lambda: CALENDAR.delay_for_wait(aware, naive, aware, TimeUnit.WORKING_DAYS),
        lambda: CALENDAR.local_date(naive),
    ]
    for call in calls:
        with pytest.raises(CalendarError, match="naive"):
            call()


def test_is_working_day_wants_a_date_not_an_instant() -> None:
    with pytest.raises(CalendarError):
        CALENDAR.is_working_day(local("2026-03-02T09:00"))


def test_returned_instants_are_in_utc() -> None:
    due = CALENDAR.due_instant(local("2026-03-02T09:00"), ONE_DAY)
    assert due.tzinfo is UTC
    assert due == datetime(2026, 3, 3, 2, 0, tzinfo=UTC)


def test_local_date_is_the_date_in_the_calendars_zone() -> None:
    assert CALENDAR.local_date(datetime(2026, 3, 2, 17, 30, tzinfo=UTC)) == date(2026, 3, 3)
    assert CALENDAR.local_date(datetime(2026, 3, 2, 16, 59, tzinfo=UTC)) == date(2026, 3, 2)


# -- working time ---------------------------------------------------------------------------


def test_budget_running_out_at_period_end_gives_that_end() -> None:
    assert CALENDAR.due_instant(local("2026-03-02T07:30"), ONE_DAY) == local("2026-03-02T17:00")
    morning = CALENDAR.add_working_time(local("2026-03-02T09:30"), timedelta(hours=2))
    assert morning == local("2026-03-02T11:30")


def test_negative_working_time_cannot_be_added() -> None:
    with pytest.raises(CalendarError):
        CALENDAR.add_working_time(local("2026-03-02T09:00"), timedelta(hours=-1))


def test_a_long_budget_is_consumed_exactly() -> None:
    start = local("2025-01-02T10:15")
    budget = ProcessingTime(250, TimeUnit.WORKING_DAYS).working_time
    due = CALENDAR.add_working_time(start, budget)
    assert CALENDAR.working_time_between(start, due) == budget


def test_supplement_during_processing_stops_the_clock_for_its_working_time() -> None:
    due = CALENDAR.due_instant(local("2026-03-02T09:00"), ProcessingTime(5, "working_days"))
    moved, waited = CALENDAR.delay_for_wait(
        due, local("2026-03-03T08:00"), local("2026-03-03T10:00"), TimeUnit.WORKING_DAYS
    )
    assert waited == timedelta(hours=2)
    assert moved == local("2026-03-09T11:00")


def test_a_wait_cannot_end_before_it_starts() -> None:
    with pytest.raises(CalendarError):
        CALENDAR.delay_for_wait(
            local("2026-03-09T09:00"),
            local("2026-03-03T10:00"),
            local("2026-03-03T09:00"),
            TimeUnit.WORKING_DAYS,
        )


def test_a_calendar_day_wait_lands_on_close_of_business() -> None:
    # An extension may have set a due at 10:00; a calendar-day wait re-anchors it at 17:00.
    moved, waited = CALENDAR.delay_for_wait(
        local("2026-03-12T10:00"),
        local("2026-03-03T09:00"),
        local("2026-03-03T10:00"),
        TimeUnit.CALENDAR_DAYS,
    )
    assert (moved, waited) == (local("2026-03-13T17:00"), timedelta(days=1))


# -- properties -----------------------------------------------------------------------------

ZONES = st.sampled_from([VN, UTC, timezone(timedelta(hours=-5))])
INSTANTS = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2026, 12, 31), timezones=ZONES
)
AMOUNTS = st.timedeltas(min_value=timedelta(0), max_value=timedelta(hours=500))
PROCESSING_TIMES = st.builds(
    ProcessingTime, st.integers(min_value=1, max_value=70), st.sampled_from(list(TimeUnit))
)


@settings(deadline=None)
@given(start=INSTANTS, amount=AMOUNTS)
def test_the_working_time_added_is_the_working_time_between(
    start: datetime, amount: timedelta
) -> None:
    assert CALENDAR.working_time_between(start, CALENDAR.add_working_time(start, amount)) == amount


@settings(deadline=None)
@given(start=INSTANTS, first=AMOUNTS, second=AMOUNTS)
def test_adding_working_time_in_two_steps_equals_adding_it_at_once(
    start: datetime, first: timedelta, second: timedelta
) -> None:
    in_two = CALENDAR.add_working_time(CALENDAR.add_working_time(start, first), second)
    assert in_two == CALENDAR.add_working_time(start, first + second)


@settings(deadline=None)
@given(earlier=INSTANTS, later=INSTANTS, processing_time=PROCESSING_TIMES)
def test_a_later_reception_never_gets_an_earlier_appointment(
    earlier: datetime, later: datetime, processing_time: ProcessingTime
) -> None:
    earlier, later = sorted([earlier, later])
    assert CALENDAR.due_instant(earlier, processing_time) <= CALENDAR.due_instant(
        later, processing_time
    )


@settings(deadline=None)
@given(received=INSTANTS)
def test_the_clock_starts_inside_a_working_period_no_earlier_than_reception(
    received: datetime,
) -> None:
    start = CALENDAR.processing_start(received)
    assert start >= received
    assert CALENDAR.is_working_day(CALENDAR.local_date(start))
    clock = start.astimezone(VN).time()
    assert any(begin <= clock < end for begin, end in CALENDAR.periods)


@settings(deadline=None)
@given(due=INSTANTS, wait_start=INSTANTS, length=AMOUNTS, unit=st.sampled_from(list(TimeUnit)))
def test_a_wait_never_brings_the_appointment_forward(
    due: datetime, wait_start: datetime, length: timedelta, unit: TimeUnit
) -> None:
    moved, waited = CALENDAR.delay_for_wait(due, wait_start, wait_start + length, unit)
    assert moved >= due
    if unit.is_working_time:
        assert waited == CALENDAR.working_time_between(wait_start, wait_start + length)
    else:
        assert waited % timedelta(days=1) == timedelta(0)
        assert (waited == timedelta(0)) == (length == timedelta(0))
