"""The statistics side of the composition root: targets, runner, embedded thread, queries.

Where the statistics live: `settings.clickhouse_dsn`, or in the embedded default
`chdb://<data_dir>/clickhouse` (database `motcua`). See `adapters.clickhouse.engine` for how a
process with several data dirs (a test run) shares its one chDB directory.

`StatisticsRunner` is a batching runner (the stock `ProjectionRunner` commits once per event):
it reads up to `batch_size` notifications after the position recorded in ClickHouse from the
Dossiers store (through `DossierStream`, env from our settings alone), folds them into rows and
inserts them, position last. `run_statistics` loops it until stopped: ClickHouse unreachable or
any failure means wait and retry with a doubling delay, the position unmoved. In deployment a
PostgreSQL advisory lock keeps one runner per statistics database.
"""

from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass, field
from typing import Any

import structlog

from adapters.clickhouse.engine import Connector, Target, parse_dsn, resolve
from adapters.clickhouse.reports import ClickHouseStatistics
from adapters.clickhouse.view import ClickHouseStatisticsView
from application.statistics import StatisticsUnavailable
from ops.access_counts import access_counts_runner, open_access_log
from ops.settings import Settings
from ops.stores import schema_lock, store_env
from projections.dossier_index import TOPICS
from projections.sources import DossierStream
from projections.statistics import PROJECTION_NAME, StatisticsProjector

BATCH_SIZE = 5000
STATISTICS_LAG_NOT_READY = 50_000
IDLE_POLL = 0.2
"""Seconds between polls of the store once caught up (the lag target is 2 s, DESIGN §7)."""
GATHER = 0.5
"""Seconds the runner waits after a partial batch before reading again while events keep coming:
fewer, larger inserts. Lag stays well inside the 2 s target (DESIGN §7 P3)."""
log = structlog.get_logger("motcua.statistics")


def statistics_target(settings: Settings) -> Target:
    dsn = settings.clickhouse_dsn or f"chdb://{settings.data_path / 'clickhouse'}"
    return resolve(parse_dsn(dsn))


def build_statistics(settings: Settings, target: Target | None = None) -> ClickHouseStatistics:
    """The query side (its own connector; opens nothing until first asked)."""
    return ClickHouseStatistics(Connector(target or statistics_target(settings)), settings.timezone)


class StatisticsRunner:
    """Reads the Dossiers store after the recorded position, writes rows, then the position."""

    def __init__(self, stream: Any, view: ClickHouseStatisticsView, *, zone: str = "Asia/Ho_Chi_Minh",
                 batch_size: int = BATCH_SIZE) -> None:
        self.stream = stream
        self.view = view
        self.projector = StatisticsProjector(view, zone)
        self.batch_size = batch_size
        self._position: int | None = None

    def run_once(self) -> int:
        """One batch; returns the number of notifications it covered (0: caught up).

        The position is read from ClickHouse once, then kept: this runner is the only writer
        (one runner per statistics database), and after any failure a new runner is built.
        """
        if self._position is None:
            self._position = self.view.position()
        notifications = self.stream.recorder.select_notifications(
            start=self._position + 1, limit=self.batch_size, topics=TOPICS)
        if not notifications:
            return 0
        to_event = self.stream.mapper.to_domain_event
        batch = [(n.id, to_event(n)) for n in notifications]
        self.projector.process(batch, notifications[-1].id)
        self._position = notifications[-1].id
        return len(notifications)

    def catch_up(self) -> int:
        total = 0
        while n := self.run_once():
            total += n
        return total


def open_stream(settings: Settings) -> DossierStream:
    """The Dossiers store for reading; the runner needs one connection (plus its lock's)."""
    env = store_env(settings, DossierStream.name)
    if not settings.embedded:
        env.update(POSTGRES_POOL_SIZE="1", POSTGRES_MAX_OVERFLOW="1")
    with schema_lock(settings):
        return DossierStream(env=env)


