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
from domain.dossier import dossier_id
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
        version = 0
        for event in self._dossiers.events.get(dossier_id(code)):
            if event.timestamp > at:
                break
            version = event.originator_version
        if version == 0:
            raise DossierNotFound(f"{code} did not exist yet at {at.isoformat()}")
        return state_of(self._dossiers.repository.get(current.id, version=version), at)
