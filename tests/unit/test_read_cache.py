"""Catalogue reads reuse an aggregate only while it is the store's latest version."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from application.clock import SimulatedClock
from application.errors import ProcedureNotFound
from application.procedures import Procedures, ProcedureSuspended
from application.read_cache import LatestVersionCache
from domain.actor import Actor, Role
from domain.procedure import procedure_id
from tests.unit.procedure_fixtures import terms

ADMIN = Actor(id="admin-1", role=Role.ADMINISTRATOR, name="Quản trị")
CODE = "1.001193"


@pytest.fixture
def procedures() -> Procedures:
    app = Procedures({"PERSISTENCE_MODULE": "eventsourcing.popo"},
                     clock=SimulatedClock(datetime(2026, 3, 2, 2, 0, tzinfo=UTC)))
    app.create(ADMIN, CODE, terms())
    app.publish(ADMIN, CODE, 1)
    return app


def test_an_unchanged_aggregate_is_served_from_the_cache(procedures) -> None:
    cache = LatestVersionCache(procedures)
    first = cache.get(procedure_id(CODE))
    assert first is not None and first.version == cache.latest_version(procedure_id(CODE))
    assert cache.get(procedure_id(CODE)) is first


def test_a_change_is_seen_at_once_and_the_old_copy_is_not_touched(procedures) -> None:
    cache = LatestVersionCache(procedures)
    before = cache.get(procedure_id(CODE))
    procedures.suspend(ADMIN, CODE, "Tạm dừng để rà soát")
    after = cache.get(procedure_id(CODE))
    assert after is not before and after.version == before.version + 1
    assert after.suspended and not before.suspended


def test_an_aggregate_never_written_is_none(procedures) -> None:
    assert LatestVersionCache(procedures).get(procedure_id("9.999999")) is None


def test_the_catalogue_port_sees_a_suspension_and_a_new_version_straight_away(procedures) -> None:
    assert procedures.get(CODE).version == 1
    procedures.suspend(ADMIN, CODE, "Tạm dừng để rà soát")
    with pytest.raises(ProcedureSuspended):
        procedures.get(CODE)
    assert procedures.get(CODE, 1).status == "suspended"  # a pinned version stays readable
    procedures.revise(ADMIN, CODE, terms(name="Đăng ký khai sinh (sửa đổi)"), "Sửa đổi")
    procedures.publish(ADMIN, CODE, 2)
    assert (procedures.get(CODE).version, procedures.get(CODE).name) == (2, "Đăng ký khai sinh (sửa đổi)")
    assert procedures.get(CODE, 1).status == "published"
    procedures.withdraw(ADMIN, CODE, "Bãi bỏ")
    with pytest.raises(ProcedureNotFound):
        procedures.get(CODE)
