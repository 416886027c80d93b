"""Processing time of a procedure: how much time the law allots, and in which unit.

A procedure version states its processing time as a number and a unit (working days, working
hours or calendar days). The unit decides how the appointment date is computed and how a wait
for the applicant moves it, so it travels with the value instead of being implied.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

#: The law counts a working day as eight working hours, whatever a unit's office hours are, so
#: "N working days" and "8N working hours" are the same budget and net processing times are
#: reported in working days by dividing by eight.
WORKING_DAY = timedelta(hours=8)


class CalendarError(ValueError):
    """A calendar setting, processing time or instant that the appointment rule cannot use."""


class TimeUnit(StrEnum):
    WORKING_DAYS = "working_days"
    WORKING_HOURS = "working_hours"
    CALENDAR_DAYS = "calendar_days"

    @property
    def is_working_time(self) -> bool:
        """Working-time units consume only working periods; calendar days count every day."""
        return self is not TimeUnit.CALENDAR_DAYS


@dataclass(frozen=True)
class ProcessingTime:
    """A positive amount of time in one unit, validated once so every rule can trust it."""

    value: int
    unit: TimeUnit

    def __post_init__(self) -> None:
        # Catalogue data arrives as plain strings and numbers; accept the string form of the
        # unit but refuse anything the rule would have to guess about (0, negatives, 1.5, True).
        if isinstance(self.value, bool) or not isinstance(self.value, int):
            raise CalendarError(f"processing time value must be an integer, got {self.value!r}")
        if self.value <= 0:
            raise CalendarError(f"processing time value must be positive, got {self.value}")
        try:
            unit = TimeUnit(self.unit)
        except ValueError:
            raise CalendarError(f"unknown processing time unit {self.unit!r}") from None
        object.__setattr__(self, "unit", unit)

    @property
    def working_time(self) -> timedelta:
        """The working-time budget; calendar days have none, since they count idle days too."""
        if self.unit is TimeUnit.WORKING_DAYS:
            return self.value * WORKING_DAY
        if self.unit is TimeUnit.WORKING_HOURS:
            return timedelta(hours=self.value)
        raise CalendarError("a processing time in calendar days has no working-time budget")
