"""`motcua rebuild index|catalogue|statistics`: replay a projection from zero, in batches.

Why a command of its own: after a change to a projection's rows (a new column, a fixed
handler) its view must be rebuilt from the whole store, and the stock runner's one commit per
event is far too slow for that (DESIGN §7 P5). The rebuild takes the projection's one-runner
lock (so a running `motcua project` or `motcua serve` must be stopped first: it says so),
empties the view and its position, then replays in batches (`projections.batching`), each
batch's rows committed with its last notification id.

Exactly-once as the live runner: a rebuild killed at any moment leaves rows and position
consistent; `motcua rebuild PROJECTION --resume` (or simply `motcua project`) continues after
the recorded position and ends with the rows an uninterrupted rebuild gives.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from time import monotonic
from typing import Any

from eventsourcing.persistence import Tracking

from adapters.index.bulk import reset_index
from ops.heap import spaced_collections
from ops.index_batches import IndexBatchWriter
from ops.settings import Settings
from projections.batching import DEFAULT_BATCH_SIZE, BatchWriter, ChangeCollector, replay_in_batches
from projections.dossier_index import TOPICS as DOSSIER_TOPICS
from projections.dossier_index import DossierIndexProjection, DossierIndexView
from projections.runner import ProjectionAlreadyRunning, exclusive

PROJECTIONS = ("index", "catalogue", "statistics")


class CatalogueBatchWriter(BatchWriter):
    """The catalogue's changes for a batch applied in one transaction (procedures are few)."""

    def __init__(self, view: Any) -> None:
        from projections.catalogue import CatalogueProjection

        self.view = view
        self.collector = ChangeCollector()
        self.projection = CatalogueProjection(self.collector)  # type: ignore[arg-type]

    def position(self) -> int:
        return int(self.view.position())

    def write(self, batch: Sequence[tuple[int, Any]], tracking: Tracking) -> None:
        self.collector.changes = []
        for notification_id, event in batch:
            self.projection.process_event(event, Tracking(tracking.application_name, notification_id))
        self.view.apply(self.collector.changes, tracking)


class StatisticsBatchWriter(BatchWriter):
    """The statistics projector already batches: rows inserted first, the position last."""

    def __init__(self, view: Any, zone: str) -> None:
        from projections.statistics import StatisticsProjector

        self.view = view
        self.projector = StatisticsProjector(view, zone)

    def position(self) -> int:
        return int(self.view.position())

    def write(self, batch: Sequence[tuple[int, Any]], tracking: Tracking) -> None:
        self.projector.process(batch, tracking.notification_id)


@dataclass(frozen=True)
class RebuildResult:
    projection: str
    events: int
    seconds: float
    position: int

    @property
    def rate(self) -> float:
        return self.events / self.seconds if self.seconds > 0 else 0.0


def rebuild(stream: Any, writer: BatchWriter, *, topics: Sequence[str], name: str,
            reset: Callable[[], None] | None, batch_size: int = DEFAULT_BATCH_SIZE,
            on_batch: Callable[[int, int], None] | None = None) -> RebuildResult:
    """Reset (unless resuming: `reset=None`) then replay to the head. The caller holds the lock."""
    if reset is not None:
        reset()
    started = monotonic()
    with spaced_collections():  # pages of 2,000 decoded events: see ops/heap.py
        events = replay_in_batches(stream, writer, topics=topics, batch_size=batch_size, on_batch=on_batch)
    return RebuildResult(name, events, monotonic() - started, writer.position())


@contextlib.contextmanager
def _progress(label: str, start: int, head: int, quiet: bool) -> Iterator[Callable[[int, int], None]]:
    """A rich progress bar over notification ids (events/s shown), or nothing when quiet."""
    if quiet:
        yield lambda _position, _count: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("{task.fields[rate]:>8.0f} events/s"), TimeRemainingColumn())
    with Progress(*columns, transient=False) as progress:
        task = progress.add_task(label, total=max(head, start), completed=start, rate=0.0)
        began, counted = monotonic(), 0

        def advance(position: int, count: int) -> None:
            nonlocal counted
            counted += count
            elapsed = monotonic() - began
            progress.update(task, completed=position, total=max(head, position),
                            rate=counted / elapsed if elapsed > 0 else 0.0)

        yield advance


def _stream(settings: Settings, app_class: Any) -> Any:
    from ops.stores import schema_lock, store_env

    env = store_env(settings, app_class.name)
    if not settings.embedded:
        env.update(POSTGRES_POOL_SIZE="1", POSTGRES_MAX_OVERFLOW="1")
    with schema_lock(settings):
        return app_class(env=env)


