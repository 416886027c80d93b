"""Stores written by the JSON transcoder keep reading after the switch to the compact one.

Dossiers are filed and worked on (past a snapshot) with the earlier JSON transcoder, then the
store is opened the way the composition root opens it now: every old event and snapshot reads
back, new events are written compactly into the same streams, and a dossier whose stream mixes
both formats loads exactly as the replay of its events.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from eventsourcing.application import project_aggregate

import ops.stores
from adapters.catalogue.seed import SeedCatalogue
from adapters.eventstore.compact_transcoder import MARKER, CompactTranscoder
from application.clock import SimulatedClock
from application.dossiers import Dossiers, Submission
from domain.actor import Actor, Role
from ops.settings import Settings, load_settings
from ops.wiring import build_dossiers
from tests.pg import DATABASE_URL, fresh_schema

JSON_TOPIC = "adapters.eventstore.transcoder:MotcuaTranscoder"
CITIZEN = Actor(id="citizen-1", role=Role.CITIZEN, name="Nguyễn Văn An")
RECEPTION = Actor(id="officer-1", role=Role.RECEPTION_OFFICER, unit="000.00.01.H22", name="Lê Văn Cường")
HANDLER = Actor(id="handler-1", role=Role.HANDLING_OFFICER, unit="000.13.01.H22", name="Chuyên Viên")


@pytest.fixture(params=["sqlite", "postgres"])
def settings(request, tmp_path) -> Iterator[Settings]:
    if request.param == "sqlite":
        yield load_settings({}, data_dir=str(tmp_path))
    else:
        with fresh_schema("c") as schema:
            yield load_settings({}, data_dir=str(tmp_path), database_url=DATABASE_URL, postgres_schema=schema,
                                postgres_pool_size=2)


def _open(settings: Settings, clock: SimulatedClock) -> Dossiers:
    return build_dossiers(settings, clock, SeedCatalogue())


def _formats(app: Dossiers, dossier_id) -> list[bytes]:
    """The first byte of every stored event of a dossier, decrypted (b"{": JSON)."""
    return [app.mapper.cipher.decrypt(s.state)[:1] for s in app.recorder.select_events(dossier_id)]


def _work(app: Dossiers, code: str, version: int, until: int, clock: SimulatedClock) -> int:
    while version < until:
        clock.advance(timedelta(minutes=5))
        version = app.post_message(HANDLER if version % 2 else CITIZEN, code, version, text=f"Trao đổi {version}").version
    return version


def test_old_json_events_and_snapshots_read_back_and_new_events_are_compact(settings, monkeypatch) -> None:
    clock = SimulatedClock(datetime(2026, 3, 2, 2, 0, tzinfo=UTC))
    with monkeypatch.context() as old_build:
        old_build.setattr(ops.stores, "TRANSCODER_TOPIC", JSON_TOPIC)
        app = _open(settings, clock)
        try:
            assert type(app.mapper.transcoder).__name__ == "MotcuaTranscoder"
            submitted = app.submit(CITIZEN, Submission(procedure_code="2.001610", channel="online", form={},
                                                       applicant={"name": "Nguyễn Văn An", "id_number": "001099000001"}))
            code = submitted.code
            v = app.receive(RECEPTION, code, 1).version
            v = app.hand_over(RECEPTION, code, v, to_unit="000.13.01.H22", step_index=1).version
            v = _work(app, code, v, 53, clock)
            dossier_id = app.load(code).id
            before = vars(app.load(code))
            assert set(_formats(app, dossier_id)) == {b"{"}
            assert [s.originator_version for s in app.snapshots.get(dossier_id)] == [50]
        finally:
            app.close()

    app = _open(settings, clock)  # as the composition root opens it now
    try:
        assert isinstance(app.mapper.transcoder, CompactTranscoder)
        assert vars(app.load(code)) == before  # from the old JSON snapshot and events
        v = _work(app, code, v, 104, clock)
        formats = _formats(app, dossier_id)
        assert formats[:53] == [b"{"] * 53 and set(formats[53:]) == {MARKER}
        assert [s.originator_version for s in app.snapshots.get(dossier_id)] == [50, 100]
        restored = app.load(code)
        replayed = project_aggregate(None, app.events.get(dossier_id))
        assert vars(restored) == vars(replayed) and restored.version == v
        assert vars(app.repository.get(dossier_id, version=53)) == before  # read from JSON records only
    finally:
        app.close()
