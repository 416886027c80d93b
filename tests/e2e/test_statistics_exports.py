"""Statistics exports over HTTP: request -> poll -> download, on the SQLite and PostgreSQL stores."""

from __future__ import annotations

import csv
import hashlib
import io
import time
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta

import openpyxl
import pytest

from ops.settings import load_settings
from tests.fast import FAST_PASSWORD_HASHING
from ops.wiring import Container, build_container
from tests.chdb import chdb_directory, statistics_dsn  # noqa: F401
from tests.e2e.test_statistics_api import _caught_up, _journey

DAY = {"from": "2026-03-02", "to": "2026-03-02"}


@pytest.fixture
def container(tmp_path, clock, store, statistics_dsn) -> Iterator[Container]:
    settings = load_settings({}, data_dir=str(tmp_path / "var"), access_token_minutes=43200, **FAST_PASSWORD_HASHING,
                             clickhouse_dsn=statistics_dsn, export_max_days=31, **store)
    c = build_container(settings, clock=clock)
    c.start()
    yield c
    c.close()


def _export(client, headers, **body) -> str:
    response = client.post("/statistics/exports", json=body, headers=headers)
    assert response.status_code == 202, response.text
    assert response.headers["Location"] == f"/statistics/exports/{response.json()['id']}"
    # The in-process worker may already have picked the job up by the time the reply is read back.
    assert response.json()["status"] in ("requested", "running", "completed")
    return response.headers["Location"]


def _download(client, headers, location: str, timeout: float = 120.0):
    deadline = time.monotonic() + timeout
    while True:
        response = client.get(location, headers=headers)
        if response.status_code != 202:
            return response
        assert response.json()["status"] in ("requested", "running") and response.headers["Retry-After"]
        assert time.monotonic() < deadline, "the export did not finish"
        time.sleep(0.25)  # gentle on the per-account rate limit on a loaded machine


def _csv_rows(body: bytes) -> list[dict[str, str]]:
    assert body.startswith(b"\xef\xbb\xbf")  # a BOM, so spreadsheets read Vietnamese as UTF-8
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


def test_a_csv_export_of_dossiers_downloads_rows_that_add_up_to_the_status_report(client, people, container):
    analyst = people["analyst"]
    _journey(client, people)
    _caught_up(container)
    location = _export(client, analyst, format="csv", content="dossiers", **DAY)
    response = _download(client, analyst, location)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = _csv_rows(response.content)

    report = client.get("/statistics/status-report", params=DAY, headers=analyst).json()
    state = Counter(r["state_at_end"] for r in rows)
    population = Counter(r["population"] for r in rows)
    finished = [r for r in rows if r["state_at_end"] == "finished"]
    assert state["refused"] == report["refused"] == 1
    assert population["new"] == report["new"] and population["carried_over"] == report["carriedOver"]
    assert len(rows) - state["refused"] == report["received"] == 2
    assert len(finished) == report["finished"]
    assert state["within_deadline"] == report["withinDeadline"] and state["overdue"] == report["overdue"]
    for outcome in ("early", "on_time", "late"):
        assert sum(r["outcome"] == outcome for r in finished) == report[{"on_time": "onTime"}.get(outcome, outcome)]
    assert sum(r["end_kind"] == "stopped" for r in finished) == report["stopped"] == 1
    assert all(r["received_at"].endswith("+07:00") for r in rows if r["state_at_end"] != "refused")

    record = client.get(location, params={"metadata": "true"}, headers=analyst).json()
    assert record["status"] == "completed" and record["rows"] == len(rows)
    assert record["sha256"] == hashlib.sha256(response.content).hexdigest() == response.headers["etag"].strip('"')
    assert record["size"] == len(response.content)
    assert record["units"] == [] and record["from"] == DAY["from"]


def _same(text: str) -> str | float:
    """Numbers compare as numbers: XLSX keeps 0.0 as 0, CSV writes 0.0."""
    try:
        return float(text)
    except ValueError:
        return text


