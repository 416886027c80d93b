"""Auditors export the notification log as NDJSON whose chain hashes recompute from the lines alone."""

import base64
import json
from urllib.parse import quote

from application.audit_chain import chain_hash
from tests.e2e.conftest import act, submit


def test_an_exported_range_recomputes_to_the_same_chain_and_the_export_is_logged(client, people, container):
    code = submit(client, people["citizen"]).json()["code"]
    act(client, people["reception"], f"/office/dossiers/{code}/reception", 1)
    auditor = {**people["auditor"], "X-Access-Reason": quote("Xuất nhật ký cho cơ quan thanh tra")}
    response = client.get("/audit/event-log", params={"store": "dossiers"}, headers=auditor)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/x-ndjson")
    lines = [json.loads(line) for line in response.text.splitlines()]
    assert [line["topic"].rsplit(".", 1)[-1] for line in lines] == ["Opened", "NumberAllocated", "Submitted", "Received"]
    key = container.services.audit_chain.key
    previous = bytes(32)
    for line in lines:
        expected = chain_hash(key, previous, line["id"], line["originatorId"], line["originatorVersion"],
                              line["topic"], base64.b64decode(line["state"]))
        assert expected.hex() == line["chainHash"]
        assert line["chainKeyId"] is None, "made with the first chain key, which has no id"
        previous = expected
    part = client.get("/audit/event-log", params={"store": "dossiers", "start": 3, "stop": 3}, headers=auditor)
    assert [json.loads(x)["id"] for x in part.text.splitlines()] == [3]
    logged = client.get("/audit/access-log", params={"action": "export-event-log"}, headers=people["auditor"]).json()
    assert len(logged["items"]) == 2
    assert client.get("/audit/event-log", headers=people["auditor"]).status_code == 400  # no reason given
    assert client.get("/audit/event-log", params={"store": "nope"}, headers=auditor).status_code == 400
    assert client.get("/audit/event-log", headers=people["reception"]).status_code == 403
