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


def test_with_a_recheck_interval_a_checked_version_is_trusted_until_it_passes_or_is_forgotten(procedures) -> None:
    """Another process's change (here: a save the cache is not told about) shows once the
    interval has passed; `forget` (what the application's own saves call) shows it at once."""
    seconds = [100.0]
    cache = LatestVersionCache(procedures, recheck_after=1.0, now=lambda: seconds[0])
    before = cache.get(procedure_id(CODE))
    procedures.suspend(ADMIN, CODE, "Tạm dừng để rà soát")
    seconds[0] += 0.5
    assert cache.get(procedure_id(CODE)) is before
    seconds[0] += 0.6
    after = cache.get(procedure_id(CODE))
    assert after is not None and after.version == before.version + 1 and after.suspended
    procedures.resume(ADMIN, CODE)
    assert cache.get(procedure_id(CODE)) is after  # within the interval again
    cache.forget(procedure_id(CODE))
    assert cache.get(procedure_id(CODE)).version == after.version + 1


def test_a_shared_catalogue_change_made_in_this_process_is_seen_at_once() -> None:
    from application.shared_catalogues import SharedCatalogues
    from domain.catalogue import UnitCatalogue

    app = SharedCatalogues({"PERSISTENCE_MODULE": "eventsourcing.popo"},
                           clock=SimulatedClock(datetime(2026, 3, 2, 2, 0, tzinfo=UTC)))
    assert app.version_of(UnitCatalogue) == 0
    app.upsert_unit(ADMIN, code="000.00.01.H22", name="Bộ phận Một cửa")
    assert app.version_of(UnitCatalogue) > 0  # not the 0 checked a moment ago
    assert app.get_unit("000.00.01.H22") is not None
    app.upsert_unit(ADMIN, code="000.00.02.H22", name="Phòng Hai", parent="000.00.01.H22")
    assert app.descendants("000.00.01.H22") >= {"000.00.02.H22"}
