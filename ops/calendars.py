"""The working calendar from settings (periods, cut-off, zone); units' own days come later.

The catalogue issue gives units their own days off and make-up days; they will be laid on top
with ``WorkingCalendar.with_unit_days`` here, behind the same ``calendar_for(unit)`` function.
"""

from __future__ import annotations

from datetime import time
from functools import lru_cache

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


def calendar_provider(settings: Settings):  # type: ignore[no-untyped-def]
    calendar = base_calendar(settings)

    @lru_cache(maxsize=1024)
    def calendar_for(unit: str) -> WorkingCalendar:
        return calendar

    return calendar_for
