"""Statistics over HTTP: reports for analysts and leaders, the public summary, 503 when unreachable."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest

from ops.settings import load_settings
from tests.fast import FAST_PASSWORD_HASHING
from ops.wiring import Container, build_container
from tests.chdb import chdb_directory, statistics_dsn  # noqa: F401
from tests.e2e.conftest import act, submit

DAY = {"from": "2026-03-02", "to": "2026-03-02"}


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def reachable() -> bool:
    """The store is this test's chDB database; `parametrize("reachable", [False])` points it at nothing."""
    return True


@pytest.fixture
def container(tmp_path, clock, store, reachable, statistics_dsn) -> Iterator[Container]:
    dsn = statistics_dsn if reachable else f"http://127.0.0.1:{_closed_port()}/motcua"
    settings = load_settings({}, data_dir=str(tmp_path / "var"), access_token_minutes=43200, **FAST_PASSWORD_HASHING,
                             clickhouse_dsn=dsn, **store)
    c = build_container(settings, clock=clock)
    c.start()
    yield c
    c.close()


@pytest.fixture
def analyst(people) -> dict[str, str]:
    """The ``people`` fixture already has an analyst account."""
    return people["analyst"]


def _caught_up(container: Container, timeout: float = 20.0) -> None:
    target = container.services.dossiers.recorder.max_notification_id() or 0
    deadline = time.monotonic() + timeout
    while container.services.statistics.position() < target:
        assert time.monotonic() < deadline, "statistics projection did not catch up"
        time.sleep(0.05)


def _journey(client, people) -> None:
    """Two received dossiers (one stopped the same day, one in progress) and one refused."""
    for _ in range(2):
        code = submit(client, people["citizen"]).json()["code"]
        v = act(client, people["reception"], f"/office/dossiers/{code}/reception", 1).json()["version"]
    v = act(client, people["reception"], f"/office/dossiers/{code}/hand-overs", v, {"toUnit": "000.13.01.H22"}).json()["version"]
    stopped = act(client, people["handler"], f"/office/dossiers/{code}/stop", v, {"reason": "Ngành nghề bị cấm"})
    assert stopped.status_code == 200, stopped.text
    refused = submit(client, people["citizen"]).json()["code"]
    assert act(client, people["reception"], f"/office/dossiers/{refused}/refusal", 1,
               {"reason": "Không thuộc thẩm quyền"}).status_code == 200


def test_analysts_get_the_status_report_and_the_service_index_with_its_identities(client, people, analyst, container):
    _journey(client, people)
    _caught_up(container)
    report = client.get("/statistics/status-report", params=DAY, headers=analyst)
    assert report.status_code == 200, report.text
    r = report.json()
    assert (r["received"], r["new"], r["finished"], r["stopped"], r["inProgress"], r["refused"]) == (2, 2, 1, 1, 1, 1)
    assert r["received"] == r["carriedOver"] + r["new"] == r["finished"] + r["inProgress"]
    assert r["finished"] == r["early"] + r["onTime"] + r["late"]
    index = client.get("/statistics/service-index", params=DAY, headers=analyst).json()
    assert index["onTimeRate"] == {"numerator": 2, "denominator": 2, "value": 1.0}
    assert index["satisfaction"] == {"numerator": 0, "denominator": 0, "value": None}
    public = client.get("/public/statistics", params={**DAY, "unit": "000.00.01.H22"})
    assert public.status_code == 200, public.text
    assert public.json()["received"] == 2 and "000.00.01.H22" in public.json()["scope"]["units"]


def test_citizens_and_leaders_of_other_units_cannot_read_statistics(client, people, container):
    assert client.get("/statistics/status-report", headers=people["citizen"]).status_code == 403
    leader = client.get("/statistics/status-report", params={"unit": "000.00.17.H22"}, headers=people["leader"])
    assert leader.status_code == 403
    assert client.get("/statistics/status-report").status_code == 401
    bad = client.get("/statistics/status-report", params={"from": "2026-03-05", "to": "2026-03-01"},
                     headers=people["auditor"])
    assert bad.status_code == 422


@pytest.mark.parametrize("reachable", [False])
def test_an_unreachable_store_gives_503_with_retry_after_and_commands_still_work(client, people, analyst, container):
    response = client.get("/statistics/status-report", params=DAY, headers=analyst)
    assert response.status_code == 503 and response.headers["Retry-After"]
    public = client.get("/public/statistics")
    assert public.status_code == 503 and public.headers["Retry-After"]
    assert submit(client, people["citizen"]).status_code == 201
    ready = client.get("/ready").json()
    statistics = next(c for c in ready["components"] if c["name"] == "statistics")
    assert statistics["ok"] and statistics["detail"].startswith("unavailable")
