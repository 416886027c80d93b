"""At the one-stop desk: receiving (form 01) or refusing (form 03), and handing over.

Reception is where the clock starts: the appointment instant is computed once, from the
processing time pinned at submission, and stored, so later calendar edits never move it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from domain.actor import Actor
from domain.calendar import ProcessingTime, TimeUnit, WorkingCalendar
from domain.dossier.base import DossierBase, DossierEvent, HandOver, by
from domain.dossier.rules import check_optional_text, check_reason, check_step_index, check_text
from domain.dossier.transitions import Command


class Reception(DossierBase):
    class Received(DossierEvent):
        """Accepted at the desk; `timestamp` is the reception instant.

        `due` is the appointment printed on the receipt; `original_due` starts equal and is
        what lateness is judged against (waits move both, extensions only `due`).
        """

        start: datetime
        due: datetime
        original_due: datetime

        def apply(self, aggregate: Any) -> None:
            super().apply(aggregate)
            dossier = cast("DossierBase", aggregate)
            dossier.received_at = self.timestamp
            dossier._start = self.start
            dossier._due = self.due
            dossier._original_due = self.original_due
            dossier.current_unit = self.actor_unit

    def receive(self, actor: Actor, at: datetime, calendar: WorkingCalendar) -> None:
        """Receive the dossier and issue its appointment instant."""
        at, status = self._decide(Command.RECEIVE, actor, at)
        processing_time = ProcessingTime(
            self.processing_time_value, TimeUnit(self.processing_time_unit)
        )
        due = calendar.due_instant(at, processing_time)
        self.trigger_event(
            self.Received,
            timestamp=at,
            **by(actor),
            status=status.value,
            start=calendar.processing_start(at),
            due=due,
            original_due=due,
        )

    class ReceptionRefused(DossierEvent):
        """Refused at reception (form 03); the code stays taken, no clock ever ran."""

        reason: str

        def apply(self, aggregate: Any) -> None:
            super().apply(aggregate)
            dossier = cast("DossierBase", aggregate)
            dossier.refused_at = self.timestamp
            dossier.end_reason = self.reason
            dossier._resume_status = None

    def refuse_reception(self, actor: Actor, at: datetime, *, reason: str) -> None:
        at, status = self._decide(Command.REFUSE_RECEPTION, actor, at)
        self.trigger_event(
            self.ReceptionRefused,
            timestamp=at,
            **by(actor),
            status=status.value,
            reason=check_reason(reason),
        )

    class HandedOver(DossierEvent):
        """Moved to a unit/officer: one row of the processing slip.

        `step_index` points into the pinned internal process (`Submitted.steps`), so the
        slip can grade the step against its allotted hours.
        """

        to_unit: str
        to_officer: str | None
        step_index: int | None
        note: str

        def apply(self, aggregate: Any) -> None:
            super().apply(aggregate)
            dossier = cast("DossierBase", aggregate)
            dossier._hand_overs.append(
                HandOver(
                    at=self.timestamp,
                    from_actor_id=self.actor_id,
                    from_role=self.actor_role,
                    from_unit=self.actor_unit,
                    to_unit=self.to_unit,
                    to_officer=self.to_officer,
                    step_index=self.step_index,
                    note=self.note,
                )
            )
            dossier.current_unit = self.to_unit
            dossier.current_officer = self.to_officer

    def hand_over(
        self,
        actor: Actor,
        at: datetime,
        *,
        to_unit: str,
        to_officer: str | None = None,
        step_index: int | None = None,
        note: str = "",
    ) -> None:
        at, status = self._decide(Command.HAND_OVER, actor, at)
        self.trigger_event(
            self.HandedOver,
            timestamp=at,
            **by(actor),
            status=status.value,
            to_unit=check_text(to_unit, "to_unit"),
            to_officer=check_optional_text(to_officer, "to_officer") or None,
            step_index=check_step_index(step_index, self.steps),
            note=check_optional_text(note, "note"),
        )
