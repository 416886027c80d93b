"""The ``Dossiers`` application with group commit on, on the real PostgreSQL.

The application is built by the composition root from ``MOTCUA_*`` settings, as an API process
builds it, so its saves go through the group committer with the recorder hooks of production:
code allocation, idempotency rows, the audit hash chain, and the index projection downstream.
What the store holds afterwards is compared with what the callers were told.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from eventsourcing.utils import get_topic

from adapters.catalogue.seed import SeedCatalogue
from adapters.eventstore.group_commit import GroupCommitter
from application.audit_chain import parse_chain_key, verify_chain
from application.clock import SimulatedClock
from application.commands import CommandResult, Idempotency
from application.dossiers import Dossiers
from application.errors import VersionConflict
from domain.dossier import Dossier, counter_id
from ops.metrics import PROCESS_REGISTRY
from ops.projectors import build_index_runner, build_index_view
from ops.settings import Settings, load_settings
from ops.stores import store_env
from ops.wiring import build_dossiers
from tests.integration.conftest import PG_DBNAME, PG_HOST, PG_PORT, PG_USER
from tests.integration.dossier_worker import CITIZEN, RECEIVING_UNIT, online_submission, submission_body
from tests.integration.index_projector_process import MemoryDossierIndexView, rebuild

MONDAY_0900_LOCAL = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
MESSAGE_POSTED = get_topic(Dossier.MessagePosted)
AUDIT_KEY = "group-commit test audit chain key, long enough"


def settings_for(schema: str, tmp_path: Path, **overrides: str) -> Settings:
    return load_settings({
        "MOTCUA_DATABASE_URL": f"postgresql://{PG_USER}@{PG_HOST}:{PG_PORT}/{PG_DBNAME}",
        "MOTCUA_POSTGRES_SCHEMA": schema,
        "MOTCUA_POSTGRES_POOL_SIZE": "3",
        "MOTCUA_DATA_DIR": str(tmp_path / "var"),
        "MOTCUA_LOOKUP_SECRET_KEY": "test-lookup-key-" + "k" * 32,
        "MOTCUA_AUDIT_CHAIN_KEY": AUDIT_KEY,
        "MOTCUA_GROUP_COMMIT": "true",
        **{f"MOTCUA_{k.upper()}": v for k, v in overrides.items()},
    })


@pytest.fixture
def open_dossiers(pg_schema: str, tmp_path: Path) -> Iterator[Callable[..., Dossiers]]:
    """Builds the application with given group-commit settings; closes what it built."""
    built: list[Dossiers] = []

    def build(**overrides: str) -> Dossiers:
        app = build_dossiers(settings_for(pg_schema, tmp_path, **overrides),
                             SimulatedClock(MONDAY_0900_LOCAL), SeedCatalogue())
        built.append(app)
        return app

    yield build
    for app in built:
        app.close()


def committer(app: Dossiers) -> GroupCommitter:
    found = app.recorder.group_committer  # type: ignore[attr-defined]
    assert isinstance(found, GroupCommitter), "group commit should be on"
    return found


def bulk_batches_metric() -> float:
    return PROCESS_REGISTRY.get_sample_value("motcua_group_commit_batches_total", {"path": "bulk"}) or 0.0


def in_threads(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run each call on a thread of its own, all at once; each result or exception, in order."""
    outcomes: list[Any] = [None] * len(calls)
    start = threading.Barrier(len(calls))

    def one(i: int) -> None:
        start.wait(30)
        try:
            outcomes[i] = calls[i]()
        except Exception as exc:  # noqa: BLE001 - the outcome is what is checked
            outcomes[i] = exc

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return outcomes


def test_two_submissions_for_one_unit_and_day_in_one_batch_get_consecutive_distinct_codes(
    open_dossiers: Callable[..., Dossiers],
) -> None:
    """Both read the day's counter before either commits, so both allocate 0001 and meet in one
    batch; the counter's version conflict fails one of them alone, which allocates again."""
    app = open_dossiers(group_commit_max_batch="2", group_commit_max_wait_ms="1000")
    bulk_before = bulk_batches_metric()

    outcomes = in_threads([lambda: app.submit(CITIZEN, online_submission())] * 2)

    assert all(isinstance(o, CommandResult) for o in outcomes), outcomes
    assert sorted(o.code for o in outcomes) == [f"{RECEIVING_UNIT}-260302-0001", f"{RECEIVING_UNIT}-260302-0002"]
    stats = committer(app).stats()
    assert stats.get(2) == 1 and stats.get(1) == 1, stats  # the pair, then the retry alone
    # An application's saves carry `tracking=None`: nothing the three-round-trip path skips.
    assert app.recorder.batch_paths == {"bulk": 2}  # type: ignore[attr-defined]
    assert bulk_batches_metric() - bulk_before == 2  # and /metrics says so
    counter = app.repository.get(counter_id(RECEIVING_UNIT, date(2026, 3, 2)))
    assert (counter.last_number, counter.version) == (2, 3)


