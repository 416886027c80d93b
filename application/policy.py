"""Who may do what: the one policy module every handler declares its needs to.

Roles gate commands (a citizen cannot receive a dossier); scope gates data (an officer sees the
dossiers of their unit and its sub-units; a citizen only their own). Seeing another citizen's
dossier is reported as "not found", never "forbidden", so dossier codes cannot be probed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Protocol

from application.errors import AccessDenied, DossierNotFound
from domain.actor import OFFICER_ROLES, Actor, Role

R, H, L = Role.RECEPTION_OFFICER, Role.HANDLING_OFFICER, Role.UNIT_LEADER
OFFICERS = frozenset(OFFICER_ROLES)
ScopeOf = Callable[[str], frozenset[str]]

COMMAND_ROLES: dict[str, frozenset[Role]] = {
    "submit": frozenset({Role.CITIZEN, R}),
    "supplement": frozenset({Role.CITIZEN, R}),
    "request_withdrawal": frozenset({Role.CITIZEN, R}),
    "rate": frozenset({Role.CITIZEN}),
    "post_message": frozenset({Role.CITIZEN, R, H, L}),
    "attach_document": frozenset({Role.CITIZEN, R, H, L}),
    "receive": frozenset({R}),
    "refuse": frozenset({R}),
    "request_supplement": frozenset({R, H, L}),
    "hand_over": frozenset({R, H, L}),
    "request_fee": frozenset({R, H, L}),
    "record_fee_payment": frozenset({R}),
    "request_opinion": frozenset({H, L}),
    "give_opinion": frozenset({H, L}),
    "extend_deadline": frozenset({H, L}),
    "approve_result": frozenset({L}),
    "stop_processing": frozenset({H, L}),
    "accept_withdrawal": frozenset({R, H, L}),
    "complete": frozenset({R, H, L}),
    "return_result": frozenset({R}),
}

READ_ROLES = OFFICERS | {Role.AUDITOR}


class DossierScope(Protocol):
    """What the policy needs to know about a dossier to decide visibility."""

    applicant_account: str
    units: Iterable[str]


def check_command_allowed(actor: Actor, command: str) -> None:
    allowed = COMMAND_ROLES.get(command)
    if allowed is None or actor.role not in allowed:
        raise AccessDenied(f"role {actor.role.value} may not {command}")


def check_can_see(actor: Actor, dossier: DossierScope, scope_of: Callable[[str], frozenset[str]], code: str = "") -> None:
    """Raise DossierNotFound when the actor must not learn that the dossier exists."""
    if actor.role == Role.CITIZEN:
        if dossier.applicant_account != actor.id:
            raise DossierNotFound(code)
        return
    if actor.role == Role.AUDITOR:
        return
    if actor.role in OFFICERS and actor.unit:
        scope = scope_of(actor.unit)
        if any(unit in scope for unit in dossier.units):
            return
    raise DossierNotFound(code)


def officer_scope(actor: Actor, scope_of: Callable[[str], frozenset[str]]) -> frozenset[str]:
    if actor.role not in OFFICERS or not actor.unit:
        raise AccessDenied("only officers have worklists")
    return scope_of(actor.unit)


# Statistics: analysts, administrators and auditors read any unit; a unit leader reads their own
# unit and the units below it (asking for another unit is refused, not silently narrowed).
PROVINCE_WIDE_READERS = frozenset({Role.ANALYST, Role.ADMINISTRATOR, Role.AUDITOR})
STATISTICS_READERS = PROVINCE_WIDE_READERS | {Role.UNIT_LEADER}


def statistics_units(actor: Actor | None, unit: str | None, scope_of: ScopeOf) -> frozenset[str]:
    """The receiving units counted: ``unit`` with its sub-units; empty means every unit."""
    if actor is not None and actor.role not in PROVINCE_WIDE_READERS:
        own = scope_of(actor.unit) if actor.unit else frozenset()
        if unit is None:
            return own or frozenset({"-"})
        if unit not in own:
            raise AccessDenied("statistics of units outside your own are not available to you", field="unit")
    return scope_of(unit) if unit else frozenset()
