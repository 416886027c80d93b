"""Group commit: concurrent writes of one process share one database transaction.

On PostgreSQL every command's save is one transaction under the events table's EXCLUSIVE lock,
so one commit (one fsync) per command caps a whole application's write rate. Here concurrent
saves queue up and are written together by :func:`adapters.eventstore.postgres_batch.write_batch`
(one transaction, one savepoint per write), and each caller gets its own notification ids or
its own exception, as if it had written alone.

Design: leader/follower, no thread of our own. A thread that calls :meth:`GroupCommitter.insert`
appends its write to a FIFO queue; if no batch is being formed or written it becomes the leader,
waits up to ``max_wait`` seconds for company (or until ``max_batch`` writes are queued), takes
up to ``max_batch`` writes off the queue, writes them, wakes their threads, and hands the
leadership to the oldest write still queued, whose thread then leads the next batch. The wait
for company is skipped when the previous batch had none and nobody else is queued, so a lone
sequential writer is not slowed down. Writes
that arrive while a batch is being written simply queue, so under load batches form by
themselves; ``max_wait`` only helps at moderate load. Only one batch per committer (per
process and application) is in flight at a time, which costs nothing: the table lock
serialises the application's writers anyway, and it keeps the database pool free for reads.
Compared with a dedicated committer thread this needs no start/stop and no hand-off of the
caller's work to another thread when there is no concurrency.

Every outcome is delivered only after the batch's transaction has ended. A write that failed
on a conflict with another write of the same batch (two commands on one dossier, two
submissions taking one code) therefore retries against committed state, and a repeated
idempotency key finds the first request's row committed when it looks it up.

``stats()`` is the batch-size histogram ``{batch_size: count}`` for the metrics endpoint; each
batch's size is also passed to ``ops.metrics.observe_batch_size`` when that module exists.
"""

from __future__ import annotations

import copy
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import structlog
from eventsourcing.persistence import PersistenceError, StoredEvent
from eventsourcing.utils import Environment, strtobool

log = structlog.get_logger("motcua.group_commit")

DEFAULT_MAX_WAIT = 0.001
DEFAULT_MAX_BATCH = 64


GROUP_COMMIT_ENV = "GROUP_COMMIT"
GROUP_COMMIT_MAX_WAIT_ENV = "GROUP_COMMIT_MAX_WAIT"
GROUP_COMMIT_MAX_BATCH_ENV = "GROUP_COMMIT_MAX_BATCH"


@dataclass(frozen=True)
class GroupCommitConfig:
    """Read from the store's environment (``ops.stores`` fills it from ``MOTCUA_GROUP_COMMIT*``)."""

    enabled: bool = False
    max_wait: float = DEFAULT_MAX_WAIT
    max_batch: int = DEFAULT_MAX_BATCH

    @classmethod
    def from_env(cls, env: Environment) -> GroupCommitConfig:
        try:
            enabled = strtobool(env.get(GROUP_COMMIT_ENV) or "n")
            max_wait = float(env.get(GROUP_COMMIT_MAX_WAIT_ENV) or DEFAULT_MAX_WAIT)
            max_batch = int(env.get(GROUP_COMMIT_MAX_BATCH_ENV) or DEFAULT_MAX_BATCH)
        except ValueError as exc:
            msg = f"Invalid {GROUP_COMMIT_ENV}* setting: {exc}"
            raise ValueError(msg) from None
        if max_batch < 1 or max_wait < 0:
            msg = f"{GROUP_COMMIT_MAX_BATCH_ENV} must be >= 1 and {GROUP_COMMIT_MAX_WAIT_ENV} >= 0"
            raise ValueError(msg)
        return cls(enabled=enabled, max_wait=max_wait, max_batch=max_batch)


@dataclass(eq=False)
class Write:
    """One caller's save: its stored events and the ``save()`` keyword arguments for the hooks.

    The batch writer sets ``notification_ids`` or ``error``; ``done`` is set by the committer
    once the batch's transaction has ended.
    """

    stored_events: Sequence[StoredEvent]
    kwargs: Mapping[str, Any]
    notification_ids: Sequence[int] | None = None
    error: BaseException | None = None
    done: bool = False
    promoted: bool = False
    wake: threading.Event = field(default_factory=threading.Event)

    def outcome(self) -> Sequence[int] | None:
        if self.error is not None:
            raise self.error
        return self.notification_ids


BatchWriter = Callable[[Sequence[Write]], None]
"""Writes a batch in one transaction; sets each write's ids or error; raises only when the
transaction as a whole failed (then nothing of the batch was committed)."""


def own_copy(error: BaseException) -> BaseException:
    """A copy of a batch-wide error for one waiter, so threads never raise one object at once
    (raising mutates ``__traceback__``). The cause is kept: callers inspect it."""
    try:
        mine = copy.copy(error)
    except Exception:  # an exception type that cannot be copied: share it
        return error
    mine.__cause__ = error.__cause__
    return mine


