"""The statistics projection: each dossier event becomes an event row and a state row.

Rows are a pure function of the events (DESIGN §4): `next_state(previous, event)` folds one
event into the dossier's state row (one row per dossier per version), `event_row` is the fact
row. The only running state is the dossier's previous state row, which lives in ClickHouse
itself (the row at version - 1), so a restart or a full replay rebuilds exactly the same rows.
The outcome (early / on time / late) is graded when the ending event arrives, with the local
time zone the dossier's dates are judged in (fixed: Asia/Ho_Chi_Minh by default).

`StatisticsProjector.process(batch)` handles many events per ClickHouse insert and records the
position after the rows it covers, through the `StatisticsView` port below.
"""

from __future__ import annotations

import dataclasses
import operator
from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from domain.dossier import AWAITING_STATUSES, DossierEvent, LocalStatus

PROJECTION_NAME = "Statistics"
ENDINGS = {"Completed": "completed", "ProcessingStopped": "stopped", "Withdrawn": "withdrawn"}


def _utc(value: datetime | None) -> datetime | None:
    return None if value is None else value.astimezone(UTC)


@dataclass(frozen=True)
class StateRow:
    """One row of `dossier_states`: the dossier as it stood after event `version`."""

    dossier_id: str
    version: int
    position: int
    event_type: str
    event_at: datetime
    code: str
    receiving_unit: str
    procedure_code: str
    procedure_version: int
    field: str
    channel: str
    applicant_key: str
    status: str
    national_status: int
    waiting: bool
    submitted_at: datetime
    received_at: datetime | None = None
    start_at: datetime | None = None
    due_at: datetime | None = None
    original_due_at: datetime | None = None
    clock_stopped_since: datetime | None = None
    refused_at: datetime | None = None
    ended_at: datetime | None = None
    end_kind: str = ""
    outcome: str = ""
    net_working_hours: float | None = None
    returned_at: datetime | None = None
    waits: int = 0
    wait_working_seconds: int = 0
    supplement_requests: int = 0
    extensions: int = 0
    fee_requested: bool = False
    fee_amount: int = 0
    paid_online: bool | None = None
    electronic_result: bool | None = None
    documents: int = 0
    digitised_documents: int = 0
    reused_documents: int = 0
    rating: int | None = None
    rated_at: datetime | None = None


STATE_COLUMNS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(StateRow))
EVENT_COLUMNS: tuple[str, ...] = (
    "dossier_id", "version", "position", "code", "event_type", "at", "receiving_unit",
    "procedure_code", "procedure_version", "field", "channel", "status", "national_status",
    "actor_role", "actor_unit",
)


class StatisticsRowError(RuntimeError):
    """An event arrived whose previous state row is missing (a gap: a bug or a lost insert)."""


SUBMITTING_ROLES = frozenset({"citizen", "reception_officer"})
AFTER_RESULT = frozenset({"approved", "completed", "returned"})


def submitted_document(event: Any) -> bool:
    """DESIGN §3's digitised / reused shares count the documents submitted with the dossier:
    attached by the applicant, or by a reception officer for them (paper digitised at the
    counter), before the result is approved. Work papers and result documents (attached by
    handling officers, leaders or the system, or once the result is approved) are not counted."""
    return str(event.actor_role or "") in SUBMITTING_ROLES and str(event.status) not in AFTER_RESULT


def grade(ended_at: datetime, due: datetime, zone: ZoneInfo) -> str:
    """DESIGN §3 (as `domain.dossier.slip.grade`): late after due, on time on due's date."""
    if ended_at > due:
        return "late"
    if ended_at.astimezone(zone).date() == due.astimezone(zone).date():
        return "on_time"
    return "early"


