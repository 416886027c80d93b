"""Statistics rows are a pure function of the events, and each state row matches the aggregate."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from domain.dossier import Command as C
from domain.dossier import Dossier
from projections.statistics import StatisticsRowError, event_row, next_state
from tests.unit.dossier_fixtures import CALENDAR, CITIZEN, HANDLER, HANOI, RECEPTION, SHA, Clock, issue, submit

JOURNEYS = {
    "returned with waits and extras": [
        C.REQUEST_SUPPLEMENT, C.SUPPLEMENT, C.RECEIVE, C.HAND_OVER, C.REQUEST_SUPPLEMENT,
        C.SUPPLEMENT, C.REQUEST_FINANCIAL_OBLIGATION, C.PAY_FEE, C.EXTEND_DEADLINE,
        C.ATTACH_DOCUMENT, C.POST_MESSAGE, C.APPROVE_RESULT, C.COMPLETE, C.RETURN_RESULT, C.RATE,
    ],
    "refused": [C.REFUSE_RECEPTION],
    "stopped while waiting": [C.RECEIVE, C.HAND_OVER, C.REQUEST_SUPPLEMENT, C.STOP_PROCESSING],
    "withdrawn": [C.RECEIVE, C.HAND_OVER, C.REQUEST_WITHDRAWAL, C.ACCEPT_WITHDRAWAL],
    "consulted": [C.RECEIVE, C.HAND_OVER, C.REQUEST_OPINION, C.GIVE_OPINION],
}


def _journey(commands: list[C], step: timedelta = timedelta(hours=7)) -> list:
    clock = Clock()
    dossier = submit(clock)
    for command in commands:
        clock.tick(step)
        issue(dossier, command, clock)
    return list(dossier.collect_events())


def _fold(events: list) -> list:
    states, state = [], None
    for position, event in enumerate(events, start=100):
        state = next_state(state, event, position, HANOI)
        states.append(state)
    return states


def _replayed(events: list) -> Dossier:
    dossier = None
    for event in events:
        dossier = event.mutate(dossier)
    assert isinstance(dossier, Dossier)
    return dossier


@pytest.mark.parametrize("name", JOURNEYS)
def test_the_state_row_after_each_event_matches_the_aggregate(name: str) -> None:
    events = _journey(JOURNEYS[name])
    for i, state in enumerate(_fold(events)):
        d = _replayed(events[: i + 1])
        outcome = d.outcome(CALENDAR)
        docs = d.documents
        assert (state.version, state.status, state.national_status, state.waiting) == (
            d.version, d.status.value, d.national_status, d.is_waiting)
        assert (state.received_at, state.start_at, state.due_at, state.original_due_at) == (
            d.received_at, d.start, d.due, d.original_due)
        assert (state.ended_at, state.net_working_hours, state.refused_at, state.returned_at) == (
            d.ended_at, d.net_working_hours, d.refused_at, d.returned_at)
        assert state.outcome == ("" if outcome is None else outcome.value)
        assert state.clock_stopped_since == d._clock_stopped_at
        assert state.wait_working_seconds == d._waits_working_seconds
        assert state.supplement_requests == d.supplement_requests
        assert (state.paid_online, state.electronic_result, state.rating) == (
            d.paid_online, d.electronic_result, d.rating)
        assert (state.documents, state.digitised_documents, state.reused_documents) == (
            len(docs), sum(bool(x["digitised"]) for x in docs), sum(bool(x["reused"]) for x in docs))
        assert (state.code, state.receiving_unit, state.procedure_code, state.applicant_key) == (
            d.code, d.receiving_unit, d.procedure_code, d.applicant_key)


def test_rows_are_a_pure_function_of_the_events() -> None:
    events = _journey(JOURNEYS["returned with waits and extras"])
    first, again = _fold(events), _fold(events)
    assert first == again
    assert [event_row(e, s) for e, s in zip(events, first)] == [event_row(e, s) for e, s in zip(events, again)]


def test_a_state_row_is_rebuilt_from_the_previous_row_alone() -> None:
    """What a restarted projector does: it reads the row at version - 1 and folds on."""
    events = _journey(JOURNEYS["returned with waits and extras"])
    states = _fold(events)
    for i in range(1, len(events)):
        copy = dataclasses.replace(states[i - 1])
        assert next_state(copy, events[i], 100 + i, HANOI) == states[i]


def test_an_event_without_its_previous_row_is_refused() -> None:
    events = _journey(JOURNEYS["withdrawn"])
    states = _fold(events)
    with pytest.raises(StatisticsRowError):
        next_state(states[0], events[2], 1, HANOI)
    with pytest.raises(StatisticsRowError):
        next_state(None, events[1], 1, HANOI)


def test_the_rows_carry_no_personal_data() -> None:
    events = _journey(JOURNEYS["returned with waits and extras"])
    state = _fold(events)[-1]
    text = repr(state) + repr([event_row(e, s) for e, s in zip(events, _fold(events))])
    assert "Nguyễn" not in text and "001099000001" not in text
    assert state.applicant_key == "pseudo-7f3a"


def test_only_documents_submitted_with_the_dossier_count_towards_the_digitised_and_reused_shares() -> None:
    clock = Clock()
    dossier = submit(clock)

    def attach(actor, *, digitised: bool, reused: bool) -> None:
        dossier.attach_document(actor, clock.tick(), component="c", name="a.pdf", size=10,
                                media_type="application/pdf", sha256=SHA, digitised=digitised, reused=reused)

    attach(CITIZEN, digitised=True, reused=True)  # filed online, reused from the data store
    issue(dossier, C.RECEIVE, clock)
    attach(RECEPTION, digitised=True, reused=False)  # paper scanned at the counter
    issue(dossier, C.HAND_OVER, clock)
    attach(HANDLER, digitised=False, reused=False)  # a work paper: not submitted
    issue(dossier, C.APPROVE_RESULT, clock)
    attach(CITIZEN, digitised=False, reused=False)  # after the result: not part of the submission
    state = _fold(list(dossier.collect_events()))[-1]
    assert (state.documents, state.digitised_documents, state.reused_documents) == (2, 2, 1)