def test_the_xlsx_export_opens_and_has_the_same_rows_as_the_csv(client, people, container, tmp_path):
    analyst = people["analyst"]
    _journey(client, people)
    _caught_up(container)
    as_csv = _download(client, analyst, _export(client, analyst, format="csv", **DAY))
    as_xlsx = _download(client, analyst, _export(client, analyst, format="xlsx", **DAY))
    assert as_xlsx.status_code == 200
    assert as_xlsx.headers["content-type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    book = openpyxl.load_workbook(io.BytesIO(as_xlsx.content), read_only=True)
    sheet_rows = [[_same("" if v is None else str(v)) for v in row]
                  for row in book["dossiers"].iter_rows(values_only=True)]
    csv_rows = [[_same(v) for v in row] for row in csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig")))]
    assert sheet_rows == csv_rows and len(csv_rows) == 4  # header + 3 dossiers


def test_a_report_export_carries_the_figures_and_the_ratios_with_their_parts(client, people, container):
    analyst = people["analyst"]
    _journey(client, people)
    _caught_up(container)
    rows = _csv_rows(_download(client, analyst, _export(client, analyst, content="report", **DAY)).content)
    figures = {r["figure"]: r for r in rows}
    report = client.get("/statistics/status-report", params=DAY, headers=analyst).json()
    assert int(figures["received"]["value"]) == report["received"] and int(figures["refused"]["value"]) == 1
    assert (figures["on_time_rate"]["numerator"], figures["on_time_rate"]["denominator"]) == ("2", "2")
    assert figures["satisfaction"]["value"] == "" and figures["satisfaction"]["denominator"] == "0"


def test_only_the_requester_sees_an_export_and_leaders_export_only_their_units(client, people, container):
    location = _export(client, people["leader"], **DAY)
    assert _download(client, people["leader"], location).status_code == 200
    record = client.get(location, params={"metadata": "true"}, headers=people["leader"]).json()
    assert "000.00.13.H22" in record["units"] and "000.00.01.H22" not in record["units"]
    assert client.get(location, headers=people["analyst"]).status_code == 404
    assert client.get(location, headers=people["citizen"]).status_code == 403
    assert client.get("/statistics/exports/not-an-id", headers=people["analyst"]).status_code == 404
    refused = client.post("/statistics/exports", json={"unit": "000.00.17.H22", **DAY}, headers=people["leader"])
    assert refused.status_code == 403 and refused.json()["field"] == "unit"



def test_a_file_past_its_retention_is_gone_with_a_410_and_its_record_stays(client, people, container):
    location = _export(client, people["analyst"], **DAY)
    assert _download(client, people["analyst"], location).status_code == 200
    assert container.services.statistics_exports.purge(timedelta(0)) == 1  # the housekeeping job's work
    gone = client.get(location, headers=people["analyst"])
    assert gone.status_code == 410 and gone.json()["code"] == "export-expired" and gone.json()["titleVi"]
    record = client.get(location, params={"metadata": "true"}, headers=people["analyst"]).json()
    assert record["status"] == "completed" and len(record["sha256"]) == 64


BAD_REQUESTS = [
    ({"format": "pdf"}, "unknown-export-format", "format"),
    ({"content": "everything"}, "unknown-export-content", "content"),
    ({"from": "2026-03-05", "to": "2026-03-01"}, "invalid-range", "from"),
    ({"from": "2026-01-01", "to": "2026-03-01"}, "export-range-too-long", "to"),
]


def test_a_bad_export_request_gets_a_bilingual_422_and_records_nothing(client, people, container):
    recorder = container.services.statistics_exports.recorder
    before = recorder.max_notification_id()
    for body, code, field in BAD_REQUESTS:
        response = client.post("/statistics/exports", json={**DAY, **body}, headers=people["analyst"])
        assert response.status_code == 422, (code, response.text)
        problem = response.json()
        assert problem["code"] == code and problem["field"] == field, code
        assert problem["titleVi"] and problem["titleEn"] and problem["titleVi"] != problem["titleEn"]
        assert response.headers["content-type"].startswith("application/problem+json")
    assert recorder.max_notification_id() == before
