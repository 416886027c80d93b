"""Lists and the public look-up come from the lookup index; a client reads its own writes."""

import time

from tests.e2e.conftest import act, submit


def test_a_citizen_sees_the_dossier_just_filed_in_their_list(client, people):
    created = submit(client, people["citizen"]).json()
    page = client.get("/me/dossiers", params={"minPosition": created["position"]}, headers=people["citizen"])
    assert page.status_code == 200, page.text
    body = page.json()
    assert body["caughtUp"] is True
    assert [d["code"] for d in body["items"]] == [created["code"]]
    assert body["items"][0]["version"] == 1 and body["items"][0]["nationalStatus"] == 1
    other = client.get("/me/dossiers", headers=people["other"]).json()
    assert other["items"] == []


def test_the_applicant_list_pages_with_a_cursor_without_gaps_or_repeats(client, people):
    codes = [submit(client, people["citizen"]).json() for _ in range(5)]
    last = max(c["position"] for c in codes)
    seen, cursor = [], None
    while True:
        params = {"limit": 2, "minPosition": last, **({"cursor": cursor} if cursor else {})}
        body = client.get("/me/dossiers", params=params, headers=people["citizen"]).json()
        seen += [d["code"] for d in body["items"]]
        cursor = body["nextCursor"]
        if cursor is None:
            break
    assert seen == sorted((c["code"] for c in codes), reverse=True)
    bad = client.get("/me/dossiers", params={"cursor": "bm90LWEtY3Vyc29y"}, headers=people["citizen"])
    assert bad.status_code == 400 and bad.json()["field"] == "cursor"
    too_many = client.get("/me/dossiers", params={"limit": 10_000}, headers=people["citizen"])
    assert too_many.status_code == 400 and too_many.json()["field"] == "limit"


def test_the_worklist_shows_the_units_dossiers_with_status_filters(client, people):
    a = submit(client, people["citizen"]).json()
    b = submit(client, people["citizen"]).json()
    received = act(client, people["reception"], f"/office/dossiers/{b['code']}/reception", 1).json()
    page = client.get("/office/worklist", params={"minPosition": received["position"]}, headers=people["reception"]).json()
    assert {d["code"] for d in page["items"]} == {a["code"], b["code"]}
    only_received = client.get("/office/worklist", params={"nationalStatus": 2, "minPosition": received["position"]},
                               headers=people["reception"]).json()
    assert [d["code"] for d in only_received["items"]] == [b["code"]]
    assert only_received["items"][0]["appointment"] is not None
    outsider = client.get("/office/worklist", params={"minPosition": received["position"]}, headers=people["outsider"]).json()
    assert outsider["items"] == []
    assert client.get("/office/worklist", headers=people["citizen"]).status_code == 403


def test_the_public_lookup_needs_the_receipt_secret_and_shows_no_personal_data(client, people):
    created = submit(client, people["citizen"]).json()
    client.get("/me/dossiers", params={"minPosition": created["position"]}, headers=people["citizen"])
    found = client.post("/lookup", json={"code": created["code"], "secret": created["lookupSecret"]})
    assert found.status_code == 200, found.text
    body = found.json()
    assert body["code"] == created["code"] and body["nationalStatus"] == 1
    assert "applicant" not in body and "Nguyễn" not in found.text
    wrong = client.post("/lookup", json={"code": created["code"], "secret": "WRONGSECRET"})
    unknown = client.post("/lookup", json={"code": "000.00.01.H22-260302-9999", "secret": created["lookupSecret"]})
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.json()["code"] == unknown.json()["code"] == "dossier-not-found"


def test_readiness_reports_the_index_lag(client, people):
    created = submit(client, people["citizen"]).json()
    client.get("/me/dossiers", params={"minPosition": created["position"]}, headers=people["citizen"])
    for _ in range(200):  # the read-your-writes wait is bounded; on a loaded machine the index may need longer
        ready = client.get("/ready")
        assert ready.status_code == 200
        components = {c["name"]: c for c in ready.json()["components"]}
        if components["lookup-index"]["lagEvents"] == 0:
            break
        time.sleep(0.05)
    assert components["lookup-index"]["lagEvents"] == 0 and components["event-store"]["ok"]
