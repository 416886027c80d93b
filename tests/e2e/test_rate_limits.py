"""Rate limits: per client address, per account, per login username; counted in Redis when set.

The limits do not depend on the event store, so these run on the embedded default; the Redis
test uses the real Redis on 127.0.0.1:6379 with a key prefix of its own.
"""

from __future__ import annotations

import uuid

import pytest
import redis
from litestar.testing import TestClient

from api.app import create_app
from domain.actor import Role
from tests.e2e.hardening_fixtures import PASSWORD, call, configured  # noqa: F401 (fixture)

pytestmark = pytest.mark.parametrize("store", ["sqlite"], indirect=True)
REDIS_URL = "redis://127.0.0.1:6379/0"


def _register(container, *usernames: str) -> None:
    for username in usernames:
        container.services.accounts.register(username=username, password=PASSWORD, role=Role.CITIZEN,
                                             full_name=username.title())


def _login(client, username: str, password: str = PASSWORD):
    return client.post("/auth/login", json={"username": username, "password": password})


def _assert_rate_limited(response, scope_en: str) -> None:
    assert response.status_code == 429, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert 1 <= int(response.headers["retry-after"]) <= 60
    body = response.json()
    assert body["code"] == "rate-limited" and body["status"] == 429
    assert "Quá nhiều yêu cầu" in body["titleVi"] and scope_en in body["titleEn"]
    assert response.headers["x-request-id"]


def test_a_client_over_its_limit_gets_429_with_retry_after_while_another_client_is_served(configured):
    app = create_app(configured(rate_limit_per_client=3).services)
    search = ("GET", "/procedures", {})
    busy = call(app, "198.51.100.7", [search] * 4 + [("GET", "/health", {}), ("GET", "/ready", {})])
    assert [r.status_code for r in busy[:3]] == [200, 200, 200]
    _assert_rate_limited(busy[3], "from this address")
    assert [r.status_code for r in busy[4:]] == [200, 200], "health and readiness are never limited"
    assert [r.status_code for r in call(app, "198.51.100.8", [search] * 3)] == [200, 200, 200]


def test_a_signed_in_account_over_its_limit_gets_429_while_another_account_is_served(configured):
    container = configured(rate_limit_per_account=3)
    _register(container, "an.nguyen", "binh.tran")
    with TestClient(create_app(container.services)) as client:
        an = {"Authorization": "Bearer " + _login(client, "an.nguyen").json()["accessToken"]}
        binh = {"Authorization": "Bearer " + _login(client, "binh.tran").json()["accessToken"]}
        answers = [client.get("/me/profile", headers=an) for _ in range(4)]
        assert [r.status_code for r in answers[:3]] == [200, 200, 200]
        _assert_rate_limited(answers[3], "by this account")
        assert client.get("/me/profile", headers=binh).status_code == 200
        assert client.get("/procedures").status_code == 200, "the client address itself is not limited"


def test_login_attempts_naming_one_username_are_limited_before_the_lockout_and_others_log_in(configured):
    container = configured(rate_limit_login_per_username=3)
    _register(container, "an.nguyen", "binh.tran")
    with TestClient(create_app(container.services)) as client:
        assert [_login(client, "an.nguyen", "wrong password!").status_code for _ in range(3)] == [401, 401, 401]
        throttled = _login(client, "An.Nguyen ")  # the right password, the same username
        _assert_rate_limited(throttled, "to log in with this username")
        assert "accessToken" not in throttled.text
        assert _login(client, "binh.tran").status_code == 200
        assert client.post("/auth/login", json={"password": PASSWORD}).status_code == 400


def test_in_deployment_the_counters_live_in_redis_and_every_app_shares_them(configured):
    prefix = f"motcua-test-{uuid.uuid4().hex}"
    container = configured(start=False, redis_url=REDIS_URL, rate_limit_key_prefix=prefix, rate_limit_per_client=2)
    server = redis.Redis.from_url(REDIS_URL)
    try:
        with TestClient(create_app(container.services)) as first:
            assert [first.get("/procedures").status_code for _ in range(2)] == [200, 200]
        assert list(server.scan_iter(match=f"{prefix}*")), "the counters are in Redis under the prefix"
        with TestClient(create_app(container.services)) as second:  # another worker of the same deployment
            _assert_rate_limited(second.get("/procedures"), "from this address")
    finally:
        for key in server.scan_iter(match=f"{prefix}*"):
            server.delete(key)
        server.close()


def test_when_the_counter_store_is_down_requests_are_served_not_refused(configured):
    container = configured(start=False, redis_url="redis://127.0.0.1:1/0", rate_limit_per_client=1)
    with TestClient(create_app(container.services)) as client:
        assert [client.get("/procedures").status_code for _ in range(3)] == [200, 200, 200]
