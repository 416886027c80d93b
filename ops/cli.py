"""``motcua`` command line: serve, and (as they land) project, replay, demo."""

from __future__ import annotations

import argparse
import sys

from ops.logging import configure_logging
from ops.settings import SettingsError, load_settings


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from api.app import create_app
    from ops.wiring import build_container

    settings = load_settings()
    configure_logging(settings.log_level, json=settings.log_json)
    container = build_container(settings)
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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="motcua",
        description="Hệ thống thông tin giải quyết TTHC / administrative procedures back end",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the API with projections and in-process jobs")
    serve.add_argument("--host", default=None)
    serve.add_argument("--port", type=int, default=None)
    serve.set_defaults(func=_serve)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except SettingsError as exc:
        print(f"motcua: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
