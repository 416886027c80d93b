"""Versioning rules of the Procedure aggregate: drafts change, published versions never do."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.procedure import (
    AlreadySuspended,
    DraftAlreadyOpen,
    InvalidNationalCode,
    InvalidTerms,
    NoDraft,
    NotPublished,
    Procedure,
    ProcedureWithdrawn,
    PublishedVersionImmutable,
    ReasonRequired,
    StepsDoNotSum,
    procedure_id,
)
from tests.unit.procedure_fixtures import terms

T0 = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def drafted() -> Procedure:
    return Procedure.draft(code="1.001193", terms=terms(), actor_id="admin", at=T0)


def published() -> Procedure:
    p = drafted()
    p.publish(1, actor_id="admin", at=at(1))
    return p


def test_a_new_procedure_is_version_one_as_a_draft_with_an_id_from_its_national_code() -> None:
    p = drafted()
    assert p.id == procedure_id("1.001193")
    assert (p.draft_version, p.current_version, p.latest_version) == (1, None, 1)
    assert [type(e).__name__ for e in p.collect_events()] == ["Drafted"]


def test_a_draft_can_be_amended_before_it_is_published() -> None:
    p = drafted()
    p.amend(1, terms(name="Đăng ký khai sinh (sửa)"), actor_id="admin", at=at(1))
    assert p.terms_of(1)["name"] == "Đăng ký khai sinh (sửa)"


def test_publishing_makes_the_draft_the_current_version() -> None:
    p = published()
    assert (p.current_version, p.draft_version) == (1, None)
    assert p.is_published(1)


def test_a_published_version_cannot_change() -> None:
    p = published()
    with pytest.raises(PublishedVersionImmutable):
        p.amend(1, terms(name="Khác"), actor_id="admin", at=at(2))
    with pytest.raises(PublishedVersionImmutable):
        p.publish(1, actor_id="admin", at=at(2))
    assert p.terms_of(1)["name"] == "Đăng ký khai sinh"


def test_terms_handed_out_are_copies_so_a_published_version_cannot_be_changed_in_place() -> None:
    p = published()
    p.terms_of(1)["name"] = "Khác"
    assert p.terms_of(1)["name"] == "Đăng ký khai sinh"


def test_a_revision_is_a_new_draft_version_and_the_published_one_stays_current() -> None:
    p = published()
    version = p.revise(terms(processing_time={"online": {"value": 2, "unit": "working_days"},
                                              "counter": {"value": 2, "unit": "working_days"}},
                             steps=[]), reason="Nghị định mới", actor_id="admin", at=at(2))
    assert version == 2
    assert (p.current_version, p.draft_version) == (1, 2)
    assert p.terms_of(1)["processing_time"]["counter"]["value"] == 1


def test_publishing_a_revision_makes_it_current_and_keeps_the_older_version_readable() -> None:
    p = published()
    p.revise(terms(name="Đăng ký khai sinh (2026)"), reason="Sửa đổi", actor_id="admin", at=at(2))
    p.publish(2, actor_id="admin", at=at(3))
    assert p.current_version == 2
    assert p.is_published(1) and p.terms_of(1)["name"] == "Đăng ký khai sinh"
    assert p.terms_of(2)["name"] == "Đăng ký khai sinh (2026)"


def test_only_one_draft_is_open_at_a_time() -> None:
    p = published()
    p.revise(terms(), reason="Sửa đổi", actor_id="admin", at=at(2))
    with pytest.raises(DraftAlreadyOpen):
        p.revise(terms(), reason="Lần nữa", actor_id="admin", at=at(3))
    with pytest.raises(DraftAlreadyOpen):
        drafted().revise(terms(), reason="Chưa công bố", actor_id="admin", at=at(1))


def test_only_the_open_draft_can_be_published() -> None:
    p = published()
    with pytest.raises(NoDraft):
        p.publish(2, actor_id="admin", at=at(2))


def test_a_revision_needs_a_reason() -> None:
    with pytest.raises(ReasonRequired):
        published().revise(terms(), reason=" ", actor_id="admin", at=at(2))


def test_suspension_needs_a_published_version_and_publishing_a_revision_lifts_it() -> None:
    with pytest.raises(NotPublished):
        drafted().suspend("Tạm dừng", actor_id="admin", at=at(1))
    p = published()
    p.suspend("Rà soát", actor_id="admin", at=at(2))
    with pytest.raises(AlreadySuspended):
        p.suspend("Lần nữa", actor_id="admin", at=at(3))
    p.revise(terms(), reason="Sửa đổi sau rà soát", actor_id="admin", at=at(3))
    p.publish(2, actor_id="admin", at=at(4))
    assert not p.suspended


def test_a_withdrawn_procedure_takes_no_more_changes() -> None:
    p = published()
    p.withdraw("Bãi bỏ theo Quyết định 123", actor_id="admin", at=at(2))
    with pytest.raises(ProcedureWithdrawn):
        p.revise(terms(), reason="x", actor_id="admin", at=at(3))
    assert p.is_published(1)


def test_replaying_the_events_rebuilds_the_same_versions() -> None:
    p = published()
    p.revise(terms(name="B"), reason="r", actor_id="admin", at=at(2))
    p.publish(2, actor_id="admin", at=at(3))
    events = p.collect_events()
    copy = None
    for event in events:
        copy = event.mutate(copy)
    assert copy is not None and copy.versions == p.versions and copy.current_version == 2


@pytest.mark.parametrize("code", ["", "1009994", "1.00999", "x.009994"])
def test_a_malformed_national_code_is_refused(code: str) -> None:
    with pytest.raises(InvalidNationalCode):
        Procedure.draft(code=code, terms=terms(), actor_id="admin", at=T0)


def test_steps_in_working_time_must_sum_to_the_processing_time() -> None:
    bad = terms(steps=[{"name": "Xử lý", "unit": "000.12.01.H22", "role": "handling_officer", "hours": 7}])
    with pytest.raises(StepsDoNotSum) as raised:
        Procedure.draft(code="1.001193", terms=bad, actor_id="admin", at=T0)
    assert raised.value.field == "steps"


def test_steps_of_a_calendar_day_procedure_are_advisory() -> None:
    limits = {"counter": {"value": 30, "unit": "calendar_days"}}
    ok = terms(processing_time=limits, steps=[{"name": "Xử lý", "role": "handling_officer", "hours": 7}])
    assert Procedure.draft(code="1.001193", terms=ok, actor_id="admin", at=T0).terms_of(1)["steps"][0]["hours"] == 7


@pytest.mark.parametrize(("changes", "field"), [
    ({"service_level": "fast"}, "serviceLevel"),
    ({"service_level": "offline"}, "channels"),
    ({"channels": ["counter"]}, "channels"),
    ({"processing_time": {"online": {"value": 0, "unit": "working_days"}}}, "processingTime.online.value"),
    ({"processing_time": {"online": {"value": 3, "unit": "weeks"}}}, "processingTime.online.unit"),
    ({"fees": [{"name": "Phí"}]}, "fees[0]"),
    ({"components": [{"name": "Tờ khai", "max_size": 0, "media_types": ["application/pdf"]}]}, "components[0].maxSize"),
    ({"name": ""}, "name"),
    ({"colour": "blue"}, "colour"),
])
def test_terms_that_break_a_rule_are_refused_naming_the_field(changes: dict, field: str) -> None:
    with pytest.raises(InvalidTerms) as raised:
        Procedure.draft(code="1.001193", terms=terms(**changes), actor_id="admin", at=T0)
    assert raised.value.field == field
    assert raised.value.message_vi and raised.value.message_en
