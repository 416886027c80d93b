"""exportMyData: a citizen downloads everything held about them, and nothing about anyone else."""

from __future__ import annotations

from tests.unit.procedure_fixtures import seed_form
from tests.e2e.conftest import act, submit


def test_a_citizen_exports_their_profile_dossiers_histories_messages_and_who_read_them(client, people, container):
    mine = submit(client, people["citizen"]).json()
    second = submit(client, people["citizen"]).json()
    other = client.post("/dossiers", headers=people["other"], json={
        "procedureCode": "2.001610", "applicant": {"name": "Trần Thị Bình", "idNumber": "038195000777"},
        "form": seed_form("2.001610")}).json()
    office = f"/office/dossiers/{mine['code']}"
    assert client.get(office, headers=people["reception"]).status_code == 200  # an officer's read
    v = act(client, people["reception"], f"{office}/reception", 1).json()["version"]
    act(client, people["citizen"], f"/dossiers/{mine['code']}/messages", v, {"text": "Khi nào có kết quả?"})

    response = client.get("/me/data", headers=people["citizen"])
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    data = response.json()

    profile = data["profile"]
    assert profile["username"] == "an.nguyen" and profile["fullName"] == "Nguyễn Văn An"
    assert "passwordHash" not in profile and "$argon2" not in response.text
    assert [e["event"] for e in data["accountHistory"]][0].endswith("Registered")
    assert [e["action"] for e in data["logins"]] == ["login"]

    by_code = {d["dossier"]["code"]: d for d in data["dossiers"]}
    assert set(by_code) == {mine["code"], second["code"]}
    first = by_code[mine["code"]]
    assert first["dossier"]["applicant"]["name"] == "Nguyễn Văn An" and first["dossier"]["status"] == "received"
    assert [row["event"] for row in first["history"]] == ["Submitted", "Received", "MessagePosted"]
    assert [m["text"] for m in first["messages"]] == ["Khi nào có kết quả?"]
    readers = [(r["actorRole"], r["action"]) for r in first["readBy"]]
    assert ("reception_officer", "read-dossier") in readers
    assert all("ip" not in r for r in first["readBy"])
    assert by_code[second["code"]]["readBy"] == []

    assert other["code"] not in response.text and "Trần Thị Bình" not in response.text
    assert "038195000777" not in response.text


def test_another_citizen_gets_only_their_own_and_officers_get_nothing(client, people):
    mine = submit(client, people["citizen"]).json()
    theirs = client.get("/me/data", headers=people["other"])
    assert theirs.status_code == 200
    assert theirs.json()["dossiers"] == [] and mine["code"] not in theirs.text
    assert theirs.json()["profile"]["username"] == "binh.tran"
    refused = client.get("/me/data", headers=people["reception"])
    assert refused.status_code == 403 and refused.headers["content-type"].startswith("application/problem+json")
    assert client.get("/me/data").status_code == 401
