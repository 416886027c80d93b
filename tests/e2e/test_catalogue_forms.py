"""An administrator publishes a procedure with an e-form; a citizen fetches the form, files
invalid data (422 naming each bad field, nothing stored), then valid data (dossier pinned)."""

from __future__ import annotations

import copy

from domain.actor import Role
from tests.e2e.conftest import PASSWORD, login
from tests.unit.procedure_fixtures import FORM_SCHEMA, VALID_FORM

BIRTH = {
    "code": "2.000528",
    "name": "Đăng ký khai sinh có yếu tố nước ngoài",
    "field": "Hộ tịch",
    "description": "Trẻ em sinh ra ở nước ngoài hoặc có cha hoặc mẹ là người nước ngoài",
    "receivingUnits": ["000.00.01.H22"],
    "handlingUnit": "000.12.01.H22",
    "serviceLevel": "full",
    "channels": ["online", "counter"],
    "processingTime": {"online": {"value": 1, "unit": "working_days"}, "counter": {"value": 1, "unit": "working_days"}},
    "steps": [{"name": "Tiếp nhận", "unit": "000.00.01.H22", "role": "reception_officer", "hours": 2},
              {"name": "Xử lý, trình ký", "unit": "000.12.01.H22", "role": "handling_officer", "hours": 6}],
    "fees": [{"name": "Lệ phí", "amount": 0, "payableOnline": True}],
    "components": [{"name": "Giấy chứng sinh", "mediaTypes": ["application/pdf"], "maxSize": 5000000}],
    "formSchema": FORM_SCHEMA,
    "legalBasis": ["Luật Hộ tịch 2014"],
    "source": "https://dichvucong.gov.vn/p/home/dvc-tthc-thu-tuc-hanh-chinh-chi-tiet.html?ma_thu_tuc=2.000528",
}


def administrator(container, client) -> dict[str, str]:
    container.services.accounts.register(username="quantri", password=PASSWORD, role=Role.ADMINISTRATOR,
                                         full_name="Quản trị viên")
    return login(client, "quantri")


def publish_birth_registration(container, client) -> dict[str, str]:
    admin = administrator(container, client)
    created = client.post("/admin/procedures", json=BIRTH, headers=admin)
    assert created.status_code == 201, created.text
    assert (created.json()["version"], created.json()["status"]) == (1, "draft")
    published = client.post("/admin/procedures/2.000528/publication", json={"version": 1}, headers=admin)
    assert published.status_code == 200, published.text
    assert published.json()["status"] == "published"
    return admin


def caught_up(container) -> None:
    """The catalogue projection has applied everything the store holds."""
    services = container.services
    assert services.catalogue_search.wait_for(services.procedures.recorder.max_notification_id(), timeout=15)


def found(container, client, query: str) -> list[str]:
    caught_up(container)
    response = client.get("/procedures", params={"q": query})
    assert response.status_code == 200, response.text
    return [item["code"] for item in response.json()["items"]]


def test_a_citizen_finds_a_procedure_by_an_unaccented_keyword_fetches_its_form_and_files(
        container, client, people) -> None:
    publish_birth_registration(container, client)
    # The seeded "Đăng ký khai sinh" and the new procedure hold the phrase in their names (shorter
    # folded name first); "Đăng ký lại khai sinh" holds every word; a trích lục names it in its description.
    assert found(container, client, "dang ky khai sinh") == ["1.001193", "2.000528", "1.004884", "2.000635"]
    assert found(container, client, "khai sinh yeu to nuoc ngoai") == ["2.000528"]
    procedure = client.get("/procedures/2.000528")
    assert procedure.status_code == 200, procedure.text
    assert (procedure.json()["name"], procedure.json()["hasForm"], procedure.json()["status"]) == (
        "Đăng ký khai sinh có yếu tố nước ngoài", True, "published")
    assert procedure.json()["components"][0]["mediaTypes"] == ["application/pdf"]
    form = client.get("/procedures/2.000528/form")
    assert form.status_code == 200, form.text
    assert form.json()["version"] == 1
    assert form.json()["formSchema"]["properties"]["birthDate"]["title"] == "Ngày, tháng, năm sinh"

    body = {"procedureCode": "2.000528", "applicant": {"name": "Nguyễn Văn An"}}
    bad_form = {**VALID_FORM, "birthDate": "20/02/2026", "sex": "Khác"}
    del bad_form["fatherName"]
    before = container.services.dossiers.recorder.max_notification_id()
    refused = client.post("/dossiers", json={**body, "form": bad_form}, headers=people["citizen"])
    assert refused.status_code == 422, refused.text
    problem = refused.json()
    assert problem["code"] == "invalid-form"
    assert [e["field"] for e in problem["errors"]] == ["form.birthDate", "form.fatherName", "form.sex"]
    assert problem["errors"][1]["messageVi"] == "Trường 'Họ, chữ đệm, tên cha' là bắt buộc."
    assert problem["errors"][1]["messageEn"] == "'fatherName' is required."
    assert container.services.dossiers.recorder.max_notification_id() == before  # nothing stored

    filed = client.post("/dossiers", json={**body, "form": VALID_FORM}, headers=people["citizen"])
    assert filed.status_code == 201, filed.text
    dossier = container.services.dossiers.load(filed.json()["code"])
    assert (dossier.procedure_code, dossier.procedure_version) == ("2.000528", 1)


