"""Daily chain digests in an append-only JSON-lines file beside (not inside) the databases.

One line per digest: ``{"store", "day", "notificationId", "hash", "takenAt"}``. The file is the
hand-off to an external timestamping authority (``motcua audit digest`` prints it); what
matters is that it does not live in the database an attacker would edit. Appends take an
exclusive ``flock`` and are fsynced, so processes can take digests at the same time.
"""

from __future__ import annotations

import fcntl
import json
import os
from datetime import date, datetime
from pathlib import Path

from application.audit_chain import Digest, DigestStore

DIGESTS_FILE = "audit-digests.jsonl"


class JsonlDigestStore(DigestStore):
    def __init__(self, path: Path) -> None:
        self.path = path

    def append(self, digest: Digest) -> None:
        self._append(digest, only_if_moved=False)

    def append_if_moved(self, digest: Digest) -> bool:
        """Checked and appended under the file's lock: concurrent digest jobs add one line."""
        return self._append(digest, only_if_moved=True)

    def _append(self, digest: Digest, *, only_if_moved: bool) -> bool:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps(digest.as_dict(), ensure_ascii=False, sort_keys=True) + "\n"
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            if only_if_moved:
                previous = self.list(digest.store)
                last = previous[-1] if previous else None
                if last is not None and (last.notification_id, last.hash) == (digest.notification_id, digest.hash):
                    return False
            os.write(fd, line.encode("utf-8"))
            os.fsync(fd)
            return True
        finally:
            os.close(fd)  # releases the lock

    def list(self, store: str | None = None) -> list[Digest]:
        if not self.path.exists():
            return []
        digests = []
        for line in self.path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            row = json.loads(line)
            if store is not None and row["store"] != store:
                continue
            digests.append(
                Digest(
                    store=row["store"],
                    day=date.fromisoformat(row["day"]),
                    notification_id=int(row["notificationId"]),
                    hash=row["hash"],
                    taken_at=datetime.fromisoformat(row["takenAt"]),
                )
            )
        return digests
