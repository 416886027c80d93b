"""Administrators manage accounts; citizens their own profile; disabling an account ends its sessions."""

from domain.actor import Role
from tests.e2e.conftest import PASSWORD, login


def test_an_administrator_creates_an_officer_who_can_log_in_and_then_disables_them(client, container, people):
    container.services.accounts.register(username="quantri", password=PASSWORD, role=Role.ADMINISTRATOR, full_name="Quản trị")
    admin = login(client, "quantri")
    created = client.post("/admin/users", json={"username": "can.bo.moi", "password": PASSWORD, "role": "handling_officer",
                                               "fullName": "Cán Bộ Mới", "unit": "000.13.01.H22"}, headers=admin)
    assert created.status_code == 201, created.text
    assert created.json()["role"] == "handling_officer"
    officer = login(client, "can.bo.moi")
    assert client.get("/office/worklist", headers=officer).status_code == 200

    moved = client.post("/admin/users/can.bo.moi/role", json={"role": "unit_leader", "unit": "000.00.13.H22"}, headers=admin)
    assert moved.json()["role"] == "unit_leader" and moved.json()["unit"] == "000.00.13.H22"
    no_unit = client.post("/admin/users/can.bo.moi/role", json={"role": "reception_officer"}, headers=admin)
    assert no_unit.status_code == 422 and no_unit.json()["field"] == "unit"

    disabled = client.post("/admin/users/can.bo.moi/disable", json={"reason": "Nghỉ việc"}, headers=admin)
    assert disabled.json()["disabled"] is True
    assert client.get("/office/worklist", headers=officer).status_code == 401  # its tokens died with it
    assert client.post("/auth/login", json={"username": "can.bo.moi", "password": PASSWORD}).status_code == 403
    assert client.post("/admin/users", json={"username": "x.y.z", "password": PASSWORD, "role": "citizen",
                                             "fullName": "X"}, headers=people["reception"]).status_code == 403
    duplicate = client.post("/admin/users", json={"username": "can.bo.moi", "password": PASSWORD, "role": "citizen",
                                                  "fullName": "Y"}, headers=admin)
    assert duplicate.status_code == 409 and duplicate.json()["code"] == "account-exists"


def test_a_citizen_reads_and_updates_their_own_profile(client, people):
    profile = client.get("/me/profile", headers=people["citizen"])
    assert profile.status_code == 200 and profile.json()["fullName"] == "Nguyễn Văn An"
    changed = client.patch("/me/profile", json={"fullName": "Nguyễn Văn An", "phone": "0912345678",
                                                "email": "an@example.vn"}, headers=people["citizen"])
    assert changed.status_code == 200 and changed.json()["phone"] == "0912345678"
    bad = client.patch("/me/profile", json={"fullName": "A", "email": "not-an-email"}, headers=people["citizen"])
    assert bad.status_code == 400
    assert client.get("/me/profile", headers=people["reception"]).status_code == 403
