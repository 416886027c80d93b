"""Helpers for the lookup index tests, and the script their subprocesses run.

- `MemoryDossierIndexView`: the index as plain Python (`fold`), the reference the SQL views
  are compared with;
- `write_dossiers`: dossiers driven by the real aggregate along seeded random walks through the
  transition table, their saves interleaved (and with the code counter, as the app does);
- `rebuild`: a from-scratch rebuild of an index from a store, without a runner;
- `python -m tests.integration.index_projector_process project|write SETTINGS_JSON ...`: the
  separate OS processes of the kill-and-resume test.
"""

from __future__ import annotations

import contextlib
import json
import random
import sys
import time
from collections.abc import Sequence
from datetime import date, timedelta
from threading import Lock
from typing import Any

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import IntegrityError, Tracking

from application.dossier_index import DossierSummary, Page
from domain.dossier import Dossier, DossierCodeCounter, DossierError, counter_id
from projections.dossier_index import (
    TOPICS,
    DossierIndexProjection,
    DossierIndexView,
    NewDossier,
    RowChange,
    fold,
)
from projections.sources import DossierStream
from tests.unit.dossier_fixtures import ISSUERS, UNIT, Clock, local, submit

DAY = date(2026, 3, 2)
STEPS_MINUTES = (10, 45, 180, 600, 2 * 24 * 60, 6 * 24 * 60)


class MemoryDossierIndexView(DossierIndexView):
    """Rows folded in memory; queries other than by code are left to the tests."""

    def __init__(self) -> None:
        self.rows: dict[str, DossierSummary] = {}
        self.tracked: dict[str, int] = {}
        self._lock = Lock()

    def apply(self, changes: Sequence[RowChange], tracking: Tracking) -> None:
        with self._lock:
            if tracking.notification_id <= self.tracked.get(tracking.application_name, 0):
                raise IntegrityError(f"already processed: {tracking}")
            rows = dict(self.rows)
            for change in changes:
                key = change.row.id if isinstance(change, NewDossier) else change.dossier_id
                rows[key] = fold(rows.get(key), change)
            self.rows = rows
            self.tracked[tracking.application_name] = tracking.notification_id

    def insert_tracking(self, tracking: Tracking) -> None:
        self.apply((), tracking)

    def max_tracking_id(self, application_name: str) -> int | None:
        return self.tracked.get(application_name)

    def get_by_code(self, code: str) -> DossierSummary | None:
        return next((r for r in self.rows.values() if r.code == code), None)

    def list_by_applicant(self, account_id: str, **_: Any) -> Page:
        raise NotImplementedError

    def worklist(self, units: frozenset[str], **_: Any) -> Page:
        raise NotImplementedError


def random_step(dossier: Dossier, clock: Clock, rng: random.Random) -> bool:
    """Issue one random allowed command (skipping those the rules refuse); False at the end."""
    commands = sorted(c for c in dossier.allowed_commands if c in ISSUERS)
    if not commands:
        return False
    command = rng.choice(commands)
    at = clock.tick(timedelta(minutes=rng.choice(STEPS_MINUTES)))
    with contextlib.suppress(DossierError):  # e.g. a second rating, an unrequested opinion
        ISSUERS[command](dossier, at)
    return True


def write_dossiers(
    app: Application[Any], count: int, seed: int, *, pause: float = 0.0
) -> list[str]:
    """`count` dossiers of the unit's code counter, saves interleaved; returns their codes."""
    rng = random.Random(seed)
    start = local("2026-03-02 07:00")
    try:
        counter: DossierCodeCounter = app.repository.get(counter_id(UNIT, DAY))
    except AggregateNotFoundError:
        counter = DossierCodeCounter.open(UNIT, DAY, start)
    pending = [
        (Clock(start + timedelta(minutes=rng.randrange(1, 600))), rng.randint(0, 12),
         f"citizen-{rng.randrange(4)}")
        for _ in range(count)
    ]
    active: list[tuple[Dossier, Clock, int]] = []
    codes: list[str] = []
    while pending or active:
        if pending and (not active or rng.random() < 0.4):
            clock, steps, account = pending.pop()
            code = counter.allocate(clock.now)
            dossier = submit(clock, code=code, applicant={
                "id": account, "name": f"Người nộp {account}", "kind": "citizen"})
            app.save(counter, dossier)
            codes.append(code)
            active.append((dossier, clock, steps))
        else:
            index = rng.randrange(len(active))
            dossier, clock, steps = active[index]
            for _ in range(rng.randint(1, 2)):
                if steps <= 0 or not random_step(dossier, clock, rng):
                    steps = 0
                    break
                steps -= 1
            app.save(dossier)
            if steps <= 0:
                active.pop(index)
            else:
                active[index] = (dossier, clock, steps)
        if pause:
            time.sleep(pause)
    return codes


def rebuild(source_env: dict[str, str], view: DossierIndexView, page_size: int = 500) -> int:
    """Project the whole store into `view` from scratch (no runner); returns events applied."""
    app = DossierStream(source_env)
    projection = DossierIndexProjection(view)
    start, applied = view.position(), 0
    try:
        while True:
            page = app.recorder.select_notifications(
                start, page_size, topics=TOPICS, inclusive_of_start=False)
            if not page:
                return applied
            for notification in page:
                event = app.mapper.to_domain_event(notification)
                projection.process_event(event, Tracking(app.name, notification.id))
            start, applied = page[-1].id, applied + len(page)
    finally:
        app.close()


def _main(argv: list[str]) -> int:
    from ops.projectors import run_projectors_until_signalled
    from ops.settings import load_settings
    from ops.stores import schema_lock, store_env

    mode, settings = argv[0], load_settings({}, **json.loads(argv[1]))
    if mode == "project":
        return run_projectors_until_signalled(settings)  # what `motcua project` runs
    if mode == "write":
        with schema_lock(settings):  # as every process that builds a store does
            app = DossierStream(store_env(settings, "Dossiers"))
        try:
            write_dossiers(app, int(argv[2]), int(argv[3]), pause=float(argv[4]))
        finally:
            app.close()
        return 0
    print(f"unknown mode {mode!r}; expected project or write", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))


__all__ = ["MemoryDossierIndexView", "random_step", "rebuild", "write_dossiers"]
