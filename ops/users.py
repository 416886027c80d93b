"""``motcua user create|disable``: account administration from the shell (first administrator, scripts)."""

from __future__ import annotations

import argparse
import getpass
import sys

from application.errors import ApplicationError
from domain.account import AccountError
from domain.actor import Actor, Role
from ops.settings import Settings

CLI_ADMIN = Actor(id="cli", role=Role.ADMINISTRATOR, name="motcua user")


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    user = sub.add_parser("user", help="create or disable accounts (administrators)")
    actions = user.add_subparsers(dest="action", required=True)
    create = actions.add_parser("create", help="create an account; the password is read from stdin or a prompt")
    create.add_argument("--username", required=True)
    create.add_argument("--role", required=True, choices=[r.value for r in Role if r != Role.SYSTEM])
    create.add_argument("--unit", default=None, help="unit identifier code (officers)")
    create.add_argument("--name", required=True, help="full name")
    disable = actions.add_parser("disable", help="disable an account and end its sessions")
    disable.add_argument("--username", required=True)
    disable.add_argument("--reason", required=True)
    user.set_defaults(func=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    from ops.wiring import build_container

    container = build_container(settings, projections=False)
    try:
        users = container.services.users
        if args.action == "create":
            password = sys.stdin.readline().strip() if not sys.stdin.isatty() else getpass.getpass("Mật khẩu / password: ")
            view = users.create(CLI_ADMIN, username=args.username, password=password, role=Role(args.role),
                                unit=args.unit, full_name=args.name)
        else:
            view = users.disable(CLI_ADMIN, args.username, args.reason)
    except (ApplicationError, AccountError) as exc:
        print(f"motcua: {exc.message_vi} / {exc.message_en}: {exc}", file=sys.stderr)
        return 1
    finally:
        container.close()
    print(f"{view.username}\t{view.role}\t{view.unit or ''}\t{'disabled' if view.disabled else 'active'}")
    return 0
