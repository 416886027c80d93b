"""The dossier's transition table, as data.

One row per local status: the commands allowed in it and the status each leads to. A pair
missing from the table is refused with `TransitionNotAllowed`; the aggregate consults nothing
else to decide *whether* a command may run in a status (data checks come after). Two targets
depend on the dossier's memory rather than on the status alone, so they are sentinels:
`RESUME` (back to the status the wait interrupted) and `AFTER_OPINION` (still consulting while
other units owe an opinion, otherwise processing).

Decisions the law leaves open, taken here:
- waits do not overlap: no supplement or fee request while already waiting for the applicant;
- receive only from `submitted` (answer the counter's supplement/fee request first);
  a dossier still waiting at reception may be refused instead;
- opinions, extensions and approval need a hand-over first (status `processing`);
- complete only after the result is approved (signed);
- hand-overs continue while consulting and after approval (the signed result travels back to
  the one-stop desk), not after completion;
- refused, withdrawn, stopped and returned are final: no messages or documents; the only
  thing a returned dossier still accepts is its rating (once, also allowed when completed).
"""

from __future__ import annotations

from enum import StrEnum
from types import MappingProxyType

from domain.actor import OFFICER_ROLES, Role
from domain.dossier.errors import TransitionNotAllowed
from domain.dossier.status import LocalStatus


class Command(StrEnum):
    """Every state-changing command after submission; values are the `Dossier` method names."""

    RECEIVE = "receive"
    REFUSE_RECEPTION = "refuse_reception"
    HAND_OVER = "hand_over"
    REQUEST_SUPPLEMENT = "request_supplement"
    SUPPLEMENT = "supplement"
    REQUEST_FINANCIAL_OBLIGATION = "request_financial_obligation"
    PAY_FEE = "pay_fee"
    REQUEST_OPINION = "request_opinion"
    GIVE_OPINION = "give_opinion"
    EXTEND_DEADLINE = "extend_deadline"
    APPROVE_RESULT = "approve_result"
    STOP_PROCESSING = "stop_processing"
    REQUEST_WITHDRAWAL = "request_withdrawal"
    ACCEPT_WITHDRAWAL = "accept_withdrawal"
    COMPLETE = "complete"
    RETURN_RESULT = "return_result"
    POST_MESSAGE = "post_message"
    ATTACH_DOCUMENT = "attach_document"
    RATE = "rate"


class Target(StrEnum):
    """Next statuses that depend on the dossier's memory, not on the row alone."""

    RESUME = "resume"
    AFTER_OPINION = "after_opinion"


Next = LocalStatus | Target

S = LocalStatus
C = Command

# Commands every open dossier accepts, leaving its status as it is.
_EXCHANGES = (C.POST_MESSAGE, C.ATTACH_DOCUMENT)


def _row(status: LocalStatus, moves: dict[Command, Next]) -> dict[Command, Next]:
    """A row: the given moves plus the exchanges, which keep the status."""
    return {**moves, **{command: status for command in _EXCHANGES}}


