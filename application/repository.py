"""Loading an aggregate in one read where the store can: its snapshot and later events together.

eventsourcing's `Repository` asks the snapshot store for the newest snapshot, then the event
store for the events after it: two round trips and two pool checkouts for every command on
PostgreSQL. A recorder that offers `select_snapshot_and_events` (ours on PostgreSQL) answers
both in one statement; any other store (SQLite, in-memory) loads the library's way. What is
decoded and folded is the same either way: the snapshot, then the events after it up to
`version`.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import chain
from typing import Any

from eventsourcing.application import AggregateNotFoundError, Repository, project_aggregate


class OneReadRepository(Repository[Any]):
    def _reconstruct_aggregate(self, aggregate_id: Any, version: int | None, projector_func: Any) -> Any:
        select = getattr(self.event_store.recorder, "select_snapshot_and_events", None)
        if self.snapshot_store is None or select is None:
            return super()._reconstruct_aggregate(aggregate_id, version, projector_func)
        snapshot, events = select(self.snapshot_store.recorder, aggregate_id, lte=version)
        snapshots = [] if snapshot is None else [self.snapshot_store.mapper.to_domain_event(snapshot)]
        to_event = self.event_store.mapper.to_domain_event
        if projector_func is project_aggregate:
            projector_func = fold
        aggregate = projector_func(None, chain(snapshots, map(to_event, events)))
        if aggregate is None:
            msg = f"Aggregate {aggregate_id!r} version {version!r} not found."
            raise AggregateNotFoundError(msg)
        return aggregate


def fold(aggregate: Any, events: Iterable[Any]) -> Any:
    """The library's ``project_aggregate`` without its per-event ``isinstance`` against a
    runtime protocol (an ``assert`` that costs more than most events' ``mutate``): our
    mappers only ever give domain events, which all mutate."""
    for event in events:
        aggregate = event.mutate(aggregate)
    return aggregate


__all__ = ["OneReadRepository", "fold"]
