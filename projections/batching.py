"""Replaying a store into a projection many events per transaction (rebuilds, DESIGN §7 P5).

The stock runner commits once per event: fine while following the store live, far too slow to
replay millions. `replay_in_batches` reads notifications after a position in pages, hands each
page's events to a `BatchWriter`, and the writer commits the page's rows together with the
page's last notification id as the tracking position. The projection's own handlers produce the
changes: a `ChangeCollector` stands in for the view while they run, so the rows a rebuild
writes are exactly those the live runner would have written.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from typing import Any

from eventsourcing.persistence import Tracking

DEFAULT_BATCH_SIZE = 2000


class ChangeCollector:
    """Stands in for a view while a projection handles a batch: keeps the changes, writes nothing."""

    def __init__(self) -> None:
        self.changes: list[Any] = []

    def apply(self, changes: Sequence[Any], tracking: Tracking) -> None:
        self.changes.extend(changes)


class BatchWriter(ABC):
    """Turns one page of (notification id, domain event) into rows, committed with `tracking`."""

    @abstractmethod
    def position(self) -> int:
        """The last notification id whose rows are committed (0: nothing yet)."""

    @abstractmethod
    def write(self, batch: Sequence[tuple[int, Any]], tracking: Tracking) -> None:
        """Write the batch's rows and `tracking` atomically (or, without transactions, position last)."""


def replay_in_batches(
    stream: Any,
    writer: BatchWriter,
    *,
    topics: Sequence[str],
    batch_size: int = DEFAULT_BATCH_SIZE,
    on_batch: Callable[[int, int], None] | None = None,
) -> int:
    """Replay `stream` after the writer's position up to the store's head; returns events written.

    `on_batch(last_notification_id, events_in_batch)` is called after each commit (progress).
    Events saved while the replay runs are included up to the head read at each page.
    """
    position = writer.position()
    to_event = stream.mapper.to_domain_event
    written = 0
    while True:
        page = stream.recorder.select_notifications(
            start=position, limit=batch_size, topics=topics, inclusive_of_start=False)
        if not page:
            return written
        batch = [(n.id, to_event(n)) for n in page]
        writer.write(batch, Tracking(stream.name, page[-1].id))
        position, written = page[-1].id, written + len(page)
        if on_batch is not None:
            on_batch(position, len(page))


__all__ = ["DEFAULT_BATCH_SIZE", "BatchWriter", "ChangeCollector", "replay_in_batches"]
