"""Every (local status, command) pair: its event and next status, or a named refusal.

The expectations below are written out by hand, independently of `TABLE`, so a typo in the
table (or here) fails a test instead of silently agreeing with itself.
"""

from __future__ import annotations

import inspect
from datetime import datetime
from uuid import UUID

import pytest

from domain.actor import Role
from domain.dossier import (
    EVENT_OF,
    NATIONAL_CODE,
    ROLES_OF,
    TABLE,
    Command,
    Dossier,
    LocalStatus,
    RoleNotAllowed,
    Target,
    TransitionNotAllowed,
    allowed_commands,
)
from tests.unit.dossier_fixtures import (
    AUDITOR,
    ISSUERS,
    ROUTES,
    Clock,
    dossier_in,
    memory_app,
    names,
)

S = LocalStatus
C = Command

# Exchanges keep the status; written out per status on purpose.
MSG = {C.POST_MESSAGE: None, C.ATTACH_DOCUMENT: None}

#: status -> {command: expected next status (None = unchanged)}; absent = refused.
EXPECTED: dict[LocalStatus, dict[Command, LocalStatus | None]] = {
    S.SUBMITTED: {
        C.RECEIVE: S.RECEIVED,
        C.REFUSE_RECEPTION: S.REFUSED,
        C.REQUEST_SUPPLEMENT: S.AWAITING_SUPPLEMENT_AT_RECEPTION,
        C.REQUEST_FINANCIAL_OBLIGATION: S.AWAITING_PAYMENT_AT_RECEPTION,
        C.REQUEST_WITHDRAWAL: S.WITHDRAWAL_REQUESTED,
        **MSG,
    },
    S.AWAITING_SUPPLEMENT_AT_RECEPTION: {
        C.SUPPLEMENT: S.SUBMITTED,
        C.REFUSE_RECEPTION: S.REFUSED,
        C.REQUEST_WITHDRAWAL: S.WITHDRAWAL_REQUESTED,
        **MSG,
    },
    S.AWAITING_PAYMENT_AT_RECEPTION: {
        C.PAY_FEE: S.SUBMITTED,
        C.REFUSE_RECEPTION: S.REFUSED,
        C.REQUEST_WITHDRAWAL: S.WITHDRAWAL_REQUESTED,
        **MSG,
    },
    S.REFUSED: {},
    S.RECEIVED: {
        C.HAND_OVER: S.PROCESSING,
        C.REQUEST_SUPPLEMENT: S.AWAITING_SUPPLEMENT,
        C.REQUEST_FINANCIAL_OBLIGATION: S.AWAITING_PAYMENT,
        C.STOP_PROCESSING: S.STOPPED,
        C.REQUEST_WITHDRAWAL: S.WITHDRAWAL_REQUESTED,
        **MSG,
    },
    S.PROCESSING: {
        C.HAND_OVER: None,
        C.REQUEST_SUPPLEMENT: S.AWAITING_SUPPLEMENT,
        C.REQUEST_FINANCIAL_OBLIGATION: S.AWAITING_PAYMENT,
        C.REQUEST_OPINION: S.CONSULTING,
        C.EXTEND_DEADLINE: None,
        C.APPROVE_RESULT: S.APPROVED,
        C.STOP_PROCESSING: S.STOPPED,
        C.REQUEST_WITHDRAWAL: S.WITHDRAWAL_REQUESTED,
        **MSG,
    },
    S.CONSULTING: {
        C.HAND_OVER: None,
        C.REQUEST_SUPPLEMENT: S.AWAITING_SUPPLEMENT,
        C.REQUEST_FINANCIAL_OBLIGATION: S.AWAITING_PAYMENT,
        C.REQUEST_OPINION: None,
        C.GIVE_OPINION: S.PROCESSING,  # the only opinion owed has come in
        C.EXTEND_DEADLINE: None,
        C.STOP_PROCESSING: S.STOPPED,
        C.REQUEST_WITHDRAWAL: S.WITHDRAWAL_REQUESTED,
        **MSG,
    },
    S.APPROVED: {
        C.HAND_OVER: None,
        C.REQUEST_FINANCIAL_OBLIGATION: S.AWAITING_PAYMENT,
        C.EXTEND_DEADLINE: None,
        C.COMPLETE: S.COMPLETED,
        C.STOP_PROCESSING: S.STOPPED,
        C.REQUEST_WITHDRAWAL: S.WITHDRAWAL_REQUESTED,
        **MSG,
    },
    S.AWAITING_SUPPLEMENT: {
        C.SUPPLEMENT: S.PROCESSING,
        C.STOP_PROCESSING: S.STOPPED,
        C.REQUEST_WITHDRAWAL: S.WITHDRAWAL_REQUESTED,
        **MSG,
    },
    S.AWAITING_PAYMENT: {
        C.PAY_FEE: S.PROCESSING,
        C.STOP_PROCESSING: S.STOPPED,
        C.REQUEST_WITHDRAWAL: S.WITHDRAWAL_REQUESTED,
        **MSG,
    },
    S.WITHDRAWAL_REQUESTED: {C.ACCEPT_WITHDRAWAL: S.WITHDRAWN, **MSG},
    S.WITHDRAWN: {},
    S.STOPPED: {},
    S.COMPLETED: {C.RETURN_RESULT: S.RETURNED, C.RATE: None, **MSG},
    S.RETURNED: {C.RATE: None},
}

