"""A projector SIGKILLed at random points, also while another process writes, loses nothing.

The projector and the late writer are separate OS processes (`index_projector_process.py`).
Each round starts the projector, waits until it has applied something, lets it run a random
moment more and kills it (mid-transaction or not). At the end one more projector catches up and
stops cleanly on SIGTERM; then every row must equal a from-scratch rebuild into a second,
fresh schema (or SQLite file), the in-memory fold, and the aggregates' versions.
"""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from domain.dossier import dossier_id
from ops.projectors import build_index_runner, build_index_view
from ops.settings import Settings
from ops.stores import store_env
from projections.dossier_index import DossierIndexView
from projections.runner import ProjectionAlreadyRunning
from projections.sources import DossierStream
from tests.integration.index_projector_process import (
    MemoryDossierIndexView,
    rebuild,
    write_dossiers,
)
from tests.integration.test_dossier_index_views import pg_settings, schema_scope, sqlite_settings

ROOT = Path(__file__).resolve().parents[2]
ROUNDS = 5
ACCOUNTS = ("citizen-0", "citizen-1", "citizen-2", "citizen-3")


@dataclass
class Store:
    kind: str
    settings: Settings
    overrides: dict[str, object]
    second: Settings
    """Where the from-scratch rebuild goes (another schema, another directory)."""
    logs: Path


@pytest.fixture(params=["postgres", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "sqlite":
        (tmp_path / "live").mkdir()
        overrides: dict[str, object] = {"data_dir": str(tmp_path / "live"),
                                        "projection_poll_interval": 0.02}
        yield Store("sqlite", sqlite_settings(tmp_path / "live"), overrides,
                    sqlite_settings(tmp_path / "rebuilt"), tmp_path)
        return
    for live in schema_scope():
        for rebuilt in schema_scope():
            settings = pg_settings(live)
            overrides = {"database_url": settings.database_url, "postgres_schema": live,
                         "postgres_pool_size": 2}
            yield Store("postgres", settings, overrides, pg_settings(rebuilt), tmp_path)


def spawn(store: Store, mode: str, *args: str) -> subprocess.Popen[bytes]:
    log = store.logs / f"{mode}-{time.monotonic_ns()}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.integration.index_projector_process", mode,
             json.dumps(store.overrides), *args],
            cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
        )
    process.log = log  # type: ignore[attr-defined]
    return process


def wait_until_started(projector: subprocess.Popen[bytes]) -> None:
    """Its runner is up (so its SIGTERM handler is installed)."""
    log: Path = projector.log  # type: ignore[attr-defined]
    deadline = time.monotonic() + 20
    while b"projector_started" not in log.read_bytes():
        assert projector.poll() is None and time.monotonic() < deadline, log.read_text()
        time.sleep(0.02)


def wait_for_progress(view: DossierIndexView, app: DossierStream, before: int,
                      writer: subprocess.Popen[bytes] | None) -> None:
    """Until the projector has applied something (or there is nothing left to apply)."""
    deadline, idle_since = time.monotonic() + 20, time.monotonic()
    while time.monotonic() < deadline:
        if view.position() > before:
            return
        writing = writer is not None and writer.poll() is None
        caught_up = before >= (app.recorder.max_notification_id() or 0)
        if not writing and caught_up and time.monotonic() - idle_since > 0.5:
            return
        time.sleep(0.01)
    pytest.fail("the projector made no progress")


def test_a_projector_killed_at_random_points_resumes_to_the_rows_of_a_rebuild(
    store: Store,
) -> None:
    rng = random.Random(2026)
    app = DossierStream(store_env(store.settings, "Dossiers"))
    view = build_index_view(store.settings)
    writer: subprocess.Popen[bytes] | None = None
    try:
        write_dossiers(app, 120, seed=21)
        positions = []
        for round_ in range(ROUNDS):
            if round_ == 2:  # from now on the projector is killed while more is being written
                writer = spawn(store, "write", "60", "22", "0.002")
            projector = spawn(store, "project")
            before = view.position()
            wait_for_progress(view, app, before, writer)
            if round_ == 1:  # one runner per projection, across processes
                # Once started, it holds the lock (the index may already be caught up, so
                # progress alone does not show that the process got that far).
                wait_until_started(projector)
                with pytest.raises(ProjectionAlreadyRunning):
                    build_index_runner(store.settings)
            time.sleep(rng.uniform(0.0, 0.15))
            projector.kill()
            assert projector.wait(timeout=10) == -signal.SIGKILL
            positions.append(view.position())
        assert writer is not None and writer.wait(timeout=60) == 0
        assert positions == sorted(positions)

        projector = spawn(store, "project")
        wait_until_started(projector)
        last = app.recorder.max_notification_id() or 0
        assert view.wait_for(last, timeout=30), (view.position(), last)
        projector.send_signal(signal.SIGTERM)
        assert projector.wait(timeout=15) == 0

        rebuilt = build_index_view(store.second)
        started = time.monotonic()
        applied = rebuild(store_env(store.settings, "Dossiers"), rebuilt)
        elapsed = time.monotonic() - started
        print(f"\n{store.kind}: rebuilt {applied} notifications in {elapsed:.2f}s "
              f"({applied / elapsed:.0f} events/s); kills at positions {positions} of {last}")
        memory = MemoryDossierIndexView()
        rebuild(store_env(store.settings, "Dossiers"), memory)

        assert len(memory.rows) == 180
        assert rebuilt.position() == view.position() == last
        for row in memory.rows.values():
            assert view.get_by_code(row.code) == rebuilt.get_by_code(row.code) == row
            assert row.version == app.repository.get(dossier_id(row.code)).version
        listed = {r.code for a in ACCOUNTS for r in view.list_by_applicant(a, limit=200).items}
        assert listed == {r.code for r in memory.rows.values()}
        rebuilt.datastore.close()  # type: ignore[attr-defined]
    finally:
        if writer is not None and writer.poll() is None:
            writer.kill()
        view.datastore.close()  # type: ignore[attr-defined]
        app.close()
