"""Port for idempotency keys that commit atomically with the events they produced.

A repeated request (same caller, same ``Idempotency-Key``) must get the first response again
and must not file a second dossier. Checking first and writing later would race, so the row is
written by the event recorder in the very transaction that inserts the command's events:

    app.save(dossier, counter, idempotency=IdempotencyRecord(...))

eventsourcing hands ``save()``'s keyword arguments down to the recorder's ``_insert_events``.
When the (scope, key) pair is already taken the whole insert fails with
:class:`DuplicateIdempotencyKey`, a subclass of eventsourcing's ``IntegrityError``, and no event
is stored. Both stores write the key before the events, so when a retry also conflicts on an
aggregate version it is the key that is reported. A caller that gets any ``IntegrityError``
from a keyed save should read :meth:`IdempotencyStore.find_idempotency`: a row means "repeat
the first response" (or 422 if its ``body_hash`` differs), no row means a real conflict (409).

The concrete stores are the application recorders in ``adapters.eventstore``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime

from eventsourcing.persistence import IntegrityError

IDEMPOTENCY_KWARG = "idempotency"
"""Name of the ``save()`` keyword argument that carries an :class:`IdempotencyRecord`."""


class DuplicateIdempotencyKey(IntegrityError):
    """The (scope, key) of a save already has a row; nothing of that save was stored."""


@dataclass(frozen=True)
class IdempotencyRecord:
    """The first response to a request, kept so that a retry gets it again.

    ``scope`` identifies the caller (and, if the caller wishes, the operation), ``key`` is the
    client's ``Idempotency-Key``, ``body_hash`` lets a reuse of the key with a different body be
    told apart (422), and ``created_at`` (timezone-aware) drives purging after the retention.
    """

    scope: str
    key: str
    body_hash: str
    status_code: int
    response: bytes
    created_at: datetime


class IdempotencyStore(ABC):
    """Reads and purges idempotency rows; writing happens only inside ``save()``."""

    @abstractmethod
    def find_idempotency(self, scope: str, key: str) -> IdempotencyRecord | None:
        """Return the row recorded for (scope, key), or None if there is none."""

    @abstractmethod
    def purge_idempotency(self, older_than: datetime) -> int:
        """Delete rows created before ``older_than`` (timezone-aware); return how many."""
