"""`motcua migrate`, `motcua report` and `motcua project-statistics`.

In the embedded mode the chDB directory can be open in one process only. When `motcua serve`
holds it, `report --username U` asks the running server's API for the same report
(`ops.server_client`), `migrate` checks that the server is there (it applies the migrations
itself), and otherwise they say clearly that the directory is locked and by what.
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
from application.statistics import Ratio, Scope
from ops.settings import Settings
from ops.server_client import ServerError, fetch_report, read_password, readiness, server_url
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


def _held_by_server(settings: Settings) -> dict[str, Any] | None:
    """The running server's readiness when the statistics store is embedded chDB it may hold."""
    return readiness(settings) if statistics_target(settings).kind == "chdb" else None


def migrate_command(args: argparse.Namespace, settings: Settings) -> int:
    connector = Connector(statistics_target(settings))
    try:
        applied = connector.call(lambda c: migrate(c, connector.database))
    except Exception as exc:  # chDB lock errors are plain DatabaseErrors
        ready = _held_by_server(settings)
        if ready is None:
            return _locked(exc, settings)
        check = next((c for c in ready.get("components", []) if c.get("name") == "statistics"), {})
        print(f"The statistics store is held by the running server at {server_url(settings)}, which applies "
              "the migrations itself when it opens the store / máy chủ đang chạy tự áp dụng các bản chuyển đổi. "
              f"Its statistics check: ok={check.get('ok')} lag={check.get('lagEvents')} {check.get('detail') or ''}".rstrip())
        return 0
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
    source = "local"
    try:
        report, index = statistics.status_report(scope), statistics.service_index(scope)
    except Exception as exc:  # unreachable, or chDB held by another process
        statistics.connector.close()
        if _held_by_server(settings) is None:
            return _locked(exc, settings)
        if not args.username:
            print(f"motcua: the chDB directory is held by the running server at {server_url(settings)}; "
                  "pass --username with a statistics reader's account (analyst, leader, administrator, "
                  "auditor) to ask it / thêm --username để hỏi máy chủ đang chạy.", file=sys.stderr)
            return 3
        try:
            report, index = fetch_report(settings, args.username, read_password(), date_from=scope.date_from,
                                         date_to=scope.date_to, unit=args.unit, procedure=args.procedure,
                                         field=args.field)
        except ServerError as error:
            print(f"motcua: {error}", file=sys.stderr)
            return 3
        source = server_url(settings)
    finally:
        statistics.connector.close()
    table = Table(title=f"Tình trạng giải quyết hồ sơ {args.date_from} → {args.date_to} {args.unit or ''}",
                  caption=None if source == "local" else f"from the running server {source}")
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
    report.add_argument("--username", default=None,
                        help="when a running server holds the statistics store: ask it, signed in as this "
                             "account (password from standard input or prompted)")
    report.set_defaults(func=report_command)
    sub.add_parser("project-statistics", help="run the statistics projection standalone (deployment)") \
        .set_defaults(func=project_command)


__all__ = ["add_parsers", "migrate_command", "project_command", "report_command"]
