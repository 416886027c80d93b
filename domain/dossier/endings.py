"""How processing ends (stopped, withdrawn, completed) and the result's delivery.

The ending events store `ended_at` and `net_working_hours` (working hours from the clock's
start to the end, minus the waits), computed once with the calendar of the day: statistics
read them as they were, never recomputed after a holiday edit. A dossier that was never
received has no clock, so its `net_working_hours` is None.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from domain.actor import Actor
from domain.calendar import WorkingCalendar
from domain.dossier.base import DossierBase, DossierEvent, by
from domain.dossier.rules import check_flag, check_optional_text, check_reason, check_return_method
from domain.dossier.transitions import Command


class _Ended(DossierEvent):
    """Fields common to the events that end processing."""

    ended_at: datetime
    net_working_hours: float | None

    def apply(self, aggregate: Any) -> None:
        super().apply(aggregate)
        dossier = cast("DossierBase", aggregate)
        dossier._ended_at = self.ended_at
        dossier.net_working_hours = self.net_working_hours
        dossier._clock_stopped_at = None
        dossier._resume_status = None


class Endings(DossierBase):
    def _ending(self, at: datetime, calendar: WorkingCalendar) -> dict[str, Any]:
        return {"ended_at": at, "net_working_hours": self._net_working_hours(at, calendar)}

    class ProcessingStopped(_Ended):
        """Stopped, with reasons (form 05); only a received dossier can be stopped."""

        reason: str

        def apply(self, aggregate: Any) -> None:
            super().apply(aggregate)
            cast("DossierBase", aggregate).end_reason = self.reason

    def stop_processing(
        self, actor: Actor, at: datetime, *, calendar: WorkingCalendar, reason: str
    ) -> None:
        at, status = self._decide(Command.STOP_PROCESSING, actor, at)
        self.trigger_event(
            self.ProcessingStopped,
            timestamp=at,
            **by(actor),
            status=status.value,
            reason=check_reason(reason),
            **self._ending(at, calendar),
        )

    class WithdrawalRequested(DossierEvent):
        """The applicant asks to withdraw (any time until Completed); an officer accepts it.

        The clock is not stopped by the request itself; a wait already running goes on.
        """

        reason: str

        def apply(self, aggregate: Any) -> None:
            super().apply(aggregate)
            cast("DossierBase", aggregate).end_reason = self.reason

    def request_withdrawal(self, actor: Actor, at: datetime, *, reason: str) -> None:
        at, status = self._decide(Command.REQUEST_WITHDRAWAL, actor, at)
        self.trigger_event(
            self.WithdrawalRequested,
            timestamp=at,
            **by(actor),
            status=status.value,
            reason=check_reason(reason),
        )

    class Withdrawn(_Ended):
        """Withdrawal accepted by an officer: final."""

        note: str

    def accept_withdrawal(
        self, actor: Actor, at: datetime, *, calendar: WorkingCalendar, note: str = ""
    ) -> None:
        at, status = self._decide(Command.ACCEPT_WITHDRAWAL, actor, at)
        self.trigger_event(
            self.Withdrawn,
            timestamp=at,
            **by(actor),
            status=status.value,
            note=check_optional_text(note, "note"),
            **self._ending(at, calendar),
        )

    class Completed(_Ended):
        """Result ready at the one-stop desk; `electronic_result` feeds Decision 766."""

        electronic_result: bool

        def apply(self, aggregate: Any) -> None:
            super().apply(aggregate)
            cast("DossierBase", aggregate).electronic_result = self.electronic_result

    def complete(
        self, actor: Actor, at: datetime, *, calendar: WorkingCalendar, electronic_result: bool
    ) -> None:
        at, status = self._decide(Command.COMPLETE, actor, at)
        self.trigger_event(
            self.Completed,
            timestamp=at,
            **by(actor),
            status=status.value,
            electronic_result=check_flag(electronic_result, "electronic_result"),
            **self._ending(at, calendar),
        )

    class ResultReturned(DossierEvent):
        """The result reached the applicant: at the counter, by post or online."""

        method: str

        def apply(self, aggregate: Any) -> None:
            super().apply(aggregate)
            dossier = cast("DossierBase", aggregate)
            dossier.returned_at = self.timestamp
            dossier.return_method = self.method

    def return_result(self, actor: Actor, at: datetime, *, method: str) -> None:
        at, status = self._decide(Command.RETURN_RESULT, actor, at)
        self.trigger_event(
            self.ResultReturned,
            timestamp=at,
            **by(actor),
            status=status.value,
            method=check_return_method(method),
        )
