"""Dossiers that end without a result: refused at reception, stopped, withdrawn."""

from datetime import timedelta
from urllib.parse import quote

from tests.e2e.conftest import act, submit


def test_a_dossier_refused_at_reception_is_final_with_national_status_3(client, people):
    code = submit(client, people["citizen"]).json()["code"]
    refused = act(client, people["reception"], f"/office/dossiers/{code}/refusal", 1,
                  {"reason": "Thủ tục không thuộc thẩm quyền của đơn vị"})
    assert refused.status_code == 200, refused.text
    assert refused.json()["nationalStatus"] == 3
    detail = client.get(f"/me/dossiers/{code}", headers=people["citizen"]).json()
    assert detail["appointment"] is None and detail["allowedCommands"] == []
    again = act(client, people["reception"], f"/office/dossiers/{code}/reception", 2)
    assert again.status_code == 409


def test_a_received_dossier_can_be_stopped_with_reasons_and_records_its_net_working_time(client, people, clock):
    code = submit(client, people["citizen"]).json()["code"]
    v = act(client, people["reception"], f"/office/dossiers/{code}/reception", 1).json()["version"]
    v = act(client, people["reception"], f"/office/dossiers/{code}/hand-overs", v, {"toUnit": "000.13.01.H22"}).json()["version"]
    clock.advance(timedelta(hours=3))  # 09:00 -> 12:00 local
    stopped = act(client, people["handler"], f"/office/dossiers/{code}/stop", v, {"reason": "Ngành nghề kinh doanh bị cấm"})
    assert stopped.status_code == 200, stopped.text
    assert stopped.json()["nationalStatus"] == 8
    detail = client.get(f"/office/dossiers/{code}", headers={**people["auditor"], "X-Access-Reason": quote("Kiểm tra")}).json()
    assert detail["endedAt"] is not None
    assert detail["netWorkingHours"] == 2.5  # 09:00-11:30; the lunch break is not working time


def test_a_withdrawal_requested_by_the_applicant_and_accepted_by_an_officer_ends_the_dossier(client, people):
    code = submit(client, people["citizen"]).json()["code"]
    v = act(client, people["reception"], f"/office/dossiers/{code}/reception", 1).json()["version"]
    asked = act(client, people["citizen"], f"/me/dossiers/{code}/withdrawal", v, {"reason": "Tôi không còn nhu cầu"})
    assert asked.status_code == 200, asked.text
    assert asked.json()["nationalStatus"] == 7 and asked.json()["status"] == "withdrawal_requested"
    accepted = act(client, people["reception"], f"/office/dossiers/{code}/withdrawal-acceptance", asked.json()["version"], {})
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["status"] == "withdrawn"
    assert act(client, people["citizen"], f"/me/dossiers/{code}/rating", accepted.json()["version"], {"score": 4}).status_code == 409
