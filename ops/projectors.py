"""Projection runners and index views built from `Settings` (the composition root's half).

- `build_index_view(settings)`: the `DossierIndex` for queries, in processes that only read
  (API processes of a deployment, where `motcua project` runs the projection);
- `run_projectors(settings, stop)`: the blocking loop of `motcua project`: runs the index
  projection, restarts it with backoff when it fails, waits as a standby while another process
  holds the projection's lock, and returns once `stop` is set;
- `run_projectors_until_signalled(settings)`: `motcua project`: the loop until SIGINT/SIGTERM;
- `start_embedded_projectors(settings)`: the same loop in a daemon thread of `motcua serve`,
  with the view for queries and `stop()`.

Where the index lives: embedded, its own SQLite file `<data_dir>/index.sqlite` (the event store
is `<data_dir>/dossiers.sqlite`); deployment, table `dossier_index` beside the event store in the
configured PostgreSQL schema. The runner's env is the Dossiers store's env with the view's keys
under the projection's prefix (`DOSSIERINDEX_SQLITE_DBNAME`): eventsourcing reads prefixed keys
first, so the stream and the view can sit in different files from one dict.
"""

from __future__ import annotations

import signal
import threading
from dataclasses import dataclass, field

import structlog
from eventsourcing.persistence import InfrastructureFactory
from eventsourcing.utils import Environment

from application.dossier_index import DossierIndex
from ops.projector_process import ProjectorProcess
from ops.settings import Settings
from ops.stores import schema_lock, store_env
from ops.index_batches import IndexBatchWriter
from projections.dossier_index import TOPICS, DossierIndexProjection, DossierIndexView
from projections.follower import BatchFollower
from projections.runner import ProjectionAlreadyRunning
from projections.sources import DossierStream

INDEX_FILE = "index.sqlite"
RUNNER_POOL_SIZE = 2
"""A runner needs few connections: one for the subscription, one for its view's writes."""
STANDBY_RETRY = 2.0
"""Seconds between attempts to take over from a runner holding the projection's lock."""

log = structlog.get_logger("motcua.projectors")


def index_env(settings: Settings, *, pool_size: int | None = None) -> dict[str, str]:
    """The Dossiers store's env plus the index view's keys (prefixed by the projection)."""
    env = store_env(settings, DossierStream.name)
    if settings.embedded:
        prefix = DossierIndexProjection.name.upper() + "_"
        env[prefix + "SQLITE_DBNAME"] = str(settings.data_path / INDEX_FILE)
    elif pool_size is not None:
        env.update(POSTGRES_POOL_SIZE=str(pool_size), POSTGRES_MAX_OVERFLOW=str(pool_size))
    return env


def index_view_class(settings: Settings) -> type[DossierIndexView]:
    if settings.embedded:
        from adapters.index.sqlite import SQLiteDossierIndexView

        return SQLiteDossierIndexView
    from adapters.index.postgres import PostgresDossierIndexView

    return PostgresDossierIndexView


def build_index_view(settings: Settings) -> DossierIndexView:
    """The index for queries (creates its tables if missing; applies nothing)."""
    settings.data_path.mkdir(parents=True, exist_ok=True)
    env = Environment(DossierIndexProjection.name, index_env(settings))
    with schema_lock(settings):  # processes starting together must not race on the DDL
        factory = InfrastructureFactory[DossierIndexView].construct(env=env)
        return factory.tracking_recorder(index_view_class(settings))


def build_index_runner(settings: Settings) -> BatchFollower:
    """Starts processing at once, in batches (`projections.follower`); raises
    `ProjectionAlreadyRunning` if another runner is."""
    settings.data_path.mkdir(parents=True, exist_ok=True)
    env = index_env(settings, pool_size=RUNNER_POOL_SIZE)
    with schema_lock(settings):  # the view's and the stream's tables may be created here
        factory = InfrastructureFactory[DossierIndexView].construct(env=Environment(DossierIndexProjection.name, env))
        view = factory.tracking_recorder(index_view_class(settings))
        try:
            stream = DossierStream(env=env)
        except BaseException:
            view.datastore.close()  # type: ignore[attr-defined]
            raise
    return BatchFollower(name=DossierIndexProjection.name, stream=stream, view=view, writer=IndexBatchWriter(view),
                         topics=TOPICS, poll_interval=settings.projection_poll_interval)


class LockLost(RuntimeError):
    """The projection's lock session died: another runner may be running now."""


def run_projectors(
    settings: Settings,
    stop: threading.Event,
    *,
    first_delay: float = 0.5,
    max_delay: float = 30.0,
) -> None:
    """Run the index projection until `stop` is set; never raises for a failing runner.

    A failure (database down, a bug on one event) is logged and the runner rebuilt after a
    delay doubling up to `max_delay`; it resumes from its tracked position, so nothing is
    applied twice. While another process holds the lock this one waits as a standby.
    """
    delay, standby = first_delay, False
    while not stop.is_set():
        try:
            with build_index_runner(settings) as runner:
                log.info("projector_started", projection=DossierIndexProjection.name,
                         position=runner.view.position())
                delay, standby = first_delay, False
                while not stop.is_set():
                    runner.run_forever(timeout=0.25)  # raises the projection's error
                    if runner.is_interrupted.is_set() and not stop.is_set():
                        msg = "projection runner stopped without being asked to"
                        raise RuntimeError(msg)
                    if not runner.holds_lock():
                        raise LockLost(DossierIndexProjection.name)
            log.info("projector_stopped", projection=DossierIndexProjection.name)
        except ProjectionAlreadyRunning as e:
            if not standby:  # said once, not every retry
                log.info("projector_standby", projection=DossierIndexProjection.name,
                         reason=str(e))
                standby = True
            stop.wait(STANDBY_RETRY)
        except Exception:
            log.exception("projector_failed", projection=DossierIndexProjection.name,
                          retry_in=delay)
            stop.wait(delay)
            delay = min(delay * 2, max_delay)


def run_projectors_until_signalled(settings: Settings) -> int:
    """`motcua project`: run until SIGINT or SIGTERM, then stop cleanly; exit status 0."""
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    run_projectors(settings, stop)
    return 0


@dataclass
class EmbeddedProjectors:
    """Projection runners on a daemon thread of the serving process."""

    view: DossierIndexView
    """The lookup index for queries (its own connections, not the runner's)."""
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    @property
    def index(self) -> DossierIndex:
        return self.view

    def signal_stop(self) -> None:
        """Ask the thread to stop without waiting, so a container's shutdowns overlap."""
        self._stop.set()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the runner (it finishes the event in hand) and close the view."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
        self.view.datastore.close()  # type: ignore[attr-defined]


def start_embedded_projectors(settings: Settings) -> EmbeddedProjectors | ProjectorProcess:
    """Build the view first (creating its tables) so the runner never races its creation.

    On PostgreSQL the runner goes to a child process unless ``index_projector_process`` is off
    (``ops/projector_process.py`` says why)."""
    if not settings.embedded and settings.index_projector_process:
        child = ProjectorProcess(settings=settings, view=build_index_view(settings))
        child.start()
        return child
    handle = EmbeddedProjectors(view=build_index_view(settings))
    handle._thread = threading.Thread(
        target=run_projectors, args=(settings, handle._stop), name="motcua-projectors",
        daemon=True,
    )
    handle._thread.start()
    return handle


__all__ = [
    "EmbeddedProjectors",
    "LockLost",
    "build_index_runner",
    "build_index_view",
    "index_env",
    "run_projectors",
    "run_projectors_until_signalled",
    "start_embedded_projectors",
]
