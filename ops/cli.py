"""``motcua`` command line: serve, project, worker, replay, demo, simulate."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import date

from ops import catalogue_cli, keys_cli, rebuild, standin_cli, statistics_cli, users
from ops.logging import configure_logging
from ops.settings import Settings, SettingsError, load_settings


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    from ops.serving import serve

    return serve(settings, host=args.host, port=args.port, projections=not args.no_projections)


def _replay(args: argparse.Namespace, settings: Settings) -> int:
    from ops.replay import print_slip

    return print_slip(settings, args.code, args.reason)


def _demo(args: argparse.Namespace, settings: Settings) -> int:
    from rich.console import Console

    from ops.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, run_demo
    from ops.wiring import build_container

    container = build_container(settings, projections=False)
    try:
        made = run_demo(container.services, count=args.dossiers)
    finally:
        container.close()
    console = Console()
    console.print(f"[bold]Hồ sơ mẫu / demo dossiers:[/bold] {sum(made.values())} ({', '.join(f'{k} {v}' for k, v in made.items())})")
    console.print(f"[bold]Tài khoản / accounts[/bold] (mật khẩu / password [cyan]{DEMO_PASSWORD}[/cyan]):")
    for a in DEMO_ACCOUNTS:
        console.print(f"  {a.username:<11} {a.role.value:<18} {a.unit or ''}")
    return 0


def _simulate(args: argparse.Namespace, settings: Settings) -> int:
    from ops.simulate import simulate_command

    return simulate_command(settings, dossiers=args.dossiers, days=args.days, start=args.start, seed=args.seed)


def _project(args: argparse.Namespace, settings: Settings) -> int:
    from ops.catalogue_projector import start_embedded_catalogue_projector
    from ops.projectors import run_projectors_until_signalled

    from ops.statistics import EmbeddedStatistics, statistics_target

    # The catalogue and statistics projections run on threads beside the index runner; each
    # holds its own advisory lock, so a second `motcua project` waits as a standby.
    catalogue = start_embedded_catalogue_projector(settings)
    statistics = EmbeddedStatistics(settings, statistics_target(settings))
    statistics.start()
    try:
        return run_projectors_until_signalled(settings)
    finally:
        statistics.stop()
        catalogue.stop()


def _worker(args: argparse.Namespace, settings: Settings) -> int:
    import signal
    import threading

    from ops.wiring import build_container

    if not settings.redis_url:
        print("motcua worker needs MOTCUA_REDIS_URL; the embedded default runs jobs inside `motcua serve`", file=sys.stderr)
        return 2
    container = build_container(settings, projections=False)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    container.jobs.start_worker(threads=args.threads)
    try:
        stop.wait()
    finally:
        container.close()
    return 0


def _audit_verify(args: argparse.Namespace, settings: Settings) -> int:
    from ops.audit import verify_command

    return verify_command(settings)


def _audit_rotate_key(args: argparse.Namespace, settings: Settings) -> int:
    from ops.audit_keys import rotate_key_command

    return rotate_key_command(settings)


def _audit_digest(args: argparse.Namespace, settings: Settings) -> int:
    from ops.audit import digest_command

    return digest_command(settings, take=not args.no_take)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="motcua",
        description="Hệ thống thông tin giải quyết TTHC / administrative procedures back end. "
        "Configuration comes from MOTCUA_* environment variables (see README).",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the API with projections and in-process jobs")
    serve.add_argument("--host", default=None)
    serve.add_argument("--port", type=int, default=None)
    serve.add_argument("--no-projections", action="store_true",
                       help="do not run projections in this process (deployment: `motcua project` runs them)")
    serve.set_defaults(func=_serve)
    project = sub.add_parser("project", help="run the projections standalone (PostgreSQL deployments)")
    project.set_defaults(func=_project)
    worker = sub.add_parser("worker", help="run background jobs from Redis (deployment)")
    worker.add_argument("--threads", type=int, default=4)
    worker.set_defaults(func=_worker)
    users.add_parser(sub)
    standin_cli.add_parser(sub)  # standin oidc
    catalogue_cli.add_parser(sub)  # catalogue export|import
    statistics_cli.add_parsers(sub)  # migrate, report, project-statistics
    keys_cli.add_parsers(sub)  # keys rotate, keys list
    rebuild.add_parser(sub)  # rebuild index|catalogue|statistics
    from ops.bench.cli import add_parser as add_bench_parser

    add_bench_parser(sub)  # bench (DESIGN §7)
    replay = sub.add_parser("replay", help="print a dossier's processing-control slip from its events")
    replay.add_argument("code", help="dossier code, e.g. 000.00.01.H22-260302-0001")
    replay.add_argument("--reason", default="tra cứu từ dòng lệnh / command-line replay",
                        help="why you read it (kept in the access log)")
    replay.set_defaults(func=_replay)
    demo = sub.add_parser("demo", help="create demo accounts and dossiers in every state (idempotent)")
    demo.add_argument("--dossiers", type=int, default=320)
    demo.set_defaults(func=_demo)
    simulate = sub.add_parser("simulate", help="fill a fresh store with a simulated province's load (never a live store)")
    simulate.add_argument("--dossiers", type=int, default=1000)
    simulate.add_argument("--days", type=int, default=365)
    simulate.add_argument("--seed", type=int, default=2026)
    simulate.add_argument("--start", type=date.fromisoformat, default=None, help="first simulated day, YYYY-MM-DD")
    simulate.set_defaults(func=_simulate)
    audit = sub.add_parser("audit", help="tamper evidence: verify the audit hash chain, export daily digests")
    audit_sub = audit.add_subparsers(dest="audit_command", required=True)
    audit_sub.add_parser("verify", help="recompute the chain, digests and snapshots; exit 1 on a break").set_defaults(
        func=_audit_verify
    )
    digest = audit_sub.add_parser("digest", help="record today's chain heads and print every digest as JSON lines")
    digest.add_argument("--no-take", action="store_true", help="only print the digests already recorded")
    digest.set_defaults(func=_audit_digest)
    audit_sub.add_parser(
        "rotate-key", help="add a new current audit-chain key (old keys stay to verify their links)"
    ).set_defaults(func=_audit_rotate_key)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func: Callable[[argparse.Namespace, Settings], int] = args.func
    try:
        settings = load_settings()
        configure_logging(settings.log_level, json=settings.log_json)
        return int(func(args, settings))
    except SettingsError as exc:
        print(f"motcua: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
