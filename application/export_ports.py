"""Ports of the statistics exports: where the rows come from and where the files go.

The rows of a dossier export are streamed (an iterator inside a context that holds the query
open), never collected, so a province-year of dossiers leaves the process's memory flat; the
file is written to a temporary name and renamed into place only when complete, so a reader
never sees half a file and a crashed job leaves nothing that looks finished.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, BinaryIO

from application.statistics import Scope

DOSSIER_COLUMNS: tuple[str, ...] = (
    "code", "receiving_unit", "procedure_code", "procedure_version", "field", "channel",
    "population", "state_at_end", "waiting_at_end", "end_kind", "outcome",
    "submitted_at", "received_at", "due_at", "original_due_at", "ended_at", "returned_at", "refused_at",
    "supplement_requests", "waits", "extensions", "fee_amount", "paid_online", "electronic_result",
    "documents", "digitised_documents", "reused_documents", "rating", "net_working_days",
)
"""The per-dossier export's columns (documented in docs/statistics.md), one row per dossier as it
stood at the range's end: ``population`` is ``carried_over``, ``new`` or ``refused``;
``state_at_end`` is ``finished``, ``within_deadline``, ``overdue`` or ``refused``. Instants are
local ISO 8601 with their offset; booleans ``true``/``false``; absent values empty."""

REPORT_COLUMNS: tuple[str, ...] = ("figure", "value", "numerator", "denominator")

Cell = str | int | float | None


@dataclass(frozen=True)
class ExportFile:
    name: str
    rows: int
    sha256: str
    size: int


class DossierRows(ABC):
    """The dossier rows behind the status report of a scope, in ``DOSSIER_COLUMNS`` order."""

    @abstractmethod
    def stream(self, scope: Scope) -> AbstractContextManager[Iterator[Sequence[Cell]]]:
        """Rows ordered by dossier code; raises ``StatisticsUnavailable`` when unreachable."""


class ExportFiles(ABC):
    """Finished export files, written atomically."""

    @abstractmethod
    def write(self, stem: str, format: str, sheet: str, columns: Sequence[str],
              rows: Iterable[Sequence[Cell]]) -> ExportFile:
        """Write ``rows`` under a temporary name, then rename it to ``<stem>.<format>``."""

    @abstractmethod
    def open(self, name: str) -> BinaryIO:
        """Raises ``FileNotFoundError`` when the file is gone (removed after its retention)."""

    @abstractmethod
    def remove(self, name: str) -> None: ...

    @abstractmethod
    def purge(self, older_than: datetime) -> int:
        """Remove files (and abandoned partial files) last written before ``older_than``."""


def cell(value: Any) -> Cell:
    """Booleans as ``true``/``false`` (not 1/0) so that a spreadsheet does not sum them by mistake."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value  # type: ignore[no-any-return]


__all__ = ["Cell", "DOSSIER_COLUMNS", "DossierRows", "ExportFile", "ExportFiles", "REPORT_COLUMNS", "cell"]
