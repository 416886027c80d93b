"""Officers change their password, it expires after MOTCUA_PASSWORD_MAX_AGE_DAYS, and sessions follow."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.account import account_id
from domain.actor import Role
from tests.e2e.conftest import PASSWORD

NEW = "ba con mèo đen 2026"


@pytest.fixture
def officer(container) -> str:
    container.services.accounts.register(username="le.cuong", password=PASSWORD, role=Role.RECEPTION_OFFICER,
                                         unit="000.00.01.H22", full_name="Lê Văn Cường")
    return "le.cuong"


def login(client, username: str, password: str = PASSWORD):
    return client.post("/auth/login", json={"username": username, "password": password})


def change(client, username: str, current: str, new: str):
    return client.post("/auth/password", json={"username": username, "currentPassword": current, "newPassword": new})


def works(client, tokens: dict[str, str]) -> bool:
    """An access token still authenticates (logout of nothing would revoke it, so ask the worklist)."""
    response = client.get("/office/worklist", headers={"Authorization": "Bearer " + tokens["accessToken"]})
    return response.status_code != 401


def test_a_password_change_ends_the_other_sessions_and_opens_a_fresh_one(client, officer, container):
    desk, laptop = login(client, officer).json(), login(client, officer).json()
    assert works(client, desk) and works(client, laptop)
    changed = change(client, officer, PASSWORD, NEW)
    assert changed.status_code == 200, changed.text
    fresh = changed.json()
    assert works(client, fresh)
    assert not works(client, desk) and not works(client, laptop)
    for old in (desk, laptop):
        assert client.post("/auth/refresh", json={"refreshToken": old["refreshToken"]}).status_code == 401
    rotated = client.post("/auth/refresh", json={"refreshToken": fresh["refreshToken"]})
    assert rotated.status_code == 200 and works(client, rotated.json())  # the new generation survives a refresh
    assert login(client, officer).status_code == 401
    assert login(client, officer, NEW).status_code == 200
    events = [type(e).__qualname__ for e in container.services.accounts.events.get(account_id(officer))]
    assert events.count("Account.PasswordChanged") == 1


def test_a_wrong_current_password_changes_nothing_and_counts_towards_lockout(client, officer):
    for _ in range(4):
        refused = change(client, officer, "not my password", NEW)
        assert refused.status_code == 401 and refused.json()["code"] == "invalid-credentials"
    assert login(client, officer, "still wrong!").status_code == 401
    locked = change(client, officer, PASSWORD, NEW)
    assert locked.status_code == 423 and locked.json()["code"] == "account-locked"


POLICY_BREACHES = [
    ("short1", "password-too-short"),
    ("onlylettershere", "password-too-simple"),
    ("1234567890", "password-too-simple"),
    ("le.cuong-2026!", "password-contains-username"),
    (PASSWORD, "password-reused"),
    ("x1" * 70, "password-too-long"),
]


def test_a_new_password_against_the_policy_is_refused_bilingually_and_changes_nothing(client, officer):
    # One account takes every breach in turn (one container per case cost the suite seconds each).
    for new, code in POLICY_BREACHES:
        refused = change(client, officer, PASSWORD, new)
        assert refused.status_code == 422, (code, refused.text)
        body = refused.json()
        assert body["code"] == code and body["field"] == "newPassword", code
        assert body["titleVi"] and body["titleEn"] and body["titleVi"] != body["titleEn"]
        assert new not in refused.text
    assert login(client, officer).status_code == 200


def test_an_expired_password_refuses_login_but_can_still_be_changed(client, officer, clock):
    clock.advance(timedelta(days=89))
    assert login(client, officer).status_code == 200
    clock.advance(timedelta(days=1))
    expired = login(client, officer)
    assert expired.status_code == 403
    body = expired.json()
    assert body["code"] == "password-expired"
    assert body["titleEn"].startswith("The password has expired") and "Mật khẩu đã hết hạn" in body["titleVi"]
    changed = change(client, officer, PASSWORD, NEW)
    assert changed.status_code == 200 and works(client, changed.json())
    assert login(client, officer, NEW).status_code == 200
    clock.advance(timedelta(days=89))  # the clock starts again from the change
    assert login(client, officer, NEW).status_code == 200


def test_a_citizen_counter_account_does_not_expire(client, citizen, clock):
    clock.advance(timedelta(days=400))
    assert login(client, citizen).status_code == 200


def test_identity_provider_sign_in_is_a_clear_problem_when_not_configured(client):
    response = client.post("/auth/oidc", json={"idToken": "eyJ.eyJ.sig"})
    assert response.status_code == 501
    body = response.json()
    assert body["code"] == "oidc-disabled" and body["titleVi"] and body["titleEn"]


def test_malformed_sign_in_requests_are_400_problems_that_change_nothing(client, officer):
    missing = client.post("/auth/password", json={"username": officer, "newPassword": NEW})
    assert missing.status_code == 400 and missing.json()["code"] == "invalid-request"
    extra = client.post("/auth/password", json={"username": officer, "currentPassword": PASSWORD, "newPassword": NEW,
                                                "role": "administrator"})
    assert extra.status_code == 400
    assert client.post("/auth/oidc", json={"idToken": ""}).status_code == 400
    assert client.post("/auth/oidc", json={"idToken": "x" * 20000}).status_code == 400
    assert login(client, officer).status_code == 200
