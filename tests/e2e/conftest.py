"""An app on a fresh embedded data dir per test, with a settable clock."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from litestar.testing import TestClient

from api.app import create_app
from application.clock import SimulatedClock
from domain.actor import Role
from ops.settings import load_settings
from tests.fast import FAST_PASSWORD_HASHING
from ops.wiring import Container, build_container
from tests.pg import DATABASE_URL, fresh_schema
from tests.unit.procedure_fixtures import seed_form


@pytest.fixture
def clock() -> SimulatedClock:
    return SimulatedClock(datetime(2026, 3, 2, 2, 0, tzinfo=UTC))  # Mon 09:00 in Hà Nội


@pytest.fixture(params=["sqlite", "postgres"])
def store(request) -> Iterator[dict[str, object]]:
    """Every end-to-end test runs on the embedded default and on PostgreSQL."""
    if request.param == "sqlite":
        yield {}
    else:
        # The index runs on a thread here: a child process would start a second or two after
        # the container, and journeys read the index at once (tests/integration/
        # test_projector_process.py covers the process).
        with fresh_schema() as schema:
            yield {"database_url": DATABASE_URL, "postgres_schema": schema, "postgres_pool_size": 4,
                   "index_projector_process": False}


@pytest.fixture
def container(tmp_path, clock, store) -> Iterator[Container]:
    # Journeys move the simulated clock by days; tokens last a month here.
    settings = load_settings({}, data_dir=str(tmp_path / "var"), access_token_minutes=43200, **FAST_PASSWORD_HASHING, **store)
    c = build_container(settings, clock=clock)
    c.start()
    yield c
    c.close()


@pytest.fixture
def client(container) -> Iterator[TestClient]:
    with TestClient(create_app(container.services)) as test_client:
        yield test_client


def login(client: TestClient, username: str, password: str = "correct horse battery") -> dict[str, str]:
    response = client.post("/auth/login", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": "Bearer " + response.json()["accessToken"]}


@pytest.fixture
def citizen(container) -> str:
    container.services.accounts.register(username="an.nguyen", password="correct horse battery", role=Role.CITIZEN, full_name="Nguyễn Văn An")
    return "an.nguyen"


PASSWORD = "correct horse battery"
STAFF = {
    "reception": (Role.RECEPTION_OFFICER, "000.00.01.H22"),
    "handler": (Role.HANDLING_OFFICER, "000.13.01.H22"),
    "leader": (Role.UNIT_LEADER, "000.00.13.H22"),
    "auditor": (Role.AUDITOR, None),
    "outsider": (Role.RECEPTION_OFFICER, "000.00.17.H22"),
    "admin": (Role.ADMINISTRATOR, None),
    "analyst": (Role.ANALYST, None),
}


@pytest.fixture
def people(container, client, citizen) -> dict[str, dict[str, str]]:
    """Authorisation headers for a citizen, another citizen and the staff of one province."""
    accounts = container.services.accounts
    accounts.register(username="binh.tran", password=PASSWORD, role=Role.CITIZEN, full_name="Trần Thị Bình")
    for username, (role, unit) in STAFF.items():
        accounts.register(username=username, password=PASSWORD, role=role, unit=unit, full_name=username.title())
    names = {"citizen": citizen, "other": "binh.tran", **{k: k for k in STAFF}}
    return {key: login(client, username) for key, username in names.items()}


def submit(client: TestClient, headers: dict[str, str], procedure: str = "2.001610", **extra: object):
    body = {"procedureCode": procedure, "applicant": {"name": "Nguyễn Văn An", "idNumber": "001099000001"},
            "form": seed_form(procedure), **extra}
    return client.post("/dossiers", json=body, headers=headers)


def act(client: TestClient, headers: dict[str, str], path: str, version: int, body: dict | None = None):
    return client.post(path, json=body or {}, headers={**headers, "If-Match": f'"{version}"'})
