"""Our projection runner: configured from the given env only, and alone on its view.

eventsourcing's `ProjectionRunner` builds the view's environment from `os.environ` with the
runner's `env=` on top, so a stray variable could point the view at another database; ours
uses the given dict alone (the application class must be an `IsolatedApplication` for the
same guarantee on the reading side).

One runner per projection at a time, so two `motcua project` processes never fight over the
tracking row: on PostgreSQL a session advisory lock keyed by the view's schema and the
projection's name (`adapters.eventstore.postgres.advisory_lock`), on a SQLite file an `flock`
on a lock file beside it. The lock is taken before the subscription starts and held for the
runner's life. A second runner fails fast with `ProjectionAlreadyRunning`; waiting is the
supervisor's choice (`ops.projectors.run_projectors` retries, so a second process is a hot
standby that takes over when the first dies: a dead process's lock goes with its session).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from types import TracebackType
from typing import Any, Generic

from eventsourcing.persistence import InfrastructureFactory, TrackingRecorder, TTrackingRecorder
from eventsourcing.postgres import PostgresTrackingRecorder
from eventsourcing.projection import (
    BaseProjectionRunner,
    Projection,
    ProjectionRunner,
    TApplication,
)
from eventsourcing.sqlite import SQLiteTrackingRecorder
from eventsourcing.utils import Environment, EnvType

from adapters.eventstore.postgres import ProjectionAlreadyRunning, advisory_lock


@contextlib.contextmanager
def _file_lock(db_name: str, name: str) -> Iterator[Callable[[], bool]]:
    """`flock` on `<db file>.<name>.lock`; the kernel drops it when the process dies."""
    path = f"{db_name.removeprefix('file:').split('?', 1)[0]}.{name.lower()}.lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            msg = f"Projection '{name}' is already running (lock file {path})"
            raise ProjectionAlreadyRunning(msg) from None
        yield lambda: True
    finally:
        os.close(fd)


@contextlib.contextmanager
def exclusive(view: TrackingRecorder, name: str) -> Iterator[Callable[[], bool]]:
    """Hold the one-runner lock of projection `name` on `view`'s database.

    Yields a check that says whether the lock is still held (a PostgreSQL session can die).
    In-memory views (tests) are private to the process and need no lock.
    """
    if isinstance(view, PostgresTrackingRecorder):
        with advisory_lock(view.datastore, name) as lock:
            yield lock.is_held
    elif isinstance(view, SQLiteTrackingRecorder) and not view.datastore.pool.is_sqlite_memory_mode:
        with _file_lock(view.datastore.pool.db_name, name) as held:
            yield held
    else:
        yield lambda: True


class IsolatedProjectionRunner(
    ProjectionRunner[TApplication, TTrackingRecorder], Generic[TApplication, TTrackingRecorder]
):
    """`ProjectionRunner` with env isolation, the one-runner lock, and a clean close.

    Same constructor and use as the library's (`with runner: runner.run_forever()`). On exit
    it stops the subscription, joins the processing thread, closes the application and the
    view, then releases the lock, in that order, so a successor never overlaps it.
    """

    def __init__(
        self,
        *,
        application_class: type[TApplication],
        projection_class: type[Projection[TTrackingRecorder]],
        view_class: type[TTrackingRecorder],
        env: EnvType | None = None,
    ) -> None:
        env = dict(env or {})
        self.view = (
            InfrastructureFactory[TTrackingRecorder]
            .construct(env=self._construct_env(name=projection_class.name, env=env))
            .tracking_recorder(view_class)
        )
        self._held = ExitStack()
        try:
            self._is_held = self._held.enter_context(exclusive(self.view, projection_class.name))
            self.projection = projection_class(view=self.view)
            BaseProjectionRunner.__init__(
                self,
                projection=self.projection,
                application_class=application_class,
                tracking_recorder=self.view,
                topics=self.projection.topics,
                env=env,
            )
        except BaseException:
            self._release()
            raise

    @staticmethod
    def _construct_env(name: str, env: EnvType | None = None) -> Environment:
        """Only the given env: never `os.environ` (DESIGN §2)."""
        return Environment(name, dict(env or {}))

    def holds_lock(self) -> bool:
        """False once the lock's session is gone: another runner may have started."""
        return self._is_held()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_val: BaseException | None,
        exc_tb: TracebackType | None,
    ) -> None:
        try:
            super().__exit__(exc_type, exc_val, exc_tb)
        finally:
            self._release()

    def _release(self) -> None:
        datastore: Any = getattr(self.view, "datastore", None)
        with contextlib.suppress(Exception):
            if datastore is not None:
                datastore.close()
        self._held.close()


__all__ = ["IsolatedProjectionRunner", "ProjectionAlreadyRunning", "exclusive"]
