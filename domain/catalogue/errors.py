"""Named errors of the shared catalogues (bilingual, with the field to blame).

Like ``domain.procedure.errors``: the API's one mapper turns anything with ``code``,
``message_vi`` and ``message_en`` into an RFC 9457 problem, with ``http_status`` (422 unless
said otherwise).
"""

from __future__ import annotations

from typing import ClassVar

from domain.errors import BilingualError


class CatalogueError(BilingualError):
    code: ClassVar[str] = "catalogue-error"


class InvalidEntry(CatalogueError):
    """A value of an entry is empty, too long or malformed."""

    code = "invalid-catalogue-entry"


class InvalidUnitCode(CatalogueError):
    code = "invalid-unit-code"

    def __init__(self, value: str, field: str = "code") -> None:
        super().__init__(
            f"Mã định danh đơn vị '{value}' không đúng định dạng (ví dụ 000.00.01.H22).",
            f"Unit identifier code '{value}' is malformed (e.g. 000.00.01.H22).",
            field=field,
        )


class UnknownUnit(CatalogueError):
    code = "unknown-unit"

    def __init__(self, value: str, field: str = "parent") -> None:
        super().__init__(
            f"Đơn vị '{value}' không có trong danh mục.",
            f"Unit '{value}' is not in the catalogue.",
            field=field,
        )


class UnitCycle(CatalogueError):
    code = "unit-hierarchy-cycle"

    def __init__(self, code: str, parent: str) -> None:
        super().__init__(
            f"Không thể đặt '{parent}' làm đơn vị cấp trên của '{code}': cây đơn vị sẽ có vòng lặp.",
            f"'{parent}' cannot be the parent of '{code}': the unit hierarchy would have a cycle.",
            field="parent",
        )


class UnitHasActiveChildren(CatalogueError):
    code = "unit-has-active-children"
    http_status = 409

    def __init__(self, code: str, children: list[str]) -> None:
        super().__init__(
            f"Đơn vị '{code}' còn đơn vị trực thuộc đang hoạt động: {', '.join(children)}.",
            f"Unit '{code}' still has active units below it: {', '.join(children)}.",
            field="active",
        )


class DateBothOffAndWorking(CatalogueError):
    code = "date-both-off-and-working"

    def __init__(self, dates: list[str]) -> None:
        listed = ", ".join(dates)
        super().__init__(
            f"Một ngày không thể vừa là ngày nghỉ vừa là ngày làm bù: {listed}.",
            f"A date cannot be both a day off and a make-up working day: {listed}.",
            field="workingDays",
        )


class DateOutsideYear(CatalogueError):
    code = "date-outside-year"

    def __init__(self, value: str, year: int) -> None:
        super().__init__(
            f"Ngày {value} không thuộc năm {year}.",
            f"Date {value} is not in the year {year}.",
            field="date",
        )


class UnknownLocalStatus(CatalogueError):
    code = "unknown-local-status"

    def __init__(self, value: str) -> None:
        super().__init__(
            f"Trạng thái '{value}' không có trong danh mục trạng thái của hệ thống.",
            f"'{value}' is not one of the system's local dossier statuses.",
            field="status",
        )


class UnknownNationalStatus(CatalogueError):
    code = "unknown-national-status"

    def __init__(self, value: object) -> None:
        super().__init__(
            f"Mã trạng thái quốc gia '{value}' không hợp lệ (từ 1 đến 10).",
            f"National status code '{value}' is not one of the ten codes (1 to 10).",
            field="nationalCode",
        )


class InvalidCode(CatalogueError):
    code = "invalid-catalogue-code"

    def __init__(self, value: str, field: str = "code") -> None:
        super().__init__(
            f"Mã '{value}' không hợp lệ (chữ in hoa, chữ số, dấu chấm, gạch ngang hoặc gạch dưới; tối đa 40 ký tự).",
            f"Code '{value}' is malformed (capital letters, digits, '.', '-' or '_'; at most 40 characters).",
            field=field,
        )
