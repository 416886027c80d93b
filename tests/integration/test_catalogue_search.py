"""Public catalogue search from the projection, on SQLite (FTS5) and PostgreSQL (full-text):
exact orders for queries with and without diacritics, filters, pages, exactly-once."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from eventsourcing.persistence import IntegrityError, Tracking

from adapters.catalogue.importer import read_seed
from application.catalogue_search import CatalogueQuery, fold
from application.clock import SimulatedClock
from domain.actor import Actor, Role
from ops.catalogue_projector import build_catalogue_runner, build_catalogue_view
from ops.settings import load_settings
from ops.wiring import build_procedures
from tests.pg import DATABASE_URL, fresh_schema
from tests.unit.procedure_fixtures import terms

ADMIN = Actor(id="admin-1", role=Role.ADMINISTRATOR, name="Quản trị")
BUILDING = dict(field="Hoạt động xây dựng", receiving_units=["000.00.01.H22", "000.00.10.H22"],
                handling_unit="000.10.01.H22", service_level="partial", channels=["online", "counter"],
                steps=[], form_schema=None, fees=[{"name": "Lệ phí", "amount": 50000, "payable_online": True}])
EXTRA = {
    "1.009995": terms(name="Cấp giấy phép sửa chữa, cải tạo công trình",
                      description="Áp dụng khi công trình đã có giấy phép xây dựng", **BUILDING),
    "1.009996": terms(name="Điều chỉnh giấy phép xây dựng", **BUILDING),
    "1.009997": terms(name="Gia hạn giấy phép xây dựng", **BUILDING),
    "1.009998": terms(name="Cấp phép di dời công trình xây dựng", description="Giấy tờ về đất",
                      **{**BUILDING, "fees": []}),
}


@pytest.fixture(params=["sqlite", "postgres"])
def settings(request, tmp_path) -> Iterator[object]:
    if request.param == "sqlite":
        yield load_settings({}, data_dir=str(tmp_path / "var"))
        return
    with fresh_schema("s") as schema:
        yield load_settings({}, data_dir=str(tmp_path / "var"), database_url=DATABASE_URL,
                            postgres_schema=schema, postgres_pool_size=2)


@pytest.fixture
def catalogue(settings) -> Iterator[object]:
    procedures = build_procedures(settings, SimulatedClock(datetime(2026, 3, 2, 2, 0, tzinfo=UTC)))
    for code, t in EXTRA.items():
        procedures.create(ADMIN, code, t)
        procedures.publish(ADMIN, code, 1)
    procedures.create(ADMIN, "1.009999", terms(name="Giấy phép xây dựng (dự thảo)", **BUILDING))  # not public
    procedures.suspend(ADMIN, "1.009997", "Rà soát")
    procedures.revise(ADMIN, "1.009996", terms(name="Điều chỉnh giấy phép xây dựng công trình", **BUILDING),
                      reason="Sửa tên")
    procedures.publish(ADMIN, "1.009996", 2)
    view = build_catalogue_view(settings)
    with build_catalogue_runner(settings) as runner:
        runner.wait(procedures.recorder.max_notification_id(), timeout=20)
    yield view
    view.datastore.close()
    procedures.close()


def codes(view, **query) -> list[str]:
    return [e.code for e in view.search(CatalogueQuery(**{"page_size": 100, **query})).items]


@pytest.mark.parametrize("text", ["giay phep xay dung", "Giấy phép XÂY DỰNG", "giấy  phép, xây-dựng!"])
def test_a_keyword_finds_procedures_with_or_without_diacritics_names_first(catalogue, text) -> None:
    # The phrase in the name, by folded name ("cap giay phep xay dung moi...", "cap lai giay phep
    # xay dung...", "dieu chinh giay phep xay dung...", "gia han giay phep xay dung..."), then words
    # found only partly in the name and partly in the field or description ("cap giay phep sua
    # chua...", "cap phep di doi..."); the draft and the suspended procedure are not listed.
    assert codes(catalogue, text=text) == ["1.009994", "1.013228", "1.009996", "1.013227", "1.009995", "1.009998"]


@pytest.mark.parametrize(("text", "expected"), [
    # words in the name, not as a phrase; then words partly in the field or description
    ("xay dung giay phep", ["1.009994", "1.013228", "1.009996", "1.013227", "1.009995", "1.009998"]),
    # "cap giay" as a phrase in the name (7), both words in the name (5), both only in the body (5)
    ("cap giay", ["1.004616", "1.002861", "1.000459", "1.009995", "1.009994", "1.004873", "1.001699",
                  "1.012783", "1.012786", "1.013228", "1.012790", "1.013227",
                  "1.009998", "1.002856", "2.000815", "1.013831", "1.012784"]),
    # the word in the name (16, by folded name), then in the description only (5)
    ("giay", ["1.012783", "1.004616", "1.002861", "1.000459", "1.009995", "1.009994", "1.004873", "1.012786",
              "1.013228", "2.000815", "2.000884", "1.009996", "1.012790", "1.014201", "1.013227", "1.001699",
              "1.009998", "1.002856", "1.013831", "1.004884", "1.012784"]),
    ("lao dong", ["1.000459", "1.014201"]),
    ("DOANH nghiệp", ["2.001610", "1.002861"]),  # phrase in the name; then "doanh nghiep" in the description
    ("kinh doanh duoc", ["1.004616"]),
    ("lý lịch", ["2.000488"]),
    ("dang ky khai sinh", ["1.001193", "1.004884", "2.000635"]),  # phrase; every word in the name; description
    ("phep xay", ["1.009994", "1.013228", "1.009996", "1.013227", "1.009998", "1.009995"]),  # phrase, all words in the name, description
    ("1.009994", ["1.009994"]),
    ("khong co thu tuc nay", []),
])
def test_search_returns_an_exact_order(catalogue, text, expected) -> None:
    assert codes(catalogue, text=text) == expected


def test_filters_narrow_the_search(catalogue) -> None:
    assert codes(catalogue, text="giay phep", field="Hoạt động xây dựng") == [
        "1.009995", "1.009994", "1.013228", "1.009996", "1.013227", "1.009998"]
    # Without a keyword, by folded name ("cap ban sao trich luc...", "cap ban sao van bang...", ...).
    assert codes(catalogue, channel="postal") == [
        "2.000635", "3.000465", "1.012783", "1.002861", "1.000459", "1.009994", "1.004873", "1.012786", "2.000488",
        "1.002856", "1.013831", "1.001193", "1.000656", "1.004884", "2.001610", "1.001612", "2.000720", "1.014201"]
    assert codes(catalogue, service_level="full") == [
        "2.000635", "3.000465", "1.002861", "1.000459", "1.004873", "2.000488", "1.002856", "1.005142", "1.001193",
        "1.000656", "1.004884", "2.001610", "1.001612", "2.000720", "1.014201", "1.005095", "3.000182"]
    assert codes(catalogue, unit="000.13.01.H22") == ["2.001610"]
    assert codes(catalogue, unit="001.14.01.H22", text="giay chung nhan") == [
        "1.012783", "1.012786", "1.012790", "1.013831", "1.012784"]
    # Free: amounts all zero (or no fee at all); a fee given only as a formula is not free.
    assert codes(catalogue, fee_free=True) == [
        "1.009998", "1.002856", "1.005142", "1.000894", "1.001193", "1.000656", "1.012790", "3.000182", "1.001699"]
    assert codes(catalogue, fee_free=False, text="cong trinh") == ["1.009995", "1.013228", "1.009996", "1.013227"]
    assert codes(catalogue, text="giay phep", channel="postal") == ["1.002861", "1.000459", "1.009994", "1.014201", "1.002856"]


def test_without_a_keyword_the_catalogue_lists_by_name_in_pages(catalogue) -> None:
    everything = codes(catalogue, page_size=100)
    assert everything == sorted(everything, key=lambda c: (fold(catalogue.get_entry(c).name), c))
    assert len(everything) == len(read_seed()["procedures"]) + 3  # and three published here; not the draft, not the suspended
    first, second = catalogue.search(CatalogueQuery(page_size=4)), catalogue.search(CatalogueQuery(page=2, page_size=4))
    assert first.total == second.total == len(everything)
    assert [e.code for e in first.items + second.items] == everything[:8]


def test_a_procedure_shows_its_current_version_and_status(catalogue) -> None:
    revised = catalogue.get_entry("1.009996")
    assert (revised.version, revised.name, revised.status) == (2, "Điều chỉnh giấy phép xây dựng công trình", "published")
    assert catalogue.get_entry("1.009997").status == "suspended"
    assert catalogue.get_entry("1.009999") is None  # never published
    seeded = catalogue.get_entry("1.009994")
    assert seeded.document["feeTotal"] == 75000 and "formSchema" not in seeded.document
    assert seeded.document["steps"][0]["role"] == "reception_officer"
    assert seeded.document["legalBasis"][0].startswith("Luật Xây dựng số 50/2014/QH13")
    assert [c["reusable"] for c in seeded.document["components"]] == [False, True, False]
    assert seeded.document["source"].endswith("ma_thu_tuc=1.009994")


def test_a_change_already_applied_is_refused_and_changes_nothing(catalogue) -> None:
    position = catalogue.position()
    with pytest.raises(IntegrityError):
        catalogue.apply((), Tracking(notification_id=position, application_name="Procedures"))
    assert catalogue.position() == position


def test_a_restarted_runner_resumes_from_its_position_and_changes_nothing(settings, catalogue) -> None:
    position, before = catalogue.position(), codes(catalogue, page_size=100)
    with build_catalogue_runner(settings) as runner:
        runner.wait(position, timeout=20)
        assert runner.view.position() == position
    assert codes(catalogue, page_size=100) == before
