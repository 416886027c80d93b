"""The ``SharedCatalogues`` application: units, holiday calendars, fields, document types and
the status catalogue, maintained by administrators (danh mục điện tử dùng chung).

Each kind is one aggregate (see ``domain.catalogue``), so a list is one aggregate load and
never a scan of the event store. Readers on hot paths (an officer's scope on every request,
the working calendar on every reception) get a cached copy that is reused only while the
store's latest version of that aggregate is the cached one: one indexed look-up instead of a
replay, and never a stale answer after an administrator's change, in any process.

Every change is an event carrying the actor and its timestamp; ``history`` reads them back.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError

from application.base import IsolatedApplication
from application.catalogue import Unit, UnitDirectory
from application.catalogue_records import ChangeRecord, HolidayEntry, HolidayYear, NamedEntry, StatusEntry, UnitEntry
from application.clock import Clock
from application.read_cache import LatestVersionCache
from application.errors import AccessDenied, ApplicationError, VersionConflict
from domain.actor import Actor, Role
from domain.catalogue import (
    DAY_OFF,
    PROVINCE_WIDE,
    WORKING_DAY,
    DocumentTypeCatalogue,
    FieldCatalogue,
    HolidayCatalogue,
    StatusCatalogue,
    UnitCatalogue,
    UnknownUnit,
)

A = TypeVar("A", bound=Aggregate)
ADMIN_ROLES = frozenset({Role.ADMINISTRATOR, Role.SYSTEM})
HISTORY_READERS = frozenset({Role.ADMINISTRATOR, Role.AUDITOR, Role.SYSTEM})
AGGREGATES: dict[str, type[Aggregate]] = {
    "units": UnitCatalogue, "holidays": HolidayCatalogue, "fields": FieldCatalogue,
    "document-types": DocumentTypeCatalogue, "statuses": StatusCatalogue,
}
_KEY_FIELDS = ("code", "status", "unit")


class UnknownCatalogue(ApplicationError):
    code = "unknown-catalogue"
    message_vi = "Không có danh mục này"
    message_en = "There is no such catalogue"
    http_status = 404


def check_administrator(actor: Actor) -> None:
    if actor.role not in ADMIN_ROLES:
        raise AccessDenied("only an administrator maintains the shared catalogues")


def aggregate_class(kind: str) -> type[Aggregate]:
    try:
        return AGGREGATES[kind]
    except KeyError:
        raise UnknownCatalogue(f"no catalogue {kind!r}; one of {', '.join(AGGREGATES)}", field="kind") from None


RECHECK_AFTER = 1.0
"""Seconds a catalogue's checked version is trusted (application/read_cache.py): another
process's change to units or holidays is seen within this; this process's own at once."""


class SharedCatalogues(UnitDirectory, IsolatedApplication):
    name = "SharedCatalogues"
    snapshotting_intervals = {cls: 50 for cls in AGGREGATES.values()}

    def __init__(self, env: dict[str, str], *, clock: Clock) -> None:
        super().__init__(env)
        self.clock = clock
        self._cache = LatestVersionCache(self, recheck_after=RECHECK_AFTER)
        self._children: tuple[int, dict[str | None, list[str]]] = (-1, {})

    # ----- reading (cached by version) -----

    def version_of(self, cls: type[Aggregate]) -> int:
        """The store's latest version of a catalogue (0: never written)."""
        return self._cache.latest_version(cls.ID)  # type: ignore[attr-defined]

    def current(self, cls: type[A]) -> A | None:
        """A shared read-only copy; callers must not change it (commands load their own)."""
        return self._cache.get(cls.ID)  # type: ignore[attr-defined,no-any-return]

    # ----- the UnitDirectory port -----

    def get_unit(self, code: str) -> Unit | None:
        entry = self._units().get(code)
        return Unit(entry["code"], entry["name"], entry["parent"]) if entry else None

    def all(self) -> list[Unit]:
        return [Unit(u["code"], u["name"], u["parent"]) for u in self._units().values()]

    def descendants(self, code: str) -> frozenset[str]:
        """Per request (an officer's scope): the tree is rebuilt only when the catalogue changed."""
        version = self.version_of(UnitCatalogue)
        if self._children[0] != version:
            children: dict[str | None, list[str]] = {}
            for unit in self._units().values():
                children.setdefault(unit["parent"], []).append(unit["code"])
            self._children = (version, children)
        tree = self._children[1]
        seen: set[str] = set()
        stack = [code]
        while stack:
            current = stack.pop()
            if current not in seen:
                seen.add(current)
                stack.extend(tree.get(current, []))
        return frozenset(seen)

    def _units(self) -> dict[str, dict[str, Any]]:
        catalogue = self.current(UnitCatalogue)
        return catalogue.units if catalogue else {}

    # ----- lists -----

    def units(self, *, parent: str | None = None, active: bool | None = None) -> list[UnitEntry]:
        return [UnitEntry(**u) for code, u in sorted(self._units().items())
                if (parent is None or u["parent"] == parent) and (active is None or u["active"] == active)]

    def holidays(self, *, unit: str | None = None, year: int | None = None) -> list[HolidayEntry]:
        catalogue = self.current(HolidayCatalogue)
        if catalogue is None:
            return []
        prefix = f"{year:04d}-" if year is not None else ""
        return [HolidayEntry(unit=u, date=d, **e) for u, days in sorted(catalogue.days.items())
                if unit is None or u == unit for d, e in sorted(days.items()) if d.startswith(prefix)]

    def fields(self) -> list[NamedEntry]:
        catalogue = self.current(FieldCatalogue)
        return [NamedEntry(**e) for _, e in sorted(catalogue.entries.items())] if catalogue else []

    def document_types(self) -> list[NamedEntry]:
        catalogue = self.current(DocumentTypeCatalogue)
        return [NamedEntry(**e) for _, e in sorted(catalogue.entries.items())] if catalogue else []

    def statuses(self) -> list[StatusEntry]:
        catalogue = self.current(StatusCatalogue)
        return [StatusEntry(**e) for _, e in sorted(catalogue.statuses.items())] if catalogue else []

    # ----- what the working calendar needs -----

    def holidays_version(self) -> int:
        return self.version_of(HolidayCatalogue)

    def unit_days(self, unit: str) -> tuple[frozenset[date], frozenset[date]]:
        """Days off and make-up days of ``unit``: the province's ``*`` days, then its own on top
        (a unit's own entry for a date wins over the province's)."""
        catalogue = self.current(HolidayCatalogue)
        if catalogue is None:
            return frozenset(), frozenset()
        merged = {**catalogue.days.get(PROVINCE_WIDE, {}), **(catalogue.days.get(unit, {}) if unit != PROVINCE_WIDE else {})}
        off = frozenset(date.fromisoformat(d) for d, e in merged.items() if e["kind"] == DAY_OFF)
        working = frozenset(date.fromisoformat(d) for d, e in merged.items() if e["kind"] == WORKING_DAY)
        return off, working

    # ----- commands (administrator) -----

    def upsert_unit(self, actor: Actor, *, code: str, name: str, parent: str | None = None,
                    division_code: str | None = None, active: bool = True) -> str:
        self.change(actor, UnitCatalogue, lambda c, at: c.upsert(
            code=code, name=name, parent=parent, division_code=division_code, active=active,
            actor_id=actor.id, at=at))
        return code

    def set_holidays(self, actor: Actor, year: HolidayYear) -> str:
        self.check_calendar_unit_known(year.unit)
        self.change(actor, HolidayCatalogue, lambda c, at: c.set_year(
            unit=year.unit, year=year.year, days_off=dict(year.days_off), working_days=dict(year.working_days),
            actor_id=actor.id, at=at))
        return f"{year.unit}/{year.year}"

    def upsert_field(self, actor: Actor, *, code: str, name: str) -> str:
        self.change(actor, FieldCatalogue, lambda c, at: c.upsert(code=code, name=name, actor_id=actor.id, at=at))
        return code

    def upsert_document_type(self, actor: Actor, *, code: str, name: str) -> str:
        self.change(actor, DocumentTypeCatalogue,
                    lambda c, at: c.upsert(code=code, name=name, actor_id=actor.id, at=at))
        return code

    def upsert_status(self, actor: Actor, *, status: str, label_vi: str, label_en: str, national_code: int) -> str:
        self.change(actor, StatusCatalogue, lambda c, at: c.upsert(
            status=status, label_vi=label_vi, label_en=label_en, national_code=national_code,
            actor_id=actor.id, at=at))
        return status

    def check_calendar_unit_known(self, unit: str) -> None:
        if unit != PROVINCE_WIDE and unit not in self._units():
            raise UnknownUnit(unit, "unit")

    def change(self, actor: Actor, cls: type[A], mutate: Callable[[A, Any], Any]) -> int:
        """Load (or open) the catalogue, apply ``mutate`` (which may apply a whole file), save
        once: all of it or nothing. Returns the number of new events (0: nothing differed)."""
        check_administrator(actor)
        try:
            aggregate: A = self.repository.get(cls.ID)  # type: ignore[attr-defined]
            at = max(self.clock.now(), aggregate.modified_on)
        except AggregateNotFoundError:
            at = self.clock.now()
            aggregate = cls.open(at)  # type: ignore[attr-defined]
        mutate(aggregate, at)
        changes = sum(1 for e in aggregate.pending_events if not isinstance(e, Aggregate.Created))
        if changes == 0:
            return 0  # nothing differed: not even the empty catalogue is saved
        try:
            self.save(aggregate)
        except IntegrityError:
            self._cache.forget(cls.ID)  # type: ignore[attr-defined]  # someone else changed it
            raise VersionConflict("the catalogue was changed by someone else; try again") from None
        self._cache.forget(cls.ID)  # type: ignore[attr-defined]
        return changes

    # ----- auditing -----

    def history(self, actor: Actor, kind: str, key: str | None = None) -> list[ChangeRecord]:
        """Who changed which entry, when, and to what: read from the catalogue's own events."""
        if actor.role not in HISTORY_READERS:
            raise AccessDenied("only administrators and auditors read a catalogue's history")
        cls = aggregate_class(kind)
        records = []
        for event in self.repository.event_store.get(cls.ID):  # type: ignore[attr-defined]
            details = {k: v for k, v in event.__dict__.items()
                       if k not in ("originator_id", "originator_version", "timestamp", "actor_id")}
            entry_key = next((str(details[f]) for f in _KEY_FIELDS if f in details), "")
            if "date" in details:
                entry_key = f"{entry_key}/{details['date']}"
            if key is not None and entry_key != key and not entry_key.startswith(key + "/"):
                continue
            if not hasattr(event, "actor_id"):
                continue  # Opened: the catalogue came into being, nobody changed an entry
            records.append(ChangeRecord(kind=kind, event=type(event).__name__, key=entry_key,
                                        actor_id=event.actor_id, at=event.timestamp.isoformat(),
                                        version=event.originator_version, details=details))
        return records

