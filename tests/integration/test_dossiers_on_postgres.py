"""The ``Dossiers`` application on real PostgreSQL, driven from several OS processes at once.

A deployment runs many API processes against one database, so the promises of DESIGN.md §3 and
§5 are promises about processes, not threads: dossier codes are gap-free and unique per unit and
local day, a save that lost a race is a conflict and never a lost update, and a repeated
``Idempotency-Key`` files nothing new even when the process that saw the first request is gone.

Each test has a schema of its own (the ``test`` database is shared with other engineers' runs),
named to every process through ``MOTCUA_POSTGRES_SCHEMA``. The parent builds the application
first, which creates the tables, then starts the workers of ``tests.integration.dossier_worker``
and afterwards reads the store itself to check what was really committed.

Two tests guard fixed defects: a busy unit once refused submissions after a few immediate
retries of the code counter, and processes starting together once failed creating tables.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import queue
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime
from multiprocessing.context import SpawnContext, SpawnProcess
from pathlib import Path
from typing import Any

import pytest
from eventsourcing.utils import get_topic

from adapters.catalogue.seed import SeedCatalogue
from application.clock import SimulatedClock
from application.dossiers import Dossiers
from domain.dossier import Dossier, DossierCodeCounter, counter_id
from ops.settings import load_settings
from ops.wiring import build_dossiers
from tests.integration import dossier_worker as worker
from tests.integration.conftest import PG_DBNAME, PG_HOST, PG_PORT, PG_USER

REPO_ROOT = Path(__file__).resolve().parents[2]
UNIT = worker.RECEIVING_UNIT
MONDAY_0900_LOCAL = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
MONDAY_235959_LOCAL = datetime(2026, 3, 2, 16, 59, 59, tzinfo=UTC)
TUESDAY_0000_LOCAL = datetime(2026, 3, 2, 17, 0, 0, tzinfo=UTC)
RESULT_TIMEOUT = 60.0
SUBMITTED = get_topic(Dossier.Submitted)


class SubmissionsRefused(AssertionError):
    """Some submissions were turned away with VersionConflict ."""


class StartupFailed(AssertionError):
    """Some processes could not build the application ."""


# ----- fixtures -----


@pytest.fixture
def motcua_environ(pg_schema: str, tmp_path: Path) -> dict[str, str]:
    """``MOTCUA_*`` settings of one test: its own schema, small pools, a fixed lookup key.

    The lookup key is given rather than generated into the data dir so that every process
    computes the same HMACs from the start. Pools are small because the server's connections
    are shared with other test runs.
    """
    return {
        "MOTCUA_DATABASE_URL": f"postgresql://{PG_USER}@{PG_HOST}:{PG_PORT}/{PG_DBNAME}",
        "MOTCUA_POSTGRES_SCHEMA": pg_schema,
        "MOTCUA_POSTGRES_POOL_SIZE": "2",
        "MOTCUA_DATA_DIR": str(tmp_path / "var"),
        "MOTCUA_LOOKUP_SECRET_KEY": "test-lookup-key-" + "k" * 32,
    }


@pytest.fixture
def dossiers(motcua_environ: dict[str, str]) -> Iterator[Dossiers]:
    """The parent's own application: creates the tables before any worker starts, then reads."""
    app = build_dossiers(load_settings(motcua_environ), SimulatedClock(MONDAY_0900_LOCAL), SeedCatalogue())
    try:
        yield app
    finally:
        app.close()


@pytest.fixture
def spawn() -> SpawnContext:
    """Fresh interpreters, never forked copies of pytest holding its connections."""
    return multiprocessing.get_context("spawn")


# ----- helpers -----


def run_workers(results: Any, processes: list[SpawnProcess]) -> dict[str, dict[str, Any]]:
    """Start the processes, gather one report from each, and insist that each exited cleanly.

    Reports are read before joining (a child blocks on exit until its queue is drained), and a
    child that died without reporting fails the test at once rather than after a long wait.
    """
    for process in processes:
        process.start()
    reports: dict[str, dict[str, Any]] = {}
    deadline = time.monotonic() + RESULT_TIMEOUT
    try:
        while len(reports) < len(processes):
            try:
                report = results.get(timeout=0.5)
            except queue.Empty:
                dead = [p for p in processes if p.exitcode is not None and p.name not in reports]
                if dead and results.empty():
                    pytest.fail(f"worker(s) exited without reporting: {[(p.name, p.exitcode) for p in dead]}")
                if time.monotonic() > deadline:
                    pytest.fail(f"no report within {RESULT_TIMEOUT}s; got {sorted(reports)}")
                continue
            reports[report["worker"]] = report
        for process in processes:
            process.join(timeout=30)
            assert process.exitcode == 0, f"{process.name} exited with {process.exitcode}"
    finally:
        for process in processes:
            if process.is_alive():
                process.kill()
                process.join()
    crashed = {name: r["traceback"] for name, r in reports.items() if "crashed" in r}
    assert not crashed, "a worker crashed:\n" + "\n".join(crashed.values())
    return reports


