"""Prometheus /metrics: per-operation latency, counts and command outcomes, projection lag, and
the group committer's batch sizes; readable by the scraper's token or from loopback only."""

from __future__ import annotations

import pytest
from litestar.testing import TestClient
from prometheus_client.parser import text_string_to_metric_families

from api.app import create_app
from domain.actor import Role
from ops.metrics import observe_batch_path, observe_batch_size
from tests.e2e.conftest import act, login, submit
from tests.e2e.hardening_fixtures import PASSWORD, call, configured  # noqa: F401 (fixture)

TOKEN = "scrape-token-for-tests-0123456789"
SCRAPER = {"Authorization": f"Bearer {TOKEN}"}


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def _value(samples, name: str, **labels: str) -> float | None:
    return samples.get((name, tuple(sorted(labels.items()))))


def test_metrics_show_latency_counts_and_outcomes_per_operation_and_the_projection_lag(configured):
    container = configured(metrics_token=TOKEN)
    for username, role, unit in (("an.nguyen", Role.CITIZEN, None), ("reception", Role.RECEPTION_OFFICER, "000.00.01.H22")):
        container.services.accounts.register(username=username, password=PASSWORD, role=role, unit=unit, full_name=username)
    with TestClient(create_app(container.services)) as client:
        citizen, officer = login(client, "an.nguyen"), login(client, "reception")
        code = submit(client, citizen).json()["code"]
        assert client.get("/me/dossiers", headers=citizen).status_code == 200
        assert act(client, officer, f"/office/dossiers/{code}/reception", 1).status_code == 200
        assert act(client, officer, f"/office/dossiers/{code}/reception", 1).status_code == 412  # stale If-Match
        observe_batch_size(3)
        observe_batch_path("bulk")
        scraped = client.get("/metrics", headers=SCRAPER)
        assert scraped.status_code == 200, scraped.text
        assert scraped.headers["content-type"].startswith("text/plain")
        samples = _samples(scraped.text)

    assert _value(samples, "motcua_http_request_duration_seconds_count", operation="listMyDossiers") == 1
    assert _value(samples, "motcua_http_request_duration_seconds_bucket", operation="submitDossier", le="+Inf") == 1
    assert _value(samples, "motcua_http_requests_total", operation="login", status_class="2xx") == 2
    assert _value(samples, "motcua_http_requests_total", operation="receiveDossier", status_class="4xx") == 1
    assert _value(samples, "motcua_command_outcomes_total", operation="submitDossier", outcome="accepted") == 1
    assert _value(samples, "motcua_command_outcomes_total", operation="receiveDossier", outcome="accepted") == 1
    assert _value(samples, "motcua_command_outcomes_total", operation="receiveDossier", outcome="conflict") == 1
    assert _value(samples, "motcua_command_outcomes_total", operation="listMyDossiers", outcome="accepted") is None
    assert not any(code in name or code in str(labels) for name, labels in samples), "labels are operations, not paths"
    lag = {dict(labels)["projection"]: value for (name, labels), value in samples.items()
           if name == "motcua_projection_lag_events"}
    assert {"lookup-index", "catalogue"} <= set(lag) and all(value >= 0 for value in lag.values())
    assert (_value(samples, "motcua_group_commit_batch_size_count") or 0) >= 1
    assert (_value(samples, "motcua_group_commit_batch_size_bucket", le="4.0") or 0) >= 1
    assert (_value(samples, "motcua_group_commit_batches_total", path="bulk") or 0) >= 1


@pytest.mark.parametrize("store", ["sqlite"], indirect=True)
def test_the_lag_gauge_shows_events_the_index_has_not_applied_yet(configured):
    container = configured(start=False, metrics_token=TOKEN)  # no projector runs: the index trails
    container.services.accounts.register(username="an.nguyen", password=PASSWORD, role=Role.CITIZEN, full_name="An")
    with TestClient(create_app(container.services)) as client:
        citizen = login(client, "an.nguyen")
        for _ in range(2):
            assert submit(client, citizen).status_code == 201
        samples = _samples(client.get("/metrics", headers=SCRAPER).text)
    stored = container.services.dossiers.recorder.max_notification_id()
    assert _value(samples, "motcua_projection_lag_events", projection="lookup-index") == stored >= 2


@pytest.mark.parametrize("store", ["sqlite"], indirect=True)
def test_only_the_scraper_token_reads_the_metrics_and_signed_in_people_do_not(configured):
    container = configured(start=False, metrics_token=TOKEN)
    container.services.accounts.register(username="admin", password=PASSWORD, role=Role.ADMINISTRATOR, full_name="A")
    with TestClient(create_app(container.services)) as client:
        for headers in ({}, {"Authorization": "Bearer wrong"}, login(client, "admin")):
            refused = client.get("/metrics", headers=headers)
            assert refused.status_code == 403, refused.text
            assert refused.json()["code"] == "metrics-forbidden"
            assert refused.json()["titleVi"] and refused.json()["titleEn"]
            assert "motcua_" not in refused.text
        assert client.get("/metrics", headers=SCRAPER).status_code == 200


@pytest.mark.parametrize("store", ["sqlite"], indirect=True)
def test_without_a_token_loopback_reads_the_metrics_and_a_remote_client_does_not(configured):
    app = create_app(configured(start=False).services)
    (local,) = call(app, "127.0.0.1", [("GET", "/metrics", {})])
    (remote,) = call(app, "203.0.113.9", [("GET", "/metrics", {})])
    assert local.status_code == 200 and "motcua_http_request_duration_seconds" in local.text
    assert remote.status_code == 403 and remote.json()["code"] == "metrics-forbidden"


@pytest.mark.parametrize("store", ["sqlite"], indirect=True)
def test_two_apps_in_one_process_keep_their_own_request_metrics(configured):
    services = configured(start=False, metrics_token=TOKEN).services
    first, second = create_app(services), create_app(services)
    with TestClient(first) as one, TestClient(second) as other:
        assert one.get("/procedures").status_code == 200
        mine = _samples(one.get("/metrics", headers=SCRAPER).text)
        theirs = _samples(other.get("/metrics", headers=SCRAPER).text)
    assert _value(mine, "motcua_http_request_duration_seconds_count", operation="searchProcedures") == 1
    assert _value(theirs, "motcua_http_request_duration_seconds_count", operation="searchProcedures") is None
