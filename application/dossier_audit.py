"""Auditors' reads: the processing-control slip and the dossier as it was at an instant.

Both replay the dossier's own event stream (the audit trail); nothing is read from a projection,
so what an auditor sees is exactly what was recorded.
"""

from __future__ import annotations

from datetime import datetime

from application.access_log import AccessContext
from application.dossier_views import DossierState, state_of
from application.dossiers import Dossiers
from application.errors import DossierNotFound
from domain.actor import Actor
from domain.dossier import Dossier, dossier_id
from domain.dossier.slip import SlipRow, processing_slip


class DossierAudit:
    def __init__(self, dossiers: Dossiers) -> None:
        self._dossiers = dossiers

    def history(self, actor: Actor, code: str, access: AccessContext | None = None) -> list[SlipRow]:
        self._dossiers.accesses.before_read(actor, access)
        dossier = self._dossiers.get(actor, code)  # existence and visibility
        events = self._dossiers.events.get(dossier_id(code))
        rows = processing_slip(events, self._dossiers.calendar_of(dossier))
        self._dossiers.accesses.read(actor, "read-history", code, access)
        return rows

    def state_at(self, actor: Actor, code: str, at: datetime, access: AccessContext | None = None) -> DossierState:
        """The dossier as its events up to and including ``at`` make it."""
        self._dossiers.accesses.before_read(actor, access)
        current = self._dossiers.get(actor, code)
        self._dossiers.accesses.read(actor, "read-state-at", code, access)
        version = self._version_at(current, at)
        if version == 0:
            raise DossierNotFound(f"{code} did not exist yet at {at.isoformat()}")
        if version == current.version:
            return state_of(current, at)
        return state_of(self._dossiers.repository.get(current.id, version=version), at)

    def _version_at(self, current: Dossier, at: datetime) -> int:
        """The last version recorded at or before ``at`` (0: none), by bisection.

        A dossier's events never go back in time (``Dossiers.run`` records each at or after the
        one before), so the versions at or before an instant are a prefix of the stream: about
        nine one-event reads find its end among 500 events, where reading up to it decoded
        every event on the way."""
        if current.modified_on <= at:
            return int(current.version)
        below, above = 0, int(current.version)  # version `below` is at or before `at`, `above` after
        while above - below > 1:
            middle = (below + above) // 2
            (event,) = self._dossiers.events.get(current.id, gt=middle - 1, lte=middle)
            if event.timestamp <= at:
                below = middle
            else:
                above = middle
        return below
