"""The public catalogue projection's view and runner, built from `Settings`.

Mirrors `ops.projectors` (the dossier index): embedded, the view is its own SQLite file
`<data_dir>/catalogue.sqlite` (the stream is `<data_dir>/procedures.sqlite`); in deployment the
table `catalogue_entries` sits beside the event store in the configured PostgreSQL schema. One
runner at a time (lock), restarted with backoff when it fails, standby while another holds it.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import structlog
from eventsourcing.persistence import InfrastructureFactory
from eventsourcing.utils import Environment

from ops.settings import Settings
from ops.stores import schema_lock, store_env
from projections.catalogue import CatalogueProjection, CatalogueView, ProcedureStream
from projections.runner import IsolatedProjectionRunner, ProjectionAlreadyRunning

CATALOGUE_FILE = "catalogue.sqlite"
RUNNER_POOL_SIZE = 1
"""Standing connections of the runner's stream and view (each may add one more under load)."""
VIEW_POOL_SIZE = 1
"""Standing connections of the view that answers searches (more under load, up to the pool size)."""
STANDBY_RETRY = 2.0

log = structlog.get_logger("motcua.projectors")


def catalogue_env(settings: Settings, *, pool_size: int, max_overflow: int) -> dict[str, str]:
    env = store_env(settings, ProcedureStream.name)
    if settings.embedded:
        env[CatalogueProjection.name.upper() + "_SQLITE_DBNAME"] = str(settings.data_path / CATALOGUE_FILE)
    else:
        env.update(POSTGRES_POOL_SIZE=str(pool_size), POSTGRES_MAX_OVERFLOW=str(max_overflow))
    return env


def catalogue_view_class(settings: Settings) -> type[CatalogueView]:
    if settings.embedded:
        from adapters.catalogue.sqlite_search import SQLiteCatalogueView

        return SQLiteCatalogueView
    from adapters.catalogue.postgres_search import PostgresCatalogueView

    return PostgresCatalogueView


def build_catalogue_view(settings: Settings) -> CatalogueView:
    """The catalogue for queries (creates its tables if missing; applies nothing)."""
    settings.data_path.mkdir(parents=True, exist_ok=True)
    env = Environment(CatalogueProjection.name, catalogue_env(
        settings, pool_size=VIEW_POOL_SIZE, max_overflow=max(settings.postgres_pool_size - VIEW_POOL_SIZE, 1)))
    with schema_lock(settings):
        factory = InfrastructureFactory[CatalogueView].construct(env=env)
        return factory.tracking_recorder(catalogue_view_class(settings))


def build_catalogue_runner(settings: Settings) -> IsolatedProjectionRunner[ProcedureStream, CatalogueView]:
    settings.data_path.mkdir(parents=True, exist_ok=True)
    with schema_lock(settings):
        return IsolatedProjectionRunner(
            application_class=ProcedureStream,
            projection_class=CatalogueProjection,
            view_class=catalogue_view_class(settings),
            env=catalogue_env(settings, pool_size=RUNNER_POOL_SIZE, max_overflow=1),
        )


def run_catalogue_projector(settings: Settings, stop: threading.Event, *, first_delay: float = 0.5,
                            max_delay: float = 30.0) -> None:
    """Run until `stop` is set; a failure is logged and the runner rebuilt after a delay."""
    name = CatalogueProjection.name
    delay, standby = first_delay, False
    while not stop.is_set():
        try:
            with build_catalogue_runner(settings) as runner:
                log.info("projector_started", projection=name, position=runner.view.position())
                delay, standby = first_delay, False
                while not stop.is_set():
                    runner.run_forever(timeout=0.25)
                    if runner.is_interrupted.is_set() and not stop.is_set():
                        raise RuntimeError("projection runner stopped without being asked to")
                    if not runner.holds_lock():
                        raise RuntimeError(f"lost the lock of projection {name}")
            log.info("projector_stopped", projection=name)
        except ProjectionAlreadyRunning as e:
            if not standby:
                log.info("projector_standby", projection=name, reason=str(e))
                standby = True
            stop.wait(STANDBY_RETRY)
        except Exception:
            log.exception("projector_failed", projection=name, retry_in=delay)
            stop.wait(delay)
            delay = min(delay * 2, max_delay)


@dataclass
class EmbeddedCatalogueProjector:
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def signal_stop(self) -> None:
        """Ask the thread to stop without waiting, so a container's shutdowns overlap."""
        self._stop.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)


def start_embedded_catalogue_projector(settings: Settings) -> EmbeddedCatalogueProjector:
    handle = EmbeddedCatalogueProjector()
    handle._thread = threading.Thread(target=run_catalogue_projector, args=(settings, handle._stop),
                                      name="motcua-catalogue-projector", daemon=True)
    handle._thread.start()
    return handle
