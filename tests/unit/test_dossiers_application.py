"""Given events -> command -> new events, through the Dossiers application on the in-memory store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from eventsourcing.application import project_aggregate

from adapters.access_log.sqlite import SQLiteAccessLog
from adapters.catalogue.seed import SeedCatalogue
from application.access_log import Accesses
from application.clock import SimulatedClock
from application.dossiers import Dossiers, InvalidSubmission, Submission
from application.errors import AccessDenied, DossierNotFound, ProcedureNotFound, StaleVersion
from application.lookup_secrets import LookupSecrets
from domain.actor import Actor, Role
from domain.calendar import WorkingCalendar
from domain.dossier import Dossier

CITIZEN = Actor(id="citizen-1", role=Role.CITIZEN, name="Nguyễn Văn An")
OTHER_CITIZEN = Actor(id="citizen-2", role=Role.CITIZEN, name="Trần Thị Bình")
RECEPTION = Actor(id="officer-1", role=Role.RECEPTION_OFFICER, unit="000.00.01.H22", name="Lê Văn Cường")
FAR_OFFICER = Actor(id="officer-9", role=Role.RECEPTION_OFFICER, unit="000.00.17.H22", name="Ở Xa")


@pytest.fixture
def clock() -> SimulatedClock:
    return SimulatedClock(datetime(2026, 3, 2, 2, 0, tzinfo=UTC))  # Mon 09:00 local


@pytest.fixture
def app(clock, tmp_path) -> Dossiers:
    catalogue = SeedCatalogue()
    calendar = WorkingCalendar()
    return Dossiers(
        {"PERSISTENCE_MODULE": "eventsourcing.popo"}, clock=clock, catalogue=catalogue,
        calendar_for=lambda unit: calendar, scope_of=catalogue.descendants,
        lookup_secrets=LookupSecrets("k" * 32), applicant_key_secret="a" * 32,
        accesses=Accesses(SQLiteAccessLog(tmp_path / "access.sqlite"), clock),
    )


def online(procedure: str = "2.001610") -> Submission:
    return Submission(procedure_code=procedure, channel="online", applicant={"name": "Nguyễn Văn An", "id_number": "001099000001"}, form={})


def test_submissions_get_consecutive_codes_per_unit_and_local_day(app, clock):
    first = app.submit(CITIZEN, online())
    second = app.submit(CITIZEN, online("2.000488"))
    assert first.code == "000.00.01.H22-260302-0001"
    assert second.code == "000.00.01.H22-260302-0002"
    clock.advance(timedelta(hours=16))  # 01:00 on Tuesday, local time
    assert app.submit(CITIZEN, online()).code == "000.00.01.H22-260303-0001"


def test_a_submission_records_the_pinned_procedure_and_a_lookup_secret_as_hmac(app):
    result = app.submit(CITIZEN, online())
    dossier = app.load(result.code)
    assert (dossier.procedure_code, dossier.procedure_version, dossier.processing_time_value) == ("2.001610", 1, 3)
    assert dossier.applicant["id"] == CITIZEN.id
    assert result.lookup_secret and result.lookup_secret not in dossier.lookup_secret_hmac
    assert app.lookup_secrets.matches(result.lookup_secret, dossier.lookup_secret_hmac)
    assert [type(e).__name__ for e in app.events.get(dossier.id)] == ["Submitted"]


def test_reception_issues_the_appointment_from_the_pinned_processing_time(app):
    code = app.submit(CITIZEN, online()).code
    result = app.receive(RECEPTION, code, 1)
    dossier = app.load(code)
    assert result.version == 2 and result.national_status == 2
    assert dossier.due == datetime(2026, 3, 5, 2, 0, tzinfo=UTC)  # 3 working days: Thu 09:00 local


def test_a_stale_expected_version_is_refused_and_changes_nothing(app):
    code = app.submit(CITIZEN, online()).code
    with pytest.raises(StaleVersion) as caught:
        app.receive(RECEPTION, code, 7)
    assert caught.value.current_version == 1
    assert len(list(app.events.get(app.load(code).id))) == 1


def test_another_citizens_dossier_is_not_found_rather_than_forbidden(app):
    code = app.submit(CITIZEN, online()).code
    with pytest.raises(DossierNotFound):
        app.get(OTHER_CITIZEN, code)
    with pytest.raises(DossierNotFound):
        app.rate(OTHER_CITIZEN, code, None, score=5)


def test_an_officer_outside_the_units_of_the_dossier_cannot_see_it(app):
    code = app.submit(CITIZEN, online()).code
    with pytest.raises(DossierNotFound):
        app.receive(FAR_OFFICER, code, 1)


def test_a_citizen_cannot_run_officer_commands(app):
    code = app.submit(CITIZEN, online()).code
    with pytest.raises(AccessDenied):
        app.receive(CITIZEN, code, 1)


def test_officers_file_counter_dossiers_on_behalf_of_an_applicant_but_not_online_ones(app):
    counter = Submission(procedure_code="1.009994", channel="counter", applicant={"name": "Phạm Thị Dung"}, form={},
                         representative={"name": "Hoàng Văn Em", "relation": "người nộp thay"})
    result = app.submit(RECEPTION, counter)
    assert app.load(result.code).channel == "counter"
    with pytest.raises(InvalidSubmission):
        app.submit(RECEPTION, Submission(procedure_code="1.009994", channel="online", applicant={"name": "X"}, form={}))


def test_an_unknown_procedure_or_a_unit_that_does_not_receive_it_is_refused(app):
    with pytest.raises(ProcedureNotFound):
        app.submit(CITIZEN, online("9.999999"))
    with pytest.raises(InvalidSubmission):
        app.submit(CITIZEN, Submission(procedure_code="2.001610", channel="online", applicant={"name": "A"}, form={},
                                       receiving_unit="000.00.15.H22"))


def test_the_full_journey_through_the_application(app, clock):
    code = app.submit(CITIZEN, online()).code
    leader = Actor(id="leader-1", role=Role.UNIT_LEADER, unit="000.00.13.H22", name="Lãnh Đạo")
    handler = Actor(id="handler-1", role=Role.HANDLING_OFFICER, unit="000.13.01.H22", name="Chuyên Viên")
    v = app.receive(RECEPTION, code, 1).version
    v = app.hand_over(RECEPTION, code, v, to_unit="000.13.01.H22", step_index=1).version
    clock.advance(timedelta(hours=1))
    v = app.request_supplement(handler, code, v, items=["Bản sao CCCD"], reason="Thiếu bản sao CCCD").version
    clock.advance(timedelta(hours=2))
    v = app.supplement(CITIZEN, code, v, documents=["cccd.pdf"]).version
    v = app.hand_over(handler, code, v, to_unit="000.00.13.H22", step_index=2).version
    v = app.approve_result(leader, code, v, summary="Cấp đăng ký", electronic=True).version
    v = app.complete(RECEPTION, code, v, electronic_result=True).version
    v = app.return_result(RECEPTION, code, v, method="online").version
    final = app.rate(CITIZEN, code, v, score=5)
    dossier: Dossier = app.load(code)
    assert final.national_status == 10
    # The wait ran 10:00-12:00 local: 1.5 working hours (lunch starts 11:30), so Thu 09:00 -> 10:30.
    assert dossier.due == datetime(2026, 3, 5, 3, 30, tzinfo=UTC)
    assert dossier.original_due == dossier.due
    assert [type(e).__name__ for e in app.events.get(dossier.id)] == [
        "Submitted", "Received", "HandedOver", "SupplementRequested", "Supplemented", "HandedOver",
        "ResultApproved", "Completed", "ResultReturned", "Rated",
    ]


def test_a_clock_slightly_behind_the_last_event_does_not_refuse_the_command(app, clock):
    code = app.submit(CITIZEN, online()).code
    clock.advance(timedelta(milliseconds=-3))  # another process's clock, a little behind
    result = app.receive(RECEPTION, code, 1)
    dossier = app.load(code)
    assert result.version == 2
    assert dossier.received_at == dossier.created_on


def test_a_new_filing_under_an_older_version_than_the_current_one_is_refused(app):
    with pytest.raises(InvalidSubmission) as caught:
        app.submit(CITIZEN, Submission(procedure_code="2.001610", channel="online", applicant={"name": "A"}, form={},
                                       procedure_version=7))
    assert caught.value.extra["field"] == "procedureVersion"
    assert app.submit(CITIZEN, Submission(procedure_code="2.001610", channel="online", applicant={"name": "A"},
                                          form={}, procedure_version=1)).code


def test_a_dossier_loaded_from_its_snapshot_equals_the_replay_of_its_events(app, clock):
    """Snapshots are taken every 50 events; the restored dossier must keep typed statuses and
    its hand-over rows, or every read after the 50th event fails."""
    code = app.submit(CITIZEN, online()).code
    handler = Actor(id="handler-1", role=Role.HANDLING_OFFICER, unit="000.13.01.H22", name="Chuyên Viên")
    v = app.receive(RECEPTION, code, 1).version
    v = app.hand_over(RECEPTION, code, v, to_unit="000.13.01.H22", step_index=1).version
    while v < 55:
        clock.advance(timedelta(minutes=5))
        v = app.post_message(handler if v % 2 else CITIZEN, code, v, text=f"Trao đổi {v}").version
    dossier_id = app.load(code).id
    assert [s.originator_version for s in app.snapshots.get(dossier_id)] == [50]
    restored: Dossier = app.load(code)
    replayed = project_aggregate(None, app.events.get(dossier_id))
    assert isinstance(replayed, Dossier)
    assert restored.status is replayed.status and restored.national_status == replayed.national_status
    assert restored.hand_overs == replayed.hand_overs and restored.hand_overs[0].to_unit == "000.13.01.H22"
    assert vars(restored) == vars(replayed)
    assert app.post_message(CITIZEN, code, v, text="Sau ảnh chụp").version == v + 1