def metrics_hook(name: str = "observe_batch_size") -> Callable[[Any], None] | None:
    """``ops.metrics.<name>`` (by default ``observe_batch_size``) if the metrics module exists
    in this build.

    Imported lazily and optionally: the metrics endpoint is built separately; without it the
    histogram is still available from :meth:`GroupCommitter.stats`.
    """
    try:
        from ops import metrics  # type: ignore[attr-defined,unused-ignore]
    except ImportError:
        return None
    return getattr(metrics, name, None)  # type: ignore[no-any-return,unused-ignore]


class GroupCommitter:
    """Leader/follower queue in front of a :data:`BatchWriter` (see the module docstring)."""

    def __init__(self, write_batch: BatchWriter, *, max_wait: float = DEFAULT_MAX_WAIT,
                 max_batch: int = DEFAULT_MAX_BATCH,
                 observe: Callable[[int], None] | None = None) -> None:
        if max_batch < 1:
            raise ValueError(f"max_batch must be at least 1, not {max_batch}")
        if max_wait < 0:
            raise ValueError(f"max_wait must not be negative, not {max_wait}")
        self.write_batch = write_batch
        self.max_wait = max_wait
        self.max_batch = max_batch
        self.observe = observe
        self._mutex = threading.Lock()
        self._arrived = threading.Condition(self._mutex)
        self._pending: list[Write] = []
        self._leading = False
        self._company_expected = True
        """False after a batch of one: a lone sequential writer (a CLI import, the simulator)
        then commits at once instead of waiting ``max_wait`` on every save."""
        self._sizes: Counter[int] = Counter()

    def insert(self, stored_events: Sequence[StoredEvent], kwargs: Mapping[str, Any]) -> Sequence[int] | None:
        """Queue one save and block until its batch has committed (or failed); return its
        notification ids or raise its own exception."""
        write = Write(stored_events, kwargs)
        with self._mutex:
            self._pending.append(write)
            if not self._leading:
                self._leading = True
                write.promoted = True
                write.wake.set()
            else:
                self._arrived.notify()
        try:
            while True:
                write.wake.wait()
                write.wake.clear()
                if write.done:
                    return write.outcome()
                if write.promoted:
                    self._lead(write)
        except BaseException:
            self._abandon(write)
            raise

    def stats(self) -> dict[int, int]:
        """How many batches of each size were written: ``{batch_size: count}``."""
        with self._mutex:
            return dict(sorted(self._sizes.items()))

    def _lead(self, leader: Write) -> None:
        """Form one batch, write it, deliver its outcomes, pass the leadership on."""
        batch: list[Write] = []
        try:
            with self._mutex:
                leader.promoted = False
                if self._company_expected or len(self._pending) > 1:
                    deadline = time.monotonic() + self.max_wait
                    while len(self._pending) < self.max_batch:
                        remaining = deadline - time.monotonic()
                        if remaining <= 0:
                            break
                        self._arrived.wait(remaining)
                batch = self._pending[: self.max_batch]
                del self._pending[: self.max_batch]
                self._company_expected = len(batch) > 1
            try:
                self.write_batch(batch)
            except Exception as error:  # the transaction failed: nothing of the batch committed
                for write in batch:
                    write.notification_ids = None
                    write.error = own_copy(error)
            else:
                self._count(len(batch))
        except BaseException:
            for write in batch:  # interrupted: never leave a waiter without an answer
                if write.error is None and write.notification_ids is None:
                    write.error = PersistenceError("group commit was interrupted")
            raise
        finally:
            self._hand_over(batch)

    def _abandon(self, write: Write) -> None:
        """The caller was interrupted (KeyboardInterrupt, SystemExit) while waiting: withdraw
        its write if it is still queued, and pass on the leadership if it had just been given
        it, so the other writers never wait for a leader that is gone. A write already taken
        into a batch is committed or not with that batch; its caller just does not learn it."""
        with self._mutex:
            if write in self._pending:
                self._pending.remove(write)
            promoted, write.promoted = write.promoted, False
        if promoted:
            self._hand_over([])

    def _count(self, size: int) -> None:
        with self._mutex:
            self._sizes[size] += 1
        if self.observe is not None:
            try:
                self.observe(size)
            except Exception:  # the batch is committed: a metrics failure must not fail it
                log.warning("group_commit.observe_failed", batch_size=size, exc_info=True)

    def _hand_over(self, batch: Sequence[Write]) -> None:
        with self._mutex:
            successor = self._pending[0] if self._pending else None
            if successor is None:
                self._leading = False
            else:
                successor.promoted = True
        for write in batch:
            write.done = True
            write.wake.set()
        if successor is not None:
            successor.wake.set()


def batch_size_histogram(recorder: Any) -> dict[int, int]:
    """``{batch_size: count}`` of a recorder's group committer; empty when group commit is off
    (SQLite, or ``MOTCUA_GROUP_COMMIT=false``). For the metrics endpoint:
    ``batch_size_histogram(services.dossiers.recorder)``."""
    committer = getattr(recorder, "group_committer", None)
    return committer.stats() if isinstance(committer, GroupCommitter) else {}
