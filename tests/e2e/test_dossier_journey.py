"""A dossier's whole life over HTTP on the embedded default."""

from urllib.parse import quote
from datetime import timedelta

from tests.e2e.conftest import act, submit


def test_a_dossier_goes_from_submission_to_rating_over_http(client, people, clock):
    created = submit(client, people["citizen"])
    assert created.status_code == 201, created.text
    code = created.json()["code"]
    assert created.headers["etag"] == '"1"'
    assert created.headers["location"] == f"/me/dossiers/{code}"
    office = f"/office/dossiers/{code}"
    mine = f"/me/dossiers/{code}"

    v = act(client, people["reception"], f"{office}/reception", 1).json()["version"]
    r = act(client, people["reception"], f"{office}/hand-overs", v, {"toUnit": "000.13.01.H22", "stepIndex": 1})
    assert r.status_code == 200, r.text
    clock.advance(timedelta(hours=1))
    r = act(client, people["handler"], f"{office}/supplement-requests", r.json()["version"],
            {"items": ["Bản sao CCCD"], "reason": "Thiếu bản sao căn cước công dân"})
    assert r.json().get("nationalStatus") == 5, r.text
    clock.advance(timedelta(hours=2))
    r = act(client, people["citizen"], f"{mine}/supplements", r.json()["version"], {"documents": ["cccd.pdf"]})
    assert r.status_code == 200, r.text
    r = act(client, people["handler"], f"{office}/hand-overs", r.json()["version"], {"toUnit": "000.00.13.H22", "stepIndex": 2})
    r = act(client, people["leader"], f"{office}/approval", r.json()["version"], {"summary": "Cấp giấy chứng nhận"})
    assert r.status_code == 200, r.text
    r = act(client, people["reception"], f"{office}/completion", r.json()["version"], {"electronicResult": True})
    assert r.json()["nationalStatus"] == 9
    r = act(client, people["reception"], f"{office}/result-return", r.json()["version"], {"method": "online"})
    assert r.json()["nationalStatus"] == 10
    r = act(client, people["citizen"], f"{mine}/rating", r.json()["version"], {"score": 5, "comment": "Nhanh"})
    assert r.status_code == 200, r.text

    detail = client.get(mine, headers=people["citizen"])
    assert detail.status_code == 200
    body = detail.json()
    assert detail.headers["etag"] == f'"{body["version"]}"'
    assert body["nationalStatus"] == 10 and body["rating"] == 5
    assert body["appointment"] == "2026-03-05T03:30:00Z"  # 3 working days, +1.5 h of wait
    assert [h["toUnit"] for h in body["handOvers"]] == ["000.13.01.H22", "000.00.13.H22"]


def test_messages_flow_between_the_applicant_and_the_officers(client, people):
    code = submit(client, people["citizen"]).json()["code"]
    posted = act(client, people["citizen"], f"/dossiers/{code}/messages", 1, {"text": "Xin hỏi khi nào có kết quả?"})
    assert posted.status_code == 201, posted.text
    act(client, people["reception"], f"/dossiers/{code}/messages", 2, {"text": "Dự kiến thứ Năm."})
    listed = client.get(f"/dossiers/{code}/messages", headers=people["citizen"]).json()
    assert [(m["authorRole"], m["text"]) for m in listed] == [
        ("citizen", "Xin hỏi khi nào có kết quả?"), ("reception_officer", "Dự kiến thứ Năm."),
    ]


def test_auditors_see_the_graded_slip_and_the_state_at_a_past_instant(client, people, clock):
    code = submit(client, people["citizen"]).json()["code"]
    office = f"/office/dossiers/{code}"
    v = act(client, people["reception"], f"{office}/reception", 1).json()["version"]
    received_at = clock.now()
    clock.advance(timedelta(hours=1))  # the 2-hour reception step handed on after 1 h: on time
    v = act(client, people["reception"], f"{office}/hand-overs", v, {"toUnit": "000.13.01.H22", "stepIndex": 1}).json()["version"]
    clock.advance(timedelta(days=3))  # the 16-hour handling step takes 3 working days: late
    act(client, people["handler"], f"{office}/hand-overs", v, {"toUnit": "000.00.13.H22", "stepIndex": 2})

    auditor = {**people["auditor"], "X-Access-Reason": quote("Thanh tra theo Quyết định 12/QĐ-TTr")}
    slip = client.get(f"/audit/dossiers/{code}/history", headers=auditor)
    assert slip.status_code == 200, slip.text
    rows = slip.json()
    assert [r["event"] for r in rows] == ["Submitted", "Received", "HandedOver", "HandedOver"]
    assert [r["nationalStatus"] for r in rows] == [1, 2, 4, 4]
    assert [(r["stepName"], r["grade"]) for r in rows[2:]] == [("Tiếp nhận hồ sơ", "on_time"), ("Xem xét, cấp đăng ký", "late")]
    assert rows[1]["actorRole"] == "reception_officer" and rows[1]["actorUnit"] == "000.00.01.H22"

    at = (received_at + timedelta(minutes=30)).isoformat()
    past = client.get(f"/audit/dossiers/{code}/state", params={"at": at}, headers=auditor)
    assert past.status_code == 200, past.text
    assert past.json()["status"] == "received" and past.json()["version"] == 2
    before = client.get(f"/audit/dossiers/{code}/state", params={"at": "2020-01-01T00:00:00+07:00"}, headers=auditor)
    assert before.status_code == 404
    citizen = client.get(f"/audit/dossiers/{code}/history", headers=people["citizen"])
    assert citizen.status_code == 403
