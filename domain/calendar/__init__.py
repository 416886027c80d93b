"""Working-time calendar and the appointment-date rule (DESIGN.md §3), pure Python."""

from domain.calendar.processing_time import (
    WORKING_DAY,
    CalendarError,
    ProcessingTime,
    TimeUnit,
)
from domain.calendar.working_time import DEFAULT_PERIODS, WorkingCalendar

__all__ = [
    "DEFAULT_PERIODS",
    "WORKING_DAY",
    "CalendarError",
    "ProcessingTime",
    "TimeUnit",
    "WorkingCalendar",
]
