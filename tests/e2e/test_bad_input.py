"""Bad input gets a clear RFC 9457 problem and changes nothing."""

from tests.e2e.conftest import act, submit


def _events(container, code: str) -> int:
    return container.services.dossiers.load(code).version


def test_an_unknown_procedure_is_a_404_problem_naming_the_field(client, people):
    response = submit(client, people["citizen"], procedure="9.999999")
    assert response.status_code == 404
    body = response.json()
    assert response.headers["content-type"].startswith("application/problem+json")
    assert body["code"] == "procedure-not-found" and body["field"] == "procedureCode"
    assert body["titleVi"] and body["titleEn"]


def test_a_malformed_body_is_a_400_problem_and_files_nothing(client, people, container):
    response = client.post("/dossiers", json={"procedureCode": "2.001610", "applicant": {"nome": "x"}}, headers=people["citizen"])
    assert response.status_code == 400
    assert response.json()["code"] == "invalid-request"
    not_json = client.post("/dossiers", content=b"{not json", headers={**people["citizen"], "content-type": "application/json"})
    assert not_json.status_code == 400
    assert container.services.dossiers.recorder.max_notification_id() in (None, 0)


def test_a_command_in_the_wrong_state_is_a_409_and_changes_nothing(client, people, container):
    code = submit(client, people["citizen"]).json()["code"]
    response = act(client, people["reception"], f"/office/dossiers/{code}/completion", 1, {"electronicResult": True})
    assert response.status_code == 409
    assert response.json()["code"] == "transition-not-allowed"
    assert _events(container, code) == 1


def test_a_missing_if_match_is_428_and_a_stale_one_412_with_the_current_version(client, people, container):
    code = submit(client, people["citizen"]).json()["code"]
    missing = client.post(f"/office/dossiers/{code}/reception", json={}, headers=people["reception"])
    assert missing.status_code == 428
    assert missing.json()["code"] == "if-match-required"
    stale = act(client, people["reception"], f"/office/dossiers/{code}/reception", 5)
    assert stale.status_code == 412
    assert stale.json()["currentVersion"] == 1
    garbage = client.post(f"/office/dossiers/{code}/reception", json={}, headers={**people["reception"], "If-Match": "yesterday"})
    assert garbage.status_code == 400
    assert _events(container, code) == 1


def test_a_replayed_idempotency_key_returns_the_first_response_and_files_nothing_new(client, people, container):
    headers = {**people["citizen"], "Idempotency-Key": "a3f1c2e4-submit-1"}
    first = submit(client, headers)
    again = submit(client, headers)
    assert first.status_code == again.status_code == 201
    assert again.json()["code"] == first.json()["code"]
    assert again.json()["lookupSecret"] == first.json()["lookupSecret"]
    assert again.headers["idempotent-replayed"] == "true"
    different = submit(client, headers, procedure="2.000488")
    assert different.status_code == 422
    assert different.json()["code"] == "idempotency-key-reused"
    other_caller = submit(client, {**people["other"], "Idempotency-Key": "a3f1c2e4-submit-1"})
    assert other_caller.json()["code"] != first.json()["code"]  # keys are scoped to the caller
    # Two dossiers: the day counter opened once and allocated twice, plus two Submitted events.
    assert container.services.dossiers.recorder.max_notification_id() == 5


def test_a_missing_or_forged_token_is_401(client, people):
    assert client.post("/dossiers", json={}).status_code == 401
    forged = client.get("/me/dossiers/000.00.01.H22-260302-0001", headers={"Authorization": "Bearer abc.def.ghi"})
    assert forged.status_code == 401
    assert forged.headers["www-authenticate"] == "Bearer"


def test_another_citizens_dossier_answers_404_not_403(client, people):
    code = submit(client, people["citizen"]).json()["code"]
    assert client.get(f"/me/dossiers/{code}", headers=people["other"]).status_code == 404
    assert act(client, people["other"], f"/me/dossiers/{code}/withdrawal", 1, {"reason": "x"}).status_code == 404
    unknown = client.get("/me/dossiers/000.00.01.H22-260302-9999", headers=people["citizen"])
    assert unknown.status_code == 404
    assert client.get(f"/office/dossiers/{code}", headers=people["outsider"]).status_code == 404


def test_a_citizen_cannot_use_officer_routes(client, people):
    code = submit(client, people["citizen"]).json()["code"]
    response = act(client, people["citizen"], f"/office/dossiers/{code}/reception", 1)
    assert response.status_code == 403
    assert response.json()["code"] == "access-denied"


def test_a_refusal_without_a_reason_is_refused(client, people, container):
    code = submit(client, people["citizen"]).json()["code"]
    response = act(client, people["reception"], f"/office/dossiers/{code}/refusal", 1, {"reason": ""})
    assert response.status_code == 400
    blank = act(client, people["reception"], f"/office/dossiers/{code}/refusal", 1, {"reason": "   "})
    assert blank.status_code == 422
    assert blank.json()["field"] == "reason"
    assert _events(container, code) == 1
