"""Asking the running ``motcua serve`` for statistics, for CLI commands that cannot open chDB.

In the embedded mode only the serving process may open the chDB directory (DESIGN §2). When it
holds it, ``motcua report`` asks that server's API instead, at ``MOTCUA_HOST``:``MOTCUA_PORT``
(a wildcard bind address is asked on the loopback), signing in with the account named by
``--username`` (an analyst, administrator, auditor or unit leader; the password is read from
standard input, or prompted for on a terminal). The answer is the same report, with the same
scoping rules as over HTTP. ``motcua migrate`` only needs to know the server is there: the
server applies the statistics migrations itself when it opens the store.
"""

from __future__ import annotations

import getpass
import sys
from datetime import date
from typing import Any

import httpx

from application.statistics import Ratio, ServiceIndex, StatusReport
from ops.settings import Settings

TIMEOUT = 30.0


class ServerError(RuntimeError):
    """The server could not be asked, or refused (the message says why, in both languages)."""


def server_url(settings: Settings) -> str:
    host = settings.host if settings.host not in ("0.0.0.0", "::", "") else "127.0.0.1"
    host = f"[{host}]" if ":" in host else host
    return f"http://{host}:{settings.port}"


def readiness(settings: Settings) -> dict[str, Any] | None:
    """The running server's ``/ready`` answer, or None when no server answers there."""
    try:
        response = httpx.get(server_url(settings) + "/ready", timeout=5.0)
    except httpx.HTTPError:
        return None
    try:
        return dict(response.json())
    except ValueError:
        return None


def read_password(prompt: str = "Mật khẩu / Password: ") -> str:
    if sys.stdin.isatty():
        return getpass.getpass(prompt)
    return sys.stdin.readline().rstrip("\n")


def _problem(response: httpx.Response) -> str:
    try:
        body = response.json()
        return f"{response.status_code} {body.get('title') or body}"
    except ValueError:
        return f"{response.status_code} {response.text[:200]}"


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def fetch_report(settings: Settings, username: str, password: str, *, date_from: date, date_to: date,
                 unit: str | None, procedure: str | None, field: str | None) -> tuple[StatusReport, ServiceIndex]:
    """Sign in, ask for the status report and the Decision 766 indicators, sign nothing else."""
    params = {k: v for k, v in {"from": date_from.isoformat(), "to": date_to.isoformat(), "unit": unit,
                                "procedureCode": procedure, "field": field}.items() if v}
    with httpx.Client(base_url=server_url(settings), timeout=TIMEOUT) as client:
        try:
            login = client.post("/auth/login", json={"username": username, "password": password})
            if login.status_code != 200:
                raise ServerError(f"đăng nhập thất bại / sign-in failed: {_problem(login)}")
            headers = {"Authorization": "Bearer " + login.json()["accessToken"]}
            answers = [client.get(path, params=params, headers=headers)
                       for path in ("/statistics/status-report", "/statistics/service-index")]
        except httpx.HTTPError as exc:
            raise ServerError(f"máy chủ không trả lời / the server did not answer: {exc}") from None
    for answer in answers:
        if answer.status_code != 200:
            raise ServerError(_problem(answer))
    report, index = (a.json() for a in answers)
    return (
        StatusReport(**{name: int(report[_camel(name)]) for name in StatusReport.__dataclass_fields__}),
        ServiceIndex(**{name: Ratio(index[_camel(name)]["numerator"], int(index[_camel(name)]["denominator"]))
                        for name in ServiceIndex.__dataclass_fields__}),
    )


__all__ = ["ServerError", "fetch_report", "read_password", "readiness", "server_url"]
