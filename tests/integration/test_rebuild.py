"""`motcua rebuild`: a batched replay from zero, exactly-once across a SIGKILL, on both stores.

The rebuild runs as a separate OS process (`python -m ops.cli rebuild index`), is killed while
its batches commit, then resumed with `--resume`; the rows must equal those of an uninterrupted
rebuild and of the in-memory fold of the same events, and a projection's runner (its lock)
keeps a rebuild out.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from adapters.index.bulk import rows_by_id
from application.dossier_index import DossierSummary
from ops.projectors import build_index_runner, build_index_view
from ops.rebuild import rebuild_projection
from ops.settings import Settings
from ops.settings import load_settings
from ops.stores import store_env
from projections.dossier_index import DossierIndexView
from projections.runner import ProjectionAlreadyRunning
from projections.sources import DossierStream
from tests.integration.index_projector_process import MemoryDossierIndexView, rebuild, write_dossiers
from tests.integration.test_dossier_index_views import PG_URL, pg_settings, schema_scope, sqlite_settings

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Store:
    kind: str
    settings: Settings
    env: dict[str, str]
    """MOTCUA_* variables for a `motcua` subprocess on the same store."""


@pytest.fixture(params=["postgres", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    base = {"MOTCUA_DATA_DIR": str(tmp_path / "data"), "MOTCUA_LOG_LEVEL": "warning"}
    if request.param == "sqlite":
        yield Store("sqlite", sqlite_settings(tmp_path / "data"), base)
        return
    for schema in schema_scope():
        env = {**base, "MOTCUA_DATABASE_URL": PG_URL, "MOTCUA_POSTGRES_SCHEMA": schema,
               "MOTCUA_POSTGRES_POOL_SIZE": "2"}
        # The same data dir as the subprocess: it holds the event keyring both must read with.
        yield Store("postgres", load_settings({}, database_url=PG_URL, postgres_schema=schema, postgres_pool_size=2,
                                              data_dir=str(tmp_path / "data")), env)


def all_rows(view: DossierIndexView, ids: set[str]) -> dict[str, DossierSummary]:
    return rows_by_id(view, ids)


def spawn_rebuild(store: Store, *args: str) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOTCUA_")} | store.env
    return subprocess.Popen([sys.executable, "-m", "ops.cli", "rebuild", "index", "--quiet", *args],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def test_a_rebuild_killed_mid_way_and_resumed_gives_the_rows_of_an_uninterrupted_one(store: Store) -> None:
    app = DossierStream(store_env(store.settings, "Dossiers"))
    view = build_index_view(store.settings)
    try:
        write_dossiers(app, 150, seed=31)
        last = app.recorder.max_notification_id() or 0
        memory = MemoryDossierIndexView()
        rebuild(store_env(store.settings, "Dossiers"), memory)
        ids = set(memory.rows)
        first = rebuild_projection(store.settings, "index", quiet=True, batch_size=64)
        assert first.position == view.position() == last
        assert all_rows(view, ids) == memory.rows

        # Killed while its batches of five commit: after the reset, before the end.
        process = spawn_rebuild(store, "--batch-size", "5")
        deadline, killed_at = time.monotonic() + 60, None
        while time.monotonic() < deadline and process.poll() is None:
            position = view.position()
            if 0 < position < last:
                process.kill()
                killed_at = position
                break
            time.sleep(0.002)
        output = process.communicate(timeout=20)[0].decode()
        assert killed_at is not None, f"the rebuild was not caught mid-way: {output}"
        assert process.returncode == -signal.SIGKILL
        partial = view.position()
        assert killed_at <= partial < last
        assert len(all_rows(view, ids)) < len(ids)  # the reset happened: rows are missing

        resumed = spawn_rebuild(store, "--resume", "--batch-size", "50")
        output = resumed.communicate(timeout=120)[0].decode()
        assert resumed.returncode == 0, output
        assert f"position {last}" in output
        assert view.position() == last
        after_kill = all_rows(view, ids)
        assert after_kill == memory.rows

        again = rebuild_projection(store.settings, "index", quiet=True)
        assert again.events >= len(ids) and again.position == last
        assert all_rows(view, ids) == after_kill
    finally:
        view.datastore.close()  # type: ignore[attr-defined]
        app.close()


def test_a_rebuild_is_refused_while_the_projection_runs(store: Store) -> None:
    app = DossierStream(store_env(store.settings, "Dossiers"))
    try:
        write_dossiers(app, 3, seed=1)
        with build_index_runner(store.settings):
            with pytest.raises(ProjectionAlreadyRunning):
                rebuild_projection(store.settings, "index", quiet=True)
            refused = spawn_rebuild(store)
            output = refused.communicate(timeout=60)[0].decode()
            assert refused.returncode == 3 and "stop `motcua serve`" in output, output
        done = spawn_rebuild(store)
        output = done.communicate(timeout=60)[0].decode()
        assert done.returncode == 0 and "rebuilt index" in output, output  # the runner is gone
    finally:
        app.close()
