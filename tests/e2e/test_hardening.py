"""Security headers, strict CORS, body limits and no stack traces in responses."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from litestar.testing import TestClient

from api.app import create_app
from tests.e2e.conftest import submit
from tests.e2e.hardening_fixtures import configured  # noqa: F401 (fixture)

PORTAL = "https://dichvucong.tinh.example.gov.vn"
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
COMPONENT = "Giấy đề nghị đăng ký doanh nghiệp tư nhân"


def _assert_security_headers(response) -> None:
    headers = response.headers
    assert headers["strict-transport-security"].startswith("max-age=31536000")
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in headers["content-security-policy"]


@pytest.mark.parametrize("store", ["sqlite"], indirect=True)
def test_every_response_normal_or_problem_carries_the_security_headers(client, people):
    health = client.get("/health")
    unauthenticated = client.get("/me/dossiers")
    unknown = client.get("/no/such/route")
    denied = client.get("/office/worklist", headers=people["citizen"])
    mine = client.get("/me/dossiers", headers=people["citizen"])
    assert [r.status_code for r in (health, unauthenticated, unknown, denied, mine)] == [200, 401, 404, 403, 200]
    for response in (health, unauthenticated, unknown, denied, mine):
        _assert_security_headers(response)
        assert response.headers["content-security-policy"].startswith("default-src 'none'")
        assert response.headers["cache-control"] == "no-store"
    docs = client.get("/schema")
    _assert_security_headers(docs)
    assert "script-src" in docs.headers["content-security-policy"], "the schema viewer has a CSP of its own"


@pytest.mark.parametrize("store", ["sqlite"], indirect=True)
def test_without_configured_origins_no_cors_headers_are_sent(client):
    preflight = client.options("/dossiers", headers={"Origin": PORTAL, "Access-Control-Request-Method": "POST"})
    simple = client.get("/procedures", headers={"Origin": PORTAL})
    for response in (preflight, simple):
        assert not any(name.startswith("access-control-") for name in response.headers), response.headers


@pytest.mark.parametrize("store", ["sqlite"], indirect=True)
def test_cors_answers_the_configured_origin_with_exactly_the_api_methods_and_headers_and_no_other(configured):
    container = configured(start=False, cors_origins=PORTAL + ",https://motcua.tinh.example.gov.vn")
    with TestClient(create_app(container.services)) as client:
        preflight = client.options("/dossiers", headers={
            "Origin": PORTAL, "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type, if-match, idempotency-key"})
        assert preflight.status_code in (200, 204), preflight.text
        assert preflight.headers["access-control-allow-origin"] == PORTAL
        assert set(preflight.headers["access-control-allow-methods"].replace(" ", "").split(",")) >= {"GET", "POST", "PATCH"}
        assert "DELETE" not in preflight.headers["access-control-allow-methods"]
        allowed = preflight.headers["access-control-allow-headers"].lower()
        for header in ("authorization", "content-type", "if-match", "idempotency-key", "x-access-reason", "x-request-id"):
            assert header in allowed
        simple = client.get("/procedures", headers={"Origin": PORTAL})
        assert simple.headers["access-control-allow-origin"] == PORTAL
        exposed = simple.headers["access-control-expose-headers"].lower()
        assert all(h in exposed for h in ("etag", "location", "retry-after"))

        stranger = "https://evil.example.com"
        refused = client.options("/dossiers", headers={"Origin": stranger, "Access-Control-Request-Method": "POST"})
        assert "access-control-allow-origin" not in refused.headers
        assert "access-control-allow-origin" not in client.get("/procedures", headers={"Origin": stranger}).headers
        sneaky = client.options("/dossiers", headers={"Origin": PORTAL + ".evil.example.com",
                                                      "Access-Control-Request-Method": "POST"})
        assert "access-control-allow-origin" not in sneaky.headers


def test_a_body_over_the_global_limit_is_a_413_problem_and_files_nothing(client, people, container):
    huge = {"procedureCode": "2.001610", "applicant": {"name": "Nguyễn Văn An", "note": "x" * 1_100_000}}
    response = client.post("/dossiers", json=huge, headers=people["citizen"])
    assert response.status_code == 413, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["titleVi"] and response.json()["titleEn"] == "Request entity too large"
    _assert_security_headers(response)
    assert container.services.dossiers.recorder.max_notification_id() in (None, 0)


def _upload(client, headers, code: str, version: int, content: bytes):
    return client.post(f"/dossiers/{code}/documents", headers={**headers, "If-Match": f'"{version}"'},
                       data={"component": COMPONENT}, files={"file": ("don.pdf", content, "application/pdf")})


def test_the_upload_and_dossier_totals_are_settings_and_refusals_store_nothing(configured, clock):
    from tests.e2e.conftest import login

    container = configured(max_upload_bytes=200_000, max_dossier_document_bytes=150_000)
    from domain.actor import Role

    container.services.accounts.register(username="an.nguyen", password="correct horse battery",
                                         role=Role.CITIZEN, full_name="Nguyễn Văn An")
    with TestClient(create_app(container.services)) as client:
        citizen = login(client, "an.nguyen")
        filed = submit(client, citizen).json()
        code = filed["code"]
        over_body = _upload(client, citizen, code, filed["version"], PDF + b"0" * 250_000)
        assert over_body.status_code == 413, over_body.text
        first = _upload(client, citizen, code, filed["version"], PDF + b"0" * 100_000)
        assert first.status_code == 201, first.text
        over_total = _upload(client, citizen, code, first.json()["version"], PDF + b"1" * 60_000)
        assert over_total.status_code == 413, over_total.text
        assert over_total.headers["content-type"].startswith("application/problem+json")
        documents = client.get(f"/dossiers/{code}/documents", headers=citizen).json()
        assert [d["size"] for d in documents] == [len(PDF) + 100_000]
        # A JSON body as large as an upload is still refused on the other routes.
        assert client.post("/dossiers", headers=citizen, content=b"{" + b" " * 1_100_000 + b"}",
                           ).status_code == 413


@pytest.mark.parametrize("store", ["sqlite"], indirect=True)
def test_an_unexpected_error_is_a_generic_500_with_the_request_id_and_no_trace(client, people, container, monkeypatch):
    def broken(*_args, **_kwargs):
        raise RuntimeError("psycopg: connection to db-secret.internal failed, password=hunter2")

    monkeypatch.setattr(container.services.users, "my_profile", broken)
    response = client.get("/me/profile", headers={**people["citizen"], "X-Request-Id": "req-500-probe"})
    assert response.status_code == 500
    body = response.json()
    assert body["code"] == "internal-error" and body["requestId"] == "req-500-probe"
    assert body["titleVi"] == "Lỗi hệ thống" and body["titleEn"] == "Internal server error"
    assert set(body) <= {"type", "title", "status", "instance", "code", "titleVi", "titleEn", "requestId"}
    for leak in ("Traceback", "RuntimeError", "hunter2", "db-secret", ".py", quote("hunter2")):
        assert leak not in response.text
    _assert_security_headers(response)
