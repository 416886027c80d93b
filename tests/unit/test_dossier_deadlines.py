"""Deadlines: the appointment instant, waits that stop the clock, extensions, lateness.

Instants are written in Hà Nội wall-clock time (`local(...)`); March 2026 has no holidays
before the 16th, so the arithmetic can be checked by hand against the working periods
07:30-11:30 and 13:00-17:00 (8 working hours a day).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from domain.dossier import (
    Dossier,
    ExtensionNotLater,
    InstantNotAware,
    InstantOutOfOrder,
    LocalStatus,
    Outcome,
    PaymentAmountMismatch,
    ReasonRequired,
)
from tests.unit.dossier_fixtures import (
    CALENDAR,
    CITIZEN,
    FEE,
    HANDLER,
    HOUR,
    LEADER,
    OTHER_UNIT,
    RECEPTION,
    SYSTEM,
    Clock,
    dossier_in,
    events,
    last,
    local,
    processing,
    received,
    submit,
)


def test_reception_issues_the_appointment_from_the_pinned_processing_time() -> None:
    clock = Clock()
    dossier = received(clock, at="2026-03-02 16:00")  # after the 15:00 cut-off
    event = last(dossier)
    assert event.timestamp == dossier.received_at == local("2026-03-02 16:00")
    assert event.start == dossier.start == local("2026-03-03 07:30")
    # 5 x 8 working hours from Tue 07:30 run out at Mon 17:00, a period's end.
    assert event.due == event.original_due == dossier.due == local("2026-03-09 17:00")


def test_supplement_request_stops_the_clock_and_moves_due_and_original_due() -> None:
    clock = Clock()
    dossier = processing(clock)
    dossier.request_supplement(HANDLER, clock.at(local("2026-03-03 09:00")),
                               items=["Bản vẽ"], reason="Thiếu bản vẽ")
    assert dossier.clock_stopped and dossier.is_waiting
    assert dossier.national_status == 5
    dossier.supplement(CITIZEN, clock.at(local("2026-03-04 11:00")), calendar=CALENDAR)
    request, answer = events(dossier)[-2:]
    assert request.stops_clock is True and request.resume_status == "processing"
    # Tue 09:00-11:30, 13:00-17:00, Wed 07:30-11:00: ten working hours.
    assert answer.wait_seconds == answer.wait_working_seconds == 10 * HOUR
    assert answer.previous_due == local("2026-03-09 09:00")
    assert answer.due == answer.original_due == local("2026-03-10 11:00")
    assert dossier.status is LocalStatus.PROCESSING
    assert not dossier.clock_stopped and not dossier.is_waiting
    assert dossier.supplement_requests == 1


def test_supplement_at_reception_runs_no_clock_and_reception_starts_it_later() -> None:
    clock = Clock(local("2026-03-02 08:00"))
    dossier = submit(clock)
    dossier.request_supplement(RECEPTION, clock.at(local("2026-03-02 09:30")),
                               items=["CCCD"], reason="Thiếu bản sao CCCD")
    assert dossier.status is LocalStatus.AWAITING_SUPPLEMENT_AT_RECEPTION
    assert dossier.national_status == 5 and not dossier.clock_stopped
    dossier.supplement(RECEPTION, clock.at(local("2026-03-03 09:00")), calendar=CALENDAR)
    answer = last(dossier)
    assert (answer.wait_seconds, answer.due, answer.original_due) == (None, None, None)
    assert (dossier.status, dossier.national_status) == (LocalStatus.SUBMITTED, 1)
    dossier.receive(RECEPTION, clock.at(local("2026-03-03 10:00")), CALENDAR)
    assert dossier.due == local("2026-03-10 10:00")
    assert dossier.supplement_requests == 1


def test_a_wait_begun_before_the_clock_starts_costs_only_what_follows_the_start() -> None:
    clock = Clock()
    dossier = received(clock, at="2026-03-02 16:00")  # clock starts Tue 07:30
    dossier.request_supplement(RECEPTION, clock.at(local("2026-03-02 16:30")),
                               items=["CCCD"], reason="Bản sao mờ")
    dossier.supplement(CITIZEN, clock.at(local("2026-03-03 08:30")), calendar=CALENDAR)
    answer = last(dossier)
    assert answer.wait_working_seconds == 1 * HOUR  # Tue 07:30-08:30 only
    assert answer.previous_due == local("2026-03-09 17:00")
    assert dossier.due == local("2026-03-10 08:30")  # one hour past Mon 17:00


def test_deadline_extension_moves_due_but_not_original_due() -> None:
    clock = Clock()
    dossier = processing(clock)
    dossier.extend_deadline(HANDLER, clock.at(local("2026-03-02 11:00")),
                            new_due=local("2026-03-12 17:00"), reason="Cần xác minh thực địa")
    event = last(dossier)
    assert (event.previous_due, event.due) == (local("2026-03-09 09:00"), local("2026-03-12 17:00"))
    assert dossier.due == local("2026-03-12 17:00")
    assert dossier.original_due == local("2026-03-09 09:00")
    assert dossier.status is LocalStatus.PROCESSING and dossier.national_status == 4


def test_a_later_wait_moves_both_the_extended_and_the_original_due() -> None:
    clock = Clock()
    dossier = processing(clock)
    dossier.extend_deadline(HANDLER, clock.at(local("2026-03-02 11:00")),
                            new_due=local("2026-03-12 17:00"), reason="Xác minh")
    dossier.request_supplement(HANDLER, clock.at(local("2026-03-03 09:00")),
                               items=["Bản vẽ"], reason="Thiếu")
    dossier.supplement(CITIZEN, clock.at(local("2026-03-04 11:00")), calendar=CALENDAR)
    assert dossier.original_due == local("2026-03-10 11:00")
    assert dossier.due == local("2026-03-16 09:30")  # Thu 17:00 + 10 h: Fri 8 h, Mon 2 h


def test_an_extension_must_be_later_than_the_current_appointment_and_give_a_reason() -> None:
    clock = Clock()
    dossier = processing(clock)
    due = local("2026-03-09 09:00")
    assert dossier.due == due
    with pytest.raises(ExtensionNotLater) as error:
        dossier.extend_deadline(HANDLER, clock.tick(), new_due=due, reason="x")
    assert error.value.field == "new_due"
    with pytest.raises(ReasonRequired):
        dossier.extend_deadline(HANDLER, clock.tick(), new_due=due + timedelta(days=1),
                                reason="  ")


def _finished_at(text: str, extend_to: str | None = None) -> Dossier:
    clock = Clock()
    dossier = processing(clock)
    if extend_to:
        dossier.extend_deadline(HANDLER, clock.tick(), new_due=local(extend_to), reason="Lý do")
    dossier.approve_result(LEADER, clock.tick(), summary="Cấp", electronic=False, signed_by="D")
    dossier.complete(RECEPTION, clock.at(local(text)), calendar=CALENDAR, electronic_result=False)
    return dossier


@pytest.mark.parametrize(
    ("ended", "outcome"),
    [
        ("2026-03-06 16:00", Outcome.EARLY),
        ("2026-03-09 07:45", Outcome.ON_TIME),
        ("2026-03-09 09:00", Outcome.ON_TIME),
        ("2026-03-09 09:01", Outcome.LATE),
        ("2026-03-10 08:00", Outcome.LATE),
    ],
)
def test_a_finished_dossier_is_early_on_time_or_late_against_its_due_instant(
    ended: str, outcome: Outcome
) -> None:
    assert _finished_at(ended).outcome(CALENDAR) is outcome


def test_an_extended_dossier_that_ends_after_the_original_due_is_late() -> None:
    dossier = _finished_at("2026-03-10 09:00", extend_to="2026-03-13 17:00")
    assert dossier.ended_at == local("2026-03-10 09:00")
    assert dossier.due == local("2026-03-13 17:00")  # not yet due for the applicant...
    assert dossier.outcome(CALENDAR) is Outcome.LATE


def test_unfinished_and_refused_dossiers_have_no_outcome() -> None:
    assert dossier_in(LocalStatus.PROCESSING).outcome(CALENDAR) is None
    refused = dossier_in(LocalStatus.REFUSED)
    assert refused.outcome(CALENDAR) is None
    assert (refused.start, refused.due, refused.ended_at) == (None, None, None)


def test_more_than_one_supplement_request_counts_as_late_for_decision_766() -> None:
    clock = Clock()
    dossier = processing(clock)
    for _ in range(2):
        dossier.request_supplement(HANDLER, clock.tick(), items=["Giấy tờ"], reason="Thiếu")
        dossier.supplement(CITIZEN, clock.tick(), calendar=CALENDAR)
    dossier.approve_result(LEADER, clock.tick(), summary="Cấp", electronic=True, signed_by="D")
    dossier.complete(RECEPTION, clock.tick(), calendar=CALENDAR, electronic_result=True)
    assert dossier.supplement_requests == 2
    assert dossier.outcome(CALENDAR) is Outcome.EARLY
    assert dossier.on_time_for_decision_766(CALENDAR) is False


def test_a_fee_that_stops_the_clock_moves_the_due_instants_when_paid() -> None:
    clock = Clock()
    dossier = processing(clock)
    dossier.request_financial_obligation(HANDLER, clock.at(local("2026-03-03 09:00")),
                                         amount=FEE, items=["Lệ phí"])
    assert (dossier.national_status, dossier.clock_stopped) == (6, True)
    dossier.pay_fee(SYSTEM, clock.at(local("2026-03-03 13:00")), calendar=CALENDAR,
                    amount=FEE, paid_online=True, receipt_ref="VNPAY-1")
    paid = last(dossier)
    assert paid.wait_working_seconds == 2.5 * HOUR
    assert paid.due == paid.original_due == local("2026-03-09 11:30")
    assert (dossier.status, dossier.paid_online) == (LocalStatus.PROCESSING, True)


def test_a_fee_that_does_not_stop_the_clock_leaves_the_due_instant_alone() -> None:
    clock = Clock()
    dossier = processing(clock, fee_stops_clock=False)
    dossier.request_financial_obligation(HANDLER, clock.tick(), amount=FEE, items=["Phí"])
    assert dossier.is_waiting and not dossier.clock_stopped
    dossier.pay_fee(CITIZEN, clock.tick(timedelta(hours=26)), calendar=CALENDAR, amount=FEE,
                    paid_online=False, receipt_ref="BL-9")
    paid = last(dossier)
    assert (paid.wait_seconds, paid.due) == (None, local("2026-03-09 09:00"))


def test_a_fee_asked_at_reception_runs_no_clock_and_must_be_paid_in_full() -> None:
    clock = Clock()
    dossier = submit(clock)
    dossier.request_financial_obligation(SYSTEM, clock.tick(), amount=FEE, items=["Lệ phí"])
    assert last(dossier).stops_clock is False
    assert dossier.status is LocalStatus.AWAITING_PAYMENT_AT_RECEPTION
    with pytest.raises(PaymentAmountMismatch):
        dossier.pay_fee(CITIZEN, clock.tick(), calendar=CALENDAR, amount=FEE - 1,
                        paid_online=True, receipt_ref="x")
    dossier.pay_fee(CITIZEN, clock.tick(), calendar=CALENDAR, amount=FEE, paid_online=True,
                    receipt_ref="VNPAY-2")
    assert (dossier.status, dossier.national_status) == (LocalStatus.SUBMITTED, 1)


def test_a_calendar_day_procedure_moves_its_due_by_the_days_a_wait_touched() -> None:
    clock = Clock()
    dossier = received(clock, processing_time_value=10, processing_time_unit="calendar_days")
    assert dossier.due == local("2026-03-12 17:00")
    dossier.request_supplement(RECEPTION, clock.at(local("2026-03-03 09:00")),
                               items=["x"], reason="Thiếu")
    dossier.supplement(CITIZEN, clock.at(local("2026-03-04 11:00")), calendar=CALENDAR)
    answer = last(dossier)
    assert (answer.wait_seconds, answer.wait_working_seconds) == (2 * 24 * HOUR, 10 * HOUR)
    assert dossier.due == dossier.original_due == local("2026-03-16 17:00")  # Sat -> Mon


def test_an_unfinished_dossier_is_overdue_once_its_due_instant_has_passed() -> None:
    clock = Clock()
    dossier = processing(clock)
    assert not dossier.is_overdue(local("2026-03-09 09:00"))
    assert dossier.is_overdue(local("2026-03-09 09:01"))
    dossier.request_supplement(HANDLER, clock.tick(), items=["x"], reason="Thiếu")
    assert not dossier.is_overdue(local("2026-03-20 09:00"))  # the wait will move the due


def test_instants_must_be_aware_in_order_and_are_stored_in_utc() -> None:
    clock = Clock()
    dossier = received(clock)
    with pytest.raises(InstantNotAware):
        dossier.hand_over(RECEPTION, datetime(2026, 3, 2, 10, 0), to_unit=OTHER_UNIT)
    with pytest.raises(InstantOutOfOrder):
        dossier.hand_over(RECEPTION, local("2026-03-02 08:59"), to_unit=OTHER_UNIT)
    plus7 = datetime(2026, 3, 2, 10, 0, tzinfo=timezone(timedelta(hours=7)))
    dossier.hand_over(RECEPTION, plus7, to_unit=OTHER_UNIT)
    event = last(dossier)
    assert event.timestamp == plus7 and event.timestamp.tzinfo is UTC
