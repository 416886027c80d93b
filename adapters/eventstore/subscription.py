"""A polling subscription for the SQLite application recorder.

eventsourcing 9.5.6's SQLite recorder does not implement ``subscribe()``, and SQLite has no
LISTEN/NOTIFY, yet projections in the embedded mode need to follow the notification log. This
subscription pages through ``select_notifications()`` and, once caught up, waits for the poll
interval before looking again. Inserts made through our recorders in this process wake it at
once (after their commit, so the next read sees them); inserts from other processes (the CLI
writing to the same file) are found by the next poll.

Unlike eventsourcing's ``ListenNotifySubscription`` it starts no thread: ``__next__`` reads in
the consuming thread. Nothing is left running when a caller forgets to stop it, read errors
reach the consumer directly, and ``stop()`` from any thread wakes a waiting ``__next__``.
"""

from __future__ import annotations

import os
from collections import defaultdict, deque
from collections.abc import Hashable, Sequence
from threading import Event, Lock

from eventsourcing.persistence import ApplicationRecorder, Notification, Subscription

DEFAULT_POLL_INTERVAL = 0.05
DEFAULT_PAGE_SIZE = 500


class InsertSignal:
    """Process-wide wake-up calls from writers to the subscriptions of the same table.

    Keyed rather than global so that a busy application does not make every other
    application's subscriptions re-read. The writer and the subscriber are usually different
    recorder objects (a projection runner builds its own Application), so the key is the
    database file and the table, never the recorder instance.
    """

    _lock = Lock()
    _waiters: dict[Hashable, set[Event]] = defaultdict(set)

    @staticmethod
    def key(db_name: str, table_name: str) -> tuple[str, str]:
        """Normalise ``file:`` URIs and relative paths so that one file has one key."""
        if ":memory:" in db_name or "mode=memory" in db_name:
            return db_name, table_name
        path = db_name.removeprefix("file:").split("?", 1)[0]
        return os.path.realpath(path), table_name

    @classmethod
    def register(cls, key: Hashable, event: Event) -> None:
        with cls._lock:
            cls._waiters[key].add(event)

    @classmethod
    def unregister(cls, key: Hashable, event: Event) -> None:
        with cls._lock:
            waiters = cls._waiters.get(key)
            if waiters is not None:
                waiters.discard(event)
                if not waiters:
                    del cls._waiters[key]

    @classmethod
    def notify(cls, key: Hashable) -> None:
        """Wake every subscription of ``key``; call only after the insert has committed."""
        with cls._lock:
            waiters = list(cls._waiters.get(key, ()))
        for event in waiters:
            event.set()


class SQLitePollingSubscription(Subscription[ApplicationRecorder]):
    """Iterator of notifications with ids greater than ``gt``, blocking when caught up."""

    def __init__(
        self,
        recorder: ApplicationRecorder,
        gt: int | None = None,
        topics: Sequence[str] = (),
        *,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
        page_size: int = DEFAULT_PAGE_SIZE,
        wake_key: Hashable | None = None,
    ) -> None:
        super().__init__(recorder=recorder, gt=gt, topics=topics)
        if poll_interval <= 0:
            msg = f"poll_interval must be positive, got {poll_interval}"
            raise ValueError(msg)
        self.poll_interval = poll_interval
        self.page_size = page_size
        self._buffer: deque[Notification] = deque()
        self._wakeup = Event()
        self._wake_key = wake_key
        if wake_key is not None:
            InsertSignal.register(wake_key, self._wakeup)

    @property
    def gt(self) -> int | None:
        """Id of the last notification returned (or the starting position)."""
        return self._last_notification_id

    @property
    def topics(self) -> Sequence[str]:
        return self._topics

    def stop(self) -> None:
        """Stop iterating; wakes a ``__next__`` that is waiting in another thread."""
        super().stop()
        self._wakeup.set()
        if self._wake_key is not None:
            InsertSignal.unregister(self._wake_key, self._wakeup)

    def __next__(self) -> Notification:
        while not self._has_been_stopped:
            if self._buffer:
                notification = self._buffer.popleft()
                self._last_notification_id = notification.id
                return notification
            # Clear before reading: a commit signalled during the read is not lost.
            self._wakeup.clear()
            self._buffer.extend(self._select_page())
            # stop() sets the flag before the event, so a stop that came before the clear()
            # above is seen here, and one that comes after it ends the wait.
            if not self._buffer and not self._has_been_stopped:
                self._wakeup.wait(self.poll_interval)
        raise StopIteration

    def _select_page(self) -> Sequence[Notification]:
        return self._recorder.select_notifications(
            start=self._last_notification_id or 0,
            limit=self.page_size,
            topics=self._topics,
            inclusive_of_start=False,
        )

    def __del__(self) -> None:
        # Drop the registration of a subscription that was never stopped.
        if getattr(self, "_wake_key", None) is not None:
            InsertSignal.unregister(self._wake_key, self._wakeup)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(gt={self.gt!r}, topics={list(self._topics)!r})"
