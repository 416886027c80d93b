"""Waiting for the applicant: supplements (form 02) and financial obligations.

A wait interrupts whatever status the dossier was in and returns to it when the applicant
answers (`resume_status`). After reception a supplement request always stops the clock and a
fee request stops it when the procedure says so (`fee_stops_clock`). When the clock resumes,
the due instants move by the wait as the calendar counts it for the pinned unit, and the event
records both the move and the office time the wait swallowed, so net processing time can be
computed without a calendar at replay.

Field conventions of the resuming events (`Supplemented`, `FeePaid`):
`wait_seconds` is the counted wait that moved the due instants (working time for working-time
units, whole calendar days for calendar-day units); `wait_working_seconds` is the office time
inside the wait, subtracted from net processing time; both are None when no clock was stopped.
`previous_due`, `due` and `original_due` are the instants before and after (None if the
dossier was never received).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from domain.actor import Actor
from domain.calendar import WorkingCalendar
from domain.dossier.base import DossierBase, DossierEvent, by
from domain.dossier.rules import (
    check_amount,
    check_flag,
    check_items,
    check_optional_text,
    check_payment,
    check_reason,
    check_strings,
    check_text,
)
from domain.dossier.status import LocalStatus
from domain.dossier.transitions import Command


def _resume(dossier: DossierBase, event: _Resumed) -> None:
    """Shared effect of the events that end a wait."""
    dossier._due = event.due
    dossier._original_due = event.original_due
    dossier._waits_working_seconds += event.wait_working_seconds or 0
    dossier._clock_stopped_at = None
    dossier._resume_status = None


class _Resumed(DossierEvent):
    """Fields common to the events that end a wait (see the module docstring)."""

    wait_seconds: int | None
    wait_working_seconds: int | None
    previous_due: datetime | None
    due: datetime | None
    original_due: datetime | None


class Waits(DossierBase):
    class SupplementRequested(DossierEvent):
        """More documents needed (form 02): the list, the reasons, and the clock."""

        items: list[str]
        reason: str
        stops_clock: bool
        resume_status: str

        def apply(self, aggregate: Any) -> None:
            super().apply(aggregate)
            dossier = cast("DossierBase", aggregate)
            dossier._supplement_requests += 1
            dossier.requested_items = list(self.items)
            dossier._resume_status = LocalStatus(self.resume_status)
            if self.stops_clock:
                dossier._clock_stopped_at = self.timestamp

    def request_supplement(
        self, actor: Actor, at: datetime, *, items: Sequence[str], reason: str
    ) -> None:
        at, status = self._decide(Command.REQUEST_SUPPLEMENT, actor, at)
        self.trigger_event(
            self.SupplementRequested,
            timestamp=at,
            **by(actor),
            status=status.value,
            items=check_items(items),
            reason=check_reason(reason),
            stops_clock=self.received_at is not None,
            resume_status=self._status.value,
        )

    class Supplemented(_Resumed):
        """The applicant supplied what was asked; the clock resumes."""

        documents: list[str]
        note: str

        def apply(self, aggregate: Any) -> None:
            super().apply(aggregate)
            dossier = cast("DossierBase", aggregate)
            _resume(dossier, self)
            dossier.requested_items = []

    def supplement(
        self,
        actor: Actor,
        at: datetime,
        *,
        calendar: WorkingCalendar,
        documents: Sequence[str] = (),
        note: str = "",
    ) -> None:
        """`documents` names what was supplied (the files arrive as DocumentAttached)."""
        at, status = self._decide(Command.SUPPLEMENT, actor, at)
        self.trigger_event(
            self.Supplemented,
            timestamp=at,
            **by(actor),
            status=status.value,
            documents=check_strings(documents, "documents"),
            note=check_optional_text(note, "note"),
            **self._resume_clock(at, calendar),
        )

    class FinancialObligationRequested(DossierEvent):
        """Fees, charges or taxes to pay (whole VND); the clock stops if the procedure says."""

        amount: int
        items: list[str]
        note: str
        stops_clock: bool
        resume_status: str

        def apply(self, aggregate: Any) -> None:
            super().apply(aggregate)
            dossier = cast("DossierBase", aggregate)
            dossier.requested_amount = self.amount
            dossier.requested_items = list(self.items)
            dossier._resume_status = LocalStatus(self.resume_status)
            if self.stops_clock:
                dossier._clock_stopped_at = self.timestamp

    def request_financial_obligation(
        self, actor: Actor, at: datetime, *, amount: int, items: Sequence[str], note: str = ""
    ) -> None:
        at, status = self._decide(Command.REQUEST_FINANCIAL_OBLIGATION, actor, at)
        self.trigger_event(
            self.FinancialObligationRequested,
            timestamp=at,
            **by(actor),
            status=status.value,
            amount=check_amount(amount),
            items=check_items(items),
            note=check_optional_text(note, "note"),
            stops_clock=self.fee_stops_clock and self.received_at is not None,
            resume_status=self._status.value,
        )

    class FeePaid(_Resumed):
        """Paid (online or not, for Decision 766); the clock resumes if it was stopped."""

        amount: int
        paid_online: bool
        receipt_ref: str

        def apply(self, aggregate: Any) -> None:
            super().apply(aggregate)
            dossier = cast("DossierBase", aggregate)
            _resume(dossier, self)
            dossier.paid_online = self.paid_online
            dossier.requested_amount = None
            dossier.requested_items = []

    def pay_fee(
        self,
        actor: Actor,
        at: datetime,
        *,
        calendar: WorkingCalendar,
        amount: int,
        paid_online: bool,
        receipt_ref: str,
    ) -> None:
        at, status = self._decide(Command.PAY_FEE, actor, at)
        self.trigger_event(
            self.FeePaid,
            timestamp=at,
            **by(actor),
            status=status.value,
            amount=check_payment(amount, self.requested_amount),
            paid_online=check_flag(paid_online, "paid_online"),
            receipt_ref=check_text(receipt_ref, "receipt_ref"),
            **self._resume_clock(at, calendar),
        )