def rebuild_projection(settings: Settings, which: str, *, resume: bool = False,
                       batch_size: int = DEFAULT_BATCH_SIZE, quiet: bool = False) -> RebuildResult:
    """Build the stream and view from settings, take the lock, rebuild. Raises
    `ProjectionAlreadyRunning` when a runner holds the projection."""
    if which == "statistics":
        return _rebuild_statistics(settings, resume=resume, batch_size=batch_size, quiet=quiet)
    if which == "index":
        from ops.projectors import build_index_view
        from projections.sources import DossierStream

        view: Any = build_index_view(settings)
        stream, name, topics = _stream(settings, DossierStream), DossierIndexProjection.name, DOSSIER_TOPICS
        index_writer = IndexBatchWriter(view)
        writer: BatchWriter = index_writer

        def reset() -> None:
            reset_index(view)
            index_writer.forget()
    elif which == "catalogue":
        from adapters.catalogue.reset import reset_catalogue
        from ops.catalogue_projector import build_catalogue_view
        from projections.catalogue import TOPICS, CatalogueProjection, ProcedureStream

        view = build_catalogue_view(settings)
        stream, name, topics = _stream(settings, ProcedureStream), CatalogueProjection.name, TOPICS
        writer = CatalogueBatchWriter(view)
        reset = lambda: reset_catalogue(view)  # noqa: E731
    else:
        raise ValueError(f"unknown projection {which!r}; expected one of {', '.join(PROJECTIONS)}")
    try:
        with exclusive(view, name):
            start = 0 if not resume else view.position()
            head = stream.recorder.max_notification_id() or 0
            with _progress(f"rebuild {which}", start, head, quiet) as advance:
                return rebuild(stream, writer, topics=topics, name=which, reset=None if resume else reset,
                               batch_size=batch_size, on_batch=advance)
    finally:
        stream.close()
        view.datastore.close()


def _rebuild_statistics(settings: Settings, *, resume: bool, batch_size: int, quiet: bool) -> RebuildResult:
    from adapters.clickhouse.engine import Connector
    from adapters.clickhouse.reset import reset_statistics
    from adapters.clickhouse.view import ClickHouseStatisticsView
    from ops.statistics import _one_runner, statistics_target
    from projections.sources import DossierStream

    target = statistics_target(settings)
    stream = _stream(settings, DossierStream)
    connector = Connector(target)
    try:
        with _one_runner(settings, stream, target.database):
            view = ClickHouseStatisticsView(connector)
            view.migrate()
            start = 0 if not resume else view.position()
            head = stream.recorder.max_notification_id() or 0
            with _progress("rebuild statistics", start, head, quiet) as advance:
                return rebuild(stream, StatisticsBatchWriter(view, settings.timezone), topics=DOSSIER_TOPICS,
                               name="statistics", reset=None if resume else (lambda: reset_statistics(view)),
                               batch_size=batch_size, on_batch=advance)
    finally:
        connector.close()
        stream.close()


def rebuild_command(args: argparse.Namespace, settings: Settings) -> int:
    from application.statistics import StatisticsUnavailable

    try:
        result = rebuild_projection(settings, args.projection, resume=args.resume, batch_size=args.batch_size,
                                    quiet=args.quiet)
    except ProjectionAlreadyRunning as exc:
        print(f"motcua: phép chiếu đang chạy ở tiến trình khác; hãy dừng `motcua serve`/`motcua project` trước. "
              f"/ the projection is running elsewhere; stop `motcua serve`/`motcua project` first. ({exc})",
              file=sys.stderr)
        return 3
    except StatisticsUnavailable as exc:
        return _statistics_unavailable(exc)
    except Exception as exc:
        if args.projection != "statistics":
            raise
        return _statistics_unavailable(exc)  # chDB says "locked" with a plain DatabaseError
    print(f"rebuilt {result.projection}: {result.events} events in {result.seconds:.2f} s "
          f"({result.rate:,.0f} events/s), position {result.position}")
    return 0


def _statistics_unavailable(exc: Exception) -> int:
    print(f"motcua: không mở được kho thống kê / cannot open the statistics store: {str(exc)[:300]} "
          "(a running `motcua serve` holds the embedded chDB directory: stop it first)", file=sys.stderr)
    return 3


def _batch_size(text: str) -> int:
    value = int(text)
    if not 1 <= value <= 100_000:
        raise argparse.ArgumentTypeError(f"between 1 and 100000, got {text}")
    return value


def add_parser(sub: Any) -> None:
    parser = sub.add_parser("rebuild", help="replay a projection from zero in batches (stop its runner first)")
    parser.add_argument("projection", choices=PROJECTIONS)
    parser.add_argument("--resume", action="store_true",
                        help="continue an interrupted rebuild after its recorded position instead of starting over")
    parser.add_argument("--batch-size", type=_batch_size, default=DEFAULT_BATCH_SIZE,
                        help=f"events per transaction (default {DEFAULT_BATCH_SIZE})")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.set_defaults(func=rebuild_command)


__all__ = ["PROJECTIONS", "CatalogueBatchWriter", "IndexBatchWriter", "RebuildResult", "StatisticsBatchWriter",
           "add_parser", "rebuild", "rebuild_command", "rebuild_projection"]
