"""``motcua standin oidc``: run the local OpenID Connect STAND-IN for front-end development.

Not an identity provider: it signs whatever it is asked to, for anyone. It lets a portal
developer get ID tokens that ``loginWithOidc`` accepts without access to VNeID.
"""

from __future__ import annotations

import argparse
import sys
import threading

from ops.settings import Settings


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    standin = sub.add_parser("standin", help="local stand-ins for external services (development only)")
    kinds = standin.add_subparsers(dest="standin", required=True)
    oidc = kinds.add_parser("oidc", help="an OpenID Connect stand-in provider on 127.0.0.1 (NOT VNeID)")
    oidc.add_argument("--port", type=int, default=8900, help="0 picks a free port")
    oidc.add_argument("--alg", choices=["RS256", "ES256"], default="RS256")
    oidc.add_argument("--client-id", default="motcua-portal", help="the audience of the tokens it signs")
    oidc.set_defaults(func=run_oidc)


def run_oidc(args: argparse.Namespace, settings: Settings, stop: threading.Event | None = None) -> int:
    from adapters.oidc.standin import TOKEN_PATH, OidcStandInServer

    server = OidcStandInServer(alg=args.alg, client_id=args.client_id, port=args.port).start()
    print(f"OIDC STAND-IN (not VNeID) at {server.issuer}, signing {args.alg}, key {server.current_kid}", flush=True)
    print(f"  export MOTCUA_OIDC_ISSUER={server.issuer} MOTCUA_OIDC_CLIENT_ID={args.client_id}", flush=True)
    print(f"  curl -s -X POST {server.issuer}{TOKEN_PATH} -d "
          "'{\"sub\": \"dev-1\", \"id_number\": \"001099000001\", \"name\": \"Nguyễn Văn An\"}'", flush=True)
    print("  then POST /auth/oidc {\"idToken\": ...}. Ctrl-C stops it.", flush=True)
    try:
        (stop or threading.Event()).wait()
    except KeyboardInterrupt:
        print("stopped", file=sys.stderr)
    finally:
        server.stop()
    return 0
