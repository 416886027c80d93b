"""Ports for what the dossier service needs to know about procedures and units.

The procedure catalogue issue replaces what stands behind these ports (an event-sourced,
versioned ``Procedure`` aggregate); the dossier service only ever sees these value objects, so
it will not change. A dossier pins ``(code, version)``: the version's processing time and steps
are copied into its Submitted event, so later edits never move an issued deadline.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ProcedureStep:
    name: str
    unit: str
    role: str
    hours: int


@dataclass(frozen=True)
class TimeLimit:
    value: int
    unit: str  # domain.calendar.TimeUnit value


@dataclass(frozen=True)
class ProcedureVersion:
    code: str
    version: int
    name: str
    field: str
    receiving_units: tuple[str, ...]
    handling_unit: str
    service_level: str
    channels: tuple[str, ...]
    processing_time: dict[str, TimeLimit]
    fee_stops_clock: bool
    fee: int
    steps: tuple[ProcedureStep, ...] = field(default_factory=tuple)
    # Filled by the event-sourced catalogue (application.procedures); the seed stand-in leaves
    # the defaults. Lists of plain dicts as the Procedure aggregate keeps them (snake_case).
    description: str = ""
    implementing_units: tuple[str, ...] = field(default_factory=tuple)
    fees: tuple[dict[str, Any], ...] = field(default_factory=tuple)
    components: tuple[dict[str, Any], ...] = field(default_factory=tuple)
    form_schema: dict[str, Any] | None = None
    result_documents: tuple[str, ...] = field(default_factory=tuple)
    legal_basis: tuple[str, ...] = field(default_factory=tuple)
    guidance: str = ""
    source: str = ""
    status: str = "published"  # published / suspended / withdrawn / draft

    def time_limit_for(self, channel: str) -> TimeLimit:
        """Online filings may have their own limit; postal filings follow the counter's."""
        return self.processing_time.get("online" if channel == "online" else "counter") or next(
            iter(self.processing_time.values())
        )


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    parent: str | None


class ProcedureCatalogue(ABC):
    @abstractmethod
    def get(self, code: str, version: int | None = None) -> ProcedureVersion:
        """The given version, or the current published one; raises ProcedureNotFound."""

    @abstractmethod
    def list(self) -> list[ProcedureVersion]:
        """Current versions, for demos and simple listings."""


class UnitDirectory(ABC):
    @abstractmethod
    def get_unit(self, code: str) -> Unit | None: ...

    @abstractmethod
    def all(self) -> list[Unit]: ...

    def descendants(self, code: str) -> frozenset[str]:
        """The unit and every unit below it: an officer's scope of visibility."""
        children: dict[str | None, list[str]] = {}
        for unit in self.all():
            children.setdefault(unit.parent, []).append(unit.code)
        seen: set[str] = set()
        stack = [code]
        while stack:
            current = stack.pop()
            if current in seen:
                continue
            seen.add(current)
            stack.extend(children.get(current, []))
        return frozenset(seen)
