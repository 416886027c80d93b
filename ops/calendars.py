"""The working calendar of a unit: settings (periods, cut-off, zone) plus the holiday catalogue.

The province-wide (``*``) days and the unit's own days off and make-up days are laid on the
base calendar with ``WorkingCalendar.with_unit_days``. Calendars are cached per (unit, version
of the holiday catalogue), so an administrator's change is seen by the next reception in every
process, and an unchanged catalogue costs one indexed version look-up. Issued due instants are
stored in the dossier's events and never recomputed, so a change never moves them.
"""

from __future__ import annotations

from datetime import time
from datetime import date
from functools import lru_cache
from typing import Protocol

from domain.calendar import CalendarError, WorkingCalendar
from ops.settings import Settings, SettingsError


def _time(text: str, name: str) -> time:
    try:
        hours, minutes = text.strip().split(":")
        return time(int(hours), int(minutes))
    except ValueError:
        raise SettingsError(f"{name}: expected HH:MM, got {text!r}") from None


def base_calendar(settings: Settings) -> WorkingCalendar:
    periods = []
    for part in settings.working_periods.split(","):
        start, _, end = part.partition("-")
        periods.append((_time(start, "MOTCUA_WORKING_PERIODS"), _time(end, "MOTCUA_WORKING_PERIODS")))
    try:
        return WorkingCalendar(
            timezone=settings.timezone, periods=tuple(periods),
            cutoff=_time(settings.reception_cutoff, "MOTCUA_RECEPTION_CUTOFF"),
        )
    except CalendarError as exc:
        raise SettingsError(f"working calendar settings: {exc}") from None


class HolidaySource(Protocol):
    """What ``application.shared_catalogues.SharedCatalogues`` offers the calendar."""

    def holidays_version(self) -> int: ...

    def unit_days(self, unit: str) -> tuple[frozenset[date], frozenset[date]]: ...


def calendar_provider(settings: Settings, holidays: HolidaySource | None = None):  # type: ignore[no-untyped-def]
    calendar = base_calendar(settings)

    @lru_cache(maxsize=1024)
    def at_version(unit: str, version: int) -> WorkingCalendar:
        if holidays is None or version == 0:
            return calendar
        days_off, working_days = holidays.unit_days(unit)
        return calendar.with_unit_days(days_off, working_days)

    def calendar_for(unit: str) -> WorkingCalendar:
        return at_version(unit, holidays.holidays_version() if holidays is not None else 0)

    return calendar_for
