"""Dossier journeys: given events, a command, the new events and what they say.

Instants are written in Hà Nội wall-clock time (`local(...)`); see test_dossier_deadlines for
the clock arithmetic itself.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any
from uuid import UUID

import pytest

from domain.dossier import (
    AlreadyRated,
    Command,
    InvalidApplicant,
    InvalidChannel,
    InvalidDossierCode,
    InvalidProcessingTime,
    InvalidRating,
    InvalidStepIndex,
    LocalStatus,
    OpinionNotRequested,
    Outcome,
    ReasonRequired,
    RoleNotAllowed,
    TransitionNotAllowed,
    dossier_id,
)
from domain.dossier.slip import processing_slip
from tests.unit.dossier_fixtures import (
    AUDITOR,
    CALENDAR,
    CITIZEN,
    CONSULTED,
    CONSULTED_UNIT,
    HANDLER,
    LEADER,
    OTHER_UNIT,
    RECEPTION,
    UNIT,
    Clock,
    dossier_in,
    events,
    issue,
    last,
    local,
    memory_app,
    names,
    processing,
    received,
    submit,
)


def test_a_dossier_travels_from_submission_to_rating_and_replays_from_the_store() -> None:
    clock = Clock(local("2026-03-02 08:00"))
    dossier = submit(clock)
    national = [dossier.national_status]
    steps: list[Callable[[], None]] = [
        lambda: dossier.receive(RECEPTION, clock.at(local("2026-03-02 09:00")), CALENDAR),
        lambda: dossier.hand_over(RECEPTION, clock.at(local("2026-03-02 10:00")),
                                  to_unit=OTHER_UNIT, to_officer=HANDLER.id, step_index=1),
        lambda: dossier.request_supplement(HANDLER, clock.at(local("2026-03-03 09:00")),
                                           items=["Bản vẽ"], reason="Thiếu bản vẽ"),
        lambda: dossier.supplement(CITIZEN, clock.at(local("2026-03-04 11:00")),
                                   calendar=CALENDAR, documents=["Bản vẽ"]),
        lambda: dossier.approve_result(LEADER, clock.at(local("2026-03-05 10:00")),
                                       summary="Cấp phép", electronic=True, signed_by="P.V.D"),
        lambda: dossier.hand_over(HANDLER, clock.at(local("2026-03-05 11:00")),
                                  to_unit=UNIT, step_index=2, note="Trả kết quả về một cửa"),
        lambda: dossier.complete(RECEPTION, clock.at(local("2026-03-06 09:00")),
                                 calendar=CALENDAR, electronic_result=True),
        lambda: dossier.return_result(RECEPTION, clock.at(local("2026-03-06 10:00")),
                                      method="counter"),
        lambda: dossier.rate(CITIZEN, clock.at(local("2026-03-06 10:05")), score=5),
    ]
    for step in steps:
        step()
        national.append(dossier.national_status)

    assert national == [1, 2, 4, 5, 4, 4, 4, 9, 10, 10]
    assert dossier.status is LocalStatus.RETURNED
    assert dossier.due == dossier.original_due == local("2026-03-10 11:00")
    assert dossier.net_working_hours == 32 - 10  # Mon 09:00 -> Fri 09:00, minus the wait
    assert dossier.outcome(CALENDAR) is Outcome.EARLY
    assert [row.to_unit for row in dossier.hand_overs] == [OTHER_UNIT, UNIT]

    events = list(dossier.pending_events)
    assert names(events) == [
        "Submitted", "Received", "HandedOver", "SupplementRequested", "Supplemented",
        "ResultApproved", "HandedOver", "Completed", "ResultReturned", "Rated",
    ]
    app = memory_app()
    app.save(dossier)
    stored = list(app.repository.event_store.get(dossier.id))
    assert stored == events  # every field survives the JSON transcoder
    assert app.repository.get(dossier.id) == dossier


def test_the_aggregate_id_is_derived_from_the_dossier_code() -> None:
    dossier = submit(Clock())
    assert dossier.id == dossier_id(dossier.code)
    assert isinstance(dossier.id, UUID)


def test_events_record_the_actor_and_the_status_after_them() -> None:
    clock = Clock()
    dossier = received(clock)
    submitted, reception = events(dossier)
    assert (submitted.actor_id, submitted.actor_role, submitted.actor_unit) == (
        CITIZEN.id, "citizen", None)
    assert (reception.actor_id, reception.actor_role, reception.actor_unit) == (
        RECEPTION.id, "reception_officer", UNIT)
    assert (submitted.status, reception.status) == ("submitted", "received")
    assert type(reception.actor_role) is str


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_refusal_at_reception_requires_a_reason(reason: Any) -> None:
    dossier = dossier_in(LocalStatus.SUBMITTED)
    with pytest.raises(ReasonRequired) as error:
        dossier.refuse_reception(RECEPTION, Clock().tick(timedelta(days=1)), reason=reason)
    assert (error.value.code, error.value.field) == ("reason-required", "reason")
    assert error.value.message_vi and error.value.message_en
    assert dossier.collect_events() == []


def test_a_refused_dossier_keeps_its_code_and_reason_and_accepts_nothing_more() -> None:
    clock = Clock()
    dossier = submit(clock)
    dossier.refuse_reception(RECEPTION, clock.tick(), reason="  Không thuộc thẩm quyền ")
    assert last(dossier).reason == "Không thuộc thẩm quyền"
    assert dossier.national_status == 3 and dossier.is_final
    with pytest.raises(TransitionNotAllowed):
        dossier.post_message(CITIZEN, clock.tick(), text="Tại sao?")


@pytest.mark.parametrize(
    ("status", "call"),
    [
        (LocalStatus.PROCESSING, lambda d, at: d.request_supplement(
            HANDLER, at, items=["x"], reason=" ")),
        (LocalStatus.PROCESSING, lambda d, at: d.stop_processing(
            HANDLER, at, calendar=CALENDAR, reason="")),
        (LocalStatus.PROCESSING, lambda d, at: d.request_withdrawal(CITIZEN, at, reason="")),
    ],
    ids=["supplement-request", "stop", "withdrawal"],
)
def test_the_law_requires_reasons_for_supplements_stops_and_withdrawals(
    status: LocalStatus, call: Any
) -> None:
    with pytest.raises(ReasonRequired):
        call(dossier_in(status), Clock().tick(timedelta(days=1)))


@pytest.mark.parametrize("score", [0, 6, -1, 3.5, True, "5"])
def test_a_rating_is_an_integer_from_one_to_five(score: Any) -> None:
    dossier = dossier_in(LocalStatus.RETURNED)
    with pytest.raises(InvalidRating) as error:
        dossier.rate(CITIZEN, Clock().tick(timedelta(days=30)), score=score)
    assert error.value.field == "score"


def test_a_dossier_is_rated_once_and_only_after_completion() -> None:
    clock = Clock()
    dossier = dossier_in(LocalStatus.COMPLETED, clock)
    dossier.rate(CITIZEN, clock.tick(), score=4, comment="Nhanh")
    assert dossier.rating == 4
    with pytest.raises(AlreadyRated):
        dossier.rate(CITIZEN, clock.tick(), score=5)
    with pytest.raises(TransitionNotAllowed):
        dossier_in(LocalStatus.PROCESSING).rate(CITIZEN, clock.tick(), score=5)


def test_withdrawal_before_reception_ends_without_a_clock() -> None:
    clock = Clock()
    dossier = submit(clock)
    dossier.request_withdrawal(CITIZEN, clock.tick(), reason="Nộp nhầm thủ tục")
    assert (dossier.status, dossier.national_status) == (LocalStatus.WITHDRAWAL_REQUESTED, 7)
    dossier.accept_withdrawal(RECEPTION, clock.tick(), calendar=CALENDAR)
    withdrawn = last(dossier)
    assert (dossier.status, dossier.national_status) == (LocalStatus.WITHDRAWN, 7)
    assert withdrawn.ended_at == dossier.ended_at == clock.now
    assert withdrawn.net_working_hours is None
    assert (dossier.start, dossier.due, dossier.outcome(CALENDAR)) == (None, None, None)


def test_withdrawal_while_waiting_for_a_supplement_does_not_count_the_wait() -> None:
    clock = Clock()
    dossier = processing(clock)
    dossier.request_supplement(HANDLER, clock.at(local("2026-03-03 09:00")),
                               items=["Bản vẽ"], reason="Thiếu")
    dossier.request_withdrawal(CITIZEN, clock.at(local("2026-03-04 09:00")), reason="Thôi")
    assert dossier.clock_stopped  # the request does not end the wait
    dossier.accept_withdrawal(HANDLER, clock.at(local("2026-03-04 10:00")), calendar=CALENDAR)
    # Mon 09:00 -> Wed 10:00 is 17 working hours, of which 9 waited (Tue 09:00 onward).
    assert dossier.net_working_hours == 8
    assert dossier.outcome(CALENDAR) is Outcome.EARLY
    assert not dossier.clock_stopped


def test_withdrawal_may_be_requested_until_completion_but_not_after() -> None:
    clock = Clock()
    dossier_in(LocalStatus.APPROVED, clock).request_withdrawal(CITIZEN, clock.tick(), reason="x")
    with pytest.raises(TransitionNotAllowed):
        dossier_in(LocalStatus.COMPLETED).request_withdrawal(CITIZEN, clock.tick(), reason="x")


def test_processing_is_stopped_only_after_reception_with_net_working_hours() -> None:
    clock = Clock()
    with pytest.raises(TransitionNotAllowed):
        dossier_in(LocalStatus.SUBMITTED).stop_processing(
            HANDLER, clock.tick(), calendar=CALENDAR, reason="Giả mạo")
    dossier = received(Clock())
    dossier.stop_processing(HANDLER, local("2026-03-03 09:00"), calendar=CALENDAR,
                            reason="Giả mạo giấy tờ")
    stopped = last(dossier)
    assert (stopped.ended_at, stopped.net_working_hours) == (local("2026-03-03 09:00"), 8)
    assert (dossier.status, dossier.national_status) == (LocalStatus.STOPPED, 8)


def test_processing_resumes_once_every_consulted_unit_has_answered() -> None:
    clock = Clock()
    dossier = processing(clock)
    dossier.request_opinion(HANDLER, clock.tick(), to_unit=CONSULTED_UNIT, text="Ý kiến?")
    dossier.request_opinion(HANDLER, clock.tick(), to_unit="000.00.04.H22", text="Ý kiến?")
    with pytest.raises(OpinionNotRequested):
        dossier.give_opinion(CONSULTED, clock.tick(), from_unit="000.00.09.H22", text="?")
    dossier.give_opinion(CONSULTED, clock.tick(), from_unit=CONSULTED_UNIT, text="Đồng ý")
    assert (dossier.status, dossier.pending_opinions) == (LocalStatus.CONSULTING, ["000.00.04.H22"])
    dossier.give_opinion(CONSULTED, clock.tick(), from_unit="000.00.04.H22", text="Đồng ý")
    assert (dossier.status, dossier.pending_opinions) == (LocalStatus.PROCESSING, [])


def test_hand_overs_are_the_rows_of_the_processing_slip() -> None:
    clock = Clock()
    dossier = processing(clock)
    dossier.hand_over(HANDLER, clock.tick(), to_unit=OTHER_UNIT, to_officer=LEADER.id,
                      step_index=2, note="Trình ký")
    first, second = dossier.hand_overs
    assert (first.from_unit, first.to_unit, first.step_index) == (UNIT, OTHER_UNIT, None)
    assert (second.from_actor_id, second.to_officer, second.step_index, second.note) == (
        HANDLER.id, LEADER.id, 2, "Trình ký")
    assert dossier.current_officer == LEADER.id
    with pytest.raises(InvalidStepIndex):
        dossier.hand_over(HANDLER, clock.tick(), to_unit=UNIT, step_index=3)


def test_every_slip_row_carries_its_events_local_status_and_national_code() -> None:
    recorded = events(dossier_in(LocalStatus.RETURNED, keep_events=True))
    rows = processing_slip(recorded, CALENDAR)
    assert [r.version for r in rows] == [e.originator_version for e in recorded]
    assert [(r.status, r.national_status) for r in rows] == [
        (LocalStatus(e.status).value, int(LocalStatus(e.status).national)) for e in recorded]
    assert {r.status for r in rows} >= {"submitted", "processing", "returned"}
    with pytest.raises(AttributeError):
        rows[0].status = "returned"  # type: ignore[misc]


def test_submission_checks_its_data_and_who_files_it() -> None:
    clock = Clock()
    with pytest.raises(InvalidDossierCode):
        submit(clock, code="000.00.09.H22-260302-0001")
    with pytest.raises(InvalidChannel):
        submit(clock, channel="fax")
    with pytest.raises(InvalidProcessingTime):
        submit(clock, processing_time_value=0)
    with pytest.raises(InvalidApplicant) as error:
        submit(clock, applicant={"id": "x", "name": "Y", "kind": "robot"})
    assert error.value.field == "applicant.kind"
    with pytest.raises(RoleNotAllowed):
        submit(clock, actor=AUDITOR)
    counter_filed = submit(clock, actor=RECEPTION, channel="counter",
                           representative={"name": "Người nộp thay", "id_number": "0010"})
    assert counter_filed.representative == {"name": "Người nộp thay", "id_number": "0010"}


def test_a_citizen_cannot_receive_and_a_handling_officer_cannot_approve() -> None:
    clock = Clock()
    with pytest.raises(RoleNotAllowed):
        dossier_in(LocalStatus.SUBMITTED).receive(CITIZEN, clock.tick(), CALENDAR)
    with pytest.raises(RoleNotAllowed):
        dossier_in(LocalStatus.PROCESSING).approve_result(
            HANDLER, clock.tick(), summary="x", electronic=True, signed_by="x")


def test_documents_and_messages_are_kept_without_moving_the_status() -> None:
    clock = Clock()
    dossier = processing(clock)
    issue(dossier, Command.ATTACH_DOCUMENT, clock)
    issue(dossier, Command.POST_MESSAGE, clock)
    assert dossier.status is LocalStatus.PROCESSING
    assert dossier.documents[0]["digitised"] is True
    assert dossier.messages[0]["text"] == "Xin hỏi tiến độ"
