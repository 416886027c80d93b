"""The base of the domain's named errors: bilingual messages and the field to blame.

The API's single mapper turns any exception with ``code``, ``message_vi`` and ``message_en``
into a problem response, using ``http_status`` (422 unless said otherwise).
"""

from __future__ import annotations

from typing import Any, ClassVar


class BilingualError(Exception):
    code: ClassVar[str] = "domain-error"
    http_status: ClassVar[int] = 422

    def __init__(self, message_vi: str, message_en: str, *, field: str | None = None, **details: Any) -> None:
        super().__init__(message_en)
        self.message_vi = message_vi
        self.message_en = message_en
        self.field = field
        self.details = details
