"""Where a dossier stands: our local statuses and the ten national codes they map to.

The National Public Service Portal only knows ten codes (DESIGN §3). Officers need finer
distinctions (is it waiting for another unit's opinion? already signed?), and a supplement
asked at the counter differs from one asked during processing (no clock is running yet, and
only a received dossier can be stopped), so the local catalogue is richer and each local
status maps to exactly one national code.
"""

from __future__ import annotations

from enum import IntEnum, StrEnum
from types import MappingProxyType


class NationalStatus(IntEnum):
    """The ten status codes of `DongBoHoSoMC.TrangThaiHoSo`."""

    NEWLY_REGISTERED = 1  # Mới đăng ký
    RECEIVED = 2  # Được tiếp nhận
    NOT_RECEIVED = 3  # Không được tiếp nhận
    PROCESSING = 4  # Đang xử lý
    SUPPLEMENT_REQUESTED = 5  # Yêu cầu bổ sung giấy tờ
    FINANCIAL_OBLIGATION_REQUESTED = 6  # Yêu cầu thực hiện nghĩa vụ tài chính
    WITHDRAWAL_REQUESTED = 7  # Công dân yêu cầu rút hồ sơ
    STOPPED = 8  # Dừng xử lý
    PROCESSED = 9  # Đã xử lý xong
    RESULT_RETURNED = 10  # Đã trả kết quả

    @property
    def label_vi(self) -> str:
        return NATIONAL_LABELS_VI[self]


NATIONAL_LABELS_VI: MappingProxyType[NationalStatus, str] = MappingProxyType(
    {
        NationalStatus.NEWLY_REGISTERED: "Mới đăng ký",
        NationalStatus.RECEIVED: "Được tiếp nhận",
        NationalStatus.NOT_RECEIVED: "Không được tiếp nhận",
        NationalStatus.PROCESSING: "Đang xử lý",
        NationalStatus.SUPPLEMENT_REQUESTED: "Yêu cầu bổ sung giấy tờ",
        NationalStatus.FINANCIAL_OBLIGATION_REQUESTED: "Yêu cầu thực hiện nghĩa vụ tài chính",
        NationalStatus.WITHDRAWAL_REQUESTED: "Công dân yêu cầu rút hồ sơ",
        NationalStatus.STOPPED: "Dừng xử lý",
        NationalStatus.PROCESSED: "Đã xử lý xong",
        NationalStatus.RESULT_RETURNED: "Đã trả kết quả",
    }
)


class LocalStatus(StrEnum):
    """The local status catalogue; values are what events store (`status` field)."""

    SUBMITTED = "submitted"
    AWAITING_SUPPLEMENT_AT_RECEPTION = "awaiting_supplement_at_reception"
    AWAITING_PAYMENT_AT_RECEPTION = "awaiting_payment_at_reception"
    REFUSED = "refused"
    RECEIVED = "received"
    PROCESSING = "processing"
    CONSULTING = "consulting"
    APPROVED = "approved"
    AWAITING_SUPPLEMENT = "awaiting_supplement"
    AWAITING_PAYMENT = "awaiting_payment"
    WITHDRAWAL_REQUESTED = "withdrawal_requested"
    WITHDRAWN = "withdrawn"
    STOPPED = "stopped"
    COMPLETED = "completed"
    RETURNED = "returned"

    @property
    def national(self) -> NationalStatus:
        return NATIONAL_CODE[self]

    @property
    def label_vi(self) -> str:
        return LOCAL_LABELS_VI[self]

    @property
    def is_final(self) -> bool:
        return self in FINAL_STATUSES