@contextlib.contextmanager
def _one_runner(settings: Settings, stream: DossierStream, database: str) -> Any:
    if settings.embedded:
        yield
        return
    from adapters.eventstore.postgres import advisory_lock

    with advisory_lock(stream.recorder.datastore, f"{PROJECTION_NAME}:{database}"):  # type: ignore[attr-defined]
        yield


def pause_after(events: int, accesses: int, batch_size: int, poll_interval: float) -> float:
    """Seconds to wait before reading again: none after a full batch (more is waiting), the
    idle poll after nothing, ``GATHER`` after a partial batch. Under steady load that lets the
    next batch gather: every insert is a new part in each table that ClickHouse must merge, and
    small continuous inserts kept its merge threads busy on the API's cores."""
    if events + accesses == 0:
        return max(poll_interval, IDLE_POLL)
    return GATHER if events < batch_size else 0.0


def run_statistics(settings: Settings, stop: threading.Event, *, target: Target | None = None,
                   first_delay: float = 0.5, max_delay: float = 30.0) -> None:
    """Run the statistics projection until `stop` is set; never raises."""
    target = target or statistics_target(settings)
    delay = first_delay
    while not stop.is_set():
        connector = Connector(target)
        stream: DossierStream | None = None
        access_log: Any = None
        try:
            stream = open_stream(settings)
            access_log = open_access_log(settings)
            with _one_runner(settings, stream, target.database):
                view = ClickHouseStatisticsView(connector)
                view.migrate()
                runner = StatisticsRunner(stream, view, zone=settings.timezone)
                access = access_counts_runner(settings, access_log, connector)  # issue 5 §3: counted, no personal data
                log.info("statistics_projector_started", position=view.position())
                while not stop.is_set():
                    done = runner.run_once()
                    accessed = access.run_once()
                    if done + accessed == 0:
                        delay = first_delay
                    pause = pause_after(done, accessed, runner.batch_size, settings.projection_poll_interval)
                    if pause:
                        stop.wait(pause)
        except StatisticsUnavailable as exc:
            log.warning("statistics_unavailable", retry_in=delay, error=str(exc)[:200])
            stop.wait(delay)
            delay = min(delay * 2, max_delay)
        except Exception:
            log.exception("statistics_projector_failed", retry_in=delay)
            stop.wait(delay)
            delay = min(delay * 2, max_delay)
        finally:
            connector.close()
            if stream is not None:
                stream.close()
            if access_log is not None:
                access_log.close()


@dataclass
class EmbeddedStatistics:
    """The statistics projection on a daemon thread of the serving process."""

    settings: Settings
    target: Target
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(
            target=run_statistics, args=(self.settings, self._stop), kwargs={"target": self.target},
            name="motcua-statistics", daemon=True)
        self._thread.start()

    def signal_stop(self) -> None:
        """Ask the thread to stop without waiting, so a container's shutdowns overlap."""
        self._stop.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)


def attach_statistics(container: Any, dossiers: Any, *, projections: bool) -> None:
    """Composition-root hook: the query port, a readiness check, the embedded projector.

    Statistics never decide whether the API is ready for commands: an unreachable store is
    reported in the check's detail, and only a large lag makes the check fail.
    """
    from application.services import Check

    statistics = build_statistics(container.settings)
    container.services.statistics = statistics

    def statistics_lag() -> Check:
        try:
            position = statistics.position()
        except StatisticsUnavailable as exc:
            return Check(name="statistics", ok=True, detail=f"unavailable: {str(exc)[:120]}")
        lag = max(0, (dossiers.recorder.max_notification_id() or 0) - position)
        return Check(name="statistics", ok=lag < STATISTICS_LAG_NOT_READY, lag=lag)

    container.services.checks.append(statistics_lag)
    container.closers.append(statistics.connector.close)
    if projections:
        def start() -> None:
            embedded = EmbeddedStatistics(container.settings, statistics.connector.target)
            embedded.start()
            container.closers.append(embedded.stop)  # runs first: closers run in reverse

        container.starters.append(start)


__all__ = ["EmbeddedStatistics", "attach_statistics", "StatisticsRunner", "build_statistics", "open_stream",
           "run_statistics", "statistics_target"]
