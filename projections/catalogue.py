"""The public catalogue projection: each procedure's current published version as a row.

The rows are a pure function of the events: ``Published`` carries the code and the terms, the
status events name the procedure by id, and drafts (not public) change nothing but the tracking
position, as do the register's events. The view applies a change and records the position in one
transaction, so the catalogue is exactly-once across crashes.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from time import monotonic, sleep
from typing import Any

from eventsourcing.dispatch import singledispatchmethod
from eventsourcing.persistence import Tracking, TrackingRecorder
from eventsourcing.projection import Projection
from eventsourcing.utils import get_topic

from application.base import IsolatedApplication
from application.catalogue_search import CatalogueEntry, CatalogueSearch, fold
from application.procedures import terms_to_wire
from domain.procedure import Procedure, ProcedureRegister, fee_total

PROCEDURE_EVENTS = (Procedure.Drafted, Procedure.DraftAmended, Procedure.Revised, Procedure.Published,
                    Procedure.Suspended, Procedure.Resumed, Procedure.Withdrawn)
TOPICS: tuple[str, ...] = (
    *(get_topic(cls) for cls in PROCEDURE_EVENTS),
    get_topic(ProcedureRegister.Opened),
    get_topic(ProcedureRegister.Added),
)


@dataclass(frozen=True)
class EntryPublished:
    """Insert or replace the procedure's row with a newly published version."""

    row: dict[str, Any]


@dataclass(frozen=True)
class EntryStatus:
    procedure_id: str
    status: str


CatalogueChange = EntryPublished | EntryStatus


def entry_row(procedure_id: str, code: str, version: int, terms: dict[str, Any], position: int) -> dict[str, Any]:
    """The columns of a catalogue row; ``document`` is the public terms as JSON text."""
    public = terms_to_wire({k: v for k, v in terms.items() if k != "form_schema"})
    free = fee_total(terms) == 0 and not any(f.get("amount") is None for f in terms.get("fees", []))
    document = {"code": code, "version": version, **public, "feeTotal": fee_total(terms),
                "hasForm": terms.get("form_schema") is not None}
    units: list[str] = []
    for unit in [*terms.get("implementing_units", []), *terms["receiving_units"], terms["handling_unit"]]:
        if unit not in units:
            units.append(unit)
    body = " ".join([terms["name"], terms["field"], terms.get("description", ""), code])
    return {
        "id": procedure_id, "code": code, "version": version, "name": terms["name"], "field": terms["field"],
        "service_level": terms["service_level"], "channels": tuple(terms["channels"]), "units": tuple(units),
        "fee_free": free, "status": "published", "position": position,
        "document": json.dumps(document, ensure_ascii=False, sort_keys=True),
        "name_folded": fold(terms["name"]), "body_folded": fold(body),
    }


def entry_from(record: Any, channels: tuple[str, ...], units: tuple[str, ...]) -> CatalogueEntry:
    return CatalogueEntry(
        id=str(record["id"]), code=record["code"], version=int(record["version"]), name=record["name"],
        field=record["field"], service_level=record["service_level"], channels=channels, units=units,
        fee_free=bool(record["fee_free"]), status=record["status"], document=json.loads(record["document"]),
    )


class CatalogueView(TrackingRecorder, CatalogueSearch, ABC):
    upstream = "Procedures"

    @abstractmethod
    def apply(self, changes: Sequence[CatalogueChange], tracking: Tracking) -> None:
        """Apply the changes and insert ``tracking`` in one transaction (a duplicate raises
        eventsourcing's ``IntegrityError`` and changes nothing)."""

    def position(self) -> int:
        return self.max_tracking_id(self.upstream) or 0

    def wait_for(self, position: int, timeout: float) -> bool:
        deadline = monotonic() + timeout
        interval = 0.005
        while self.position() < position:
            remaining = deadline - monotonic()
            if remaining <= 0:
                return False
            sleep(min(interval, remaining))
            interval = min(interval * 2, 0.1)
        return True


class CatalogueProjection(Projection[CatalogueView]):
    name = "Catalogue"
    topics = TOPICS

    @singledispatchmethod
    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        """Drafts and register events: only the position advances."""
        self.view.apply((), tracking)

    @process_event.register(Procedure.Published)
    def _published(self, e: Any, tracking: Tracking) -> None:
        row = entry_row(str(e.originator_id), e.code, e.procedure_version, e.terms, tracking.notification_id)
        self.view.apply((EntryPublished(row),), tracking)

    @process_event.register(Procedure.Suspended)
    def _suspended(self, e: Any, tracking: Tracking) -> None:
        self.view.apply((EntryStatus(str(e.originator_id), "suspended"),), tracking)

    @process_event.register(Procedure.Resumed)
    def _resumed(self, e: Any, tracking: Tracking) -> None:
        self.view.apply((EntryStatus(str(e.originator_id), "published"),), tracking)

    @process_event.register(Procedure.Withdrawn)
    def _withdrawn(self, e: Any, tracking: Tracking) -> None:
        self.view.apply((EntryStatus(str(e.originator_id), "withdrawn"),), tracking)


__all__ = ["TOPICS", "ProcedureStream", "CatalogueChange", "CatalogueProjection", "CatalogueView", "EntryPublished", "EntryStatus",
           "entry_from", "entry_row"]


class ProcedureStream(IsolatedApplication):
    """Read-only access to the "Procedures" event store, for the runner (never saves)."""

    name = "Procedures"
