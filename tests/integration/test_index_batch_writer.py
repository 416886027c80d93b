"""The index batch writer remembers the rows it committed, and only those.

It runs under the one-runner lock, so its own committed rows are what the view holds: a page's
continuing dossiers come from that memory instead of a read back, and the rows written stay
equal to the fold of the events (`MemoryDossierIndexView`), also when a page's write fails and
the page is written again (as the follower does).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from eventsourcing.persistence import Tracking

import ops.index_batches as index_batches
from application.dossier_index import DossierSummary
from ops.index_batches import IndexBatchWriter
from ops.projectors import build_index_view
from ops.settings import load_settings
from ops.stores import store_env
from projections.dossier_index import TOPICS, DossierIndexView
from projections.sources import DossierStream
from tests.integration.index_projector_process import MemoryDossierIndexView, rebuild, write_dossiers

PAGE = 40


@dataclass
class Store:
    view: DossierIndexView
    pages: list[list[tuple[int, Any]]]
    expected: dict[str, DossierSummary]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    settings = load_settings({}, data_dir=str(tmp_path))
    app = DossierStream(store_env(settings, "Dossiers"))
    try:
        write_dossiers(app, 30, seed=5)
        notifications = app.recorder.select_notifications(0, 10_000, topics=TOPICS)
        events = [(n.id, app.mapper.to_domain_event(n)) for n in notifications]
        expected = MemoryDossierIndexView()
        rebuild(store_env(settings, "Dossiers"), expected)
        view = build_index_view(settings)
        yield Store(view, [events[i:i + PAGE] for i in range(0, len(events), PAGE)], expected.rows)
        view.datastore.close()  # type: ignore[attr-defined]
    finally:
        app.close()


def _write(writer: IndexBatchWriter, page: list[tuple[int, Any]]) -> None:
    writer.write(page, Tracking("Dossiers", page[-1][0]))


def _stored(store: Store) -> dict[str, DossierSummary]:
    return {row.id: store.view.get_by_code(row.code) for row in store.expected.values()}  # type: ignore[misc]


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[set[str]]:
    """The ids each page asked the view for."""
    asked: list[set[str]] = []
    real = index_batches.rows_by_id

    def recording(view: DossierIndexView, ids: Any) -> dict[str, DossierSummary]:
        asked.append(set(ids))
        return real(view, ids)

    monkeypatch.setattr(index_batches, "rows_by_id", recording)
    return asked


def test_continuing_dossiers_come_from_the_writers_own_commits_not_a_read_back(store: Store, reads) -> None:
    assert len(store.pages) > 3
    writer = IndexBatchWriter(store.view)
    for page in store.pages:
        _write(writer, page)
    assert _stored(store) == store.expected
    assert not set().union(*reads)


def test_a_writer_that_remembers_few_rows_reads_the_others_back_and_writes_the_same_rows(
    store: Store, reads
) -> None:
    writer = IndexBatchWriter(store.view, known_rows=2)
    for page in store.pages:
        _write(writer, page)
    assert _stored(store) == store.expected
    assert set().union(*reads)


def test_a_page_whose_write_failed_and_is_written_again_gives_the_rows_of_the_fold(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    writer = IndexBatchWriter(store.view)
    _write(writer, store.pages[0])
    real = index_batches.write_rows

    def failing(*args: Any) -> None:
        raise ConnectionError("the database went away")

    monkeypatch.setattr(index_batches, "write_rows", failing)
    with pytest.raises(ConnectionError):
        _write(writer, store.pages[1])
    monkeypatch.setattr(index_batches, "write_rows", real)
    for page in store.pages[1:]:  # the follower retries the page that failed
        _write(writer, page)
    assert _stored(store) == store.expected
