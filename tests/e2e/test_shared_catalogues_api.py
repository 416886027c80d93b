"""Administrators maintain the shared catalogues over HTTP; anyone reads them; bad input gets a
bilingual problem and changes nothing; and the procedure commands amend/resume/withdraw."""

from __future__ import annotations

from tests.e2e.test_catalogue_forms import BIRTH

NEW_UNIT = {"code": "000.20.01.H22", "name": "Phòng Quản lý đô thị", "parent": "000.00.10.H22", "divisionCode": "22"}


def test_an_administrator_upserts_a_unit_and_a_holiday_a_citizen_cannot_and_the_lists_show_who(client, people):
    refused = client.post("/catalogues/units", json=NEW_UNIT, headers=people["citizen"])
    assert refused.status_code == 403 and refused.json()["titleVi"] and refused.json()["titleEn"]
    made = client.post("/catalogues/units", json=NEW_UNIT, headers=people["admin"])
    assert made.status_code == 200, made.text
    assert made.json()["parent"] == "000.00.10.H22"

    year = {"unit": "000.20.01.H22", "year": 2026, "daysOff": [{"date": "2026-03-03", "name": "Kiểm kê"}],
            "workingDays": [{"date": "2026-03-07", "name": "Làm bù thứ Bảy"}]}
    assert client.post("/catalogues/holidays", json=year, headers=people["citizen"]).status_code == 403
    set_days = client.post("/catalogues/holidays", json=year, headers=people["admin"])
    assert set_days.status_code == 200, set_days.text
    assert [(d["date"], d["kind"]) for d in set_days.json()["items"]] == [("2026-03-03", "day_off"),
                                                                          ("2026-03-07", "working_day")]

    units = client.get("/catalogues/units", params={"parent": "000.00.10.H22"}).json()  # no token: public
    listed = next(u for u in units["items"] if u["code"] == "000.20.01.H22")
    assert listed["name"] == "Phòng Quản lý đô thị" and listed["changedBy"] != "system:seed"
    holidays = client.get("/catalogues/holidays", params={"unit": "000.20.01.H22", "year": 2026}).json()
    assert holidays["total"] == 2 and {d["changedBy"] for d in holidays["items"]} == {listed["changedBy"]}


def test_bad_catalogue_input_gets_a_bilingual_problem_and_changes_nothing(client, people):
    admin = people["admin"]
    before = client.get("/catalogues/units").json()
    cycle = client.post("/catalogues/units", json={"code": "000.00.10.H22", "name": "Sở Xây dựng",
                                                   "parent": "000.10.01.H22"}, headers=admin)
    assert cycle.status_code == 422 and cycle.json()["code"] == "unit-hierarchy-cycle"
    assert cycle.json()["field"] == "parent" and "vòng lặp" in cycle.json()["titleVi"]
    shape = client.post("/catalogues/units", json={**NEW_UNIT, "code": "H22-01"}, headers=admin)
    assert (shape.status_code, shape.json()["code"]) == (422, "invalid-unit-code")
    assert client.get("/catalogues/units").json() == before

    both = client.post("/catalogues/holidays", json={
        "unit": "*", "year": 2026, "daysOff": [{"date": "2026-05-04", "name": "Nghỉ"}],
        "workingDays": [{"date": "2026-05-04", "name": "Làm bù"}]}, headers=admin)
    assert (both.status_code, both.json()["code"]) == (422, "date-both-off-and-working")
    unknown_unit = client.post("/catalogues/holidays", json={"unit": "000.99.99.H22", "year": 2026}, headers=admin)
    assert (unknown_unit.status_code, unknown_unit.json()["code"]) == (422, "unknown-unit")
    assert client.get("/catalogues/holidays").json()["total"] == 0

    remap = client.post("/catalogues/statuses", json={"status": "consulting", "labelVi": "Đang xin ý kiến",
                                                      "labelEn": "Consulting", "nationalCode": 11}, headers=admin)
    assert (remap.status_code, remap.json()["code"], remap.json()["field"]) == (422, "unknown-national-status",
                                                                               "nationalCode")
    ghost = client.post("/catalogues/statuses", json={"status": "archived", "labelVi": "Lưu trữ",
                                                      "labelEn": "Archived", "nationalCode": 9}, headers=admin)
    assert (ghost.status_code, ghost.json()["code"]) == (422, "unknown-local-status")
    malformed = client.post("/catalogues/fields", json={"code": "HOTICH"}, headers=admin)
    assert malformed.status_code == 400 and malformed.json()["code"] == "invalid-request"
    consulting = next(s for s in client.get("/catalogues/statuses").json()["items"] if s["status"] == "consulting")
    assert (consulting["nationalCode"], consulting["changedBy"]) == (4, "system:seed")