def test_a_repeated_idempotency_key_replays_the_first_result_within_one_batch_and_across_batches(
    open_dossiers: Callable[..., Dossiers],
) -> None:
    """Within a batch the second write fails on the key; it learns the first result only after
    the batch committed, so its look-up finds the key's row."""
    app = open_dossiers(group_commit_max_batch="2", group_commit_max_wait_ms="1000")
    submission = online_submission()
    idem = Idempotency.of(CITIZEN.id, "submit", "key-1", submission_body(submission))

    together = in_threads([lambda: app.submit(CITIZEN, submission, idem)] * 2)
    later = in_threads([lambda: app.submit(CITIZEN, submission, idem),
                        lambda: app.submit(CITIZEN, online_submission())])

    assert all(isinstance(o, CommandResult) for o in together + later), together + later
    # The pair met in one batch; later, the keyed repeat replayed before saving anything, so
    # only the fresh submission was written, alone.
    assert committer(app).stats() == {2: 1, 1: 1}
    first = next(o for o in together if not o.replayed)
    replays = [o for o in together if o.replayed] + [later[0]]
    assert len(replays) == 2 and all(r.replayed for r in replays)
    assert all((r.code, r.version, r.lookup_secret) == (first.code, first.version, first.lookup_secret) for r in replays)
    assert later[1].code == f"{RECEIVING_UNIT}-260302-0002"  # the replays took no number
    submitted = app.recorder.select_notifications(start=None, limit=100, topics=[get_topic(Dossier.Submitted)])
    assert len(submitted) == 2


def test_64_writers_on_one_dossier_and_on_different_dossiers_leave_exactly_the_acknowledged_events(
    open_dossiers: Callable[..., Dossiers], pg_schema: str, tmp_path: Path,
) -> None:
    """32 threads post to dossiers of their own, 32 to one shared dossier (without If-Match, so
    they race). Every acknowledged message is stored once at the version and position it was
    acknowledged with, no refused one is stored, versions run 1..n per dossier, the audit chain
    verifies and the index projection catches up to rows equal to a rebuild from the store."""
    app = open_dossiers(group_commit_max_wait_ms="5")
    own = [app.submit(CITIZEN, online_submission()).code for _ in range(32)]
    shared = app.submit(CITIZEN, online_submission()).code
    rounds = 4

    def writer(code: str, name: str) -> Callable[[], list[tuple[str, str, Any]]]:
        def run() -> list[tuple[str, str, Any]]:
            told = []
            for i in range(rounds):
                text = f"{name}-{i}"
                try:
                    told.append((code, text, app.post_message(CITIZEN, code, None, text=text)))
                except VersionConflict as refused:
                    told.append((code, text, refused))
            return told
        return run

    outcomes = in_threads([writer(code, f"own{n}") for n, code in enumerate(own)]
                          + [writer(shared, f"shared{n}") for n in range(32)])

    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    told = [t for per_thread in outcomes for t in per_thread]
    acknowledged = {text: (code, r) for code, text, r in told if isinstance(r, CommandResult)}
    refused = {text for _, text, r in told if isinstance(r, VersionConflict)}
    assert len(acknowledged) + len(refused) == 64 * rounds
    assert all(text.startswith("shared") for text in refused)  # only the shared dossier races
    stored: Counter[str] = Counter()
    for code in [*own, shared]:
        dossier = app.load(code)
        events = list(app.events.get(dossier.id))
        assert [e.originator_version for e in events] == list(range(1, len(events) + 1))
        for message in dossier.messages:
            stored[message["text"]] += 1
    assert stored == Counter(acknowledged.keys())  # each acknowledged once, nothing else
    by_id = {(n.originator_id, n.originator_version): n.id
             for n in app.recorder.select_notifications(start=None, limit=10_000, topics=[MESSAGE_POSTED])}
    for code, result in acknowledged.values():
        assert by_id[(app.load(code).id, result.version)] == result.position
    assert max(committer(app).stats()) > 1
    assert set(app.recorder.batch_paths) == {"bulk"}, app.recorder.batch_paths  # type: ignore[attr-defined]
    key = parse_chain_key(AUDIT_KEY)
    assert key is not None and verify_chain(app.recorder, key).ok

    settings = settings_for(pg_schema, tmp_path)
    last = app.recorder.max_notification_id() or 0
    with build_index_runner(settings) as runner:
        assert runner.view.wait_for(last, timeout=60)
    expected = MemoryDossierIndexView()
    rebuild(store_env(settings, "Dossiers"), expected)
    view = build_index_view(settings)
    try:
        for code in [*own, shared]:
            row = view.get_by_code(code)
            assert row is not None and row == expected.get_by_code(code)
            assert row is not None and row.version == app.load(code).version
    finally:
        view.datastore.close()  # type: ignore[attr-defined]
