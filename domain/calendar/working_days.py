"""Which dates are worked: the national calendar, plus a unit's own days on top.

The `holidays` package (pinned: its data is part of our rule) knows Vietnam's public holidays,
the substituted days off and the weekend make-up working days. Building its holiday object costs
far more than a lookup, and a year's answer never changes for a pinned release, so each year is
asked once and reduced to a small frozenset of exceptions to the plain Monday-to-Friday week.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from functools import lru_cache

import holidays

from domain.calendar.processing_time import CalendarError

COUNTRY = "VN"
_DAY = timedelta(days=1)
# A calendar whose unit days off blank out years on end is a configuration mistake; failing
# loudly beats searching forever for the next working day.
SEARCH_LIMIT_DAYS = 3 * 366


@lru_cache(maxsize=None)
def national_exceptions(year: int) -> frozenset[date]:
    """Dates of `year` whose working status differs from the plain week.

    That is, weekdays that are not working days (holidays, substituted days off) and weekend
    days that are (make-up working days). Asking `is_working_day` for every date, rather than
    reading the holiday names, keeps the package's own definition authoritative.
    """
    calendar = holidays.country_holidays(COUNTRY, years=year)
    exceptions: set[date] = set()
    day = date(year, 1, 1)
    while day.year == year:
        if calendar.is_working_day(day) != (day.weekday() < 5):
            exceptions.add(day)
        day += _DAY
    return frozenset(exceptions)


def is_national_working_day(day: date) -> bool:
    """Monday to Friday unless a holiday or day off, plus the make-up working days."""
    return (day.weekday() < 5) != (day in national_exceptions(day.year))


def unit_dates(values: Iterable[date], what: str) -> frozenset[date]:
    """A unit's own days, checked: a datetime here would smuggle in a time zone question."""
    days = frozenset(values)
    for day in days:
        if isinstance(day, datetime) or not isinstance(day, date):
            raise CalendarError(f"{what} must be dates, got {day!r}")
    return days


def next_working_day(is_working_day: Callable[[date], bool], day: date) -> date:
    """The first working day strictly after `day`, by whichever definition is passed in."""
    for _ in range(SEARCH_LIMIT_DAYS):
        day += _DAY
        if is_working_day(day):
            return day
    raise CalendarError(f"no working day in the {SEARCH_LIMIT_DAYS} days up to {day}")
