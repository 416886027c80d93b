"""Read-only aggregates reused while they are the store's latest version (no stale reads).

Catalogue aggregates (procedures, units, holiday calendars) are read on hot paths (every
submission, every reception's working calendar, an officer's scope on every request) and change
rarely. An aggregate at a given version never changes, so a copy can be reused for as long as
the store's latest event of that aggregate still has that version: one indexed look-up of one
row instead of loading a snapshot and replaying events, and an administrator's change is seen
at once, in every process. Dossier state is never read through this: commands load their own.
"""

from __future__ import annotations

import threading
from typing import Any
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate


class LatestVersionCache:
    """Shared copies for readers only: a caller must never change or save what it gets."""

    def __init__(self, app: Application) -> None:
        self._app = app
        self._held: dict[UUID, Aggregate] = {}
        self._lock = threading.Lock()

    def latest_version(self, aggregate_id: UUID) -> int:
        """The store's latest version of the aggregate (0: never written)."""
        latest = self._app.recorder.select_events(aggregate_id, desc=True, limit=1)
        return latest[0].originator_version if latest else 0

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
