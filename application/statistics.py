"""The statistics port: the processing-status report and Decision 766 indicators (DESIGN §3).

Implemented over ClickHouse in `adapters.clickhouse.reports`. Scope: a set of unit codes (a
unit with its sub-units: the caller expands it), optionally one procedure and one field, and an
inclusive range of local dates (Asia/Ho_Chi_Minh). "At the range's end" is the last instant of
the last local date.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import date

from application.errors import ServiceUnavailable


class StatisticsUnavailable(ServiceUnavailable):
    """The statistics store cannot be reached (503 with Retry-After); nothing else is affected."""

    code = "statistics-unavailable"
    message_vi = "Kho số liệu thống kê tạm thời không truy cập được"
    message_en = "The statistics store is temporarily unavailable"


@dataclass(frozen=True)
class Scope:
    units: frozenset[str]
    """Receiving units counted (a unit and its sub-units); empty means every unit."""
    date_from: date
    date_to: date
    procedure_code: str | None = None
    field: str | None = None


@dataclass(frozen=True)
class StatusReport:
    """Thống kê tình trạng giải quyết hồ sơ. Identities: received = carried_over + new =
    finished + in_progress; finished = early + on_time + late = completed + stopped +
    withdrawn; in_progress = within_deadline + overdue (waiting is a part of in_progress)."""

    received: int
    carried_over: int
    new: int
    new_online: int
    new_counter: int
    new_postal: int
    finished: int
    early: int
    on_time: int
    late: int
    completed: int
    stopped: int
    withdrawn: int
    in_progress: int
    within_deadline: int
    overdue: int
    waiting: int
    returned: int
    refused: int


@dataclass(frozen=True)
class Ratio:
    """A ratio with its parts; `value` is None when the denominator is empty."""

    numerator: float
    denominator: int

    @property
    def value(self) -> float | None:
        return None if self.denominator == 0 else self.numerator / self.denominator


@dataclass(frozen=True)
class ServiceIndex:
    """Decision 766 dossier indicators; `average_processing_days` is a mean (sum / count)."""

    on_time_rate: Ratio
    average_processing_days: Ratio
    share_online: Ratio
    share_paid_online: Ratio
    share_electronic_result: Ratio
    share_digitised: Ratio
    share_reusing_data: Ratio
    satisfaction: Ratio


@dataclass(frozen=True)
class PublicSummary:
    """What the portal shows per unit: counts and rates, no personal data."""

    received: int
    finished: int
    finished_on_time: int
    in_progress: int
    on_time_rate: Ratio
    satisfaction: Ratio


class Statistics(ABC):
    @abstractmethod
    def status_report(self, scope: Scope) -> StatusReport: ...

    @abstractmethod
    def service_index(self, scope: Scope) -> ServiceIndex: ...

    @abstractmethod
    def public_summary(self, scope: Scope) -> PublicSummary: ...

    @abstractmethod
    def position(self) -> int:
        """The last notification id of the Dossiers store the statistics cover."""


__all__ = ["PublicSummary", "Ratio", "Scope", "ServiceIndex", "Statistics", "StatisticsUnavailable",
           "StatusReport"]
