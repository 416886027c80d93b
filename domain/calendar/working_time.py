"""The working-time calendar behind appointment dates and clock stops (DESIGN.md §3).

The rule must be recomputable by anyone from the reception instant, the processing time and
the calendar settings, so everything here is a pure function of those inputs: no clock, no
storage. Instants cross the boundary as aware datetimes (UTC out); inside, the arithmetic runs
on naive local wall-clock times, because office hours are wall-clock hours. Vietnam has no
daylight saving time, so wall-clock and elapsed time agree.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from domain.calendar.processing_time import CalendarError, ProcessingTime, TimeUnit
from domain.calendar.working_days import is_national_working_day, next_working_day, unit_dates

DEFAULT_PERIODS: tuple[tuple[time, time], ...] = (
    (time(7, 30), time(11, 30)),
    (time(13, 0), time(17, 0)),
)
_ZERO = timedelta(0)
_DAY = timedelta(days=1)

Bounds = list[tuple[datetime, datetime]]


def _require_aware(*instants: datetime) -> None:
    """Naive datetimes would silently mean "server local time": refuse them instead."""
    for instant in instants:
        if not isinstance(instant, datetime):
            raise CalendarError(f"expected a datetime, got {instant!r}")
        if instant.tzinfo is None or instant.utcoffset() is None:
            raise CalendarError(f"naive datetime {instant.isoformat()} has no time zone")


def _periods(values: Sequence[tuple[time, time]]) -> tuple[tuple[time, time], ...]:
    """Periods must be ordered, disjoint and within one day so the day walk stays simple."""
    periods = tuple((start, end) for start, end in values)
    if not periods:
        raise CalendarError("a working day needs at least one working period")
    previous_end: time | None = None
    for start, end in periods:
        if not (isinstance(start, time) and isinstance(end, time)):
            raise CalendarError(f"working period bounds must be times, got {(start, end)!r}")
        if start.tzinfo is not None or end.tzinfo is not None:
            raise CalendarError("working periods are local wall-clock times, without tzinfo")
        if not start < end:
            raise CalendarError(f"working period {start}-{end} does not end after it starts")
        if previous_end is not None and start < previous_end:
            raise CalendarError(f"working period {start}-{end} overlaps or precedes the last")
        previous_end = end
    return periods


@dataclass(frozen=True, init=False)
class WorkingCalendar:
    """Office hours, the cut-off and the days off that turn processing times into instants.

    Immutable and hashable, so one instance can be shared by every request and used as a
    cache key; a unit's own days are layered on with `with_unit_days`.
    """

    timezone: str
    periods: tuple[tuple[time, time], ...]
    cutoff: time
    days_off: frozenset[date]
    working_days: frozenset[date]
    _zone: ZoneInfo = field(init=False, compare=False, repr=False)

    def __init__(
        self,
        *,
        timezone: str = "Asia/Ho_Chi_Minh",
        periods: Sequence[tuple[time, time]] = DEFAULT_PERIODS,
        cutoff: time = time(15, 0),
        days_off: Iterable[date] = (),
        working_days: Iterable[date] = (),
    ) -> None:
        try:
            zone = ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError, TypeError):
            raise CalendarError(f"unknown time zone {timezone!r}") from None
        if not isinstance(cutoff, time) or cutoff.tzinfo is not None:
            raise CalendarError(f"cut-off must be a local time without tzinfo, got {cutoff!r}")
        off = unit_dates(days_off, "days off")
        extra = unit_dates(working_days, "make-up working days")
        if clash := sorted(off & extra):
            listed = ", ".join(day.isoformat() for day in clash)
            raise CalendarError(f"dates both off and make-up working days: {listed}")
        object.__setattr__(self, "timezone", timezone)
        object.__setattr__(self, "periods", _periods(periods))
        object.__setattr__(self, "cutoff", cutoff)
        object.__setattr__(self, "days_off", off)
        object.__setattr__(self, "working_days", extra)
        object.__setattr__(self, "_zone", zone)

    def with_unit_days(
        self, days_off: Iterable[date], working_days: Iterable[date]
    ) -> WorkingCalendar:
        """A unit's own days come on top of the shared calendar, never instead of it."""
        return WorkingCalendar(
            timezone=self.timezone,
            periods=self.periods,
            cutoff=self.cutoff,
            days_off=self.days_off | unit_dates(days_off, "days off"),
            working_days=self.working_days | unit_dates(working_days, "make-up working days"),
        )

    # -- days -------------------------------------------------------------------------------

    def is_working_day(self, day: date) -> bool:
        """The unit's own days decide first; otherwise the national calendar does."""
        if isinstance(day, datetime) or not isinstance(day, date):
            raise CalendarError(f"expected a date (use local_date for instants), got {day!r}")
        if day in self.days_off:
            return False
        if day in self.working_days:
            return True
        return is_national_working_day(day)

    def local_date(self, instant: datetime) -> date:
        """Dates in the rule are local dates: 23:30 UTC is already tomorrow in Hà Nội."""
        return self._to_local(instant).date()

    # -- the appointment rule -------------------------------------------------------------------

    def processing_start(self, received_at: datetime) -> datetime:
        """Where the clock starts: work received after the cut-off waits for the next day."""
        local = self._to_local(received_at)
        day = local.date()
        if self.is_working_day(day) and local.time() < self.cutoff:
            for start, end in self._bounds(day):
                if local < end:
                    return self._to_utc(max(local, start))
        return self._to_utc(self._first_start(self._next_working_day(day)))

    def add_working_time(self, start: datetime, amount: timedelta) -> datetime:
        """Consume `amount` of office time from `start`; the cut-off is a reception rule only.

        A budget that runs out exactly at a period's end gives that end, so "one working day
        from 07:30" is 17:00 the same day rather than 07:30 the next.
        """
        local = self._to_local(start)
        if not isinstance(amount, timedelta) or amount < _ZERO:
            raise CalendarError(f"working time to add must be a non-negative timedelta: {amount!r}")
        if amount == _ZERO:
            return start.astimezone(UTC)
        remaining, cursor = amount, local
        while True:
            for period_start, period_end in self._bounds(cursor.date()):
                if period_end <= cursor:
                    continue
                begin = max(cursor, period_start)
                available = period_end - begin
                if remaining <= available:
                    return self._to_utc(begin + remaining)
                remaining -= available
            cursor = self._first_start(self._next_working_day(cursor.date()))

    def due_instant(self, received_at: datetime, processing_time: ProcessingTime) -> datetime:
        """The appointment instant printed on the receipt (form 01)."""
        if not isinstance(processing_time, ProcessingTime):
            raise CalendarError(f"expected a ProcessingTime, got {processing_time!r}")
        start = self.processing_start(received_at)
        if processing_time.unit.is_working_time:
            return self.add_working_time(start, processing_time.working_time)
        nth_day = self.local_date(start) + processing_time.value * _DAY
        return self._closing_on_or_after(nth_day)

    def working_time_between(self, start: datetime, end: datetime) -> timedelta:
        """Office time inside [start, end): what a wait costs and what processing consumed."""
        _require_aware(start, end)
        if end <= start:
            return _ZERO
        low, high = self._to_local(start), self._to_local(end)
        total, day = _ZERO, low.date()
        while day <= high.date():
            if self.is_working_day(day):
                for period_start, period_end in self._bounds(day):
                    overlap = min(period_end, high) - max(period_start, low)
                    if overlap > _ZERO:
                        total += overlap
            day += _DAY
        return total

    def delay_for_wait(
        self, due: datetime, wait_start: datetime, wait_end: datetime, unit: TimeUnit
    ) -> tuple[datetime, timedelta]:
        """Move `due` past a wait for the applicant, counted the way the processing time is.

        Working-time units give back exactly the office time the wait swallowed. Calendar-day
        units give back every calendar day the wait touched, whole, and land on 17:00 of a
        working day, as a calendar-day appointment always does.
        """
        _require_aware(due, wait_start, wait_end)
        if wait_end < wait_start:
            raise CalendarError("a wait cannot end before it starts")
        try:
            unit = TimeUnit(unit)
        except ValueError:
            raise CalendarError(f"unknown processing time unit {unit!r}") from None
        if unit.is_working_time:
            waited = self.working_time_between(wait_start, wait_end)
            return self.add_working_time(due, waited), waited
        days = self._calendar_days_touched(wait_start, wait_end)
        if days == 0:
            return due.astimezone(UTC), _ZERO
        return self._closing_on_or_after(self.local_date(due) + days * _DAY), days * _DAY

    # -- helpers ----------------------------------------------------------------------------------

    def _to_local(self, instant: datetime) -> datetime:
        _require_aware(instant)
        return instant.astimezone(self._zone).replace(tzinfo=None)

    def _to_utc(self, local: datetime) -> datetime:
        return local.replace(tzinfo=self._zone).astimezone(UTC)

    def _bounds(self, day: date) -> Bounds:
        """The day's working periods as local datetimes; none on a day that is not worked."""
        if not self.is_working_day(day):
            return []
        return [(datetime.combine(day, s), datetime.combine(day, e)) for s, e in self.periods]

    def _first_start(self, working_day: date) -> datetime:
        return datetime.combine(working_day, self.periods[0][0])

    def _next_working_day(self, day: date) -> date:
        return next_working_day(self.is_working_day, day)

    def _closing_on_or_after(self, day: date) -> datetime:
        """Close of business (end of the last period) on `day`, or on the next working day."""
        if not self.is_working_day(day):
            day = self._next_working_day(day)
        return self._to_utc(datetime.combine(day, self.periods[-1][1]))

    def _calendar_days_touched(self, wait_start: datetime, wait_end: datetime) -> int:
        """Local dates on which some part of [wait_start, wait_end) lies."""
        if wait_end <= wait_start:
            return 0
        first = self.local_date(wait_start)
        end = self._to_local(wait_end)
        last = end.date() - _DAY if end.time() == time(0) else end.date()
        return (last - first).days + 1
