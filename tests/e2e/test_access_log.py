"""Every officer or auditor read of a dossier, and every login, lands in the access log."""

from urllib.parse import quote
from tests.e2e.conftest import submit


def test_officer_and_auditor_reads_and_logins_are_logged_but_public_lookups_are_not(client, people, container):
    created = submit(client, people["citizen"]).json()
    code = created["code"]
    assert client.get(f"/office/dossiers/{code}", headers=people["reception"]).status_code == 200
    no_reason = client.get(f"/audit/dossiers/{code}/history", headers=people["auditor"])
    assert no_reason.status_code == 400 and no_reason.json()["code"] == "access-reason-required"
    auditor = {**people["auditor"], "X-Access-Reason": quote("Xác minh khiếu nại số 45")}
    assert client.get(f"/audit/dossiers/{code}/history", headers=auditor).status_code == 200
    client.get("/me/dossiers", params={"minPosition": created["position"]}, headers=people["citizen"])
    client.post("/lookup", json={"code": code, "secret": created["lookupSecret"]})
    client.post("/auth/login", json={"username": "an.nguyen", "password": "not the password"})

    log = client.get("/audit/access-log", params={"subject": code}, headers=people["auditor"])
    assert log.status_code == 200, log.text
    entries = log.json()["items"]
    assert [(e["action"], e["actorRole"]) for e in entries] == [
        ("read-history", "auditor"), ("read-dossier", "reception_officer"),
    ]
    assert entries[0]["reason"] == "Xác minh khiếu nại số 45" and entries[0]["ip"]
    logins = client.get("/audit/access-log", params={"subject": "an.nguyen"}, headers=people["auditor"]).json()["items"]
    assert [e["action"] for e in logins][:2] == ["login-failed", "login"]
    assert client.get("/audit/access-log", headers=people["reception"]).status_code == 403


def test_the_access_log_refuses_changes_at_the_database_level(client, people, container):
    import pytest

    code = submit(client, people["citizen"]).json()["code"]
    client.get(f"/office/dossiers/{code}", headers=people["reception"])
    log = container.services.accesses._log
    if hasattr(log, "_conn"):
        with pytest.raises(Exception, match="append-only"):
            log._conn.execute("DELETE FROM access_log")
    else:
        with pytest.raises(Exception, match="append-only"), log._pool.connection() as conn:
            conn.execute(f'UPDATE "{container.settings.postgres_schema}".access_log SET reason = \'x\'')
