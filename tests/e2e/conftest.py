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
from ops.wiring import Container, build_container


@pytest.fixture
def clock() -> SimulatedClock:
    return SimulatedClock(datetime(2026, 3, 2, 2, 0, tzinfo=UTC))  # Mon 09:00 in Hà Nội


@pytest.fixture
def container(tmp_path, clock) -> Iterator[Container]:
    c = build_container(load_settings({}, data_dir=str(tmp_path / "var")), clock=clock)
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
