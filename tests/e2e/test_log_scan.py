"""A whole journey with logging configured as in production: the log output carries no password,
token, receipt secret or ID number, and every officer's read left an access-log entry."""

from __future__ import annotations

import io
import logging
from datetime import timedelta
from urllib.parse import quote

import pytest
import structlog

from ops.log_redaction import RedactingFilter
from ops.logging import configure_logging
from tests.unit.procedure_fixtures import seed_form
from tests.e2e.conftest import PASSWORD, act

ID_NUMBER = "079203004567"
WRONG_PASSWORD = "not the right password 42"


@pytest.fixture
def captured_logs():
    """Everything structlog and standard logging write, as the text a collector would receive."""
    stream = io.StringIO()
    root = logging.getLogger()
    handler = logging.StreamHandler(stream)
    root.addHandler(handler)
    level = root.level
    configure_logging("debug", json=True, stream=stream, cache_loggers=False)
    yield stream
    structlog.reset_defaults()
    root.removeHandler(handler)
    root.setLevel(level)
    for h in root.handlers:
        for f in [f for f in h.filters if isinstance(f, RedactingFilter)]:
            h.removeFilter(f)


def test_a_full_journey_logs_no_secret_and_every_officer_read_is_in_the_access_log(client, people, clock,
                                                                                    captured_logs):
    assert client.post("/auth/login", json={"username": "an.nguyen", "password": WRONG_PASSWORD}).status_code == 401
    tokens = client.post("/auth/login", json={"username": "an.nguyen", "password": PASSWORD}).json()
    rotated = client.post("/auth/refresh", json={"refreshToken": tokens["refreshToken"]}).json()
    citizen = {"Authorization": "Bearer " + rotated["accessToken"]}

    body = {"procedureCode": "2.001610",
            "applicant": {"name": "Nguyễn Văn An", "idNumber": ID_NUMBER, "phone": "0912345678"},
            "form": seed_form("2.001610")}
    created = client.post("/dossiers", json=body, headers={**citizen, "Idempotency-Key": "journey-1"})
    assert created.status_code == 201, created.text
    code, secret = created.json()["code"], created.json()["lookupSecret"]
    client.get("/me/dossiers", params={"minPosition": created.json()["position"]}, headers=citizen)  # index caught up
    assert client.post("/lookup", json={"code": code, "secret": secret}).status_code == 200

    office, mine = f"/office/dossiers/{code}", f"/me/dossiers/{code}"
    reads = []

    def officer_read(who: str, path: str, action: str, **headers: str) -> None:
        response = client.get(path, headers={**people[who], **headers})
        assert response.status_code == 200, response.text
        reads.append((who, action))

    officer_read("reception", office, "read-dossier")
    v = act(client, people["reception"], f"{office}/reception", 1).json()["version"]
    v = act(client, people["reception"], f"{office}/hand-overs", v, {"toUnit": "000.13.01.H22", "stepIndex": 1}).json()["version"]
    officer_read("handler", office, "read-dossier")
    officer_read("handler", f"/dossiers/{code}/messages", "read-messages")
    clock.advance(timedelta(hours=1))
    v = act(client, people["handler"], f"{office}/hand-overs", v, {"toUnit": "000.00.13.H22", "stepIndex": 2}).json()["version"]
    officer_read("leader", f"/dossiers/{code}/documents", "read-documents")
    v = act(client, people["leader"], f"{office}/approval", v, {"summary": "Cấp giấy chứng nhận"}).json()["version"]
    v = act(client, people["reception"], f"{office}/completion", v, {"electronicResult": True}).json()["version"]
    r = act(client, people["reception"], f"{office}/result-return", v, {"method": "online"})
    assert r.json()["nationalStatus"] == 10, r.text
    officer_read("auditor", f"/audit/dossiers/{code}/history", "read-history",
                 **{"X-Access-Reason": quote("Thanh tra định kỳ")})
    assert client.get(mine, headers=citizen).status_code == 200
    client.post("/auth/logout", json={"refreshToken": rotated["refreshToken"]}, headers=citizen)

    text = captured_logs.getvalue()
    assert text.count('"event": "request"') >= 15  # the capture really saw the journey
    secrets = {
        "password": PASSWORD, "wrong password": WRONG_PASSWORD, "ID number": ID_NUMBER, "receipt secret": secret,
        "access token": tokens["accessToken"], "refresh token": tokens["refreshToken"],
        "rotated access token": rotated["accessToken"], "rotated refresh token": rotated["refreshToken"],
        **{f"{who}'s token": h["Authorization"].split()[1] for who, h in people.items()},
    }
    leaked = [name for name, value in secrets.items() if value in text]
    assert not leaked, f"found in the logs: {leaked}"

    auditor = {**people["auditor"], "X-Access-Reason": quote("Kiểm tra nhật ký")}
    entries = client.get("/audit/access-log", params={"subject": code, "limit": 500}, headers=auditor).json()["items"]
    roles = {"reception": "reception_officer", "handler": "handling_officer", "leader": "unit_leader", "auditor": "auditor"}
    logged = [(e["actorRole"], e["action"]) for e in entries]
    for who, action in reads:
        assert (roles[who], action) in logged, (who, action, logged)
        logged.remove((roles[who], action))  # one entry per read
    audit_entry = next(e for e in entries if e["action"] == "read-history")
    assert audit_entry["reason"] == "Thanh tra định kỳ"