_ROWS: dict[LocalStatus, dict[Command, Next]] = {
    S.SUBMITTED: _row(S.SUBMITTED, {
        C.RECEIVE: S.RECEIVED,
        C.REFUSE_RECEPTION: S.REFUSED,
        C.REQUEST_SUPPLEMENT: S.AWAITING_SUPPLEMENT_AT_RECEPTION,
        C.REQUEST_FINANCIAL_OBLIGATION: S.AWAITING_PAYMENT_AT_RECEPTION,
        C.REQUEST_WITHDRAWAL: S.WITHDRAWAL_REQUESTED,
    }),
    S.AWAITING_SUPPLEMENT_AT_RECEPTION: _row(S.AWAITING_SUPPLEMENT_AT_RECEPTION, {
        C.SUPPLEMENT: Target.RESUME,
        C.REFUSE_RECEPTION: S.REFUSED,
        C.REQUEST_WITHDRAWAL: S.WITHDRAWAL_REQUESTED,
    }),
    S.AWAITING_PAYMENT_AT_RECEPTION: _row(S.AWAITING_PAYMENT_AT_RECEPTION, {
        C.PAY_FEE: Target.RESUME,
        C.REFUSE_RECEPTION: S.REFUSED,
        C.REQUEST_WITHDRAWAL: S.WITHDRAWAL_REQUESTED,
    }),
    S.RECEIVED: _row(S.RECEIVED, {
        C.HAND_OVER: S.PROCESSING,
        C.REQUEST_SUPPLEMENT: S.AWAITING_SUPPLEMENT,
        C.REQUEST_FINANCIAL_OBLIGATION: S.AWAITING_PAYMENT,
        C.STOP_PROCESSING: S.STOPPED,
        C.REQUEST_WITHDRAWAL: S.WITHDRAWAL_REQUESTED,
    }),
    S.PROCESSING: _row(S.PROCESSING, {
        C.HAND_OVER: S.PROCESSING,
        C.REQUEST_SUPPLEMENT: S.AWAITING_SUPPLEMENT,
        C.REQUEST_FINANCIAL_OBLIGATION: S.AWAITING_PAYMENT,
        C.REQUEST_OPINION: S.CONSULTING,
        C.EXTEND_DEADLINE: S.PROCESSING,
        C.APPROVE_RESULT: S.APPROVED,
        C.STOP_PROCESSING: S.STOPPED,
        C.REQUEST_WITHDRAWAL: S.WITHDRAWAL_REQUESTED,
    }),
    S.CONSULTING: _row(S.CONSULTING, {
        C.HAND_OVER: S.CONSULTING,
        C.REQUEST_SUPPLEMENT: S.AWAITING_SUPPLEMENT,
        C.REQUEST_FINANCIAL_OBLIGATION: S.AWAITING_PAYMENT,
        C.REQUEST_OPINION: S.CONSULTING,
        C.GIVE_OPINION: Target.AFTER_OPINION,
        C.EXTEND_DEADLINE: S.CONSULTING,
        C.STOP_PROCESSING: S.STOPPED,
        C.REQUEST_WITHDRAWAL: S.WITHDRAWAL_REQUESTED,
    }),
    S.APPROVED: _row(S.APPROVED, {
        C.HAND_OVER: S.APPROVED,
        C.REQUEST_FINANCIAL_OBLIGATION: S.AWAITING_PAYMENT,
        C.EXTEND_DEADLINE: S.APPROVED,
        C.COMPLETE: S.COMPLETED,
        C.STOP_PROCESSING: S.STOPPED,
        C.REQUEST_WITHDRAWAL: S.WITHDRAWAL_REQUESTED,
    }),
    S.AWAITING_SUPPLEMENT: _row(S.AWAITING_SUPPLEMENT, {
        C.SUPPLEMENT: Target.RESUME,
        C.STOP_PROCESSING: S.STOPPED,
        C.REQUEST_WITHDRAWAL: S.WITHDRAWAL_REQUESTED,
    }),
    S.AWAITING_PAYMENT: _row(S.AWAITING_PAYMENT, {
        C.PAY_FEE: Target.RESUME,
        C.STOP_PROCESSING: S.STOPPED,
        C.REQUEST_WITHDRAWAL: S.WITHDRAWAL_REQUESTED,
    }),
    S.WITHDRAWAL_REQUESTED: _row(S.WITHDRAWAL_REQUESTED, {
        C.ACCEPT_WITHDRAWAL: S.WITHDRAWN,
    }),
    S.COMPLETED: _row(S.COMPLETED, {
        C.RETURN_RESULT: S.RETURNED,
        C.RATE: S.COMPLETED,
    }),
    S.RETURNED: {C.RATE: S.RETURNED},
    S.REFUSED: {},
    S.WITHDRAWN: {},
    S.STOPPED: {},
}

TABLE: MappingProxyType[LocalStatus, MappingProxyType[Command, Next]] = MappingProxyType(
    {status: MappingProxyType(row) for status, row in _ROWS.items()}
)

