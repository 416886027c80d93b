"""The dossier's state, its read properties and the helpers its command mixins share.

`Dossier` is assembled from mixins (reception, waits, processing, endings, exchanges) so each
module stays small while every event still sits beside the command that triggers it. They all
build on `DossierBase`, which owns the state fields, the one gate every command passes
(`_decide`: role, transition table, instant), and the clock arithmetic shared by the waits and
the ending events.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

from eventsourcing.domain import Aggregate

from domain.actor import Actor, Role
from domain.calendar import TimeUnit, WorkingCalendar
from domain.dossier.rules import check_in_order, check_instant, check_role
from domain.dossier.slip import grade
from domain.dossier.status import AWAITING_STATUSES, LocalStatus, Outcome
from domain.dossier.transitions import ROLES_OF, Command, allowed_commands, next_status

_ZERO = timedelta(0)

if TYPE_CHECKING:  # the mixins are plain classes at run time; only `Dossier` is an Aggregate
    _Base = Aggregate
else:
    _Base = object


class DossierEvent(Aggregate.Event):
    """Base of every dossier event: who acted, and the local status after the event.

    The status is recorded, not recomputed, so a replay (or a projection) shows what was
    decided at the time even if the transition table changes later.
    """

    actor_id: str
    actor_role: str
    actor_unit: str | None
    status: str

    def apply(self, aggregate: Any) -> None:
        cast("DossierBase", aggregate)._status = LocalStatus(self.status)


def by(actor: Actor) -> dict[str, Any]:
    """The actor as the primitive event fields every dossier event carries."""
    return {
        "actor_id": actor.id,
        "actor_role": Role(actor.role).value,
        "actor_unit": actor.unit,
    }


@dataclass(frozen=True)
class HandOver:
    """One row of the processing-control slip (phiếu kiểm soát quá trình giải quyết)."""

    at: datetime
    from_actor_id: str
    from_role: str
    from_unit: str | None
    to_unit: str
    to_officer: str | None
    step_index: int | None
    note: str


class DossierBase(_Base):
    """State fields and read properties; set only by event `apply` methods."""

    def __init__(self) -> None:
        self._status = LocalStatus.SUBMITTED
        # Pinned at submission (see Dossier.Submitted).
        self.code = ""
        self.procedure_code = ""
        self.procedure_version = 0
        self.procedure_name = ""
        self.field = ""
        self.receiving_unit = ""
        self.channel = ""
        self.applicant: dict[str, Any] = {}
        self.applicant_key = ""
        self.representative: dict[str, Any] | None = None
        self.form: dict[str, Any] = {}
        self.lookup_secret_hmac = ""
        self.processing_time_value = 0
        self.processing_time_unit = ""
        self.fee_stops_clock = False
        self.steps: list[dict[str, Any]] = []
        # The clock.
        self.received_at: datetime | None = None
        self._start: datetime | None = None
        self._due: datetime | None = None
        self._original_due: datetime | None = None
        self._clock_stopped_at: datetime | None = None
        self._waits_working_seconds = 0
        # Waits for the applicant.
        self._resume_status: LocalStatus | None = None
        self._supplement_requests = 0
        self.requested_items: list[str] = []
        self.requested_amount: int | None = None
        self.paid_online: bool | None = None
        # Processing.
        self._hand_overs: list[HandOver] = []
        self.current_unit: str | None = None
        self.current_officer: str | None = None
        self.pending_opinions: list[str] = []
        self.result: dict[str, Any] | None = None
        # Endings.
        self.refused_at: datetime | None = None
        self._ended_at: datetime | None = None
        self.net_working_hours: float | None = None
        self.end_reason = ""
        self.electronic_result: bool | None = None
        self.returned_at: datetime | None = None
        self.return_method: str | None = None
        # Exchanges.
        self.messages: list[dict[str, Any]] = []
        self.documents: list[dict[str, Any]] = []
        self.rating: int | None = None

    # -- read side ------------------------------------------------------------------------

    @property
    def status(self) -> LocalStatus:
        return self._status

    @property
    def national_status(self) -> int:
        return int(self._status.national)

    @property
    def start(self) -> datetime | None:
        """Where the clock started (reception, or the next working period)."""
        return self._start

    @property
    def due(self) -> datetime | None:
        """The appointment shown to the applicant (moved by waits and extensions)."""
        return self._due

    @property
    def original_due(self) -> datetime | None:
        """The wait-adjusted original due instant that lateness is judged against."""
        return self._original_due

    @property
    def is_waiting(self) -> bool:
        """Waiting for the applicant (documents or money), before or after reception."""
        return self._status in AWAITING_STATUSES

    @property
    def clock_stopped(self) -> bool:
        """A wait for the applicant is stopping the processing clock right now."""
        return self._clock_stopped_at is not None

    @property
    def supplement_requests(self) -> int:
        """Every request counts; Decision 766 counts more than one as late."""
        return self._supplement_requests

    @property
    def ended_at(self) -> datetime | None:
        """End of processing: Completed, ProcessingStopped or Withdrawn (not refusal)."""
        return self._ended_at

    @property
    def is_final(self) -> bool:
        return self._status.is_final

    @property
    def hand_overs(self) -> tuple[HandOver, ...]:
        return tuple(self._hand_overs)

    @property
    def allowed_commands(self) -> frozenset[Command]:
        return allowed_commands(self._status)

    def outcome(self, calendar: WorkingCalendar) -> Outcome | None:
        """Early / on time / late of a finished, received dossier (DESIGN §3); else None.

        Late when it ended after the wait-adjusted due instant (extensions do not excuse),
        on time when it ended on that instant's local date at or before it, early before.
        """
        if self._ended_at is None or self._original_due is None:
            return None
        return grade(self._ended_at, self._original_due, calendar)

    def on_time_for_decision_766(self, calendar: WorkingCalendar) -> bool | None:
        """Decision 766 also counts a dossier with more than one supplement request as late."""
        outcome = self.outcome(calendar)
        if outcome is None:
            return None
        return outcome is not Outcome.LATE and self._supplement_requests <= 1

    def is_overdue(self, at: datetime) -> bool:
        """An unfinished received dossier past its wait-adjusted due instant (never stored).

        While the clock is stopped the due instant will move by the wait, so only a dossier
        that was already overdue when the wait began counts as overdue.
        """
        if self._original_due is None or self._ended_at is not None or self.is_final:
            return False
        if self._clock_stopped_at is not None:
            return self._clock_stopped_at > self._original_due
        return check_instant(at) > self._original_due

    # -- helpers for the command mixins -----------------------------------------------------

    def _decide(
        self, command: Command, actor: Actor, at: datetime, *, opinions_pending_after: int = 0
    ) -> tuple[datetime, LocalStatus]:
        """The gate of every command: role, then the transition table, then the instant."""
        check_role(command.value, actor, ROLES_OF[command])
        status = next_status(
            self._status,
            command,
            resume_to=self._resume_status,
            opinions_pending_after=opinions_pending_after,
        )
        at = check_instant(at)
        check_in_order(at, self.modified_on)
        return at, status

    def _resume_clock(self, at: datetime, calendar: WorkingCalendar) -> dict[str, Any]:
        """Event fields for the end of a wait: the counted wait and the moved due instants.

        Only the part of the wait after the clock's start counts (a request made the evening
        a dossier was received, after the cut-off, costs nothing before the next morning).
        """
        fields: dict[str, Any] = {
            "wait_seconds": None,
            "wait_working_seconds": None,
            "previous_due": self._due,
            "due": self._due,
            "original_due": self._original_due,
        }
        if self._clock_stopped_at is None:
            return fields
        assert self._start and self._due and self._original_due
        wait_start = max(self._clock_stopped_at, self._start)
        if at <= wait_start:
            return {**fields, "wait_seconds": 0, "wait_working_seconds": 0}
        unit = TimeUnit(self.processing_time_unit)
        due, counted = calendar.delay_for_wait(self._due, wait_start, at, unit)
        original_due, _ = calendar.delay_for_wait(self._original_due, wait_start, at, unit)
        working = calendar.working_time_between(wait_start, at)
        return {
            **fields,
            "wait_seconds": int(counted.total_seconds()),
            "wait_working_seconds": int(working.total_seconds()),
            "due": due,
            "original_due": original_due,
        }

    def _net_working_hours(self, end: datetime, calendar: WorkingCalendar) -> float | None:
        """Working hours from start to `end` minus the waits; None if never received."""
        if self._start is None:
            return None
        gross = calendar.working_time_between(self._start, end)
        waits = timedelta(seconds=self._waits_working_seconds)
        if self._clock_stopped_at is not None:
            waits += calendar.working_time_between(max(self._clock_stopped_at, self._start), end)
        net = max(gross - waits, _ZERO)
        return round(net.total_seconds() / 3600, 6)