def submit_concurrently(ctx: SpawnContext, environ: dict[str, str],
                        plan: list[tuple[datetime, int]]) -> list[dict[str, Any]]:
    """One process per (instant, count); all start submitting together.

    Returns each process's report: its ``codes`` in the order it got them and how many of its
    submissions were ``refused`` (and sent again).
    """
    results, startup, start = ctx.Queue(), ctx.Lock(), ctx.Barrier(len(plan))
    processes = [
        ctx.Process(target=worker.submit_many, name=f"submitter-{i}",
                    args=(environ, at.isoformat(), count, startup, start, results, f"submitter-{i}"))
        for i, (at, count) in enumerate(plan)
    ]
    reports = run_workers(results, processes)
    return [reports[f"submitter-{i}"] for i in range(len(plan))]


def assert_gap_free_and_unique(app: Dossiers, reports: list[dict[str, Any]], day: date) -> list[str]:
    """The day's codes are exactly 0001..N, each committed once with its dossier and counter.

    Checked three ways: what the processes were told, the Submitted events really in the store
    (through the notification log), and the counter aggregate's number and version.
    """
    codes_by_process = [report["codes"] for report in reports]
    all_codes = [code for codes in codes_by_process for code in codes]
    total = len(all_codes)
    assert sorted(all_codes) == expected_codes(day, total), "a gap or a duplicate"
    assert all(codes == sorted(codes) for codes in codes_by_process), "a process's own codes must increase"
    committed = [code for code in submitted_codes_in_store(app) if f"-{day:%y%m%d}-" in code]
    assert sorted(committed) == sorted(all_codes)
    counter: DossierCodeCounter = app.repository.get(counter_id(UNIT, day))
    assert (counter.last_number, counter.version) == (total, total + 1)  # Opened + one event per number
    assert all(event_names(app, code) == ["Submitted"] for code in all_codes)
    return all_codes


def expected_codes(day: date, count: int) -> list[str]:
    return [f"{UNIT}-{day:%y%m%d}-{n:04d}" for n in range(1, count + 1)]


def submitted_codes_in_store(app: Dossiers) -> list[str]:
    """Codes of every Submitted event actually committed, read through the notification log."""
    notifications = app.recorder.select_notifications(start=None, limit=10_000, topics=[SUBMITTED])
    return [app.repository.get(n.originator_id).code for n in notifications]


def event_names(app: Dossiers, code: str) -> list[str]:
    return [type(e).__name__ for e in app.events.get(app.load(code).id)]


