"""Administrative divisions (provinces and communes after the 2025 reform): a read-only port.

The data is national reference data that the state publishes, not something a province edits;
it comes from a maintained package (``adapters.catalogue.divisions``), so the application only
sees this interface and a new release of the data never needs a migration here.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

from application.catalogue_records import Page
from application.errors import ApplicationError

MAX_DIVISION_PAGE = 500


class UnknownProvince(ApplicationError):
    code = "unknown-province"
    message_vi = "Không có tỉnh, thành phố với mã này"
    message_en = "There is no province with this code"
    http_status = 404


@dataclass(frozen=True)
class Division:
    code: int
    name: str
    level: str  # province / commune
    division_type: str  # tỉnh, thành phố trung ương, xã, phường, đặc khu
    province_code: int | None  # a commune's province


class DivisionReference(ABC):
    @abstractmethod
    def provinces(self) -> list[Division]: ...

    @abstractmethod
    def communes(self, province_code: int) -> list[Division]:
        """Raises ``UnknownProvince``."""

    @property
    @abstractmethod
    def data_version(self) -> str: ...

    def page(self, province: int | None, page: int, page_size: int) -> Page:
        """Provinces, or the communes of one province (some hundreds), one page at a time."""
        items = self.provinces() if province is None else self.communes(province)
        size = max(1, min(page_size, MAX_DIVISION_PAGE))
        start = (max(page, 1) - 1) * size
        return Page(items=items[start:start + size], total=len(items), page=max(page, 1), page_size=size)
