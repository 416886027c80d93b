"""The dossier lookup index projection: each dossier event becomes row changes.

The changes are a pure function of the event and its notification id: no clock, no loading of
the aggregate, so replaying the same events always yields the same rows, and a rebuild from
scratch equals the live index. The view applies the changes and records the tracking position
in one transaction, which makes the index exactly-once across crashes.

Every dossier event is handled, even those that change nothing a list shows (messages, files,
ratings), because the row's `version` must equal the aggregate's version: lists use it for
ETags. Code-counter events share the store: they change no row but still advance the tracking
position, so a read-your-writes wait on any notification id of the store (a save's last one may
be a counter's) returns.
"""

from __future__ import annotations

import dataclasses
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from time import monotonic, sleep
from typing import Any

from eventsourcing.dispatch import singledispatchmethod
from eventsourcing.persistence import Tracking, TrackingRecorder
from eventsourcing.projection import Projection
from eventsourcing.utils import get_topic

from application.dossier_index import DossierIndex, DossierSummary, utc
from domain.dossier import AWAITING_STATUSES, Dossier, DossierCodeCounter, DossierEvent, LocalStatus

#: Every event class of the aggregate (eventsourcing re-declares the mixins' events on it).
DOSSIER_EVENTS: tuple[type[DossierEvent], ...] = tuple(
    v for v in vars(Dossier).values() if isinstance(v, type) and issubclass(v, DossierEvent)
)
#: Filtered in the database: dossier events, and the code counter's (position only).
TOPICS: tuple[str, ...] = (
    *(get_topic(cls) for cls in DOSSIER_EVENTS),
    get_topic(DossierCodeCounter.Opened),
    get_topic(DossierCodeCounter.NumberAllocated),
)
#: Columns an update may set besides those every event sets.
SETTABLE = frozenset(
    {"current_unit", "current_officer", "received_at", "appointment", "original_due",
     "clock_stopped_since", "ended_at"}
)


class IndexRowMissing(RuntimeError):
    """An event arrived for a dossier whose Submitted row is not in the index (a bug)."""


@dataclass(frozen=True)
class NewDossier:
    """Insert the row of a just-submitted dossier."""

    row: DossierSummary


@dataclass(frozen=True)
class DossierChanged:
    """Update one row: what every event sets, plus `fields` (columns in `SETTABLE`).

    Applied only if `version` is above the row's, so a replayed change is a no-op.
    """

    dossier_id: str
    version: int
    position: int
    status: str
    national_status: int
    waiting: bool
    fields: tuple[tuple[str, Any], ...] = ()
    add_units: tuple[str, ...] = ()
    supplement_requested: bool = False

    def __post_init__(self) -> None:
        unknown = {name for name, _ in self.fields} - SETTABLE
        if unknown:
            msg = f"not settable: {sorted(unknown)}"
            raise ValueError(msg)


RowChange = NewDossier | DossierChanged


def fold(row: DossierSummary | None, change: RowChange) -> DossierSummary:
    """The meaning of a change, as plain Python: the SQL views must agree with it."""
    if isinstance(change, NewDossier):
        return change.row if row is None else row  # a replayed insert is a no-op
    if row is None:
        raise IndexRowMissing(change.dossier_id)
    if change.version <= row.version:
        return row
    units = row.units
    for unit in change.add_units:
        if unit not in units:
            units = (*units, unit)
    return dataclasses.replace(
        row,
        status=change.status,
        national_status=change.national_status,
        waiting=change.waiting,
        version=change.version,
        position=change.position,
        supplement_requests=row.supplement_requests + int(change.supplement_requested),
        units=units,
        **dict(change.fields),
    )


class DossierIndexView(TrackingRecorder, DossierIndex, ABC):
    """What the projection writes to; SQL adapters implement `apply` and the queries."""

    upstream = "Dossiers"
    """Name of the application whose notification ids are tracked."""

    @abstractmethod
    def apply(self, changes: Sequence[RowChange], tracking: Tracking) -> None:
        """Apply the changes and insert `tracking` in one transaction.

        Raises eventsourcing's `IntegrityError` (and changes nothing) if `tracking` is not
        beyond the recorded position: the event was already processed.
        """

    def position(self) -> int:
        return self.max_tracking_id(self.upstream) or 0

    def wait_for(self, position: int, timeout: float) -> bool:
        """Poll from 5 ms up to 100 ms apart: read-your-writes waits are usually short."""
        deadline = monotonic() + timeout
        interval = 0.005
        while self.position() < position:
            remaining = deadline - monotonic()
            if remaining <= 0:
                return False
            sleep(min(interval, remaining))
            interval = min(interval * 2, 0.1)
        return True


def _changed(event: Any, tracking: Tracking, **kwargs: Any) -> DossierChanged:
    status = LocalStatus(event.status)
    return DossierChanged(
        dossier_id=str(event.originator_id),
        version=event.originator_version,
        position=tracking.notification_id,
        status=status.value,
        national_status=int(status.national),
        waiting=status in AWAITING_STATUSES,
        **kwargs,
    )


