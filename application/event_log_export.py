"""``exportEventLog``: a range of an event store's notification log as NDJSON, with chain hashes.

Each line carries the stored bytes exactly (base64) and their chain hash, so an outside party
holding the chain key (or a digest handed to a timestamping authority) can recompute the chain
without our code. The stored bytes are the encrypted records (docs/keys.md): the chain
recomputes from them, and the export carries no readable personal data. The export is read
page by page: memory stays flat for any range.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator

from application.access_log import AccessContext, Accesses
from application.audit_chain import AuditChainService
from application.errors import AccessDenied, ApplicationError
from domain.actor import Actor, Role

PAGE = 1000


class UnknownStore(ApplicationError):
    code = "unknown-store"
    message_vi = "Không có kho dữ liệu này"
    message_en = "Unknown event store"
    http_status = 400


class EventLogExport:
    def __init__(self, chain: AuditChainService, accesses: Accesses) -> None:
        self._chain = chain
        self._accesses = accesses

    def lines(self, actor: Actor, store: str, start: int | None, stop: int | None,
              access: AccessContext | None) -> Iterator[bytes]:
        """Checked and logged before the first line is produced, then streamed lazily."""
        if actor.role != Role.AUDITOR:
            raise AccessDenied("only auditors export the event log")
        apps = dict(self._chain.stores)
        if store not in apps:
            raise UnknownStore(f"known stores: {', '.join(apps)}", field="store")
        self._accesses.before_read(actor, access)
        self._accesses.read(actor, "export-event-log", f"{store}:{start or 1}-{stop or 'end'}", access)
        return self._stream(apps[store].recorder, start, stop)

    @staticmethod
    def _stream(recorder: object, start: int | None, stop: int | None) -> Iterator[bytes]:
        position = start or 1
        while True:
            notifications = recorder.select_notifications(start=position, limit=PAGE, stop=stop)  # type: ignore[attr-defined]
            if not notifications:
                return
            first, last = notifications[0].id, notifications[-1].id
            links = {link.notification_id: link for link in recorder.select_chain(first, len(notifications) * 2, last)}  # type: ignore[attr-defined]
            for n in notifications:
                link = links.get(n.id)
                yield json.dumps({
                    "id": n.id, "originatorId": str(n.originator_id), "originatorVersion": n.originator_version,
                    "topic": n.topic, "state": base64.b64encode(n.state).decode(),
                    "chainHash": link.hash.hex() if link is not None else None,
                    "chainKeyId": link.key_id if link is not None else None,
                }, ensure_ascii=False).encode() + b"\n"
            position = last + 1