def run_cli(environ: dict[str, str], *args: str) -> dict[str, Any]:
    """A fresh interpreter running the worker's command line; its JSON answer.

    The child's environment is ours without any ``MOTCUA_*`` variable of the engineer's shell,
    plus this test's settings, so nothing but the test decides where it writes.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOTCUA_")} | environ
    done = subprocess.run(
        [sys.executable, "-m", "tests.integration.dossier_worker", *args],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=60, check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


# ----- tests -----


def test_two_processes_submitting_for_the_same_unit_and_day_get_unique_consecutive_codes(
    spawn: SpawnContext, motcua_environ: dict[str, str], dossiers: Dossiers,
) -> None:
    """Four processes race for the same counter; the numbers come out 0001..0160, no gap.

    The counter aggregate is saved in the same ``save()`` as each dossier, so a process that
    read a stale counter loses on the counter's version and allocates again: a number is
    either committed with its dossier or never used. (Whether a submission may be refused
    while this goes on is the business of the next test.)
    """
    reports = submit_concurrently(spawn, motcua_environ, [(MONDAY_0900_LOCAL, 40)] * 4)

    assert [len(report["codes"]) for report in reports] == [40] * 4
    assert len(assert_gap_free_and_unique(dossiers, reports, date(2026, 3, 2))) == 160


def test_a_busy_unit_never_refuses_a_submission_for_want_of_a_dossier_code(
    spawn: SpawnContext, motcua_environ: dict[str, str], dossiers: Dossiers,
) -> None:
    """Eight processes submit back to back for one unit; none of them may be turned away.

    A submission carries no ``If-Match``: a conflict on the code counter is the server's own
    business (DESIGN.md §3: numbers are allocated "under concurrency"), never the client's, so
    it must not surface as a 409. The codes must stay gap-free and unique either way.
    """
    reports = submit_concurrently(spawn, motcua_environ, [(MONDAY_0900_LOCAL, 20)] * 8)

    assert_gap_free_and_unique(dossiers, reports, date(2026, 3, 2))
    refused = [report["refused"] for report in reports]
    if any(refused):
        raise SubmissionsRefused(f"refused per process (each re-sent until accepted): {refused}")


def test_two_processes_changing_the_same_dossier_one_wins_and_the_other_gets_the_conflict_error(
    spawn: SpawnContext, motcua_environ: dict[str, str], dossiers: Dossiers,
) -> None:
    """Both load version 1 and both save; one message is stored, the other is a 409, not lost.

    The workers pause between load and save until both have loaded (see
    ``dossier_worker.PausingClock``), so the race is the same on every run.
    """
    code = dossiers.submit(worker.CITIZEN, worker.online_submission()).code
    results, startup, barrier = spawn.Queue(), spawn.Lock(), spawn.Barrier(2)
    texts = {"citizen": "Tôi bổ sung số điện thoại", "reception": "Đã nhận, vui lòng chờ"}
    processes = [
        spawn.Process(target=worker.post_message_in_lockstep, name=actor,
                      args=(motcua_environ, MONDAY_0900_LOCAL.isoformat(), actor, code, 1, text,
                            startup, barrier, results, actor))
        for actor, text in texts.items()
    ]
    reports = run_workers(results, processes)

    outcomes = Counter(report["outcome"] for report in reports.values())
    assert outcomes == Counter({"ok": 1, "VersionConflict": 1}), reports
    winner = next(r for r in reports.values() if r["outcome"] == "ok")
    loser = next(r for r in reports.values() if r["outcome"] == "VersionConflict")
    assert winner["version"] == 2
    # Retrying blindly is refused as stale and names the version to use (412); retrying with
    # it lands on top of the winner (so a client that reloads loses nothing).
    assert (loser["blind_retry"], loser["current_version"], loser["retried_version"]) == ("StaleVersion", 2, 3)
    dossier = dossiers.load(code)
    assert event_names(dossiers, code) == ["Submitted", "MessagePosted", "MessagePosted"]
    assert [m["text"] for m in dossier.messages] == [texts[winner["worker"]], texts[loser["worker"]]]


def test_a_duplicate_submission_with_the_same_idempotency_key_after_a_restart_files_nothing_new(
    motcua_environ: dict[str, str], dossiers: Dossiers,
) -> None:
    """The key's row commits with the events, so a fresh process finds it and replays.

    Process A submits and exits; process B, a new interpreter that never saw A's memory,
    submits the same body under the same key and gets A's answer back; the same key with
    another body is refused (422) and files nothing either.
    """
    at = MONDAY_0900_LOCAL.isoformat()
    first = run_cli(motcua_environ, "submit-once", "--at", at, "--key", "key-1")
    again = run_cli(motcua_environ, "submit-once", "--at", at, "--key", "key-1")
    other_body = run_cli(motcua_environ, "submit-once", "--at", at, "--key", "key-1", "--note", "khác")

    assert first["code"] == f"{UNIT}-260302-0001" and first["replayed"] is False
    assert again == {**first, "replayed": True}
    assert other_body == {"error": "IdempotencyKeyReused"}
    assert submitted_codes_in_store(dossiers) == [first["code"]]
    assert dossiers.repository.get(counter_id(UNIT, date(2026, 3, 2))).last_number == 1
    # A new key is a new submission and takes the next number: the replay consumed none.
    fresh = run_cli(motcua_environ, "submit-once", "--at", at, "--key", "key-2")
    assert (fresh["code"], fresh["replayed"]) == (f"{UNIT}-260302-0002", False)


def test_concurrent_submissions_across_midnight_local_start_a_new_counter(
    spawn: SpawnContext, motcua_environ: dict[str, str], dossiers: Dossiers,
) -> None:
    """23:59:59 and 00:00:00 local are different days: the second starts again at 0001.

    The day is the *local* date (Asia/Ho_Chi_Minh, UTC+7): both instants fall on 2 March in UTC,
    so a counter keyed on the UTC date would wrongly continue the old day's numbers.
    """
    per_process = 15
    reports = submit_concurrently(spawn, motcua_environ, [
        (MONDAY_235959_LOCAL, per_process), (TUESDAY_0000_LOCAL, per_process),
        (MONDAY_235959_LOCAL, per_process), (TUESDAY_0000_LOCAL, per_process),
    ])

    monday = assert_gap_free_and_unique(dossiers, reports[0::2], date(2026, 3, 2))
    tuesday = assert_gap_free_and_unique(dossiers, reports[1::2], date(2026, 3, 3))
    assert (len(monday), len(tuesday)) == (2 * per_process, 2 * per_process)
    assert sorted(submitted_codes_in_store(dossiers)) == sorted(monday + tuesday)


def test_several_processes_can_start_at_once_on_an_existing_store(
    spawn: SpawnContext, motcua_environ: dict[str, str], dossiers: Dossiers,
) -> None:
    """Six processes build the application at the same moment, five times; every start works.

    A deployment starts its API and projection processes together and restarts them together,
    against a database whose tables the first start created long ago (here: the parent's
    ``dossiers`` fixture). A start must not depend on being alone.
    """
    processes_count, rounds = 6, 5
    results, start = spawn.Queue(), spawn.Barrier(processes_count)
    processes = [
        spawn.Process(target=worker.start_application_repeatedly, name=f"starter-{i}",
                      args=(motcua_environ, rounds, start, results, f"starter-{i}"))
        for i in range(processes_count)
    ]
    reports = run_workers(results, processes)

    failures = Counter(o for report in reports.values() for o in report["outcomes"] if o != "ok")
    if failures:
        raise StartupFailed(f"{sum(failures.values())} of {processes_count * rounds} starts failed: {dict(failures)}")
