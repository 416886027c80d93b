"""The unit catalogue: every unit of the province with its identifier code and place in the tree.

One aggregate holds the whole catalogue. A province has some hundreds of units, edited a few
times a year; one stream gives the full list by loading one aggregate (no projection to lag
behind), lets the hierarchy rules (parent exists, no cycle) see every unit at once, and its
version check makes two administrators' concurrent edits a conflict rather than a broken tree.
Snapshots keep loading it cheap (see ``application.shared_catalogues``).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from eventsourcing.domain import Aggregate

from domain.catalogue.errors import UnitCycle, UnitHasActiveChildren, UnknownUnit
from domain.catalogue.rules import check_code, check_name, check_unit_code

CATALOGUE_NAMESPACE = uuid.UUID("6f1d2c4e-8a0b-4e57-9d3c-1b2a7e5f9c40")


def check_parent(units: dict[str, dict[str, Any]], code: str, parent: str | None) -> None:
    """The parent must exist, and the unit must not end up above itself."""
    if parent is None:
        return
    check_unit_code(parent, "parent")
    if parent not in units:
        raise UnknownUnit(parent)
    seen = set()
    current: str | None = parent
    while current is not None and current not in seen:
        if current == code:
            raise UnitCycle(code, parent)
        seen.add(current)
        current = units[current]["parent"]


class UnitCatalogue(Aggregate):
    ID = uuid.uuid5(CATALOGUE_NAMESPACE, "units")

    class Opened(Aggregate.Created):
        pass

    @classmethod
    def open(cls, at: datetime) -> UnitCatalogue:
        return cls._create(cls.Opened, id=cls.ID, timestamp=at)

    def __init__(self, **_: Any) -> None:
        self.units: dict[str, dict[str, Any]] = {}

    def entry(self, code: str) -> dict[str, Any] | None:
        return self.units.get(code)

    # ----- registering a new unit -----

    class UnitRegistered(Aggregate.Event):
        code: str
        name: str
        parent: str | None
        division_code: str | None
        actor_id: str

        def apply(self, aggregate: UnitCatalogue) -> None:  # type: ignore[override]
            aggregate.units[self.code] = {
                "code": self.code, "name": self.name, "parent": self.parent, "division_code": self.division_code,
                "active": True, "changed_by": self.actor_id, "changed_at": self.timestamp.isoformat(),
            }

    # ----- changing one -----

    class UnitAmended(Aggregate.Event):
        code: str
        name: str
        parent: str | None
        division_code: str | None
        actor_id: str

        def apply(self, aggregate: UnitCatalogue) -> None:  # type: ignore[override]
            aggregate.units[self.code].update(
                name=self.name, parent=self.parent, division_code=self.division_code,
                changed_by=self.actor_id, changed_at=self.timestamp.isoformat(),
            )

    class UnitRetired(Aggregate.Event):
        """No longer takes dossiers; kept, so old dossiers and statistics still name it."""

        code: str
        actor_id: str

        def apply(self, aggregate: UnitCatalogue) -> None:  # type: ignore[override]
            aggregate.units[self.code].update(active=False, changed_by=self.actor_id,
                                              changed_at=self.timestamp.isoformat())

    class UnitReinstated(Aggregate.Event):
        code: str
        actor_id: str

        def apply(self, aggregate: UnitCatalogue) -> None:  # type: ignore[override]
            aggregate.units[self.code].update(active=True, changed_by=self.actor_id,
                                              changed_at=self.timestamp.isoformat())

    def upsert(self, *, code: str, name: str, parent: str | None, division_code: str | None = None,
               active: bool = True, actor_id: str, at: datetime) -> bool:
        """Register or change a unit; ``False`` (and no event) when nothing differs."""
        check_unit_code(code)
        name = check_name(name)
        if division_code is not None:
            division_code = check_code(division_code, "divisionCode")
        check_parent(self.units, code, parent)
        current = self.units.get(code)
        before = len(self.pending_events)
        if current is None:
            self.trigger_event(self.UnitRegistered, timestamp=at, code=code, name=name, parent=parent,
                               division_code=division_code, actor_id=actor_id)
            current = self.units[code]
        elif (current["name"], current["parent"], current["division_code"]) != (name, parent, division_code):
            self.trigger_event(self.UnitAmended, timestamp=at, code=code, name=name, parent=parent,
                               division_code=division_code, actor_id=actor_id)
        if not active and current["active"]:
            self.check_no_active_children(code)
            self.trigger_event(self.UnitRetired, timestamp=at, code=code, actor_id=actor_id)
        elif active and not current["active"]:
            self.trigger_event(self.UnitReinstated, timestamp=at, code=code, actor_id=actor_id)
        return len(self.pending_events) > before

    def check_no_active_children(self, code: str) -> None:
        children = sorted(c for c, u in self.units.items() if u["parent"] == code and u["active"])
        if children:
            raise UnitHasActiveChildren(code, children)
