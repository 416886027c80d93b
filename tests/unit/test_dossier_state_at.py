"""The dossier as it was at an instant: the version found by bisection is the one a full replay finds.

``DossierAudit.state_at`` reads about log2(n) single events instead of the whole stream. These
tests compare it, at every instant that matters (each event's own instant, just before and just
after it, runs of events recorded at one instant), with the linear answer: the last event at or
before the instant, folded from the start.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from eventsourcing.application import project_aggregate

from application.access_log import AccessContext
from application.clock import SimulatedClock
from application.dossier_audit import DossierAudit
from application.dossier_views import state_of
from application.dossiers import Dossiers, Submission
from application.errors import DossierNotFound
from domain.actor import Actor, Role
from tests.unit.test_dossiers_application import app, clock  # noqa: F401 - fixtures used by name

CITIZEN = Actor(id="citizen-1", role=Role.CITIZEN, name="Nguyễn Văn An")
RECEPTION = Actor(id="officer-1", role=Role.RECEPTION_OFFICER, unit="000.00.01.H22", name="Lê Văn Cường")
AUDITOR = Actor(id="auditor-1", role=Role.AUDITOR, name="Thanh Tra")
WHY = AccessContext(ip="127.0.0.1", reason="Thanh tra theo kế hoạch")


def a_long_dossier(app: Dossiers, clock: SimulatedClock, messages: int) -> str:
    """Submitted, received, then `messages` messages: every third one at the same instant as the
    one before it (a busy minute), the others minutes apart; past a snapshot (every 50)."""
    code = app.submit(CITIZEN, Submission(procedure_code="2.001610", channel="online",
                                          applicant={"name": "Nguyễn Văn An"}, form={})).code
    clock.advance(timedelta(minutes=3))
    version = app.receive(RECEPTION, code, 1).version
    for i in range(messages):
        if i % 3:
            clock.advance(timedelta(minutes=1 + i % 4))
        version = app.post_message(CITIZEN, code, version, text=f"Tin nhắn {i}").version
    return code


def linear_version(app: Dossiers, code: str, at: datetime) -> int:
    events = list(app.events.get(app.load(code).id))
    return max((e.originator_version for e in events if e.timestamp <= at), default=0)


def test_the_state_at_every_instant_is_the_replay_up_to_the_last_event_at_or_before_it(app, clock):
    code = a_long_dossier(app, clock, messages=70)
    audit = DossierAudit(app)
    events = list(app.events.get(app.load(code).id))
    instants = {e.timestamp + d for e in events for d in (timedelta(0), -timedelta(microseconds=1),
                                                           timedelta(seconds=30))}

    for at in sorted(instants):
        expected = linear_version(app, code, at)
        if expected == 0:
            with pytest.raises(DossierNotFound):
                audit.state_at(AUDITOR, code, at, WHY)
            continue
        state = audit.state_at(AUDITOR, code, at, WHY)
        assert state.version == expected, at
        assert state == state_of(project_aggregate(None, events[:expected]), at)


def test_the_state_at_or_after_the_last_event_is_the_current_dossier(app, clock):
    code = a_long_dossier(app, clock, messages=5)
    audit = DossierAudit(app)
    current = app.load(code)

    for at in (current.modified_on, current.modified_on + timedelta(days=400)):
        assert audit.state_at(AUDITOR, code, at, WHY) == state_of(current, at)
