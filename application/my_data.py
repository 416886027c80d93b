"""``exportMyData``: everything held about the signed-in citizen, as one JSON document.

The personal-data rules give a data subject the right to a copy of their data. The copy holds the
profile (never the password hash), the account's history (event types and times only), the
citizen's logins from the access log, and each of their dossiers with its state, its
processing history, its documents' metadata, its messages and the access-log entries of the
officers who read it (who, their role and unit, when, what, why; not the officers' addresses).

It is produced lazily, one dossier at a time, so a citizen with many dossiers costs no more
memory than one. The dossier list comes from the lookup index (after waiting, briefly, for it to
catch up with the store), each dossier itself from its events.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any
from uuid import UUID

import msgspec
from eventsourcing.application import AggregateNotFoundError

from application.access_log import AccessEntry, AccessLog
from application.clock import Clock
from application.dossier_index import DossierIndex
from application.dossier_views import state_of
from application.errors import AccessDenied
from domain.actor import Actor, Role
from domain.dossier import dossier_id
from domain.dossier.slip import processing_slip

PAGE = 200
READERS_FIELDS = ("at", "actor_id", "actor_role", "actor_unit", "action", "reason")
OWN_LOGIN_FIELDS = ("at", "action", "ip")
PROFILE_FIELDS = ("username", "role", "unit", "full_name", "id_number", "phone", "email", "disabled",
                  "failed_logins", "locked_until")


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def plain(obj: Any) -> Any:
    """A dataclass as JSON-ready builtins with camelCase field names (nested payloads as stored)."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {camel(f.name): plain(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, list | tuple):
        return [plain(v) for v in obj]
    return obj


def _entries(log: AccessLog, fields: tuple[str, ...], **filters: Any) -> list[dict[str, Any]]:
    found: list[AccessEntry] = []
    after: int | None = None
    while True:
        page = log.query(after_id=after, limit=PAGE, **filters)
        found.extend(page.entries)
        if page.next_cursor is None or not page.entries:
            break
        after = page.next_cursor
    return [{camel(f): getattr(e, f) for f in fields} for e in reversed(found)]  # oldest first


class MyData:
    def __init__(self, accounts: Any, dossiers: Any, index: DossierIndex, access_log: AccessLog, clock: Clock,
                 *, max_wait: float = 2.0) -> None:
        self._accounts = accounts
        self._dossiers = dossiers
        self._index = index
        self._log = access_log
        self._clock = clock
        self._max_wait = max_wait

    def export(self, actor: Actor) -> Iterator[bytes]:
        """Checked before the first byte, then streamed: the parts of one JSON object."""
        if actor.role != Role.CITIZEN:
            raise AccessDenied("only a citizen exports their own data")
        return self._stream(actor, self._account(actor))

    def _account(self, actor: Actor) -> Any | None:
        """The local account; None for a citizen known only through the identity provider."""
        try:
            return self._accounts.get(UUID(actor.id))
        except (ValueError, AggregateNotFoundError):
            return None

    def _stream(self, actor: Actor, account: Any | None) -> Iterator[bytes]:
        encode = msgspec.json.encode
        profile: dict[str, Any] = {"id": actor.id, "fullName": actor.name}
        history: list[dict[str, Any]] = []
        logins: list[dict[str, Any]] = []
        if account is not None:
            profile.update({camel(k): getattr(account, k, None) for k in PROFILE_FIELDS})  # never the password hash
            profile.update(version=account.version, createdAt=account.created_on)
            history = [{"version": e.originator_version, "event": type(e).__name__, "at": e.timestamp}
                       for e in self._accounts.events.get(account.id)]
            logins = _entries(self._log, OWN_LOGIN_FIELDS, subject=account.username)
        yield b'{"exportedAt":' + encode(self._clock.now())
        yield b',"profile":' + encode(profile)
        yield b',"accountHistory":' + encode(history)
        yield b',"logins":' + encode(logins)
        yield b',"dossiers":['
        for n, code in enumerate(self._codes(actor)):
            yield (b"," if n else b"") + encode(self._dossier(actor, code))
        yield b"]}"

    def _codes(self, actor: Actor) -> Iterator[str]:
        self._index.wait_for(self._dossiers.recorder.max_notification_id() or 0, timeout=self._max_wait)
        cursor: str | None = None
        while True:
            page = self._index.list_by_applicant(actor.id, after_cursor=cursor, limit=PAGE)
            yield from (row.code for row in page.items)
            if page.next_cursor is None:
                return
            cursor = page.next_cursor

    def _dossier(self, actor: Actor, code: str) -> dict[str, Any]:
        dossier = self._dossiers.get(actor, code)  # the citizen's own: checked like any read
        events = list(self._dossiers.events.get(dossier_id(code)))
        state = plain(state_of(dossier, self._clock.now()))
        state.pop("allowedCommands", None)
        return {
            "dossier": state,
            "history": plain(processing_slip(events, self._dossiers.calendar_of(dossier))),
            "messages": [{camel(k): v for k, v in dict(m).items()} for m in dossier.messages],
            "readBy": _entries(self._log, READERS_FIELDS, subject=code),
        }
