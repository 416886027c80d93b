"""What must exist before a timed window: accounts, their tokens, dossiers ready to be moved.

Prepared through the application services in the bench process (the same store and data dir
as the server, so the same keys), never timed: a P1 client needs dossiers just submitted, P2
needs dossier codes with their receipt secrets, P6 one dossier with 500 events. Tokens come
from the server's own `login`.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import httpx
from rich.progress import Progress

from application.dossiers import Submission
from ops.bench.load import Step
from ops.demo import DEMO_PASSWORD, RECEPTION_UNIT, ensure_accounts

HANDLING_UNIT = "000.00.00.H22"
HISTORY_EVENTS = 500
ROLES = {"reception": "tiepnhan", "leader": "lanhdao", "auditor": "thanhtra"}

#: P1's mixed lifecycle: receive, hand over, approve, complete, return (5 commands a dossier).
LIFECYCLE: list[Step] = [
    Step("/reception", "reception"),
    Step("/hand-overs", "reception", json.dumps({"toUnit": HANDLING_UNIT, "stepIndex": 1}).encode()),
    Step("/approval", "leader", json.dumps({"summary": "Đồng ý cấp", "electronic": True}).encode()),
    Step("/completion", "reception", json.dumps({"electronicResult": True}).encode()),
    Step("/result-return", "reception", json.dumps({"method": "online"}).encode()),
]


@dataclass(frozen=True)
class Filed:
    code: str
    version: int
    secret: str


def tokens(base_url: str) -> dict[str, str]:
    """An access token per role of the load (the accounts of `motcua demo`)."""
    found = {}
    for role, username in ROLES.items():
        answer = httpx.post(base_url + "/auth/login", json={"username": username, "password": DEMO_PASSWORD}, timeout=30)
        answer.raise_for_status()
        found[role] = answer.json()["accessToken"]
    return found


class Preparer:
    def __init__(self, services: Any) -> None:
        self.services = services
        self.actors = ensure_accounts(services)
        self.filer = self.actors["tiepnhan"]
        procedures = [services.catalogue.get(p.code) for p in services.catalogue.list()]
        self.procedure = next(p for p in procedures
                              if "counter" in p.channels and RECEPTION_UNIT in p.receiving_units)

    def _submission(self, i: int) -> Submission:
        p = self.procedure
        return Submission(procedure_code=p.code, channel="counter", receiving_unit=RECEPTION_UNIT,
                          form=(p.form_schema or {}).get("examples", [{}])[0],
                          applicant={"name": f"Người nộp thử {i:06d}", "id_number": f"0010990{i % 100000:05d}"},
                          applicant_account=self.actors["congdan"].id)

    def submit(self, i: int) -> Filed:
        result = self.services.dossiers.submit(self.filer, self._submission(i))
        return Filed(result.code, result.version, result.lookup_secret or "")

    def dossiers(self, count: int, *, threads: int = 8, label: str = "hồ sơ thử / dossiers") -> list[Filed]:
        """`count` submitted dossiers, filed on a few threads (a progress bar: thousands take a while)."""
        filed: list[Filed] = []
        with Progress(transient=True) as progress, ThreadPoolExecutor(threads) as pool:
            task = progress.add_task(label, total=count)
            for made in pool.map(self.submit, range(count)):
                filed.append(made)
                progress.advance(task)
        return filed

    def long_dossier(self, events: int = HISTORY_EVENTS) -> Filed:
        """One dossier with `events` events: submitted, received, then messages (P6)."""
        first = self.submit(10**6)
        app, who = self.services.dossiers, self.filer
        version = app.receive(who, first.code, first.version).version
        for i in range(events - 2):
            version = app.post_message(who, first.code, version, text=f"Tin nhắn thử số {i + 1}").version
        return Filed(first.code, version, first.secret)


__all__ = ["HANDLING_UNIT", "HISTORY_EVENTS", "LIFECYCLE", "Filed", "Preparer", "tokens"]
