"""Holiday calendars: a unit's (or the whole province's, unit ``*``) own days off and make-up
working days, laid over the national calendar that the ``holidays`` package knows.

One aggregate for every unit and year: the working-calendar provider must know when *any*
calendar changed (it caches calendars by this aggregate's version), and a province declares
some tens of such days a year. An administrator writes a unit's whole year at once, so a date
moved from one list to the other is one consistent change, and a date in both is refused.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from eventsourcing.domain import Aggregate

from domain.catalogue.errors import InvalidUnitCode
from domain.catalogue.rules import PROVINCE_WIDE, check_date, check_days_disjoint, check_name, check_unit_code, check_year
from domain.catalogue.units import CATALOGUE_NAMESPACE

DAY_OFF = "day_off"
WORKING_DAY = "working_day"


def check_calendar_unit(unit: str) -> str:
    if unit == PROVINCE_WIDE:
        return unit
    try:
        return check_unit_code(unit, "unit")
    except InvalidUnitCode:
        raise InvalidUnitCode(unit, "unit") from None


def _checked(days: dict[str, str], year: int, field: str) -> dict[str, str]:
    return {check_date(day, year, field): check_name(name, field) for day, name in days.items()}


class HolidayCatalogue(Aggregate):
    ID = uuid.uuid5(CATALOGUE_NAMESPACE, "holidays")

    class Opened(Aggregate.Created):
        pass

    @classmethod
    def open(cls, at: datetime) -> HolidayCatalogue:
        return cls._create(cls.Opened, id=cls.ID, timestamp=at)

    def __init__(self, **_: Any) -> None:
        # unit -> ISO date -> {"kind", "name", "changed_by", "changed_at"}
        self.days: dict[str, dict[str, dict[str, str]]] = {}

    def year_of(self, unit: str, year: int) -> dict[str, dict[str, str]]:
        prefix = f"{year:04d}-"
        return {d: e for d, e in self.days.get(unit, {}).items() if d.startswith(prefix)}

    def dates(self, unit: str, kind: str) -> list[str]:
        return sorted(d for d, e in self.days.get(unit, {}).items() if e["kind"] == kind)

    # ----- events -----

    class DayOffDeclared(Aggregate.Event):
        unit: str
        date: str
        name: str
        actor_id: str

        def apply(self, aggregate: HolidayCatalogue) -> None:  # type: ignore[override]
            aggregate._set(self.unit, self.date, DAY_OFF, self.name, self.actor_id, self.timestamp)

    class WorkingDayDeclared(Aggregate.Event):
        unit: str
        date: str
        name: str
        actor_id: str

        def apply(self, aggregate: HolidayCatalogue) -> None:  # type: ignore[override]
            aggregate._set(self.unit, self.date, WORKING_DAY, self.name, self.actor_id, self.timestamp)

    class DayCleared(Aggregate.Event):
        """The date follows the national calendar again for this unit."""

        unit: str
        date: str
        actor_id: str

        def apply(self, aggregate: HolidayCatalogue) -> None:  # type: ignore[override]
            aggregate.days.get(self.unit, {}).pop(self.date, None)

    def _set(self, unit: str, day: str, kind: str, name: str, actor_id: str, at: datetime) -> None:
        self.days.setdefault(unit, {})[day] = {"kind": kind, "name": name, "changed_by": actor_id,
                                               "changed_at": at.isoformat()}

    # ----- the command -----

    def set_year(self, *, unit: str, year: int, days_off: dict[str, str], working_days: dict[str, str],
                 actor_id: str, at: datetime) -> bool:
        """Make the unit's year exactly these days; ``False`` (no event) when nothing differs."""
        check_calendar_unit(unit)
        check_year(year)
        off = _checked(days_off, year, "daysOff")
        extra = _checked(working_days, year, "workingDays")
        check_days_disjoint(off, extra)
        wanted = {**{d: (DAY_OFF, n) for d, n in off.items()}, **{d: (WORKING_DAY, n) for d, n in extra.items()}}
        current = self.year_of(unit, year)
        before = len(self.pending_events)
        for day in sorted(set(current) - set(wanted)):
            self.trigger_event(self.DayCleared, timestamp=at, unit=unit, date=day, actor_id=actor_id)
        for day, (kind, name) in sorted(wanted.items()):
            have = current.get(day)
            if have is not None and (have["kind"], have["name"]) == (kind, name):
                continue
            event = self.DayOffDeclared if kind == DAY_OFF else self.WorkingDayDeclared
            self.trigger_event(event, timestamp=at, unit=unit, date=day, name=name, actor_id=actor_id)
        return len(self.pending_events) > before
