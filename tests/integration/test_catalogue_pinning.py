"""The event-sourced catalogue on SQLite and PostgreSQL: versions, the seed import, and
dossiers keeping the terms of the version they were filed under."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from adapters.catalogue.importer import import_seed, read_seed
from application.clock import SimulatedClock
from application.dossiers import Submission
from application.errors import AccessDenied, ProcedureNotFound
from application.procedures import ProcedureSuspended, terms_from_wire, terms_to_wire
from domain.actor import Actor, Role
from ops.settings import load_settings
from ops.wiring import Container, build_container
from tests.pg import DATABASE_URL, fresh_schema
from tests.unit.procedure_fixtures import seed_form

ADMIN = Actor(id="admin-1", role=Role.ADMINISTRATOR, name="Quản trị")
CITIZEN = Actor(id="citizen-1", role=Role.CITIZEN, name="Nguyễn Văn An")
RECEPTION = Actor(id="officer-1", role=Role.RECEPTION_OFFICER, unit="000.00.01.H22", name="Lê Văn Cường")


@pytest.fixture(params=["sqlite", "postgres"])
def container(request, tmp_path) -> Iterator[Container]:
    clock = SimulatedClock(datetime(2026, 3, 2, 2, 0, tzinfo=UTC))  # Mon 09:00 in Hà Nội
    if request.param == "sqlite":
        c = build_container(load_settings({}, data_dir=str(tmp_path / "var")), clock=clock, projections=False)
        yield c
        c.close()
        return
    with fresh_schema("c") as schema:
        settings = load_settings({}, data_dir=str(tmp_path / "var"), database_url=DATABASE_URL,
                                 postgres_schema=schema, postgres_pool_size=2)
        c = build_container(settings, clock=clock, projections=False)
        yield c
        c.close()


def ten_days(procedures, code: str = "2.001610") -> dict:
    terms = procedures.get(code)
    raw = terms_from_wire({k: v for k, v in terms_to_wire(procedures.load(code).terms_of(terms.version)).items()})
    raw["processing_time"] = {"online": {"value": 10, "unit": "working_days"},
                              "counter": {"value": 10, "unit": "working_days"}}
    raw["steps"] = [{"name": "Xem xét, cấp đăng ký", "unit": "000.13.01.H22", "role": "handling_officer", "hours": 80}]
    return raw


def submit(container: Container) -> str:
    return container.services.dossiers.submit(CITIZEN, Submission(
        procedure_code="2.001610", channel="online", applicant={"name": "Nguyễn Văn An"},
        form=seed_form("2.001610"))).code


def test_the_seed_is_imported_once_as_published_version_one(container) -> None:
    procedures = container.services.procedures
    assert len(procedures.list()) == len(read_seed()["procedures"])
    assert import_seed(procedures) == []
    p = procedures.get("1.009994")
    assert (p.version, p.status, p.fee, sum(s.hours for s in p.steps)) == (1, "published", 75000, 120)


def test_a_procedure_revision_does_not_move_an_existing_dossiers_appointment(container) -> None:
    services, clock = container.services, container.clock
    received = submit(container)
    services.dossiers.receive(RECEPTION, received, 1)
    due_before = services.dossiers.load(received).due
    waiting = submit(container)  # filed under version 1, not yet received

    clock.advance(timedelta(minutes=5))
    services.procedures.revise(ADMIN, "2.001610", ten_days(services.procedures), reason="Quy định mới")
    services.procedures.publish(ADMIN, "2.001610", 2)

    services.dossiers.receive(RECEPTION, waiting, 1)
    assert services.dossiers.load(received).due == due_before == datetime(2026, 3, 5, 2, 0, tzinfo=UTC)
    # Received after the revision but filed under version 1: its 3 working days still apply.
    assert services.dossiers.load(waiting).due == datetime(2026, 3, 5, 2, 5, tzinfo=UTC)
    newer = submit(container)
    assert (services.dossiers.load(newer).procedure_version, services.dossiers.load(newer).processing_time_value) == (2, 10)


def test_older_published_versions_stay_readable_for_pinned_dossiers(container) -> None:
    procedures = container.services.procedures
    procedures.revise(ADMIN, "2.001610", ten_days(procedures), reason="Quy định mới")
    assert procedures.get("2.001610").version == 1  # the draft is not current yet
    procedures.publish(ADMIN, "2.001610", 2)
    assert procedures.get("2.001610").version == 2
    assert procedures.get("2.001610", 1).processing_time["counter"].value == 3
    with pytest.raises(ProcedureNotFound):
        procedures.get("2.001610", 3)


def test_a_suspended_procedure_takes_no_new_dossiers_but_keeps_its_versions(container) -> None:
    procedures = container.services.procedures
    procedures.suspend(ADMIN, "2.001610", "Rà soát quy trình")
    with pytest.raises(ProcedureSuspended):
        submit(container)
    assert procedures.get("2.001610", 1).name == "Đăng ký thành lập doanh nghiệp tư nhân"
    assert "2.001610" not in [p.code for p in procedures.list()]


def test_only_an_administrator_changes_the_catalogue(container) -> None:
    with pytest.raises(AccessDenied):
        container.services.procedures.suspend(RECEPTION, "2.001610", "Không được")


def test_a_created_procedure_is_a_draft_until_published(container) -> None:
    procedures = container.services.procedures
    terms = ten_days(procedures)
    terms["name"] = "Đăng ký thay đổi nội dung đăng ký doanh nghiệp"
    created = procedures.create(ADMIN, "2.001611", terms)
    assert (created.version, created.status) == (1, "draft")
    with pytest.raises(ProcedureNotFound):
        procedures.get("2.001611")
    procedures.publish(ADMIN, "2.001611", 1)
    assert procedures.get("2.001611").status == "published"
    assert "2.001611" in [p.code for p in procedures.list()]
