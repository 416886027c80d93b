"""The public catalogue's read side: search and one procedure, served from a projection.

Text is folded for matching: lower case, Vietnamese diacritics removed and ``đ`` as ``d``,
anything that is not a letter or digit a space. "Cấp giấy phép xây dựng" and "cap giay phep
xay dung" fold alike, so a citizen typing without accents finds it. The ranking is the same on
every store because it is computed from folded text only:

1. the folded query as a phrase (whole words) in the name;
2. every query word (as a prefix) in the name;
3. every query word (as a prefix) in the name, field, description or code;

then by folded name and code. Searches list published procedures; a suspended or withdrawn
one is still found by ``get`` (with its status), so a pinned dossier's link keeps working.
"""

from __future__ import annotations

import unicodedata
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any

from application.errors import ApplicationError

MAX_PAGE_SIZE = 100
MAX_WORDS = 12


def fold(text: str) -> str:
    """Case- and diacritics-insensitive form of ``text``: ASCII words separated by one space."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
    return " ".join("".join(ch if ch.isalnum() else " " for ch in plain).split())


def words(query: str) -> list[str]:
    """Distinct folded words of a query, in order (bounded, so a query stays cheap)."""
    seen: list[str] = []
    for word in fold(query).split():
        if word not in seen:
            seen.append(word)
    return seen[:MAX_WORDS]


class InvalidSearch(ApplicationError):
    code = "invalid-search"
    message_vi = "Tham số tìm kiếm không hợp lệ"
    message_en = "Invalid search parameters"
    http_status = 422


@dataclass(frozen=True)
class CatalogueQuery:
    text: str = ""
    field: str | None = None
    unit: str | None = None
    service_level: str | None = None
    channel: str | None = None
    fee_free: bool | None = None
    page: int = 1
    page_size: int = 20

    def __post_init__(self) -> None:
        if self.page < 1 or not 1 <= self.page_size <= MAX_PAGE_SIZE:
            raise InvalidSearch(f"page >= 1 and 1 <= pageSize <= {MAX_PAGE_SIZE}", field="pageSize")

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size


@dataclass(frozen=True)
class CatalogueEntry:
    """One procedure's current published version, as the public sees it."""

    id: str
    code: str
    version: int
    name: str
    field: str
    service_level: str
    channels: tuple[str, ...]
    units: tuple[str, ...]
    fee_free: bool
    status: str
    document: dict[str, Any]
    """The version's public terms (camelCase), e-form schema excluded (``getProcedureForm``)."""


@dataclass(frozen=True)
class CataloguePage:
    items: list[CatalogueEntry]
    total: int
    page: int
    page_size: int


class CatalogueSearch(ABC):
    """Port: the projection's SQL views implement it (SQLite FTS5, PostgreSQL full-text)."""

    @abstractmethod
    def search(self, query: CatalogueQuery) -> CataloguePage: ...

    @abstractmethod
    def get_entry(self, code: str) -> CatalogueEntry | None: ...

    @abstractmethod
    def position(self) -> int:
        """The last notification id of the Procedures store applied."""

    @abstractmethod
    def wait_for(self, position: int, timeout: float) -> bool: ...
