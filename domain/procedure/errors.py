"""Named errors of the procedure catalogue domain (bilingual, with the field to blame).

The API's single mapper turns any exception with ``code``, ``message_vi`` and ``message_en``
into a problem response, using ``http_status`` (422 unless said otherwise).
"""

from __future__ import annotations

from typing import ClassVar

from domain.errors import BilingualError


class ProcedureError(BilingualError):
    code: ClassVar[str] = "procedure-error"


class InvalidTerms(ProcedureError):
    """A value of a procedure version breaks a catalogue rule."""

    code = "invalid-procedure-terms"


class InvalidNationalCode(ProcedureError):
    code = "invalid-national-code"

    def __init__(self, value: str) -> None:
        super().__init__(
            f"Mã thủ tục hành chính '{value}' không đúng định dạng (ví dụ 1.009994).",
            f"National procedure code '{value}' is malformed (e.g. 1.009994).",
            field="code",
        )


class StepsDoNotSum(ProcedureError):
    code = "steps-do-not-sum"

    def __init__(self, total: int, expected: int) -> None:
        super().__init__(
            f"Tổng thời gian các bước quy trình nội bộ ({total} giờ) phải bằng thời hạn giải quyết ({expected} giờ làm việc).",
            f"The internal steps add up to {total} working hours; the processing time is {expected}.",
            field="steps", total=total, expected=expected,
        )


class PublishedVersionImmutable(ProcedureError):
    code = "published-version-immutable"
    http_status = 409

    def __init__(self, version: int) -> None:
        super().__init__(
            f"Phiên bản {version} đã công bố, không được sửa; hãy tạo phiên bản sửa đổi.",
            f"Version {version} is published and cannot change; revise the procedure instead.",
            field="version", version=version,
        )


class NoDraft(ProcedureError):
    code = "no-draft-version"
    http_status = 409

    def __init__(self, version: int | None = None) -> None:
        which = f" {version}" if version is not None else ""
        super().__init__(
            f"Không có bản dự thảo{which} để thực hiện thao tác này.",
            f"There is no draft version{which} to act on.",
            field="version",
        )


class DraftAlreadyOpen(ProcedureError):
    code = "draft-already-open"
    http_status = 409

    def __init__(self, version: int) -> None:
        super().__init__(
            f"Đang có bản dự thảo phiên bản {version}; hãy công bố hoặc sửa bản đó.",
            f"Draft version {version} is already open; publish or amend it.",
            field="version", version=version,
        )


class NotPublished(ProcedureError):
    code = "procedure-not-published"
    http_status = 409

    def __init__(self) -> None:
        super().__init__("Thủ tục chưa có phiên bản được công bố.", "The procedure has no published version.")


class AlreadySuspended(ProcedureError):
    code = "procedure-already-suspended"
    http_status = 409

    def __init__(self) -> None:
        super().__init__("Thủ tục đang bị tạm dừng.", "The procedure is already suspended.")


class NotSuspended(ProcedureError):
    code = "procedure-not-suspended"
    http_status = 409

    def __init__(self) -> None:
        super().__init__("Thủ tục không bị tạm dừng.", "The procedure is not suspended.")


class ProcedureWithdrawn(ProcedureError):
    code = "procedure-withdrawn"
    http_status = 409

    def __init__(self) -> None:
        super().__init__("Thủ tục đã bị bãi bỏ.", "The procedure has been withdrawn.")


class ReasonRequired(ProcedureError):
    code = "reason-required"

    def __init__(self) -> None:
        super().__init__("Cần nêu lý do.", "A reason is required.", field="reason")
