"""What the shared catalogues hand out: plain, frozen records (the API turns them into Structs).

Every record says who changed it last and when, so the public lists already answer an
auditor's first question; the full story is ``SharedCatalogues.history``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

KINDS = ("units", "holidays", "fields", "document-types", "statuses")
"""The catalogues an administrator maintains (divisions are read-only reference data)."""


@dataclass(frozen=True)
class UnitEntry:
    code: str
    name: str
    parent: str | None
    division_code: str | None
    active: bool
    changed_by: str
    changed_at: str


@dataclass(frozen=True)
class HolidayEntry:
    unit: str
    date: str
    kind: str  # day_off / working_day
    name: str
    changed_by: str
    changed_at: str


@dataclass(frozen=True)
class HolidayYear:
    """What an administrator writes at once: a unit's (or ``*``) days of one year."""

    unit: str
    year: int
    days_off: dict[str, str] = field(default_factory=dict)
    working_days: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class NamedEntry:
    """A field (lĩnh vực) or a document type."""

    code: str
    name: str
    changed_by: str
    changed_at: str


@dataclass(frozen=True)
class StatusEntry:
    status: str
    label_vi: str
    label_en: str
    national_code: int
    changed_by: str
    changed_at: str


@dataclass(frozen=True)
class ChangeRecord:
    """One event of a catalogue, as an auditor reads it."""

    kind: str
    event: str
    key: str
    actor_id: str
    at: str
    version: int
    details: dict[str, Any]


@dataclass(frozen=True)
class Page:
    items: list[Any]
    total: int
    page: int
    page_size: int
