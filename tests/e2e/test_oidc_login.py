"""Citizens sign in through the identity provider (the local OIDC stand-in), on both stores."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from litestar.testing import TestClient
from structlog.testing import capture_logs

from adapters.oidc.standin import OidcStandInServer
from api.app import create_app
from ops.settings import load_settings
from tests.fast import FAST_PASSWORD_HASHING
from ops.wiring import Container, build_container
from tests.e2e.conftest import submit

CLIENT_ID = "motcua-portal"
CCCD = "001099000001"


@pytest.fixture
def provider(clock) -> Iterator[OidcStandInServer]:
    with OidcStandInServer(alg="ES256", client_id=CLIENT_ID, now=clock.now) as server:
        yield server


@pytest.fixture
def container(tmp_path, clock, store, provider) -> Iterator[Container]:
    settings = load_settings({}, data_dir=str(tmp_path / "var"), access_token_minutes=43200, **FAST_PASSWORD_HASHING,
                             oidc_issuer=provider.issuer, oidc_client_id=CLIENT_ID, **store)
    c = build_container(settings, clock=clock)
    c.start()
    yield c
    c.close()


@pytest.fixture
def client(container) -> Iterator[TestClient]:
    with TestClient(create_app(container.services)) as test_client:
        yield test_client


def oidc_login(client: TestClient, id_token: str, nonce: str | None = None):
    return client.post("/auth/oidc", json={"idToken": id_token, **({"nonce": nonce} if nonce else {})})


def bearer(response) -> dict[str, str]:
    assert response.status_code == 200, response.text
    return {"Authorization": "Bearer " + response.json()["accessToken"]}


def test_a_citizen_signs_in_with_the_provider_files_a_dossier_and_finds_it_again_next_time(client, provider):
    id_token = provider.issue("vneid-sub-1", id_number=CCCD, name="Nguyễn Văn An", nonce="n-123")
    with capture_logs() as logs:
        first = bearer(oidc_login(client, id_token, nonce="n-123"))
        filed = submit(client, first)
        assert filed.status_code == 201, filed.text
        profile = client.get("/me/profile", headers=first).json()
        assert profile["role"] == "citizen" and profile["fullName"] == "Nguyễn Văn An"
        assert CCCD not in profile["username"]

        again = bearer(oidc_login(client, provider.issue("vneid-sub-1", id_number=CCCD, name="Nguyễn Văn An")))
        assert client.get("/me/profile", headers=again).json()["id"] == profile["id"]
        mine = client.get("/me/dossiers", params={"minPosition": filed.json()["position"]}, headers=again).json()
        assert [d["code"] for d in mine["items"]] == [filed.json()["code"]]
    assert any(e["event"] == "request" for e in logs)  # the capture saw the requests
    assert CCCD not in repr(logs) and id_token not in repr(logs)


def test_the_citizen_session_refreshes_and_logs_out_like_any_other(client, provider):
    tokens = oidc_login(client, provider.issue("vneid-sub-1", id_number=CCCD)).json()
    rotated = client.post("/auth/refresh", json={"refreshToken": tokens["refreshToken"]})
    assert rotated.status_code == 200
    headers = {"Authorization": "Bearer " + rotated.json()["accessToken"]}
    assert client.post("/auth/logout", json={}, headers=headers).status_code == 204
    assert client.get("/me/profile", headers=headers).status_code == 401


def test_a_personal_id_number_linked_to_another_subject_is_refused_without_echoing_it(client, provider):
    bearer(oidc_login(client, provider.issue("vneid-sub-1", id_number=CCCD)))
    with capture_logs() as logs:
        impostor = oidc_login(client, provider.issue("vneid-sub-2", id_number=CCCD))
    assert impostor.status_code == 409
    body = impostor.json()
    assert body["code"] == "id-number-already-linked"
    assert body["titleVi"] and body["titleEn"]
    assert [e["code"] for e in logs if e["event"] == "oidc_login_refused"] == ["id-number-already-linked"]
    assert CCCD not in impostor.text and CCCD not in repr(logs)
    # The refused subject got no account either: a different number for it now works.
    assert oidc_login(client, provider.issue("vneid-sub-2", id_number="001099000002")).status_code == 200


def test_the_same_subject_with_another_number_is_refused(client, provider):
    bearer(oidc_login(client, provider.issue("vneid-sub-1", id_number=CCCD)))
    changed = oidc_login(client, provider.issue("vneid-sub-1", id_number="001099000009"))
    assert changed.status_code == 409 and changed.json()["code"] == "identity-mismatch"


def test_an_id_token_that_fails_verification_is_a_bilingual_401(client, provider, clock):
    for token in (provider.issue("vneid-sub-1", id_number=CCCD, audience="another-portal"),
                  provider.issue("vneid-sub-1", id_number=CCCD)[:-6] + "AAAAAA"):
        refused = oidc_login(client, token)
        assert refused.status_code == 401, refused.text
        body = refused.json()
        assert body["code"] == "invalid-id-token"
        assert body["titleVi"] == "Mã định danh (ID token) không hợp lệ hoặc đã hết hạn"
        assert CCCD not in refused.text
    wrong_nonce = oidc_login(client, provider.issue("vneid-sub-1", id_number=CCCD, nonce="a"), nonce="b")
    assert wrong_nonce.status_code == 401


def test_a_malformed_personal_id_number_is_refused_clearly(client, provider):
    refused = oidc_login(client, provider.issue("vneid-sub-1", id_number="12345"))
    assert refused.status_code == 422
    assert refused.json()["code"] == "invalid-id-number" and "12345" not in refused.text


def test_the_provider_being_down_is_a_503_with_retry_after(client, provider):
    token = provider.issue("vneid-sub-1", id_number=CCCD)
    provider.stop()
    down = oidc_login(client, token)
    assert down.status_code == 503
    assert down.json()["code"] == "identity-provider-unavailable"
    assert down.headers["retry-after"]


def test_an_account_made_by_the_provider_cannot_be_used_with_a_password(client, provider):
    headers = bearer(oidc_login(client, provider.issue("vneid-sub-1", id_number=CCCD)))
    username = client.get("/me/profile", headers=headers).json()["username"]
    for password in ("", "correct horse battery"):
        assert client.post("/auth/login", json={"username": username, "password": password}).status_code == 401


@pytest.mark.parametrize("store", ["sqlite"], indirect=True)
def test_every_oidc_login_good_or_bad_is_in_the_access_log(client, provider, container):
    from datetime import timedelta

    from domain.actor import Actor, Role

    bearer(oidc_login(client, provider.issue("vneid-sub-1", id_number=CCCD)))
    oidc_login(client, provider.issue("vneid-sub-1", id_number=CCCD, audience="x"))
    auditor = Actor(id="auditor-1", role=Role.AUDITOR)
    entries = container.services.accesses.query(auditor, since=container.clock.now() - timedelta(minutes=1)).entries
    assert sorted(e.action for e in entries) == ["login", "login-failed"]
    assert all(CCCD not in e.subject for e in entries)
