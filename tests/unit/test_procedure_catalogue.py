"""The Procedures application on the in-memory store: the catalogue port, commands, seed import."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from adapters.catalogue.importer import SEED_ACTOR, import_seed, read_seed
from adapters.catalogue.seed import SeedCatalogue
from application.clock import SimulatedClock
from application.errors import AccessDenied, ProcedureNotFound
from application.forms import InvalidFormSchema
from application.procedures import ProcedureExists, Procedures, terms_from_wire, terms_to_wire
from domain.actor import Actor, Role
from domain.procedure import NoDraft, PublishedVersionImmutable
from tests.unit.procedure_fixtures import terms

ADMIN = Actor(id="admin-1", role=Role.ADMINISTRATOR, name="Quản trị")
OFFICER = Actor(id="officer-1", role=Role.RECEPTION_OFFICER, unit="000.00.01.H22")


@pytest.fixture
def procedures() -> Procedures:
    return Procedures({"PERSISTENCE_MODULE": "eventsourcing.popo"},
                      clock=SimulatedClock(datetime(2026, 3, 2, 2, 0, tzinfo=UTC)))


def test_the_seed_import_gives_what_the_seed_file_stand_in_gave(procedures) -> None:
    assert len(import_seed(procedures)) == len(read_seed()["procedures"])
    seed = SeedCatalogue()
    for old in seed.list():
        new = procedures.get(old.code)
        assert (new.version, new.name, new.field, new.receiving_units, new.handling_unit, new.service_level,
                new.channels, new.processing_time, new.fee_stops_clock, new.fee, new.steps) == (
            old.version, old.name, old.field, old.receiving_units, old.handling_unit, old.service_level,
            old.channels, old.processing_time, old.fee_stops_clock, old.fee, old.steps)


def test_importing_the_seed_again_changes_nothing(procedures) -> None:
    import_seed(procedures)
    position = procedures.recorder.max_notification_id()
    assert import_seed(procedures) == []
    assert procedures.recorder.max_notification_id() == position
    assert procedures.codes() == [p["code"] for p in read_seed()["procedures"]]


def test_wire_terms_round_trip_and_keep_json_schema_keywords(procedures) -> None:
    original = terms()
    wire = terms_to_wire(original)
    assert wire["formSchema"]["properties"]["childName"]["minLength"] == 2
    assert wire["components"][0]["mediaTypes"] == ["application/pdf", "image/jpeg"]
    assert terms_from_wire(wire) == original


def test_a_code_is_created_once(procedures) -> None:
    procedures.create(ADMIN, "1.001193", terms())
    with pytest.raises(ProcedureExists):
        procedures.create(ADMIN, "1.001193", terms())


def test_a_draft_is_amended_then_frozen_by_publishing(procedures) -> None:
    procedures.create(ADMIN, "1.001193", terms())
    assert procedures.amend(ADMIN, "1.001193", 1, terms(name="Đăng ký khai sinh đúng hạn")).name == "Đăng ký khai sinh đúng hạn"
    procedures.publish(ADMIN, "1.001193", 1)
    with pytest.raises(PublishedVersionImmutable):
        procedures.amend(ADMIN, "1.001193", 1, terms())
    with pytest.raises(NoDraft):
        procedures.publish(ADMIN, "1.001193", 2)


def test_drafts_are_visible_to_the_administrator_only_through_view(procedures) -> None:
    procedures.create(ADMIN, "1.001193", terms())
    assert procedures.view(ADMIN, "1.001193").status == "draft"
    with pytest.raises(ProcedureNotFound):
        procedures.get("1.001193", 1)
    with pytest.raises(AccessDenied):
        procedures.view(OFFICER, "1.001193")


def test_a_form_schema_that_is_not_valid_is_refused_before_any_event(procedures) -> None:
    with pytest.raises(InvalidFormSchema):
        procedures.create(ADMIN, "1.001193", terms(form_schema={"type": 12}))
    assert not procedures.exists("1.001193")


def test_withdrawn_procedures_leave_the_list_but_keep_their_versions(procedures) -> None:
    procedures.create(ADMIN, "1.001193", terms())
    procedures.publish(ADMIN, "1.001193", 1)
    procedures.withdraw(ADMIN, "1.001193", "Bãi bỏ")
    assert procedures.list() == []
    with pytest.raises(ProcedureNotFound):
        procedures.get("1.001193")
    assert procedures.get("1.001193", 1).status == "withdrawn"


def test_the_seed_actor_is_the_system(procedures) -> None:
    assert SEED_ACTOR.role is Role.SYSTEM
