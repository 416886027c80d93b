"""Working the dossier: consulting other units, extending the deadline, approving the result."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from domain.actor import Actor
from domain.dossier.base import DossierBase, DossierEvent, by
from domain.dossier.rules import (
    check_extension,
    check_flag,
    check_opinion_pending,
    check_reason,
    check_text,
)
from domain.dossier.transitions import Command


class Processing(DossierBase):
    class OpinionRequested(DossierEvent):
        """Consultation with another unit (liên thông); the dossier waits for its answer."""

        to_unit: str
        text: str

        def apply(self, aggregate: Any) -> None:
            super().apply(aggregate)
            cast("DossierBase", aggregate).pending_opinions.append(self.to_unit)

    def request_opinion(self, actor: Actor, at: datetime, *, to_unit: str, text: str) -> None:
        at, status = self._decide(Command.REQUEST_OPINION, actor, at)
        self.trigger_event(
            self.OpinionRequested,
            timestamp=at,
            **by(actor),
            status=status.value,
            to_unit=check_text(to_unit, "to_unit"),
            text=check_text(text, "text"),
        )

    class OpinionGiven(DossierEvent):
        """A consulted unit answered; processing resumes when no opinion is still owed."""

        from_unit: str
        text: str

        def apply(self, aggregate: Any) -> None:
            super().apply(aggregate)
            cast("DossierBase", aggregate).pending_opinions.remove(self.from_unit)

    def give_opinion(self, actor: Actor, at: datetime, *, from_unit: str, text: str) -> None:
        at, status = self._decide(
            Command.GIVE_OPINION,
            actor,
            at,
            opinions_pending_after=len(self.pending_opinions) - 1,
        )
        self.trigger_event(
            self.OpinionGiven,
            timestamp=at,
            **by(actor),
            status=status.value,
            from_unit=check_opinion_pending(from_unit, self.pending_opinions),
            text=check_text(text, "text"),
        )

    class DeadlineExtended(DossierEvent):
        """Apology letter (form 04): a later appointment for the applicant.

        Moves `due` only: lateness is still judged against `original_due`.
        """

        previous_due: datetime
        due: datetime
        reason: str

        def apply(self, aggregate: Any) -> None:
            super().apply(aggregate)
            cast("DossierBase", aggregate)._due = self.due

    def extend_deadline(
        self, actor: Actor, at: datetime, *, new_due: datetime, reason: str
    ) -> None:
        at, status = self._decide(Command.EXTEND_DEADLINE, actor, at)
        self.trigger_event(
            self.DeadlineExtended,
            timestamp=at,
            **by(actor),
            status=status.value,
            previous_due=self._due,
            due=check_extension(new_due, self._due),
            reason=check_reason(reason),
        )

    class ResultApproved(DossierEvent):
        """A leader approved and signed the result; `electronic` feeds Decision 766."""

        summary: str
        electronic: bool
        signed_by: str

        def apply(self, aggregate: Any) -> None:
            super().apply(aggregate)
            cast("DossierBase", aggregate).result = {
                "summary": self.summary,
                "electronic": self.electronic,
                "signed_by": self.signed_by,
                "approved_at": self.timestamp,
            }

    def approve_result(
        self, actor: Actor, at: datetime, *, summary: str, electronic: bool, signed_by: str
    ) -> None:
        at, status = self._decide(Command.APPROVE_RESULT, actor, at)
        self.trigger_event(
            self.ResultApproved,
            timestamp=at,
            **by(actor),
            status=status.value,
            summary=check_text(summary, "summary"),
            electronic=check_flag(electronic, "electronic"),
            signed_by=check_text(signed_by, "signed_by"),
        )