def test_a_revision_changes_the_form_for_new_filings_only(container, client, people) -> None:
    admin = publish_birth_registration(container, client)
    terms = {k: v for k, v in BIRTH.items() if k != "code"}
    terms["formSchema"] = copy.deepcopy(FORM_SCHEMA)
    terms["formSchema"]["required"].append("copies")
    revised = client.post("/admin/procedures/2.000528/revisions",
                          json={"terms": terms, "reason": "Bắt buộc khai số bản sao"}, headers=admin)
    assert revised.status_code == 201, revised.text
    assert (revised.json()["version"], revised.json()["status"]) == (2, "draft")
    assert client.get("/procedures/2.000528/form").json()["version"] == 1
    assert client.post("/admin/procedures/2.000528/publication", json={"version": 2}, headers=admin).status_code == 200
    assert "copies" in client.get("/procedures/2.000528/form").json()["formSchema"]["required"]
    assert "copies" not in client.get("/procedures/2.000528/form?version=1").json()["formSchema"]["required"]
    republish = client.post("/admin/procedures/2.000528/publication", json={"version": 1}, headers=admin)
    assert republish.status_code == 409 and republish.json()["code"] == "published-version-immutable"


def test_only_an_administrator_maintains_procedures(container, client, people) -> None:
    refused = client.post("/admin/procedures", json=BIRTH, headers=people["reception"])
    assert refused.status_code == 403
    admin = administrator(container, client)
    suspended = client.post("/admin/procedures/2.001610/suspension", json={"reason": "Rà soát"}, headers=admin)
    assert suspended.status_code == 200 and suspended.json()["status"] == "suspended"
    filed = client.post("/dossiers", json={"procedureCode": "2.001610", "applicant": {"name": "An"}},
                        headers=people["citizen"])
    assert filed.status_code == 409 and filed.json()["code"] == "procedure-suspended"


def test_terms_that_break_a_rule_get_a_problem_naming_the_field(container, client, people) -> None:
    admin = administrator(container, client)
    bad = {**BIRTH, "steps": [{"name": "Xử lý", "unit": "000.12.01.H22", "hours": 3}]}
    refused = client.post("/admin/procedures", json=bad, headers=admin)
    assert refused.status_code == 422 and refused.json()["code"] == "steps-do-not-sum"
    assert refused.json()["field"] == "steps"
    bad_schema = {**BIRTH, "formSchema": {"type": "objet"}}
    assert client.post("/admin/procedures", json=bad_schema, headers=admin).json()["code"] == "invalid-form-schema"
    assert client.get("/procedures/9.999999/form").status_code == 404


def test_the_public_catalogue_searches_and_filters_the_seeded_procedures(container, client) -> None:
    assert found(container, client, "GIAY PHEP xay dung") == ["1.009994", "1.013228", "1.013227"]
    page = client.get("/procedures", params={"channel": "postal", "serviceLevel": "full", "pageSize": 2}).json()
    assert (page["total"], [i["code"] for i in page["items"]]) == (14, ["2.000635", "3.000465"])
    assert client.get("/procedures", params={"pageSize": 1000}).status_code == 400
    missing = client.get("/procedures/9.999999")
    assert missing.status_code == 404 and missing.json()["code"] == "procedure-not-found"
