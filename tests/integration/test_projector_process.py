"""On PostgreSQL, ``motcua serve`` projects the lookup index in a child process of its own.

The child follows the store like the thread did; killed, it is started again and resumes where
it stopped (rows equal the in-memory fold, nothing applied twice); asked to stop, it exits; and
when its parent dies without asking, it exits too instead of projecting on its own.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from ops.projector_process import ProjectorProcess
from ops.projectors import EmbeddedProjectors, start_embedded_projectors
from ops.settings import Settings, load_settings
from ops.stores import store_env
from projections.sources import DossierStream
from tests.integration.index_projector_process import MemoryDossierIndexView, rebuild, write_dossiers
from tests.integration.test_dossier_index_views import PG_URL, schema_scope

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def settings(tmp_path: Path) -> Iterator[Settings]:
    for schema in schema_scope():
        yield load_settings({}, data_dir=str(tmp_path), database_url=PG_URL,
                            postgres_schema=schema, postgres_pool_size=2, projection_poll_interval=0.02)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (exited, not yet reaped by its parent) no longer runs anything.
    return Path(f"/proc/{pid}/stat").read_text().split(") ")[-1][0] != "Z"


def wait_for(condition, timeout: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_the_index_child_follows_the_store_is_restarted_when_killed_and_stops_when_asked(
    settings: Settings,
) -> None:
    app = DossierStream(store_env(settings, "Dossiers"))
    handle = start_embedded_projectors(settings)
    try:
        assert isinstance(handle, ProjectorProcess)
        first = handle.pid
        assert first is not None and first != os.getpid()
        write_dossiers(app, 40, seed=7)
        assert handle.view.wait_for(app.recorder.max_notification_id() or 0, timeout=30)

        os.kill(first, signal.SIGKILL)
        wait_for(lambda: handle.restarts == 1 and handle.pid not in (None, first))
        write_dossiers(app, 30, seed=8)
        last = app.recorder.max_notification_id() or 0
        assert handle.view.wait_for(last, timeout=30)

        memory = MemoryDossierIndexView()
        rebuild(store_env(settings, "Dossiers"), memory)
        assert len(memory.rows) == 70
        for row in memory.rows.values():
            assert handle.view.get_by_code(row.code) == row
        second = handle.pid
    finally:
        handle.stop()
        app.close()
    assert second is not None and not alive(second)
    assert handle.restarts == 1


def test_the_index_stays_on_a_thread_when_the_process_is_turned_off_or_the_store_is_sqlite(
    settings: Settings, tmp_path: Path,
) -> None:
    for chosen in (load_settings({}, **{**_fields(settings), "index_projector_process": False}),
                   load_settings({}, data_dir=str(tmp_path / "embedded"))):
        handle = start_embedded_projectors(chosen)
        try:
            assert isinstance(handle, EmbeddedProjectors)
        finally:
            handle.stop()


def test_the_index_child_exits_when_its_parent_is_killed(settings: Settings, tmp_path: Path) -> None:
    # A parent of our own making, killed with SIGKILL: no chance to ask the child to stop.
    script = (
        "import json, sys, time\n"
        "from ops.projectors import start_embedded_projectors\n"
        "from ops.settings import load_settings\n"
        "handle = start_embedded_projectors(load_settings({}, **json.loads(sys.argv[1])))\n"
        "print('child-pid', handle.pid, flush=True)\n"
        "time.sleep(600)\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", script, json.dumps(_fields(settings))],
                              cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert parent.stdout is not None
        line = ""
        while not line.startswith("child-pid"):  # log lines may come first
            line = parent.stdout.readline()
            assert line, "the parent ended before it said its child's pid"
        child = int(line.split()[1])
        assert alive(child)
        parent.kill()
        parent.wait(timeout=10)
        wait_for(lambda: not alive(child), timeout=20)
    finally:
        if parent.poll() is None:
            parent.kill()


def _fields(settings: Settings) -> dict[str, object]:
    return {"data_dir": settings.data_dir, "database_url": settings.database_url,
            "postgres_schema": settings.postgres_schema, "postgres_pool_size": settings.postgres_pool_size,
            "projection_poll_interval": settings.projection_poll_interval}
