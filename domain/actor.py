"""Who did something: every dossier event records the authenticated actor.

The law (Circular 21/2023, processing-control slip) asks for the person, their role and their
unit at each step, so these travel inside every event rather than being looked up later:
an officer may change unit, but the slip must still say where they sat when they acted.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    CITIZEN = "citizen"
    RECEPTION_OFFICER = "reception_officer"
    HANDLING_OFFICER = "handling_officer"
    UNIT_LEADER = "unit_leader"
    ADMINISTRATOR = "administrator"
    AUDITOR = "auditor"
    ANALYST = "analyst"
    SYSTEM = "system"


OFFICER_ROLES = frozenset(
    {Role.RECEPTION_OFFICER, Role.HANDLING_OFFICER, Role.UNIT_LEADER}
)


@dataclass(frozen=True)
class Actor:
    """The authenticated person (or the system) behind a command."""

    id: str
    role: Role
    unit: str | None = None
    name: str = ""

    @property
    def is_officer(self) -> bool:
        return self.role in OFFICER_ROLES
