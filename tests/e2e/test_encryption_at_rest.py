"""Personal data at rest: the stored event and snapshot bytes of a real journey, read with plain
SQL, hold no name, phone or ID number; a keyring rotation mid-journey keeps every record readable,
replayable and verifiable; a wrong keyring fails loudly."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import timedelta
from uuid import UUID

import psycopg
import pytest
from eventsourcing.persistence import MapperDeserialisationError
from litestar.testing import TestClient
from psycopg.sql import SQL, Identifier

from adapters.eventstore.cipher import MARKER, record_key_id
from adapters.eventstore.keyring import Keyring, new_keyring, parse_keyring
from api.app import create_app
from domain.actor import Role
from ops.audit import verify_command
from ops.event_keys import keyring_path, rotate
from ops.replay import print_slip
from ops.settings import Settings, load_settings
from tests.unit.procedure_fixtures import seed_form
from tests.fast import FAST_PASSWORD_HASHING
from ops.wiring import build_container
from tests.e2e.conftest import PASSWORD, STAFF, act, login
from tests.pg import CONNINFO

NAME, PHONE, ID_NUMBER = "Lê Thị Hồng Nhung", "0912345678", "079203004567"
NEEDLES = [NAME.encode(), json.dumps(NAME).strip('"').encode(), PHONE.encode(), ID_NUMBER.encode(), PASSWORD.encode()]


def raw_states(settings: Settings, app: str, kind: str = "events") -> list[tuple[str, int, bytes]]:
    """(originator id, version, stored bytes) straight from the tables, no library involved."""
    if settings.embedded:
        table = "stored_events" if kind == "events" else "stored_snapshots"
        with closing(sqlite3.connect(settings.data_path / f"{app}.sqlite")) as conn:
            rows = conn.execute(f"SELECT originator_id, originator_version, state FROM {table}").fetchall()
    else:
        with psycopg.connect(CONNINFO) as conn:
            rows = conn.execute(SQL("SELECT originator_id, originator_version, state FROM {}.{}").format(
                Identifier(settings.postgres_schema), Identifier(f"{app}_{kind}"))).fetchall()
    return [(str(r[0]), r[1], bytes(r[2])) for r in rows]


@pytest.fixture
def settings(tmp_path, store) -> Settings:
    return load_settings({}, data_dir=str(tmp_path / "var"), access_token_minutes=43200, **FAST_PASSWORD_HASHING, **store)


@contextmanager
def running(settings: Settings, clock) -> Iterator[tuple[object, TestClient]]:
    container = build_container(settings, clock=clock)
    container.start()
    try:
        with TestClient(create_app(container.services)) as client:
            yield container, client
    finally:
        container.close()


def staff_and_citizen(container, client) -> dict[str, dict[str, str]]:
    accounts = container.services.accounts
    accounts.register(username="nhung", password=PASSWORD, role=Role.CITIZEN, full_name=NAME)
    for username, (role, unit) in STAFF.items():
        accounts.register(username=username, password=PASSWORD, role=role, unit=unit, full_name=username.title())
    return {k: login(client, k) for k in ["nhung", *STAFF]}


def file_dossier(client, people) -> dict:
    body = {"procedureCode": "2.001610",
            "applicant": {"name": NAME, "idNumber": ID_NUMBER, "phone": PHONE, "address": "12 Phố Huế, Hà Nội"},
            "form": seed_form("2.001610")}
    created = client.post("/dossiers", json=body, headers=people["nhung"])
    assert created.status_code == 201, created.text
    return created.json()


def test_stored_event_and_snapshot_bytes_hold_no_personal_data(settings, clock):
    with running(settings, clock) as (container, client):
        people = staff_and_citizen(container, client)
        created = file_dossier(client, people)
        office = f"/office/dossiers/{created['code']}"
        v = act(client, people["reception"], f"{office}/reception", 1).json()["version"]
        container.services.dossiers.take_snapshot(UUID(created["id"]))  # (a hand-over cannot be snapshotted yet)
        act(client, people["reception"], f"{office}/hand-overs", v, {"toUnit": "000.13.01.H22", "stepIndex": 1})
        detail = client.get(f"/me/dossiers/{created['code']}", headers=people["nhung"]).json()
        assert detail["applicant"]["name"] == NAME and ID_NUMBER in json.dumps(detail["applicant"])

    ring = parse_keyring(keyring_path(settings).read_text())
    records = raw_states(settings, "dossiers") + raw_states(settings, "accounts")
    snapshots = raw_states(settings, "dossiers", "snapshots")
    assert len(snapshots) == 1 and len(records) > 10
    for _, _, state in records + snapshots:
        assert state.startswith(MARKER) and record_key_id(state) == ring.current_id
        assert not [n for n in NEEDLES if n in state]


def test_a_rotation_mid_journey_keeps_old_records_and_everything_reads_replays_and_verifies(settings, clock, capsys,
                                                                                           monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")  # rich's table for `motcua replay`, unwrapped
    with running(settings, clock) as (container, client):
        people = staff_and_citizen(container, client)
        created = file_dossier(client, people)
        code, office = created["code"], f"/office/dossiers/{created['code']}"
        v = act(client, people["reception"], f"{office}/reception", 1).json()["version"]
        container.services.dossiers.take_snapshot(UUID(created["id"]))
    before = {(o, v): s for o, v, s in raw_states(settings, "dossiers")}
    old_snapshot = raw_states(settings, "dossiers", "snapshots")

    old, new = rotate(settings)
    assert new.current_id != old.current_id and set(old.ids()) < set(new.ids())

    clock.advance(timedelta(hours=1))
    with running(settings, clock) as (container, client):
        people = {k: login(client, k) for k in ["nhung", *STAFF]}
        r = act(client, people["nhung"], f"/dossiers/{code}/messages", v, {"text": f"Tôi là {NAME}, SĐT {PHONE}"})
        assert r.status_code == 201, r.text
        container.services.dossiers.take_snapshot(UUID(created["id"]))
        r = act(client, people["reception"], f"{office}/hand-overs", r.json()["version"],
                {"toUnit": "000.13.01.H22", "stepIndex": 1})
        assert r.status_code == 200, r.text
        # The index projection reads the new key's events too.
        page = client.get("/me/dossiers", params={"minPosition": r.json()["position"]}, headers=people["nhung"]).json()
        assert [(d["code"], d["version"]) for d in page["items"]] == [(code, r.json()["version"])]
        assert client.get(f"/me/dossiers/{code}", headers=people["nhung"]).json()["applicant"]["name"] == NAME

    after = {(o, v): s for o, v, s in raw_states(settings, "dossiers")}
    assert {k: after[k] for k in before} == before
    assert {record_key_id(s) for s in before.values()} == {old.current_id}
    assert {record_key_id(s) for k, s in after.items() if k not in before} == {new.current_id}
    assert not [n for s in after.values() for n in NEEDLES if n in s]
    snapshots = raw_states(settings, "dossiers", "snapshots")
    assert old_snapshot[0] in snapshots and {record_key_id(s) for *_, s in snapshots} == {old.current_id, new.current_id}

    capsys.readouterr()
    status, verified = verify_command(settings), capsys.readouterr().out
    assert status == 0, verified
    assert "OK dossiers" in verified and "2 snapshots" in verified and "BREAK" not in verified
    assert print_slip(settings, code) == 0
    slip = capsys.readouterr().out
    assert "HandedOver" in slip and "Received" in slip


def test_a_wrong_keyring_fails_loudly_naming_the_key_id(settings, clock):
    with running(settings, clock) as (container, client):
        people = staff_and_citizen(container, client)
        file_dossier(client, people)
    path = keyring_path(settings)
    ring = parse_keyring(path.read_text())
    path.write_text(Keyring({ring.current_id: new_keyring().current}, ring.current_id).to_text())
    with pytest.raises(MapperDeserialisationError, match=f"key id '{ring.current_id}'.*does not decrypt"):
        build_container(settings, clock=clock).close()
