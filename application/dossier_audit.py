"""Auditors' reads: the processing-control slip and the dossier as it was at an instant.

Both replay the dossier's own event stream (the audit trail); nothing is read from a projection,
so what an auditor sees is exactly what was recorded.
"""

from __future__ import annotations

from datetime import datetime

from application.dossier_views import DossierState, state_of
from application.dossiers import Dossiers
from application.errors import DossierNotFound
from domain.actor import Actor
from domain.dossier import dossier_id
from domain.dossier.slip import SlipRow, processing_slip


class DossierAudit:
    def __init__(self, dossiers: Dossiers) -> None:
        self._dossiers = dossiers

    def history(self, actor: Actor, code: str) -> list[SlipRow]:
        dossier = self._dossiers.get(actor, code)  # existence and visibility
        events = self._dossiers.events.get(dossier_id(code))
        return processing_slip(events, self._dossiers.calendar_of(dossier))

    def state_at(self, actor: Actor, code: str, at: datetime) -> DossierState:
        """The dossier as its events up to and including ``at`` make it."""
        current = self._dossiers.get(actor, code)
        version = 0
        for event in self._dossiers.events.get(dossier_id(code)):
            if event.timestamp > at:
                break
            version = event.originator_version
        if version == 0:
            raise DossierNotFound(f"{code} did not exist yet at {at.isoformat()}")
        return state_of(self._dossiers.repository.get(current.id, version=version), at)