#: The event each command records (exactly one per command).
EVENT_OF: MappingProxyType[Command, str] = MappingProxyType(
    {
        C.RECEIVE: "Received",
        C.REFUSE_RECEPTION: "ReceptionRefused",
        C.HAND_OVER: "HandedOver",
        C.REQUEST_SUPPLEMENT: "SupplementRequested",
        C.SUPPLEMENT: "Supplemented",
        C.REQUEST_FINANCIAL_OBLIGATION: "FinancialObligationRequested",
        C.PAY_FEE: "FeePaid",
        C.REQUEST_OPINION: "OpinionRequested",
        C.GIVE_OPINION: "OpinionGiven",
        C.EXTEND_DEADLINE: "DeadlineExtended",
        C.APPROVE_RESULT: "ResultApproved",
        C.STOP_PROCESSING: "ProcessingStopped",
        C.REQUEST_WITHDRAWAL: "WithdrawalRequested",
        C.ACCEPT_WITHDRAWAL: "Withdrawn",
        C.COMPLETE: "Completed",
        C.RETURN_RESULT: "ResultReturned",
        C.POST_MESSAGE: "MessagePosted",
        C.ATTACH_DOCUMENT: "DocumentAttached",
        C.RATE: "Rated",
    }
)

_OFFICERS = frozenset(OFFICER_ROLES)
# The applicant, or a one-stop officer acting for them at the counter.
_APPLICANT_SIDE = frozenset({Role.CITIZEN, Role.RECEPTION_OFFICER})

#: Who may issue each command, by role only (units and ownership are the API policy's job).
SUBMIT_ROLES = frozenset({Role.CITIZEN, Role.RECEPTION_OFFICER, Role.SYSTEM})
ROLES_OF: MappingProxyType[Command, frozenset[Role]] = MappingProxyType(
    {
        C.RECEIVE: _OFFICERS,
        C.REFUSE_RECEPTION: _OFFICERS,
        C.HAND_OVER: _OFFICERS,
        C.REQUEST_SUPPLEMENT: _OFFICERS,
        C.SUPPLEMENT: _APPLICANT_SIDE,
        C.REQUEST_FINANCIAL_OBLIGATION: _OFFICERS | {Role.SYSTEM},
        C.PAY_FEE: _APPLICANT_SIDE | {Role.SYSTEM},
        C.REQUEST_OPINION: _OFFICERS,
        C.GIVE_OPINION: _OFFICERS,
        C.EXTEND_DEADLINE: _OFFICERS,
        C.APPROVE_RESULT: frozenset({Role.UNIT_LEADER}),
        C.STOP_PROCESSING: _OFFICERS,
        C.REQUEST_WITHDRAWAL: _APPLICANT_SIDE,
        C.ACCEPT_WITHDRAWAL: _OFFICERS,
        C.COMPLETE: _OFFICERS,
        C.RETURN_RESULT: _OFFICERS | {Role.SYSTEM},
        C.POST_MESSAGE: _OFFICERS | {Role.CITIZEN},
        C.ATTACH_DOCUMENT: _OFFICERS | {Role.CITIZEN, Role.SYSTEM},
        C.RATE: _APPLICANT_SIDE,
    }
)


def allowed_commands(status: LocalStatus) -> frozenset[Command]:
    """What the API may offer on a dossier in `status` (before role and data checks)."""
    return frozenset(TABLE[status])


def next_status(
    status: LocalStatus,
    command: Command,
    *,
    resume_to: LocalStatus | None = None,
    opinions_pending_after: int = 0,
) -> LocalStatus:
    """The status `command` leads to from `status`, or `TransitionNotAllowed`.

    `resume_to` answers `RESUME`; `opinions_pending_after` (opinions still owed once this
    command is done) answers `AFTER_OPINION`.
    """
    try:
        target = TABLE[status][command]
    except KeyError:
        raise TransitionNotAllowed(status.value, command.value) from None
    if target is Target.RESUME:
        if resume_to is None:  # pragma: no cover - a wait always records where it came from
            raise TransitionNotAllowed(status.value, command.value)
        return resume_to
    if target is Target.AFTER_OPINION:
        return S.CONSULTING if opinions_pending_after > 0 else S.PROCESSING
    return target
