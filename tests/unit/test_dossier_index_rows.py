"""The lookup index rows are a pure function of the dossier events, and agree with the aggregate.

Journeys are driven through the real `Dossier` aggregate (every status route, a hand-made
journey touching every event type, seeded random walks); the projection runs into an
in-memory view whose rows are `fold`ed changes, the semantics the SQL views must share.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from eventsourcing.persistence import Tracking
from eventsourcing.utils import get_topic

from application.dossier_index import (
    APPLICANT,
    WORKLIST,
    DossierSummary,
    InvalidCursor,
    decode_cursor,
    encode_cursor,
)
from domain.dossier import Command, Dossier, DossierCodeCounter, LocalStatus
from projections.dossier_index import (
    DOSSIER_EVENTS,
    TOPICS,
    DossierChanged,
    DossierIndexProjection,
    fold,
)
from tests.integration.index_projector_process import MemoryDossierIndexView, random_step
from tests.unit.dossier_fixtures import (
    CONSULTED_UNIT,
    OTHER_UNIT,
    ROUTES,
    UNIT,
    Clock,
    dossier_in,
    issue,
    local,
    processing,
    submit,
)

C = Command
FULL_JOURNEY = [C.REQUEST_SUPPLEMENT, C.POST_MESSAGE, C.SUPPLEMENT, C.REQUEST_FINANCIAL_OBLIGATION,
                C.PAY_FEE, C.EXTEND_DEADLINE, C.REQUEST_OPINION, C.GIVE_OPINION,
                C.ATTACH_DOCUMENT, C.APPROVE_RESULT, C.COMPLETE, C.RETURN_RESULT, C.RATE]


def journeys() -> list[list[Any]]:
    """Event lists of many dossiers, each from the real aggregate."""
    result = []
    for number, status in enumerate(LocalStatus, start=1):
        clock = Clock()
        dossier = submit(clock, number=number)
        for command in ROUTES[status]:
            issue(dossier, command, clock)
        result.append(list(dossier.collect_events()))
    clock = Clock()
    dossier = processing(clock, code=f"{UNIT}-260302-0100")
    for command in FULL_JOURNEY:
        issue(dossier, command, clock)
    result.append(list(dossier.collect_events()))
    for seed in range(30):
        rng, clock = random.Random(seed), Clock(local("2026-03-02 08:00"))
        dossier = submit(clock, number=200 + seed)
        for _ in range(rng.randint(0, 14)):
            if not random_step(dossier, clock, rng):
                break
        result.append(list(dossier.collect_events()))
    return result


def project(events: list[Any], view: MemoryDossierIndexView | None = None,
            first_position: int = 1) -> MemoryDossierIndexView:
    view = view or MemoryDossierIndexView()
    projection = DossierIndexProjection(view)
    for offset, event in enumerate(events):
        projection.process_event(event, Tracking("Dossiers", first_position + offset))
    return view


def aggregate_view(dossier: Dossier) -> dict[str, Any]:
    return {
        "code": dossier.code, "status": dossier.status.value,
        "national_status": dossier.national_status, "appointment": dossier.due,
        "original_due": dossier.original_due, "waiting": dossier.is_waiting,
        "clock_stopped": dossier.clock_stopped, "version": dossier.version,
        "supplement_requests": dossier.supplement_requests, "ended_at": dossier.ended_at,
        "received_at": dossier.received_at, "current_unit": dossier.current_unit,
        "current_officer": dossier.current_officer, "submitted_at": dossier.created_on,
        "receiving_unit": dossier.receiving_unit, "applicant_account": dossier.applicant["id"],
    }


def row_view(row: DossierSummary) -> dict[str, Any]:
    fields = {k: getattr(row, k) for k in (
        "code", "status", "national_status", "appointment", "original_due", "waiting",
        "version", "supplement_requests", "ended_at", "received_at", "current_unit",
        "current_officer", "submitted_at", "receiving_unit", "applicant_account")}
    return {**fields, "clock_stopped": row.clock_stopped_since is not None}


def test_every_dossier_event_type_has_a_handler_and_a_subscribed_topic() -> None:
    registry = vars(DossierIndexProjection)["process_event"].dispatcher.registry
    assert len(DOSSIER_EVENTS) == 20
    for cls in DOSSIER_EVENTS:
        assert cls in registry, cls.__qualname__
        assert get_topic(cls) in TOPICS
    assert get_topic(DossierCodeCounter.NumberAllocated) in TOPICS


def test_the_journeys_emit_every_dossier_event_type() -> None:
    emitted = {type(e) for events in journeys() for e in events}
    assert emitted == set(DOSSIER_EVENTS)


def test_after_every_event_the_row_agrees_with_the_aggregate_replayed_to_that_event() -> None:
    for events in journeys():
        view, dossier = MemoryDossierIndexView(), None
        projection = DossierIndexProjection(view)
        for position, event in enumerate(events, start=1):
            dossier = event.mutate(dossier)
            projection.process_event(event, Tracking("Dossiers", position))
            row = view.rows[str(dossier.id)]
            assert row_view(row) == aggregate_view(dossier), type(event).__name__
            assert row.position == position
            for days in (0, 3, 8, 20, 60):
                now = row.submitted_at + timedelta(days=days, hours=5)
                assert row.is_overdue(now) == dossier.is_overdue(now)


def test_the_same_events_projected_twice_give_identical_rows() -> None:
    events = [e for journey in journeys() for e in journey]
    assert project(events).rows == project(events).rows


def test_interleaving_the_dossiers_events_gives_the_same_rows_but_positions() -> None:
    all_journeys = journeys()
    sequential = project([e for journey in all_journeys for e in journey]).rows
    rng, queues, interleaved = random.Random(7), [list(j) for j in all_journeys], []
    while any(queues):
        queue = rng.choice([q for q in queues if q])
        interleaved.append(queue.pop(0))
    shuffled = project(interleaved).rows
    assert sequential.keys() == shuffled.keys()
    for key, row in sequential.items():
        assert replace(row, position=0) == replace(shuffled[key], position=0)


def test_a_full_journey_records_the_units_involved_and_the_moved_dues() -> None:
    clock = Clock()
    dossier = processing(clock)
    appointment = dossier.due
    for command in FULL_JOURNEY:
        issue(dossier, command, clock)
    events = list(dossier.collect_events())
    row = project(events).rows[str(dossier.id)]
    assert row.units == (UNIT, OTHER_UNIT, CONSULTED_UNIT)
    assert row.status == LocalStatus.RETURNED and row.national_status == 10
    assert row.supplement_requests == 1 and row.version == dossier.version == len(events)
    assert row.appointment is not None and row.original_due is not None
    assert row.appointment == dossier.due and row.appointment != appointment
    assert row.original_due == dossier.original_due and row.appointment > row.original_due
    assert not row.waiting and row.clock_stopped_since is None and row.ended_at is not None


def test_a_wait_stops_the_clock_in_the_row_and_the_answer_resumes_it() -> None:
    clock = Clock()
    dossier = processing(clock)
    issue(dossier, C.REQUEST_SUPPLEMENT, clock)
    requested_at = clock.now
    view = project(list(dossier.collect_events()))
    row = view.rows[str(dossier.id)]
    assert row.waiting and row.status == LocalStatus.AWAITING_SUPPLEMENT
    assert row.national_status == 5 and row.clock_stopped_since == requested_at
    assert row.original_due is not None
    assert not row.is_overdue(row.original_due + timedelta(days=30))  # the clock is stopped
    clock.tick(timedelta(days=2))
    issue(dossier, C.SUPPLEMENT, clock)
    project(list(dossier.collect_events()), view, first_position=100)
    row = view.rows[str(dossier.id)]
    assert not row.waiting and row.clock_stopped_since is None
    assert row.appointment == dossier.due and row.original_due == dossier.original_due
    assert row.original_due is not None
    assert row.is_overdue(row.original_due + timedelta(seconds=1))


def test_code_counter_events_change_no_row_but_advance_the_position() -> None:
    clock = Clock()
    counter = DossierCodeCounter.open(UNIT, clock.now.date(), clock.now)
    code = counter.allocate(clock.now)
    dossier = submit(clock, code=code)
    view = project([*counter.collect_events(), *dossier.collect_events()])
    assert [r.code for r in view.rows.values()] == [code]
    assert view.position() == 3 and view.rows[str(dossier.id)].position == 3


def test_a_replayed_change_is_a_no_op() -> None:
    clock = Clock()
    dossier = dossier_in(LocalStatus.PROCESSING, clock, keep_events=True)
    view = project(list(dossier.collect_events()))
    row = view.rows[str(dossier.id)]
    change = DossierChanged(dossier_id=row.id, version=row.version, position=99,
                            status="completed", national_status=9, waiting=False,
                            supplement_requested=True)
    assert fold(row, change) == row


def test_a_change_may_set_only_the_columns_events_move() -> None:
    with pytest.raises(ValueError, match="code"):
        DossierChanged("x", 2, 2, "received", 2, False, fields=(("code", "other"),))


def test_cursors_round_trip_and_foreign_or_garbled_ones_are_refused() -> None:
    at = local("2026-03-02 09:00")
    cursor = encode_cursor(WORKLIST, at, "000.00.01.H22-260302-0001")
    assert decode_cursor(WORKLIST, cursor) == (at, "000.00.01.H22-260302-0001")
    for bad in ("", "!!!", "bm90IGpzb24", cursor[:-3], encode_cursor(APPLICANT, at, "x")):
        with pytest.raises(InvalidCursor):
            decode_cursor(WORKLIST, bad)
    assert issubclass(InvalidCursor, ValueError)
