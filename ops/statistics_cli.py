"""`motcua migrate`, `motcua report` and `motcua project-statistics`.

In the embedded mode the chDB directory can be open in one process only: when `motcua serve`
holds it these commands say so and stop (ask the running server's API instead:
`/statistics/status-report`, `/statistics/service-index`).
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from datetime import date
from typing import Any

from adapters.clickhouse.engine import Connector
from adapters.clickhouse.migrate import migrate
from application.statistics import Ratio, Scope, StatisticsUnavailable
from ops.settings import Settings
from ops.statistics import build_statistics, run_statistics, statistics_target


def _locked(exc: Exception, settings: Settings) -> int:
    target = statistics_target(settings)
    if target.kind == "chdb":
        print(f"motcua: cannot open the chDB directory {target.path}: {str(exc)[:200]}\n"
              "It is probably held by a running `motcua serve`; ask its API instead "
              "(GET /statistics/status-report), or stop it first.", file=sys.stderr)
    else:
        print(f"motcua: ClickHouse is not reachable at {target.dsn}: {str(exc)[:200]}", file=sys.stderr)
    return 3


def migrate_command(args: argparse.Namespace, settings: Settings) -> int:
    connector = Connector(statistics_target(settings))
    try:
        applied = connector.call(lambda c: migrate(c, connector.database))
    except Exception as exc:  # chDB lock errors are plain DatabaseErrors
        return _locked(exc, settings)
    finally:
        connector.close()
    print(f"statistics database {connector.database}: "
          + (f"applied migrations {applied}" if applied else "up to date"))
    return 0


def _ratio(r: Ratio) -> str:
    return "—" if r.value is None else f"{r.value:.2%} ({r.numerator:g}/{r.denominator})"


def report_command(args: argparse.Namespace, settings: Settings) -> int:
    from rich.console import Console
    from rich.table import Table

    from application.clock import WallClock
    from ops.shared_catalogues import build_shared_catalogues

    units: frozenset[str] = frozenset()
    if args.unit:  # the unit and every unit below it, from the unit catalogue
        catalogues = build_shared_catalogues(settings, WallClock(), seed=False)
        try:
            units = catalogues.descendants(args.unit)
        finally:
            catalogues.close()
    scope = Scope(units=units, date_from=date.fromisoformat(args.date_from),
                  date_to=date.fromisoformat(args.date_to), procedure_code=args.procedure, field=args.field)
    statistics = build_statistics(settings)
    try:
        report, index = statistics.status_report(scope), statistics.service_index(scope)
    except StatisticsUnavailable as exc:
        return _locked(exc, settings)
    except Exception as exc:
        return _locked(exc, settings)
    finally:
        statistics.connector.close()
    table = Table(title=f"Tình trạng giải quyết hồ sơ {args.date_from} → {args.date_to} {args.unit or ''}")
    table.add_column("figure")
    table.add_column("value", justify="right")
    for name, value in vars(report).items():
        table.add_row(name.replace("_", " "), str(value))
    for name, ratio in vars(index).items():
        table.add_row(name.replace("_", " "), _ratio(ratio) if name != "average_processing_days"
                      else ("—" if ratio.value is None else f"{ratio.value:.2f} days ({ratio.denominator})"))
    Console().print(table)
    return 0


def project_command(args: argparse.Namespace, settings: Settings) -> int:
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    run_statistics(settings, stop)
    return 0


def add_parsers(sub: Any) -> None:
    sub.add_parser("migrate", help="apply the statistics store's schema migrations").set_defaults(func=migrate_command)
    report = sub.add_parser("report", help="print the processing-status report and Decision 766 indicators")
    report.add_argument("--unit", default=None, help="unit code (its sub-units included); all units if omitted")
    report.add_argument("--from", dest="date_from", required=True, help="first local date, YYYY-MM-DD")
    report.add_argument("--to", dest="date_to", required=True, help="last local date, YYYY-MM-DD")
    report.add_argument("--procedure", default=None)
    report.add_argument("--field", default=None)
    report.set_defaults(func=report_command)
    sub.add_parser("project-statistics", help="run the statistics projection standalone (deployment)") \
        .set_defaults(func=project_command)


__all__ = ["add_parsers", "migrate_command", "project_command", "report_command"]
