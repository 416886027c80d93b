"""Aggregate ids derived from public identifiers, so no command waits for an index.

A dossier's public identifier is its code; its aggregate id is `uuid5(NAMESPACE, code)`. The
code counter of a unit and local day likewise has an id anyone can compute. These namespaces
are part of the stored data: changing them orphans every stream, so they are literals.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid5

#: uuid5(NAMESPACE_URL, "urn:motcua:dossier"); never change.
NAMESPACE = UUID("a34cd680-e353-5f3f-b969-afc9f8d5a524")

#: uuid5(NAMESPACE_URL, "urn:motcua:dossier-code-counter"); never change.
COUNTER_NAMESPACE = UUID("77e53ee6-4f3f-552e-a4bb-bbd4f7a08852")


def dossier_id(code: str) -> UUID:
    """The aggregate id of the dossier with this (canonical) code."""
    return uuid5(NAMESPACE, code)


def counter_id(unit_code: str, local_date: date) -> UUID:
    """The aggregate id of the code counter of one unit on one local date."""
    return uuid5(COUNTER_NAMESPACE, f"{unit_code}/{local_date.isoformat()}")
