"""What every dossier command returns, and the idempotency bookkeeping around it.

The result carries the dossier's new version (the next ``If-Match``) and the notification
position of its last event, so a client can ask a list or search to wait until the index has
caught up with its own write.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

import msgspec

from application.errors import IdempotencyKeyReused
from application.idempotency import IdempotencyRecord, IdempotencyStore


class CommandResult(msgspec.Struct, frozen=True, rename="camel"):
    id: str
    code: str
    version: int
    position: int
    status: str
    national_status: int
    lookup_secret: str | None = None
    replayed: bool = False


@dataclass(frozen=True)
class Idempotency:
    """A client's ``Idempotency-Key`` for one command, scoped to the caller."""

    scope: str
    key: str
    body_hash: str

    @classmethod
    def of(cls, actor_id: str, operation: str, key: str, body: object) -> Idempotency:
        digest = hashlib.sha256(msgspec.json.encode(body, order="sorted")).hexdigest()
        return cls(scope=f"{actor_id}:{operation}", key=key, body_hash=digest)

    def record(self, result: CommandResult, at: datetime, status_code: int = 201) -> IdempotencyRecord:
        return IdempotencyRecord(
            scope=self.scope, key=self.key, body_hash=self.body_hash, status_code=status_code,
            response=msgspec.json.encode(result), created_at=at,
        )


def replay(store: IdempotencyStore, idem: Idempotency | None) -> CommandResult | None:
    """The first result for this key, or None; a reused key with another body is an error."""
    if idem is None:
        return None
    found = store.find_idempotency(idem.scope, idem.key)
    if found is None:
        return None
    if found.body_hash != idem.body_hash:
        raise IdempotencyKeyReused(field="Idempotency-Key")
    first = msgspec.json.decode(found.response, type=CommandResult)
    return msgspec.structs.replace(first, replayed=True)
