"""`motcua bench` / `python -m ops.bench`: options, the run, the table, the JSON.

PostgreSQL comes from `--database-url`, else `MOTCUA_DATABASE_URL` (through our settings);
the server under test gets a schema of its own in that database, dropped at the end.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Any

from ops.bench.report import FIGURES

DEFAULT_SECONDS = 60.0
DEFAULT_CLIENTS = 32
DEFAULT_P4_EVENTS = 10_000_000
DOSSIERS_PER_SECOND = 400
"""Dossiers prepared per second of the window: 5 commands each, enough for 2,000 commands/s."""


def figures(text: str) -> frozenset[str]:
    """'P1,p2' -> {'P1', 'P2'}; P3 needs P1's load and comes with it."""
    chosen = {part.strip().upper() for part in text.split(",") if part.strip()}
    unknown = chosen - set(FIGURES)
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(f"choose among {', '.join(FIGURES)} (got {text!r})")
    return frozenset(chosen)


def positive(kind: type) -> Any:
    def parse(text: str) -> Any:
        value = kind(text)
        if value <= 0:
            raise argparse.ArgumentTypeError(f"must be positive, got {text}")
        return value
    return parse


def setting(text: str) -> tuple[str, str]:
    """'MOTCUA_THREAD_POOL_SIZE=32' -> ('MOTCUA_THREAD_POOL_SIZE', '32'): only our settings."""
    name, sep, value = text.partition("=")
    if not sep or not name.startswith("MOTCUA_") or name in RESERVED:
        raise argparse.ArgumentTypeError(
            f"expected MOTCUA_NAME=value, not one the bench sets itself ({', '.join(sorted(RESERVED))}); got {text!r}")
    return name, value


RESERVED = frozenset({"MOTCUA_DATABASE_URL", "MOTCUA_POSTGRES_SCHEMA", "MOTCUA_DATA_DIR", "MOTCUA_POSTGRES_POOL_SIZE"})


def configure(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser.add_argument("--seconds", type=positive(float), default=DEFAULT_SECONDS,
                        help=f"length of each timed window (default {DEFAULT_SECONDS:g}; the issue asks for at least 60)")
    parser.add_argument("--only", type=figures, default=frozenset(FIGURES), help="e.g. P1,P2 (default: all)")
    parser.add_argument("--clients", type=positive(int), default=DEFAULT_CLIENTS,
                        help=f"concurrent HTTP clients and raw-commit connections (default {DEFAULT_CLIENTS})")
    parser.add_argument("--pool-size", type=positive(int), default=10,
                        help="MOTCUA_POSTGRES_POOL_SIZE of the server under test (default 10)")
    parser.add_argument("--dossiers", type=positive(int), default=None,
                        help=f"dossiers prepared for P1 (default {DOSSIERS_PER_SECOND} per second of window)")
    parser.add_argument("--p4-events", type=positive(int), default=DEFAULT_P4_EVENTS,
                        help=f"events of statistics rows generated for P4 (default {DEFAULT_P4_EVENTS:,})")
    parser.add_argument("--server-env", type=setting, action="append", default=[], metavar="MOTCUA_NAME=VALUE",
                        help="another setting for the server under test, e.g. MOTCUA_THREAD_POOL_SIZE=32 (repeatable)")
    parser.add_argument("--database-url", default=None, help="postgresql://... (default MOTCUA_DATABASE_URL)")
    parser.add_argument("--json", type=Path, default=None, help="also write the results to this JSON file")
    parser.add_argument("--profile", type=Path, default=None,
                        help="sample the server with py-spy during P1 into this file (collapsed stacks) "
                             "and report the hottest functions")
    parser.add_argument("--markdown", action="store_true", help="also print the table as Markdown")
    parser.add_argument("--logs", type=Path, default=None,
                        help="keep the servers' logs in this directory (default: a temporary one, removed)")
    return parser


def bench_command(args: argparse.Namespace, settings: Any = None) -> int:
    from ops.bench.report import markdown, print_report
    from ops.bench.run import Options, run
    from ops.settings import load_settings
    from ops.stores import postgres_conninfo

    settings = settings or load_settings()
    # The run polls the server's /ready many times a second; httpx would log every request.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    url = args.database_url or settings.database_url
    if not url:
        print("motcua bench: cần PostgreSQL / needs PostgreSQL: --database-url postgresql://... "
              "or MOTCUA_DATABASE_URL", file=sys.stderr)
        return 2
    conninfo = postgres_conninfo(load_settings({}, database_url=url))
    options = Options(database_url=url, conninfo=conninfo, seconds=args.seconds, clients=args.clients,
                      only=args.only | ({"P1"} if "P3" in args.only else set()), pool_size=args.pool_size,
                      dossiers=args.dossiers or int(args.seconds * DOSSIERS_PER_SECOND), p4_events=args.p4_events,
                      logs=args.logs, profile=args.profile, server_env=dict(args.server_env))
    import psycopg

    try:
        report = run(options)
    except psycopg.OperationalError as exc:
        print(f"motcua bench: không kết nối được PostgreSQL / PostgreSQL refused: {str(exc).strip()[:300]}",
              file=sys.stderr)
        return 3
    print_report(report)
    if args.markdown:
        print(markdown(report))
    if args.json:
        report.write_json(args.json)
        print(f"JSON: {args.json}")
    return 0


def add_parser(sub: Any) -> None:
    parser = sub.add_parser("bench", help="benchmark P1-P6 of DESIGN §7 against same-run baselines (PostgreSQL)")
    configure(parser).set_defaults(func=bench_command)


def main(argv: list[str] | None = None) -> int:
    from ops.logging import configure_logging

    args = configure(argparse.ArgumentParser(prog="python -m ops.bench", description=__doc__)).parse_args(argv)
    configure_logging("warning", json=False)
    return bench_command(args)


__all__ = ["add_parser", "bench_command", "configure", "figures", "main"]
