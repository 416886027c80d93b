"""``motcua`` command line: serve, project, worker, replay, demo."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from ops.logging import configure_logging
from ops.settings import Settings, SettingsError, load_settings


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from api.app import create_app
    from ops.wiring import build_container

    container = build_container(settings, projections=not args.no_projections)
    container.start()
    try:
        uvicorn.run(
            create_app(container.services),
            host=args.host or settings.host,
            port=args.port or settings.port,
            log_level=settings.log_level,
            access_log=False,
        )
    finally:
        container.close()
    return 0


def _replay(args: argparse.Namespace, settings: Settings) -> int:
    from ops.replay import print_slip

    return print_slip(settings, args.code)


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


def _project(args: argparse.Namespace, settings: Settings) -> int:
    from ops.projectors import run_projectors_until_signalled

    return run_projectors_until_signalled(settings)


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
    replay = sub.add_parser("replay", help="print a dossier's processing-control slip from its events")
    replay.add_argument("code", help="dossier code, e.g. 000.00.01.H22-260302-0001")
    replay.set_defaults(func=_replay)
    demo = sub.add_parser("demo", help="create demo accounts and dossiers in every state (idempotent)")
    demo.add_argument("--dossiers", type=int, default=320)
    demo.set_defaults(func=_demo)
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
