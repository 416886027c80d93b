"""SQL views of the dossier lookup index (SQLite for the embedded mode, PostgreSQL).

Both keep one table, ``dossier_index``: one row per dossier, the columns of
``DossierSummary`` plus ``queue_at`` (the worklist sort instant: the appointment, or the
submission instant before reception), with indexes for the three queries: ``code`` unique,
``(applicant_account, submitted_at, code)``, ``(current_unit, queue_at, code)`` and
``(receiving_unit, queue_at, code)``. ``units`` is a column (JSON text on SQLite, ``text[]`` on
PostgreSQL): worklist scope needs only the current and receiving units, so no join table.
Each view records the tracking position in the same transaction as its rows.

The submodules are not imported here, so each can be loaded without the other's driver state.
This module holds what both dialects share: column lists and how a change becomes assignments.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

from application.dossier_index import DossierSummary
from domain.dossier.status import FINAL_STATUSES
from projections.dossier_index import DossierChanged

TABLE = "dossier_index"

#: Columns of ``DossierSummary``, in declaration order (``queue_at`` is added by the views).
COLUMNS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(DossierSummary))

#: Columns holding instants (converted to/from the dialect's representation).
INSTANTS = frozenset(
    {"submitted_at", "received_at", "appointment", "original_due", "clock_stopped_since",
     "ended_at"}
)

#: Dossiers in these statuses are never overdue.
FINAL_STATUS_VALUES: tuple[str, ...] = tuple(sorted(status.value for status in FINAL_STATUSES))


def insert_values(row: DossierSummary) -> dict[str, Any]:
    """Column -> value for inserting ``row`` (Python values; dialects convert)."""
    values = {name: getattr(row, name) for name in COLUMNS}
    values["queue_at"] = row.queue_at
    return values


def assignments(change: DossierChanged) -> list[tuple[str, Any]]:
    """Column -> value pairs an update sets; ``queue_at`` follows a moved appointment.

    When the appointment becomes None (a wait at reception ends), ``queue_at`` must fall back to
    the submission instant: the views express that with ``COALESCE(value, submitted_at)``.
    """
    return [
        ("status", change.status),
        ("national_status", change.national_status),
        ("waiting", change.waiting),
        ("version", change.version),
        ("position", change.position),
        *change.fields,
    ]


def summary_from(
    record: Mapping[str, Any],
    instant: Callable[[Any], Any],
    units: Callable[[Any], tuple[str, ...]],
) -> DossierSummary:
    """A ``DossierSummary`` from a result row, converting instants and units."""
    values: dict[str, Any] = {}
    for name in COLUMNS:
        value = record[name]
        if name in INSTANTS:
            value = instant(value)
        elif name == "units":
            value = units(value)
        elif name == "waiting":
            value = bool(value)
        elif name == "id":
            value = str(value)
        values[name] = value
    return DossierSummary(**values)


__all__ = [
    "COLUMNS",
    "FINAL_STATUS_VALUES",
    "INSTANTS",
    "TABLE",
    "assignments",
    "insert_values",
    "summary_from",
]
