"""Every route of the served OpenAPI document x every kind of caller, against the hand-written matrix.

A new route without a row in ``authorisation_matrix.MATRIX`` fails here, and so does a route
whose guards or policy drift from what the matrix says.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest

from tests.e2e.authorisation_matrix import BODIES, CALLERS, MATRIX
from tests.e2e.conftest import submit


PNG = b"\x89PNG\r\n\x1a\n" + bytes(32)


def _attach_png(client, headers, code: str) -> str:
    """A document on the fresh dossier, so a download answers for who asks, not for a missing file."""
    response = client.post(f"/dossiers/{code}/documents", headers={**headers, "If-Match": '"1"'},
                           data={"component": "Giấy đề nghị đăng ký doanh nghiệp tư nhân"},
                           files={"file": ("don.png", PNG, "image/png")})
    assert response.status_code == 201, response.text
    return client.get(f"/dossiers/{code}/documents", headers=headers).json()[0]["sha256"]


def _outcome(status: int, dossier_route: bool) -> str:
    if status == 403:
        return "D"
    if status == 404 and dossier_route:
        return "H"
    if status == 401:
        return "unauthenticated"
    return "A"


@pytest.mark.parametrize("store", ["sqlite"], indirect=True)
def test_every_route_answers_every_caller_as_the_matrix_says(client, people):
    document = client.get("/schema/openapi.json").json()
    routes = [(method.upper(), path, op["operationId"]) for path, ops in document["paths"].items()
              for method, op in ops.items()]
    assert {op for _, _, op in routes} == set(MATRIX), "every served operation needs a row in the matrix"
    reason = {"X-Access-Reason": quote("Kiểm tra phân quyền")}
    mismatches = []
    for method, path, operation in routes:
        dossier_route = "{code}" in path and not path.startswith(("/procedures", "/admin/procedures"))
        for caller in CALLERS:
            url = path.replace("{username}", "binh.tran")
            if dossier_route:
                url = url.replace("{code}", submit(client, people["citizen"]).json()["code"])
            else:
                url = url.replace("{code}", "2.001610" if path.startswith("/procedures") else "9.999999")
            if "{sha256}" in url:
                url = url.replace("{sha256}", _attach_png(client, people["citizen"], url.split("/")[2]))
            headers = {**people[caller], **reason, "If-Match": '"1"'}
            params = {"at": "2026-03-02T10:00:00+07:00"} if operation == "getDossierStateAt" else None
            body = BODIES.get(operation, {}) if method in ("POST", "PATCH") else None
            response = client.request(method, url, json=body, headers=headers, params=params)
            got = _outcome(response.status_code, dossier_route)
            if got != MATRIX[operation][caller]:
                mismatches.append(f"{operation} as {caller}: expected {MATRIX[operation][caller]}, "
                                  f"got {response.status_code} {response.text[:120]}")
    assert not mismatches, "\n".join(mismatches)