def _instant(value: Any) -> Any:
    return None if value is None else utc(value)


class DossierIndexProjection(Projection[DossierIndexView]):
    name = "DossierIndex"
    topics = TOPICS

    @singledispatchmethod
    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        """Not a dossier event (the code counter): only the position advances."""
        self.view.apply((), tracking)

    @process_event.register(DossierEvent)
    def _status_only(self, event: Any, tracking: Tracking) -> None:
        """Events that change only status and version (and any future dossier event)."""
        self.view.apply((_changed(event, tracking),), tracking)

    for _cls in (Dossier.ReceptionRefused, Dossier.ResultApproved, Dossier.WithdrawalRequested,
                 Dossier.ResultReturned, Dossier.MessagePosted, Dossier.DocumentAttached,
                 Dossier.Rated):
        process_event.register(_cls, _status_only)

    @process_event.register(Dossier.Submitted)
    def _submitted(self, e: Any, tracking: Tracking) -> None:
        status = LocalStatus(e.status)
        row = DossierSummary(
            id=str(e.originator_id), code=e.code, procedure_code=e.procedure_code,
            procedure_name=e.procedure_name, field=e.field, receiving_unit=e.receiving_unit,
            current_unit=None, current_officer=None,
            applicant_account=str(e.applicant.get("id") or ""),
            applicant_name=str(e.applicant.get("name") or ""),
            channel=e.channel, status=status.value, national_status=int(status.national),
            submitted_at=utc(e.timestamp), received_at=None, appointment=None,
            original_due=None, waiting=status in AWAITING_STATUSES, clock_stopped_since=None,
            ended_at=None, supplement_requests=0, version=e.originator_version,
            position=tracking.notification_id, lookup_secret_hmac=e.lookup_secret_hmac,
            units=(e.receiving_unit,),
        )
        self.view.apply((NewDossier(row),), tracking)

    @process_event.register(Dossier.Received)
    def _received(self, e: Any, tracking: Tracking) -> None:
        fields = (("received_at", utc(e.timestamp)), ("appointment", utc(e.due)),
                  ("original_due", utc(e.original_due)), ("current_unit", e.actor_unit))
        units = (e.actor_unit,) if e.actor_unit else ()
        self.view.apply((_changed(e, tracking, fields=fields, add_units=units),), tracking)

    @process_event.register(Dossier.HandedOver)
    def _handed_over(self, e: Any, tracking: Tracking) -> None:
        fields = (("current_unit", e.to_unit), ("current_officer", e.to_officer))
        change = _changed(e, tracking, fields=fields, add_units=(e.to_unit,))
        self.view.apply((change,), tracking)

    @process_event.register(Dossier.SupplementRequested)
    def _supplement_requested(self, e: Any, tracking: Tracking) -> None:
        fields = (("clock_stopped_since", utc(e.timestamp)),) if e.stops_clock else ()
        change = _changed(e, tracking, fields=fields, supplement_requested=True)
        self.view.apply((change,), tracking)

    @process_event.register(Dossier.FinancialObligationRequested)
    def _fee_requested(self, e: Any, tracking: Tracking) -> None:
        fields = (("clock_stopped_since", utc(e.timestamp)),) if e.stops_clock else ()
        self.view.apply((_changed(e, tracking, fields=fields),), tracking)

    @process_event.register(Dossier.Supplemented)
    @process_event.register(Dossier.FeePaid)
    def _resumed(self, e: Any, tracking: Tracking) -> None:
        fields = (("appointment", _instant(e.due)), ("original_due", _instant(e.original_due)),
                  ("clock_stopped_since", None))
        self.view.apply((_changed(e, tracking, fields=fields),), tracking)

    @process_event.register(Dossier.OpinionRequested)
    def _opinion_requested(self, e: Any, tracking: Tracking) -> None:
        self.view.apply((_changed(e, tracking, add_units=(e.to_unit,)),), tracking)

    @process_event.register(Dossier.OpinionGiven)
    def _opinion_given(self, e: Any, tracking: Tracking) -> None:
        self.view.apply((_changed(e, tracking, add_units=(e.from_unit,)),), tracking)

    @process_event.register(Dossier.DeadlineExtended)
    def _extended(self, e: Any, tracking: Tracking) -> None:
        change = _changed(e, tracking, fields=(("appointment", utc(e.due)),))
        self.view.apply((change,), tracking)

    @process_event.register(Dossier.ProcessingStopped)
    @process_event.register(Dossier.Withdrawn)
    @process_event.register(Dossier.Completed)
    def _ended(self, e: Any, tracking: Tracking) -> None:
        fields = (("ended_at", utc(e.ended_at)), ("clock_stopped_since", None))
        self.view.apply((_changed(e, tracking, fields=fields),), tracking)

    del _cls


__all__ = [
    "DOSSIER_EVENTS",
    "SETTABLE",
    "TOPICS",
    "DossierChanged",
    "DossierIndexProjection",
    "DossierIndexView",
    "IndexRowMissing",
    "NewDossier",
    "RowChange",
    "fold",
]
