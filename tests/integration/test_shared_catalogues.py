"""The shared catalogues on SQLite and PostgreSQL: file round trips, all-or-nothing imports,
holiday calendars reaching new appointments only, and the audit trail of who changed what."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from application.catalogue_records import HolidayYear
from application.catalogue_transfer import ImportRowInvalid, apply_rows
from application.clock import SimulatedClock
from application.dossiers import Submission
from application.errors import AccessDenied
from domain.actor import Actor, Role
from domain.catalogue import HolidayCatalogue, UnitCatalogue
from ops import catalogue_cli
from ops.settings import Settings, load_settings
from ops.wiring import Container, build_container
from tests.pg import DATABASE_URL, fresh_schema
from tests.unit.procedure_fixtures import seed_form

ADMIN = Actor(id="admin-7", role=Role.ADMINISTRATOR, name="Quản trị Bảy")
AUDITOR = Actor(id="auditor-1", role=Role.AUDITOR, name="Thanh tra")
CITIZEN = Actor(id="citizen-1", role=Role.CITIZEN, name="Nguyễn Văn An")
RECEPTION = Actor(id="officer-1", role=Role.RECEPTION_OFFICER, unit="000.00.01.H22", name="Lê Văn Cường")
CENTRE = "000.00.01.H22"


@pytest.fixture(params=["sqlite", "postgres"])
def stores(request, tmp_path) -> Iterator[list[Settings]]:
    """Settings of two separate, fresh stores of the same kind."""
    if request.param == "sqlite":
        yield [load_settings({}, data_dir=str(tmp_path / name)) for name in ("a", "b")]
        return
    with fresh_schema("sa") as first, fresh_schema("sb") as second:
        yield [load_settings({}, data_dir=str(tmp_path / name), database_url=DATABASE_URL, postgres_schema=schema,
                             postgres_pool_size=2) for name, schema in (("a", first), ("b", second))]


def open_container(settings: Settings) -> Container:
    return build_container(settings, clock=SimulatedClock(datetime(2026, 3, 2, 2, 0, tzinfo=UTC)), projections=False)


def edit_everything(shared) -> None:
    shared.upsert_unit(ADMIN, code="000.20.01.H22", name="Phòng Quản lý đô thị", parent="000.00.10.H22",
                       division_code="22")
    shared.upsert_unit(ADMIN, code="000.00.17.H22", name="Sở Nội vụ", parent="000.00.00.H22", active=False)
    shared.set_holidays(ADMIN, HolidayYear(unit="*", year=2026, days_off={"2026-04-24": "Giỗ Tổ (bù, \"tỉnh\")"},
                                           working_days={"2026-04-25": "Làm bù, thứ Bảy"}))
    shared.set_holidays(ADMIN, HolidayYear(unit=CENTRE, year=2026, days_off={"2026-03-03": "Kiểm kê, sắp xếp"}))
    shared.upsert_field(ADMIN, code="HOTICH", name="Hộ tịch, quốc tịch")
    shared.upsert_document_type(ADMIN, code="SOHK", name="Sổ hộ khẩu (cũ)")
    shared.upsert_status(ADMIN, status="consulting", label_vi="Đang xin ý kiến phối hợp",
                         label_en="Awaiting other units' opinions", national_code=4)


def export(settings: Settings, kind: str, path: Path) -> str:
    assert catalogue_cli.export_command(argparse.Namespace(kind=kind, format=None, output=path), settings) == 0
    return path.read_text(encoding="utf-8")


def import_file(settings: Settings, kind: str, path: Path) -> int:
    return catalogue_cli.import_command(argparse.Namespace(kind=kind, file=path), settings)


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_export_then_import_into_a_fresh_store_then_export_gives_the_same_file(stores, tmp_path, fmt) -> None:
    source, target = stores
    c = open_container(source)
    edit_everything(c.services.shared_catalogues)
    c.close()
    for kind in ("units", "holidays", "fields", "document-types", "statuses"):
        first = export(source, kind, tmp_path / f"{kind}-1.{fmt}")
        assert import_file(target, kind, tmp_path / f"{kind}-1.{fmt}") == 0
        assert export(target, kind, tmp_path / f"{kind}-2.{fmt}") == first, kind
    assert "Sở Nội vụ" in (tmp_path / f"units-1.{fmt}").read_text(encoding="utf-8")


def test_importing_the_same_file_twice_saves_no_second_event(stores, tmp_path) -> None:
    settings = stores[0]
    c = open_container(settings)
    edit_everything(c.services.shared_catalogues)
    c.close()
    path = tmp_path / "holidays.csv"
    export(settings, "holidays", path)
    c = open_container(settings)
    shared = c.services.shared_catalogues
    version = shared.version_of(HolidayCatalogue)
    rows = catalogue_cli.parse(path.read_text(encoding="utf-8"), "csv")
    assert apply_rows(shared, ADMIN, "holidays", rows) == 0
    assert shared.version_of(HolidayCatalogue) == version
    c.close()


def test_a_bad_row_is_reported_with_its_line_and_nothing_of_the_file_is_applied(stores, tmp_path) -> None:
    settings = stores[0]
    path = tmp_path / "units.csv"
    path.write_text(
        "code,name,parent,divisionCode,active\n"
        "000.30.00.H22,Sở Giao thông vận tải,000.00.00.H22,,true\n"
        "000.30.01.H22,Phòng Quản lý vận tải,000.30.00.H22,,true\n"
        "000-30-02,Phòng Sai mã,000.30.00.H22,,true\n", encoding="utf-8")
    c = open_container(settings)
    shared = c.services.shared_catalogues
    version = shared.version_of(UnitCatalogue)
    with pytest.raises(ImportRowInvalid) as raised:
        apply_rows(shared, ADMIN, "units", catalogue_cli.parse(path.read_text(encoding="utf-8"), "csv"))
    assert raised.value.line == 4 and "000-30-02" in raised.value.message_en
    assert shared.version_of(UnitCatalogue) == version
    assert shared.get_unit("000.30.00.H22") is None
    c.close()
    assert import_file(settings, "units", path) == 1


def test_a_json_row_whose_parent_is_nowhere_is_reported_at_its_line(stores, tmp_path) -> None:
    settings = stores[0]
    path = tmp_path / "units.json"
    path.write_text('[\n{"code": "000.31.00.H22", "name": "Sở Công Thương", "parent": "000.00.00.H22"},\n'
                    '{"code": "000.31.01.H22", "name": "Phòng Quản lý", "parent": "000.99.99.H22"}\n]\n',
                    encoding="utf-8")
    c = open_container(settings)
    with pytest.raises(ImportRowInvalid) as raised:
        apply_rows(c.services.shared_catalogues, ADMIN, "units",
                   catalogue_cli.parse(path.read_text(encoding="utf-8"), "json"))
    assert raised.value.line == 3 and raised.value.extra["field"] == "parent"
    assert c.services.shared_catalogues.get_unit("000.31.00.H22") is None
    c.close()


def submit(container: Container) -> str:
    return container.services.dossiers.submit(CITIZEN, Submission(
        procedure_code="2.001610", channel="online", applicant={"name": "Nguyễn Văn An"}, form=seed_form("2.001610"))).code


def test_a_unit_holiday_moves_the_due_instant_of_a_new_dossier_but_not_of_an_existing_one(stores) -> None:
    c = open_container(stores[0])
    services, clock = c.services, c.clock
    existing = submit(c)
    services.dossiers.receive(RECEPTION, existing, 1)
    assert services.dossiers.load(existing).due == datetime(2026, 3, 5, 2, 0, tzinfo=UTC)  # Thu 09:00

    clock.advance(timedelta(minutes=5))
    services.shared_catalogues.set_holidays(ADMIN, HolidayYear(unit=CENTRE, year=2026,
                                                               days_off={"2026-03-03": "Kiểm kê, sắp xếp"}))
    newer = submit(c)
    services.dossiers.receive(RECEPTION, newer, 1)
    assert services.dossiers.load(newer).due == datetime(2026, 3, 6, 2, 5, tzinfo=UTC)  # Tuesday is off: Fri
    assert services.dossiers.load(existing).due == datetime(2026, 3, 5, 2, 0, tzinfo=UTC)

    clock.advance(timedelta(minutes=5))  # the whole province takes Wednesday off too
    services.shared_catalogues.set_holidays(ADMIN, HolidayYear(unit="*", year=2026,
                                                               days_off={"2026-03-04": "Lễ hội tỉnh"}))
    latest = submit(c)
    services.dossiers.receive(RECEPTION, latest, 1)
    assert services.dossiers.load(latest).due == datetime(2026, 3, 9, 2, 10, tzinfo=UTC)  # Mon
    assert services.dossiers.load(newer).due == datetime(2026, 3, 6, 2, 5, tzinfo=UTC)
    c.close()


def test_an_auditor_sees_who_changed_a_catalogue_entry_and_when_but_a_citizen_cannot(stores) -> None:
    c = open_container(stores[0])
    shared, clock = c.services.shared_catalogues, c.clock
    clock.advance(timedelta(hours=1))
    shared.upsert_unit(ADMIN, code="000.00.15.H22", name="Sở Y tế tỉnh", parent="000.00.00.H22")
    history = shared.history(AUDITOR, "units", "000.00.15.H22")
    assert [(r.event, r.actor_id) for r in history] == [("UnitRegistered", "system:seed"), ("UnitAmended", "admin-7")]
    assert history[-1].at == "2026-03-02T03:00:00+00:00" and history[-1].details["name"] == "Sở Y tế tỉnh"
    listed = next(u for u in shared.units() if u.code == "000.00.15.H22")
    assert (listed.changed_by, listed.changed_at) == ("admin-7", "2026-03-02T03:00:00+00:00")
    with pytest.raises(AccessDenied):
        shared.history(CITIZEN, "units")
    with pytest.raises(AccessDenied):
        shared.upsert_unit(CITIZEN, code="000.00.15.H22", name="Sở Y tế", parent="000.00.00.H22")
    c.close()


def test_a_seed_row_the_catalogue_refuses_is_left_out_and_the_rest_is_seeded(tmp_path) -> None:
    import json

    from adapters.catalogue.importer import read_seed
    from adapters.catalogue.shared_seed import seed_shared_catalogues

    seed = read_seed()
    seed["units"] += [{"code": "H22-BAD", "name": "Mã sai", "parent": "000.00.00.H22"},
                      {"code": "000.40.01.H22", "name": "Phòng mới", "parent": "000.40.00.H22"},
                      {"code": "000.40.00.H22", "name": "Sở mới", "parent": "000.00.00.H22"}]
    path = tmp_path / "seed.json"
    path.write_text(json.dumps(seed, ensure_ascii=False), encoding="utf-8")
    c = open_container(load_settings({}, data_dir=str(tmp_path / "var"), procedures_file=str(path)))
    shared = c.services.shared_catalogues
    assert shared.get_unit("000.40.01.H22").parent == "000.40.00.H22"
    assert shared.get_unit("H22-BAD") is None
    assert seed_shared_catalogues(shared, path) == {"units": 0, "statuses": 0, "fields": 0, "document-types": 0}
    c.close()