EXPECTED_EVENT = {
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

EXPECTED_NATIONAL = {
    S.SUBMITTED: 1, S.AWAITING_SUPPLEMENT_AT_RECEPTION: 5, S.AWAITING_PAYMENT_AT_RECEPTION: 6,
    S.REFUSED: 3, S.RECEIVED: 2, S.PROCESSING: 4, S.CONSULTING: 4, S.APPROVED: 4,
    S.AWAITING_SUPPLEMENT: 5, S.AWAITING_PAYMENT: 6, S.WITHDRAWAL_REQUESTED: 7,
    S.WITHDRAWN: 7, S.STOPPED: 8, S.COMPLETED: 9, S.RETURNED: 10,
}

ALL_PAIRS = [(status, command) for status in LocalStatus for command in Command]


@pytest.mark.parametrize(
    ("status", "command"), ALL_PAIRS, ids=[f"{s.value}-{c.value}" for s, c in ALL_PAIRS]
)
def test_every_status_and_command_yields_its_event_or_a_named_refusal(
    status: LocalStatus, command: Command
) -> None:
    clock = Clock()
    dossier = dossier_in(status, clock)
    version = dossier.version
    if command in EXPECTED[status]:
        ISSUERS[command](dossier, clock.tick())
        assert names(dossier.collect_events()) == [EXPECTED_EVENT[command]]
        assert dossier.status is (EXPECTED[status][command] or status)
        assert dossier.version == version + 1
    else:
        with pytest.raises(TransitionNotAllowed) as refusal:
            ISSUERS[command](dossier, clock.tick())
        assert (refusal.value.status, refusal.value.command) == (status.value, command.value)
        assert refusal.value.code == "transition-not-allowed"
        assert dossier.collect_events() == []
        assert dossier.version == version


@pytest.mark.parametrize("command", list(Command), ids=[c.value for c in Command])
def test_every_event_round_trips_through_the_json_transcoder_and_replays_to_the_same_state(
    command: Command,
) -> None:
    clock = Clock()
    dossier = dossier_in(_status_allowing(command), clock, keep_events=True)
    ISSUERS[command](dossier, clock.tick())
    recorded = list(dossier.pending_events)
    app = memory_app()
    app.save(dossier)
    assert list(app.repository.event_store.get(dossier.id)) == recorded
    assert app.repository.get(dossier.id) == dossier
    for event in recorded:
        for name, value in vars(event).items():
            assert _only_primitives(value), (type(event).__name__, name, value)


_PRIMITIVES = (str, int, float, bool, type(None), datetime, UUID)


def _only_primitives(value: object) -> bool:
    """Exact JSON-transcodable types: a StrEnum would compare equal yet not be a plain str."""
    if isinstance(value, dict):
        return all(type(k) is str and _only_primitives(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_only_primitives(v) for v in value)
    return type(value) in _PRIMITIVES


def test_the_table_allows_exactly_the_expected_commands_in_every_status() -> None:
    assert set(TABLE) == set(LocalStatus)
    for status in LocalStatus:
        assert allowed_commands(status) == frozenset(EXPECTED[status]), status


def test_the_table_names_only_statuses_or_memory_dependent_targets() -> None:
    for row in TABLE.values():
        for target in row.values():
            assert isinstance(target, LocalStatus | Target)


def test_each_command_records_the_event_named_in_the_table() -> None:
    assert dict(EVENT_OF) == EXPECTED_EVENT


def test_every_local_status_maps_to_one_of_the_ten_national_codes() -> None:
    assert {status: int(code) for status, code in NATIONAL_CODE.items()} == EXPECTED_NATIONAL
    for status in LocalStatus:
        assert dossier_in(status).national_status == EXPECTED_NATIONAL[status]


def test_only_a_returned_dossier_accepts_anything_among_the_final_statuses() -> None:
    for status in (S.REFUSED, S.WITHDRAWN, S.STOPPED):
        assert allowed_commands(status) == frozenset()
    assert allowed_commands(S.RETURNED) == {C.RATE}


EXPECTED_ROLES = {
    C.RECEIVE: {"reception_officer", "handling_officer", "unit_leader"},
    C.REFUSE_RECEPTION: {"reception_officer", "handling_officer", "unit_leader"},
    C.HAND_OVER: {"reception_officer", "handling_officer", "unit_leader"},
    C.REQUEST_SUPPLEMENT: {"reception_officer", "handling_officer", "unit_leader"},
    C.SUPPLEMENT: {"citizen", "reception_officer"},
    C.REQUEST_FINANCIAL_OBLIGATION: {
        "reception_officer", "handling_officer", "unit_leader", "system"},
    C.PAY_FEE: {"citizen", "reception_officer", "system"},
    C.REQUEST_OPINION: {"reception_officer", "handling_officer", "unit_leader"},
    C.GIVE_OPINION: {"reception_officer", "handling_officer", "unit_leader"},
    C.EXTEND_DEADLINE: {"reception_officer", "handling_officer", "unit_leader"},
    C.APPROVE_RESULT: {"unit_leader"},
    C.STOP_PROCESSING: {"reception_officer", "handling_officer", "unit_leader"},
    C.REQUEST_WITHDRAWAL: {"citizen", "reception_officer"},
    C.ACCEPT_WITHDRAWAL: {"reception_officer", "handling_officer", "unit_leader"},
    C.COMPLETE: {"reception_officer", "handling_officer", "unit_leader"},
    C.RETURN_RESULT: {"reception_officer", "handling_officer", "unit_leader", "system"},
    C.POST_MESSAGE: {"citizen", "reception_officer", "handling_officer", "unit_leader"},
    C.ATTACH_DOCUMENT: {
        "citizen", "reception_officer", "handling_officer", "unit_leader", "system"},
    C.RATE: {"citizen", "reception_officer"},
}


def test_each_command_is_open_to_the_expected_roles_only() -> None:
    assert {c: {r.value for r in roles} for c, roles in ROLES_OF.items()} == EXPECTED_ROLES


def _status_allowing(command: Command) -> LocalStatus:
    return next(status for status in LocalStatus if command in EXPECTED[status])


@pytest.mark.parametrize("command", list(Command), ids=[c.value for c in Command])
def test_a_role_outside_the_command_is_refused_before_anything_is_recorded(
    command: Command,
) -> None:
    clock = Clock()
    dossier = dossier_in(_status_allowing(command), clock)
    method = getattr(dossier, command.value)
    with pytest.raises(RoleNotAllowed) as refusal:
        method(AUDITOR, clock.tick(), **_any_data(command))
    assert refusal.value.role == Role.AUDITOR.value
    assert refusal.value.command == command.value
    assert dossier.collect_events() == []


def _any_data(command: Command) -> dict[str, object]:
    """Required arguments as None: the role check comes first, so values do not matter."""
    params = inspect.signature(getattr(Dossier, command.value)).parameters
    return {
        name: None
        for name, param in params.items()
        if name not in {"self", "actor", "at"} and param.default is inspect.Parameter.empty
    }