NATIONAL_CODE: MappingProxyType[LocalStatus, NationalStatus] = MappingProxyType(
    {
        LocalStatus.SUBMITTED: NationalStatus.NEWLY_REGISTERED,
        LocalStatus.AWAITING_SUPPLEMENT_AT_RECEPTION: NationalStatus.SUPPLEMENT_REQUESTED,
        LocalStatus.AWAITING_PAYMENT_AT_RECEPTION: NationalStatus.FINANCIAL_OBLIGATION_REQUESTED,
        LocalStatus.REFUSED: NationalStatus.NOT_RECEIVED,
        LocalStatus.RECEIVED: NationalStatus.RECEIVED,
        LocalStatus.PROCESSING: NationalStatus.PROCESSING,
        LocalStatus.CONSULTING: NationalStatus.PROCESSING,
        LocalStatus.APPROVED: NationalStatus.PROCESSING,
        LocalStatus.AWAITING_SUPPLEMENT: NationalStatus.SUPPLEMENT_REQUESTED,
        LocalStatus.AWAITING_PAYMENT: NationalStatus.FINANCIAL_OBLIGATION_REQUESTED,
        LocalStatus.WITHDRAWAL_REQUESTED: NationalStatus.WITHDRAWAL_REQUESTED,
        LocalStatus.WITHDRAWN: NationalStatus.WITHDRAWAL_REQUESTED,
        LocalStatus.STOPPED: NationalStatus.STOPPED,
        LocalStatus.COMPLETED: NationalStatus.PROCESSED,
        LocalStatus.RETURNED: NationalStatus.RESULT_RETURNED,
    }
)

LOCAL_LABELS_VI: MappingProxyType[LocalStatus, str] = MappingProxyType(
    {
        LocalStatus.SUBMITTED: "Mới đăng ký",
        LocalStatus.AWAITING_SUPPLEMENT_AT_RECEPTION: "Chờ bổ sung giấy tờ (khi tiếp nhận)",
        LocalStatus.AWAITING_PAYMENT_AT_RECEPTION: (
            "Chờ thực hiện nghĩa vụ tài chính (khi tiếp nhận)"
        ),
        LocalStatus.REFUSED: "Không được tiếp nhận",
        LocalStatus.RECEIVED: "Được tiếp nhận",
        LocalStatus.PROCESSING: "Đang xử lý",
        LocalStatus.CONSULTING: "Đang lấy ý kiến đơn vị khác",
        LocalStatus.APPROVED: "Đã phê duyệt kết quả",
        LocalStatus.AWAITING_SUPPLEMENT: "Chờ bổ sung giấy tờ",
        LocalStatus.AWAITING_PAYMENT: "Chờ thực hiện nghĩa vụ tài chính",
        LocalStatus.WITHDRAWAL_REQUESTED: "Công dân yêu cầu rút hồ sơ",
        LocalStatus.WITHDRAWN: "Đã rút hồ sơ",
        LocalStatus.STOPPED: "Dừng xử lý",
        LocalStatus.COMPLETED: "Đã xử lý xong",
        LocalStatus.RETURNED: "Đã trả kết quả",
    }
)

#: Nothing but a rating (after the result was returned) happens in these.
FINAL_STATUSES = frozenset(
    {LocalStatus.REFUSED, LocalStatus.WITHDRAWN, LocalStatus.STOPPED, LocalStatus.RETURNED}
)

#: Waiting for the applicant (documents or money); the clock may or may not be stopped.
AWAITING_STATUSES = frozenset(
    {
        LocalStatus.AWAITING_SUPPLEMENT_AT_RECEPTION,
        LocalStatus.AWAITING_PAYMENT_AT_RECEPTION,
        LocalStatus.AWAITING_SUPPLEMENT,
        LocalStatus.AWAITING_PAYMENT,
    }
)


class Outcome(StrEnum):
    """How a finished, received dossier fared against its wait-adjusted due instant."""

    EARLY = "early"
    ON_TIME = "on_time"
    LATE = "late"


class Channel(StrEnum):
    """How the dossier was filed; `national_code` is `KenhThucHien` of `DongBoHoSoMC`."""

    ONLINE = "online"
    COUNTER = "counter"
    POSTAL = "postal"

    @property
    def national_code(self) -> int:
        return {Channel.COUNTER: 1, Channel.ONLINE: 2, Channel.POSTAL: 3}[self]


class ReturnMethod(StrEnum):
    """How the result reached the applicant."""

    COUNTER = "counter"
    POST = "post"
    ONLINE = "online"
