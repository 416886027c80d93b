"""The seed catalogue (adapters/catalogue/seed.json) is real-looking demo data that the application
accepts as it is: every procedure imports, every e-form's first example (what ``motcua demo`` and
``motcua simulate`` file) passes its schema, and every unit a procedure names is in the unit list."""

from __future__ import annotations

import copy
import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlparse

import pytest

from adapters.catalogue.importer import import_seed, read_seed
from application.catalogue_search import fold
from application.clock import SimulatedClock
from application.forms import form_errors
from application.procedures import Procedures
from domain.procedure.terms import NATIONAL_CODE

SEED = read_seed()
PROCEDURES: list[dict[str, Any]] = SEED["procedures"]
UNITS = {u["code"]: u for u in SEED["units"]}
UNIT_CODE = re.compile(r"^\d{3}\.\d{2}\.\d{2}\.H22$")
# Official sites a `source` may cite: the National Public Service Portal (and its ministry pages).
OFFICIAL_HOSTS = {"dichvucong.gov.vn", "thutuc.dichvucong.gov.vn"}
VIETNAMESE = re.compile(r"[àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ]", re.IGNORECASE)


def ids(p: dict[str, Any]) -> str:
    return str(p["code"])


@pytest.fixture
def procedures() -> Procedures:
    return Procedures({"PERSISTENCE_MODULE": "eventsourcing.popo"},
                      clock=SimulatedClock(datetime(2026, 3, 2, 2, 0, tzinfo=UTC)))


def test_the_seed_imports_every_procedure_into_the_event_sourced_catalogue(procedures) -> None:
    assert import_seed(procedures) == [p["code"] for p in PROCEDURES]
    listed = procedures.list()
    assert sorted(p.code for p in listed) == sorted(p["code"] for p in PROCEDURES)
    assert all(p.status == "published" and p.form_schema is not None for p in listed)


def test_the_seed_holds_at_least_thirty_procedures_across_at_least_six_fields() -> None:
    assert len(PROCEDURES) >= 30
    fields = {p["field"] for p in PROCEDURES}
    assert len(fields) >= 6
    assert {"Hộ tịch", "Hoạt động xây dựng", "Đất đai", "Thành lập và hoạt động doanh nghiệp", "Đường bộ",
            "Giáo dục và đào tạo"} <= fields


def test_national_codes_are_well_formed_and_unique() -> None:
    codes = [p["code"] for p in PROCEDURES]
    assert len(codes) == len(set(codes))
    assert all(NATIONAL_CODE.match(code) for code in codes)
    assert all(p["version"] == 1 for p in PROCEDURES)


@pytest.mark.parametrize("procedure", PROCEDURES, ids=ids)
def test_every_source_is_the_procedures_page_on_an_official_portal(procedure) -> None:
    url = urlparse(procedure["source"])
    assert url.scheme == "https" and url.hostname in OFFICIAL_HOSTS
    assert url.query.endswith(f"ma_thu_tuc={procedure['code']}")


@pytest.mark.parametrize("procedure", PROCEDURES, ids=ids)
def test_every_procedure_tells_a_citizen_what_it_takes(procedure) -> None:
    assert procedure["legalBasis"] and procedure["resultDocuments"] and procedure["guidance"] and procedure["description"]
    assert procedure["fees"] and all("amount" in f or f.get("formula") for f in procedure["fees"])
    assert procedure["components"] and any(c["required"] for c in procedure["components"])
    for component in procedure["components"]:
        assert component["mediaTypes"] and component["maxSize"] > 0 and isinstance(component["reusable"], bool)
        assert component["required"] or component.get("condition"), component["name"]


@pytest.mark.parametrize("procedure", PROCEDURES, ids=ids)
def test_every_form_has_five_fields_with_vietnamese_titles_and_help_texts(procedure) -> None:
    schema = procedure["formSchema"]
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    properties = schema["properties"]
    assert len(properties) >= 5
    assert set(schema["required"]) <= set(properties) and len(schema["required"]) >= 3
    for name, prop in properties.items():
        assert VIETNAMESE.search(prop["title"]), name
        assert VIETNAMESE.search(prop["description"]), name


@pytest.mark.parametrize("procedure", PROCEDURES, ids=ids)
def test_the_first_example_is_a_valid_form_and_a_broken_copy_is_not(procedure) -> None:
    schema = procedure["formSchema"]
    example = schema["examples"][0]
    assert form_errors(schema, example) == []

    missing = copy.deepcopy(example)
    first_required = schema["required"][0]
    del missing[first_required]
    assert [e.field for e in form_errors(schema, missing)] == [f"form.{first_required}"]

    mistyped = {**example, "unexpectedField": "x"}
    assert form_errors(schema, mistyped) != []


def test_identity_numbers_must_have_twelve_digits_wherever_a_form_asks_for_one() -> None:
    checked = 0
    for procedure in PROCEDURES:
        schema = procedure["formSchema"]
        for name, prop in schema["properties"].items():
            if prop.get("pattern") == "^[0-9]{12}$":
                bad = {**schema["examples"][0], name: "0221950012"}
                assert [e.field for e in form_errors(schema, bad)] == [f"form.{name}"]
                checked += 1
    assert checked >= len(PROCEDURES) // 2


@pytest.mark.parametrize("procedure", PROCEDURES, ids=ids)
def test_every_unit_a_procedure_names_is_in_the_unit_list(procedure) -> None:
    named = {*procedure["receivingUnits"], procedure["handlingUnit"], *procedure.get("implementingUnits", []),
             *(s["unit"] for s in procedure["steps"])}
    assert named <= set(UNITS), named - set(UNITS)
    assert "000.00.01.H22" in procedure["receivingUnits"]  # the provincial centre receives everything


def test_every_unit_has_a_well_formed_code_and_a_parent_in_the_list() -> None:
    assert len(UNITS) == len(SEED["units"])
    roots = [u for u in UNITS.values() if u["parent"] is None]
    assert [u["code"] for u in roots] == ["000.00.00.H22"]
    for unit in UNITS.values():
        assert set(unit) == {"code", "name", "parent"}
        assert UNIT_CODE.match(unit["code"]), unit["code"]
        assert unit["parent"] is None or unit["parent"] in UNITS, unit
    for kept in ("000.00.00.H22", "000.00.01.H22", "000.00.10.H22", "000.10.01.H22", "000.00.12.H22", "000.12.01.H22",
                 "000.00.13.H22", "000.13.01.H22", "000.00.15.H22", "000.00.17.H22"):
        assert kept in UNITS


def test_communes_and_wards_sit_directly_under_the_province() -> None:
    communes = [u for u in UNITS.values() if fold(u["name"]).startswith(("uy ban nhan dan xa", "uy ban nhan dan phuong"))]
    assert len(communes) >= 3
    assert all(u["parent"] == "000.00.00.H22" for u in communes)


@pytest.mark.parametrize("procedure", PROCEDURES, ids=ids)
def test_steps_fill_the_processing_time_in_working_hours(procedure) -> None:
    limits = procedure["processingTime"]
    hours = sum(s["hours"] for s in procedure["steps"])
    per_unit = {"working_days": 8, "working_hours": 1}
    budgets = [v["value"] * per_unit[v["unit"]] for v in limits.values() if v["unit"] in per_unit]
    if len(budgets) == len(limits):
        assert hours == max(budgets)
    roles = [s["role"] for s in procedure["steps"]]
    assert roles[0] == roles[-1] == "reception_officer" and "handling_officer" in roles
