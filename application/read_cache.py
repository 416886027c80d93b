"""Read-only aggregates reused while they are the store's latest version (no stale reads).

Catalogue aggregates (procedures, units, holiday calendars) are read on hot paths (every
submission, every reception's working calendar, an officer's scope on every request) and change
rarely. An aggregate at a given version never changes, so a copy can be reused for as long as
the store's latest event of that aggregate still has that version: one indexed look-up of one
row instead of loading a snapshot and replaying events, and an administrator's change is seen
at once, in every process. Dossier state is never read through this: commands load their own.

That look-up is still a round trip, and the shared catalogues are asked on every command (an
officer's unit scope, the unit's working calendar): two of the dozen round trips a command
made, a fifth of the server's time under load (py-spy, DESIGN §7 P1). So a reader may accept
a version it checked less than ``recheck_after`` seconds ago; the application's own saves
``forget`` what they changed, so its process sees them at once, and other processes within
that interval. ``recheck_after=0`` (the default) checks on every read.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate


class LatestVersionCache:
    """Shared copies for readers only: a caller must never change or save what it gets."""

    def __init__(self, app: Application, *, recheck_after: float = 0.0,
                 now: Callable[[], float] = time.monotonic) -> None:
        self._app = app
        self._held: dict[UUID, Aggregate] = {}
        self._lock = threading.Lock()
        self._recheck_after = recheck_after
        self._now = now
        self._checked: dict[UUID, tuple[int, float]] = {}

    def latest_version(self, aggregate_id: UUID) -> int:
        """The store's latest version of the aggregate (0: never written), as checked at most
        ``recheck_after`` seconds ago."""
        if self._recheck_after > 0:
            checked = self._checked.get(aggregate_id)
            if checked is not None and self._now() - checked[1] < self._recheck_after:
                return checked[0]
        at = self._now()
        latest = self._app.recorder.select_events(aggregate_id, desc=True, limit=1)
        version = latest[0].originator_version if latest else 0
        if self._recheck_after > 0:
            self._checked[aggregate_id] = (version, at)
        return version

    def forget(self, aggregate_id: UUID) -> None:
        """This process just changed the aggregate: check the store on the next read."""
        self._checked.pop(aggregate_id, None)

    def get(self, aggregate_id: UUID) -> Any | None:
        """The aggregate at the store's latest version, or None when it was never written."""
        version = self.latest_version(aggregate_id)
        if version == 0:
            return None
        held = self._held.get(aggregate_id)
        if held is not None and held.version == version:
            return held
        aggregate = self._app.repository.get(aggregate_id)
        with self._lock:  # two readers racing keep the newer copy
            held = self._held.get(aggregate_id)
            if held is None or held.version < aggregate.version:
                self._held[aggregate_id] = aggregate
        return aggregate


__all__ = ["LatestVersionCache"]