def next_state(previous: StateRow | None, event: Any, position: int, zone: ZoneInfo) -> StateRow:
    """The state row after `event`, from the one before it (None only for Submitted)."""
    name = type(event).__name__
    status = LocalStatus(event.status)
    common: dict[str, Any] = {
        "version": event.originator_version, "position": position, "event_type": name,
        "event_at": _utc(event.timestamp), "status": status.value,
        "national_status": int(status.national), "waiting": status in AWAITING_STATUSES,
    }
    if name == "Submitted":
        return StateRow(
            dossier_id=str(event.originator_id), code=event.code,
            receiving_unit=event.receiving_unit, procedure_code=event.procedure_code,
            procedure_version=event.procedure_version, field=event.field, channel=event.channel,
            applicant_key=event.applicant_key, submitted_at=_utc(event.timestamp), **common,
        )  # type: ignore[arg-type]
    if previous is None or previous.version != event.originator_version - 1:
        raise StatisticsRowError(f"{event.originator_id} v{event.originator_version - 1} missing")
    s = previous
    at = _utc(event.timestamp)
    change: dict[str, Any] = {}
    if name == "Received":
        change = {"received_at": at, "start_at": _utc(event.start), "due_at": _utc(event.due),
                  "original_due_at": _utc(event.original_due)}
    elif name == "ReceptionRefused":
        change = {"refused_at": at}
    elif name == "SupplementRequested":
        change = {"supplement_requests": s.supplement_requests + 1}
        if event.stops_clock:
            change["clock_stopped_since"] = at
    elif name == "FinancialObligationRequested":
        change = {"fee_requested": True, "fee_amount": int(event.amount)}
        if event.stops_clock:
            change["clock_stopped_since"] = at
    elif name in ("Supplemented", "FeePaid"):
        counted = event.wait_working_seconds is not None
        change = {"due_at": _utc(event.due), "original_due_at": _utc(event.original_due),
                  "clock_stopped_since": None, "waits": s.waits + int(counted),
                  "wait_working_seconds": s.wait_working_seconds + int(event.wait_working_seconds or 0)}
        if name == "FeePaid":
            change["paid_online"] = bool(event.paid_online)
    elif name == "DeadlineExtended":
        change = {"due_at": _utc(event.due), "extensions": s.extensions + 1}
    elif name in ENDINGS:
        ended = _utc(event.ended_at)
        change = {"ended_at": ended, "end_kind": ENDINGS[name], "clock_stopped_since": None,
                  "net_working_hours": event.net_working_hours,
                  "outcome": grade(ended, s.original_due_at, zone) if s.original_due_at else ""}
        if name == "Completed":
            change["electronic_result"] = bool(event.electronic_result)
    elif name == "ResultReturned":
        change = {"returned_at": at}
    elif name == "DocumentAttached" and submitted_document(event):
        change = {"documents": s.documents + 1,
                  "digitised_documents": s.digitised_documents + int(bool(event.digitised)),
                  "reused_documents": s.reused_documents + int(bool(event.reused))}
    elif name == "Rated":
        change = {"rating": int(event.score), "rated_at": at}
    return dataclasses.replace(s, **common, **change)


def event_row(event: Any, state: StateRow) -> tuple[Any, ...]:
    """The fact row of one event, with the dossier's pinned dimensions from its state."""
    return (
        state.dossier_id, state.version, state.position, state.code, state.event_type,
        state.event_at, state.receiving_unit, state.procedure_code, state.procedure_version,
        state.field, state.channel, state.status, state.national_status,
        str(event.actor_role or ""), str(event.actor_unit or ""),
    )


_STATE_VALUES = operator.attrgetter(*STATE_COLUMNS)


def state_tuple(state: StateRow) -> tuple[Any, ...]:
    """The row's values in `STATE_COLUMNS` order (no deep copy: values are immutable)."""
    return _STATE_VALUES(state)  # type: ignore[no-any-return]


class StatisticsView(ABC):
    """Where the projection's rows go (ClickHouse in `adapters.clickhouse.view`)."""

    @abstractmethod
    def position(self) -> int: ...

    @abstractmethod
    def states_at(self, keys: Iterable[tuple[str, int]]) -> dict[str, StateRow]:
        """The state rows at exactly these (dossier id, version) pairs, by dossier id."""

    @abstractmethod
    def write(self, events: Sequence[tuple[Any, ...]], states: Sequence[StateRow],
              position: int) -> None:
        """Insert the rows, then (only then) record `position`."""


class StatisticsProjector:
    """Folds batches of (notification id, domain event) into rows; idempotent by (dossier, version)."""

    def __init__(self, view: StatisticsView, zone: ZoneInfo | str = "Asia/Ho_Chi_Minh") -> None:
        self.view = view
        self.zone = zone if isinstance(zone, ZoneInfo) else ZoneInfo(zone)

    def process(self, batch: Sequence[tuple[int, Any]], position: int) -> int:
        """Rows for the dossier events of `batch`; records `position` (the batch's last id)."""
        dossier_events = [(n, e) for n, e in batch if isinstance(e, DossierEvent)]
        first: dict[str, int] = {}
        for _, e in dossier_events:
            first.setdefault(str(e.originator_id), e.originator_version)
        needed = [(d, v - 1) for d, v in first.items() if v > 1]
        current: dict[str, StateRow] = self.view.states_at(needed) if needed else {}
        events, states = [], []
        for notification_id, e in dossier_events:
            key = str(e.originator_id)
            state = next_state(current.get(key), e, notification_id, self.zone)
            current[key] = state
            states.append(state)
            events.append(event_row(e, state))
        self.view.write(events, states, position)
        return len(dossier_events)


__all__ = ["ENDINGS", "EVENT_COLUMNS", "PROJECTION_NAME", "STATE_COLUMNS", "StateRow",
           "StatisticsProjector", "StatisticsRowError", "StatisticsView", "event_row", "grade",
           "next_state", "submitted_document"]
