"""Which dates the national calendar treats differently from a plain Monday-to-Friday week.

The `holidays` package (pinned: its data is part of our rule) knows Vietnam's public holidays,
the substituted days off and the weekend make-up working days. Building its holiday object costs
far more than a lookup, and a year's answer never changes for a pinned release, so each year is
asked once and reduced to a small frozenset of exceptions.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays

COUNTRY = "VN"


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
        day += timedelta(days=1)
    return frozenset(exceptions)


def is_national_working_day(day: date) -> bool:
    """Monday to Friday unless a holiday or day off, plus the make-up working days."""
    return (day.weekday() < 5) != (day in national_exceptions(day.year))
