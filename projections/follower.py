"""Following the store live in batches: what is new since the last look, in one transaction.

The stock `ProjectionRunner` applies each event in a transaction of its own. Under a steady
write load that is one commit (and one round trip per statement) per event on the cores the
API needs, and the index fell seconds behind. A `BatchFollower` reads everything after the
view's position in pages (`replay_in_batches`, the rebuild's loop) and commits each page's rows
with the page's last notification id, so exactly-once holds as before: rows and position move
together, and a restart continues after the position. When nothing is new it waits
`poll_interval`, or less: inserts made in this process into a SQLite store wake it at once
(the recorder's `wake_key`, as for our polling subscription).

Same surface as our `IsolatedProjectionRunner` for its callers: a context manager holding the
projection's one-runner lock, processing on a thread of its own from construction, with
`view`, `run_forever(timeout)` (raises the processing error), `is_interrupted` and
`holds_lock()`.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Sequence
from contextlib import ExitStack
from types import TracebackType
from typing import Any

from eventsourcing.persistence import TrackingRecorder

from adapters.eventstore.subscription import InsertSignal
from projections.batching import BatchWriter, replay_in_batches
from projections.runner import exclusive

LIVE_BATCH_SIZE = 500


class BatchFollower:
    def __init__(self, *, name: str, stream: Any, view: TrackingRecorder, writer: BatchWriter,
                 topics: Sequence[str], poll_interval: float, batch_size: int = LIVE_BATCH_SIZE) -> None:
        self.name = name
        self.stream = stream
        self.view = view
        self.writer = writer
        self.topics = topics
        self.poll_interval = poll_interval
        self.batch_size = batch_size
        self.is_interrupted = threading.Event()
        self._error: BaseException | None = None
        self._wake = threading.Event()
        self._wake_key = getattr(stream.recorder, "wake_key", None)
        self._held = ExitStack()
        try:
            self._is_held = self._held.enter_context(exclusive(view, name))
        except BaseException:
            self._close_stores()
            raise
        if self._wake_key is not None:
            InsertSignal.register(self._wake_key, self._wake)
        self._thread = threading.Thread(target=self._follow, name=f"motcua-{name.lower()}", daemon=True)
        self._thread.start()

    def _follow(self) -> None:
        try:
            while not self.is_interrupted.is_set():
                self._wake.clear()  # before reading: a commit signalled during the read is not lost
                written = replay_in_batches(self.stream, self.writer, topics=self.topics, batch_size=self.batch_size)
                if not written:
                    self._wake.wait(self.poll_interval)
        except BaseException as error:
            self._error = error
            self.is_interrupted.set()

    def run_forever(self, timeout: float | None = None) -> None:
        """Wait until stopped or `timeout` passes; raise the error that stopped processing."""
        if self.is_interrupted.wait(timeout) and self._error is not None:
            raise self._error

    def holds_lock(self) -> bool:
        return self._is_held()

    def stop(self) -> None:
        """Finish the batch in hand, then stop."""
        self.is_interrupted.set()
        self._wake.set()
        if self._thread is not threading.current_thread():
            self._thread.join()

    def __enter__(self) -> BatchFollower:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        try:
            self.stop()
        finally:
            if self._wake_key is not None:
                InsertSignal.unregister(self._wake_key, self._wake)
            self._close_stores()
            self._held.close()  # the lock last, so a successor never overlaps this runner

    def _close_stores(self) -> None:
        with contextlib.suppress(Exception):
            self.stream.close()
        datastore: Any = getattr(self.view, "datastore", None)
        with contextlib.suppress(Exception):
            if datastore is not None:
                datastore.close()


__all__ = ["LIVE_BATCH_SIZE", "BatchFollower"]
