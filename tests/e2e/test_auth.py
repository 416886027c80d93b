from tests.e2e.conftest import login


def test_login_gives_tokens_that_authenticate_and_logout_revokes_them(client, citizen):
    response = client.post("/auth/login", json={"username": citizen, "password": "correct horse battery"})
    assert response.status_code == 200
    tokens = response.json()
    headers = {"Authorization": "Bearer " + tokens["accessToken"]}
    out = client.post("/auth/logout", json={"refreshToken": tokens["refreshToken"]}, headers=headers)
    assert out.status_code == 204
    again = client.post("/auth/logout", json={}, headers=headers)
    assert again.status_code == 401
    assert again.json()["type"].endswith("/unauthenticated")
    refreshed = client.post("/auth/refresh", json={"refreshToken": tokens["refreshToken"]})
    assert refreshed.status_code == 401


def test_a_refresh_token_works_exactly_once(client, citizen):
    tokens = client.post("/auth/login", json={"username": citizen, "password": "correct horse battery"}).json()
    first = client.post("/auth/refresh", json={"refreshToken": tokens["refreshToken"]})
    assert first.status_code == 200
    assert first.json()["accessToken"] != tokens["accessToken"]
    second = client.post("/auth/refresh", json={"refreshToken": tokens["refreshToken"]})
    assert second.status_code == 401
    assert second.json()["code"] == "invalid-token"


def test_a_wrong_password_gets_a_bilingual_401(client, citizen):
    response = client.post("/auth/login", json={"username": citizen, "password": "wrong password!"})
    assert response.status_code == 401
    body = response.json()
    assert body["titleVi"] == "Tên đăng nhập hoặc mật khẩu không đúng"
    assert body["titleEn"] == "Wrong username or password"


def test_a_forged_token_is_refused(client, citizen):
    headers = login(client, citizen)
    forged = headers["Authorization"][:-4] + "AAAA"
    response = client.post("/auth/logout", json={}, headers={"Authorization": forged})
    assert response.status_code == 401


def test_an_expired_access_token_is_refused(client, citizen, clock):
    from datetime import timedelta

    headers = login(client, citizen)
    clock.advance(timedelta(minutes=43201))
    assert client.post("/auth/logout", json={}, headers=headers).status_code == 401


def test_a_reused_refresh_token_revokes_the_whole_session(client, citizen):
    tokens = client.post("/auth/login", json={"username": citizen, "password": "correct horse battery"}).json()
    rotated = client.post("/auth/refresh", json={"refreshToken": tokens["refreshToken"]}).json()
    stolen_reuse = client.post("/auth/refresh", json={"refreshToken": tokens["refreshToken"]})
    assert stolen_reuse.status_code == 401
    # The legitimate client's newer tokens die with the session.
    assert client.post("/auth/refresh", json={"refreshToken": rotated["refreshToken"]}).status_code == 401
    assert client.post("/auth/logout", json={}, headers={"Authorization": "Bearer " + rotated["accessToken"]}).status_code == 401
    # A new login is a new session.
    fresh = client.post("/auth/login", json={"username": citizen, "password": "correct horse battery"}).json()
    assert client.post("/auth/refresh", json={"refreshToken": fresh["refreshToken"]}).status_code == 200


def test_repeated_wrong_passwords_lock_the_account_for_a_while(client, citizen, clock):
    from datetime import timedelta

    for _ in range(5):
        assert client.post("/auth/login", json={"username": citizen, "password": "wrong password!"}).status_code == 401
    locked = client.post("/auth/login", json={"username": citizen, "password": "correct horse battery"})
    assert locked.status_code == 423
    assert locked.json()["code"] == "account-locked"
    clock.advance(timedelta(minutes=16))
    assert client.post("/auth/login", json={"username": citizen, "password": "correct horse battery"}).status_code == 200
    # The successful login cleared the count: four more failures do not lock it again.
    for _ in range(4):
        client.post("/auth/login", json={"username": citizen, "password": "wrong password!"})
    assert client.post("/auth/login", json={"username": citizen, "password": "correct horse battery"}).status_code == 200
