"""An independent computation of the status report and the Decision 766 indicators.

Plain Python straight from the dossier events (DESIGN §3), for the correctness test. It imports
nothing of ours but `domain/` (and only for the event classes' names it reads by attribute):
no adapters, no projections, no `application.statistics`. Each dossier's events are folded
up to the range's end (t1, the last millisecond of the last local date) into a few facts, and
the figures are counted from those facts, one definition per line.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from domain.actor import Role
from domain.dossier import LocalStatus

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
AWAITING = {"awaiting_supplement_at_reception", "awaiting_payment_at_reception", "awaiting_supplement",
            "awaiting_payment"}


@dataclass
class Facts:
    """What a dossier is at an instant, from its events up to that instant."""

    code: str = ""
    receiving_unit: str = ""
    procedure_code: str = ""
    field: str = ""
    channel: str = ""
    status: str = "submitted"
    received_at: datetime | None = None
    original_due: datetime | None = None
    clock_stopped_since: datetime | None = None
    refused_at: datetime | None = None
    ended_at: datetime | None = None
    end_kind: str | None = None
    net_working_hours: float | None = None
    electronic_result: bool | None = None
    returned_at: datetime | None = None
    supplement_requests: int = 0
    fee_requested: bool = False
    paid_online: bool | None = None
    documents: int = 0
    digitised: int = 0
    reused: int = 0
    rating: int | None = None
    rated_at: datetime | None = None


_SUBMITTERS = {Role.CITIZEN, Role.RECEPTION_OFFICER}
"""Documents submitted with the dossier (DESIGN §3): by the applicant or a reception officer for them,"""
_RESULT_STATUSES = {LocalStatus.APPROVED, LocalStatus.COMPLETED, LocalStatus.RETURNED}
"""and not once the result is approved (result documents)."""


def fold(events: Iterable[Any], until: datetime) -> Facts:
    """Apply a dossier's events (in version order) whose instant is at or before `until`."""
    f = Facts()
    for e in events:
        if e.timestamp > until:
            break
        kind = type(e).__name__
        f.status = e.status
        if kind == "Submitted":
            f.code, f.receiving_unit, f.channel = e.code, e.receiving_unit, e.channel
            f.procedure_code, f.field = e.procedure_code, e.field
        elif kind == "Received":
            f.received_at, f.original_due = e.timestamp, e.original_due
        elif kind == "ReceptionRefused":
            f.refused_at = e.timestamp
        elif kind == "SupplementRequested":
            f.supplement_requests += 1
            if e.stops_clock:
                f.clock_stopped_since = e.timestamp
        elif kind == "FinancialObligationRequested":
            f.fee_requested = True
            if e.stops_clock:
                f.clock_stopped_since = e.timestamp
        elif kind in ("Supplemented", "FeePaid"):
            f.clock_stopped_since = None
            if e.original_due is not None:
                f.original_due = e.original_due
            if kind == "FeePaid":
                f.paid_online = e.paid_online
        elif kind in ("Completed", "ProcessingStopped", "Withdrawn"):
            f.ended_at, f.net_working_hours = e.ended_at, e.net_working_hours
            f.end_kind = {"Completed": "completed", "ProcessingStopped": "stopped", "Withdrawn": "withdrawn"}[kind]
            f.clock_stopped_since = None
            if kind == "Completed":
                f.electronic_result = e.electronic_result
        elif kind == "ResultReturned":
            f.returned_at = e.timestamp
        elif kind == "DocumentAttached" and e.actor_role in _SUBMITTERS and e.status not in _RESULT_STATUSES:
            f.documents += 1
            f.digitised += int(bool(e.digitised))
            f.reused += int(bool(e.reused))
        elif kind == "Rated":
            f.rating, f.rated_at = e.score, e.timestamp
    return f


def range_ends(date_from: date, date_to: date) -> tuple[datetime, datetime]:
    t0 = datetime.combine(date_from, time(), ZONE).astimezone(UTC)
    t1 = datetime.combine(date_to + timedelta(days=1), time(), ZONE).astimezone(UTC) - timedelta(milliseconds=1)
    return t0, t1


def outcome(f: Facts) -> str | None:
    """Late after the wait-adjusted original due instant; on time on its local date; else early."""
    if f.ended_at is None or f.original_due is None:
        return None
    if f.ended_at > f.original_due:
        return "late"
    if f.ended_at.astimezone(ZONE).date() == f.original_due.astimezone(ZONE).date():
        return "on_time"
    return "early"


@dataclass
class Oracle:
    """Folded facts per dossier, from the Dossier events (other aggregates' events are ignored)."""

    streams: dict[Any, list[Any]] = field(default_factory=dict)

    @classmethod
    def of(cls, events: Iterable[Any]) -> Oracle:
        oracle = cls()
        for e in events:
            if not (hasattr(e, "status") and hasattr(e, "actor_role")):  # a code counter's event
                continue
            oracle.streams.setdefault(e.originator_id, []).append(e)
        for events_ in oracle.streams.values():
            events_.sort(key=lambda e: e.originator_version)
        return oracle

    def figures(self, units: frozenset[str], date_from: date, date_to: date, procedure: str | None = None,
                field_: str | None = None) -> dict[str, Any]:
        t0, t1 = range_ends(date_from, date_to)
        c: dict[str, Any] = dict.fromkeys((
            "received", "carried_over", "new", "new_online", "new_counter", "new_postal", "finished", "early",
            "on_time", "late", "completed", "stopped", "withdrawn", "in_progress", "within_deadline", "overdue",
            "waiting", "returned", "refused", "on_time_766", "with_fees", "paid_online", "electronic",
            "digitised", "reused", "ratings", "satisfied"), 0)
        net_hours: list[float] = []
        for events in self.streams.values():
            f = fold(events, t1)
            if not f.code:  # submitted after t1
                continue
            if units and f.receiving_unit not in units:
                continue
            if procedure and f.procedure_code != procedure or field_ and f.field != field_:
                continue
            if f.refused_at is not None and f.refused_at >= t0:
                c["refused"] += 1
            if f.rated_at is not None and f.rated_at >= t0:
                c["ratings"] += 1
                c["satisfied"] += int(f.rating is not None and f.rating >= 4)
            if f.received_at is None or (f.ended_at is not None and f.ended_at < t0):
                continue  # not in the population
            c["received"] += 1
            if f.received_at < t0:
                c["carried_over"] += 1
            else:
                c["new"] += 1
                c[f"new_{f.channel}"] += 1
                if f.fee_requested:
                    c["with_fees"] += 1
                    c["paid_online"] += int(f.paid_online is True)
                c["digitised"] += int(f.documents > 0 and f.digitised == f.documents)
                c["reused"] += int(f.reused > 0)
            if f.ended_at is not None:
                c["finished"] += 1
                grade = outcome(f)
                if grade:
                    c[grade] += 1
                c[f.end_kind or ""] += 1
                if grade != "late" and f.supplement_requests <= 1:
                    c["on_time_766"] += 1
                if f.end_kind == "completed":
                    if f.returned_at is not None:
                        c["returned"] += 1
                    c["electronic"] += int(f.electronic_result is True)
                    net_hours.append(f.net_working_hours or 0.0)
            else:
                c["in_progress"] += 1
                stopped = f.clock_stopped_since
                overdue = f.original_due is not None and (
                    stopped > f.original_due if stopped is not None else t1 > f.original_due)
                if overdue:
                    c["overdue"] += 1
                else:
                    c["within_deadline"] += 1
                    c["on_time_766"] += 1
                c["waiting"] += int(f.status in AWAITING)
        c["net_days"] = sum(net_hours) / 8
        return c