def test_statuses_fields_and_document_types_are_relabelled_by_an_administrator(client, people):
    admin = people["admin"]
    statuses = client.get("/catalogues/statuses").json()
    assert statuses["total"] == 15 and {s["nationalCode"] for s in statuses["items"]} <= set(range(1, 11))
    remapped = client.post("/catalogues/statuses", json={"status": "approved", "labelVi": "Đã ký duyệt",
                                                         "labelEn": "Signed", "nationalCode": 4}, headers=admin)
    assert remapped.status_code == 200 and remapped.json()["labelEn"] == "Signed"
    field = client.post("/catalogues/fields", json={"code": "GIAOTHONG", "name": "Giao thông vận tải"}, headers=admin)
    assert field.status_code == 200
    assert "GIAOTHONG" in {f["code"] for f in client.get("/catalogues/fields").json()["items"]}
    paper = client.post("/catalogues/document-types", json={"code": "GPKD", "name": "Giấy phép kinh doanh"},
                        headers=admin)
    assert paper.status_code == 200
    page = client.get("/catalogues/document-types", params={"page": 1, "pageSize": 5}).json()
    assert (len(page["items"]), page["total"]) == (5, 13)


def test_divisions_list_the_provinces_and_the_communes_of_one_page_by_page(client):
    provinces = client.get("/catalogues/divisions").json()
    assert provinces["total"] == 34 and provinces["items"][0] == {
        "code": 1, "name": "Thành phố Hà Nội", "level": "province", "divisionType": "thành phố trung ương",
        "provinceCode": None}
    first = client.get("/catalogues/divisions", params={"province": 1, "pageSize": 50}).json()
    second = client.get("/catalogues/divisions", params={"province": 1, "pageSize": 50, "page": 2}).json()
    assert first["total"] == second["total"] > 100
    assert {c["provinceCode"] for c in first["items"] + second["items"]} == {1}
    assert not {c["code"] for c in first["items"]} & {c["code"] for c in second["items"]}
    missing = client.get("/catalogues/divisions", params={"province": 3})
    assert (missing.status_code, missing.json()["code"]) == (404, "unknown-province")
    assert client.get("/catalogues/divisions", params={"pageSize": 10000}).status_code == 400


def test_an_administrator_amends_a_draft_resumes_and_withdraws_a_procedure(client, people):
    admin = people["admin"]
    assert client.post("/admin/procedures", json=BIRTH, headers=admin).status_code == 201
    terms = {k: v for k, v in BIRTH.items() if k != "code"}
    amended = client.post(f"/admin/procedures/{BIRTH['code']}/amendment",
                          json={"version": 1, "terms": {**terms, "name": "Đăng ký khai sinh (sửa)"}}, headers=admin)
    assert amended.status_code == 200 and amended.json()["name"] == "Đăng ký khai sinh (sửa)"
    assert client.post(f"/admin/procedures/{BIRTH['code']}/publication", json={"version": 1}, headers=admin).status_code == 200
    frozen = client.post(f"/admin/procedures/{BIRTH['code']}/amendment", json={"version": 1, "terms": terms}, headers=admin)
    assert (frozen.status_code, frozen.json()["code"]) == (409, "published-version-immutable")

    not_suspended = client.post(f"/admin/procedures/{BIRTH['code']}/resumption", headers=admin)
    assert (not_suspended.status_code, not_suspended.json()["code"]) == (409, "procedure-not-suspended")
    client.post(f"/admin/procedures/{BIRTH['code']}/suspension", json={"reason": "Rà soát"}, headers=admin)
    resumed = client.post(f"/admin/procedures/{BIRTH['code']}/resumption", headers=admin)
    assert resumed.status_code == 200 and resumed.json()["status"] == "published"

    withdrawn = client.post(f"/admin/procedures/{BIRTH['code']}/withdrawal", json={"reason": "Bãi bỏ theo quyết định"},
                            headers=admin)
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    again = client.post(f"/admin/procedures/{BIRTH['code']}/withdrawal", json={"reason": "Lần nữa"}, headers=admin)
    assert (again.status_code, again.json()["code"]) == (409, "procedure-withdrawn")
