"""Documents over HTTP: the applicant uploads (multipart), lists with hashes, an officer of the
unit downloads the same bytes; strangers get 404; wrong types and sizes are refused."""

from __future__ import annotations

import hashlib

from tests.e2e.conftest import submit

COMPONENT = "Giấy đề nghị đăng ký doanh nghiệp tư nhân"
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
ELF = b"\x7fELF\x02\x01\x01" + bytes(57)


def upload(client, headers, code: str, version: int, content: bytes, name: str = "Đơn đề nghị.pdf",
           component: str = COMPONENT, declared: str = "application/pdf"):
    return client.post(f"/dossiers/{code}/documents", headers={**headers, "If-Match": f'"{version}"'},
                       data={"component": component}, files={"file": (name, content, declared)})


def test_the_applicant_uploads_and_an_officer_of_the_unit_downloads_the_same_bytes(client, people):
    filed = submit(client, people["citizen"]).json()
    code = filed["code"]
    response = upload(client, people["citizen"], code, filed["version"], PDF)
    assert response.status_code == 201, response.text
    assert response.headers["ETag"] == f'"{filed["version"] + 1}"'

    listed = client.get(f"/dossiers/{code}/documents", headers=people["citizen"])
    assert listed.status_code == 200, listed.text
    [document] = listed.json()
    digest = hashlib.sha256(PDF).hexdigest()
    assert (document["component"], document["name"], document["size"], document["mediaType"], document["sha256"]) == (
        COMPONENT, "Đơn đề nghị.pdf", len(PDF), "application/pdf", digest)

    download = client.get(f"/dossiers/{code}/documents/{digest}", headers=people["reception"])
    assert download.status_code == 200, download.text
    assert download.content == PDF
    assert download.headers["content-type"].startswith("application/pdf")
    assert download.headers["content-disposition"].startswith("attachment;")
    assert "filename*=UTF-8''%C4%90%C6%A1n%20%C4%91%E1%BB%81%20ngh%E1%BB%8B.pdf" in download.headers["content-disposition"]

    for stranger in ("other", "outsider"):
        hidden = client.get(f"/dossiers/{code}/documents/{digest}", headers=people[stranger])
        assert hidden.status_code == 404, hidden.text
        assert client.get(f"/dossiers/{code}/documents", headers=people[stranger]).status_code == 404

    accesses = client.get("/audit/access-log", headers={**people["auditor"], "X-Access-Reason": "kiem-tra"},
                          params={"subject": code})
    assert accesses.status_code == 200, accesses.text
    assert "download-document" in accesses.text


def test_an_executable_named_pdf_gets_415_and_an_unknown_component_422(client, people):
    filed = submit(client, people["citizen"]).json()
    code, version = filed["code"], filed["version"]
    mistyped = upload(client, people["citizen"], code, version, ELF)
    assert mistyped.status_code == 415, mistyped.text
    assert mistyped.json()["field"] == "file"
    unknown = upload(client, people["citizen"], code, version, PDF, component="Giấy phép lái xe")
    assert unknown.status_code == 422, unknown.text
    assert unknown.json()["field"] == "component"
    missing = upload(client, people["citizen"], code, version, PDF, component="")
    assert missing.status_code == 422
    assert client.get(f"/dossiers/{code}/documents", headers=people["citizen"]).json() == []


def test_an_oversized_file_gets_413_and_a_missing_if_match_428(client, people):
    filed = submit(client, people["citizen"]).json()
    code, version = filed["code"], filed["version"]
    oversized = upload(client, people["citizen"], code, version, PDF + b"0" * 10_000_000)
    assert oversized.status_code == 413, oversized.text
    too_big_a_body = upload(client, people["citizen"], code, version, PDF + b"0" * 60_000_000)
    assert too_big_a_body.status_code == 413
    no_if_match = client.post(f"/dossiers/{code}/documents", headers=people["citizen"],
                              data={"component": COMPONENT}, files={"file": ("a.pdf", PDF, "application/pdf")})
    assert no_if_match.status_code == 428
    assert client.get(f"/dossiers/{code}/documents", headers=people["citizen"]).json() == []
