"""Named domain errors: what the API turns into RFC 9457 problem details (DESIGN §5).

Each error carries a stable `code` slug (the problem `type`), a Vietnamese and an English
message (the bilingual `title`), and the offending `field` where one is to blame, so the API
maps them once, generically, without parsing messages.
"""

from __future__ import annotations

from typing import Any, ClassVar

from domain.dossier.status import LocalStatus


class DossierError(Exception):
    """Base of every rule the dossier domain refuses to break."""

    code: ClassVar[str] = "dossier-error"

    def __init__(
        self, message_vi: str, message_en: str, *, field: str | None = None, **details: Any
    ) -> None:
        super().__init__(message_en)
        self.message_vi = message_vi
        self.message_en = message_en
        self.field = field
        self.details = details

    def as_dict(self) -> dict[str, Any]:
        """A plain rendering for problem details and logs."""
        return {
            "code": self.code,
            "message_vi": self.message_vi,
            "message_en": self.message_en,
            "field": self.field,
            **self.details,
        }


class TransitionNotAllowed(DossierError):
    code = "transition-not-allowed"

    def __init__(self, status: str, command: str) -> None:
        try:
            label = LocalStatus(status).label_vi
        except ValueError:
            label = status
        super().__init__(
            f"Không thể thực hiện '{command}' khi hồ sơ đang ở trạng thái '{label}'.",
            f"Command '{command}' is not allowed while the dossier is '{status}'.",
            status=status,
            command=command,
        )
        self.status = status
        self.command = command


class RoleNotAllowed(DossierError):
    code = "role-not-allowed"

    def __init__(self, command: str, role: str) -> None:
        super().__init__(
            f"Vai trò '{role}' không được thực hiện '{command}'.",
            f"Role '{role}' may not perform '{command}'.",
            command=command,
            role=role,
        )
        self.command = command
        self.role = role


class ValueRequired(DossierError):
    code = "value-required"

    def __init__(self, field: str) -> None:
        super().__init__(
            f"Trường '{field}' là bắt buộc.", f"Field '{field}' is required.", field=field
        )


class ReasonRequired(ValueRequired):
    """The law asks for reasons (refusal, supplement, stop, extension, withdrawal)."""

    code = "reason-required"

    def __init__(self, field: str = "reason") -> None:
        DossierError.__init__(
            self, "Phải nêu rõ lý do.", "A reason is required.", field=field
        )


class InvalidValue(DossierError):
    """A value of the wrong shape; subclasses name the common cases."""

    code = "invalid-value"

    def __init__(self, field: str, problem_vi: str, problem_en: str, **details: Any) -> None:
        super().__init__(
            f"Giá trị '{field}' không hợp lệ: {problem_vi}.",
            f"Invalid '{field}': {problem_en}.",
            field=field,
            **details,
        )


class InvalidChannel(InvalidValue):
    code = "invalid-channel"


class InvalidApplicant(InvalidValue):
    code = "invalid-applicant"


class InvalidProcessingTime(InvalidValue):
    code = "invalid-processing-time"


class InvalidSteps(InvalidValue):
    code = "invalid-steps"


class InvalidStepIndex(InvalidValue):
    code = "invalid-step-index"


class InvalidAmount(InvalidValue):
    code = "invalid-amount"


class PaymentAmountMismatch(InvalidValue):
    code = "payment-amount-mismatch"


class InvalidReturnMethod(InvalidValue):
    code = "invalid-return-method"


class InvalidDocument(InvalidValue):
    code = "invalid-document"


class InvalidRating(InvalidValue):
    code = "invalid-rating"


class InvalidDossierCode(InvalidValue):
    code = "invalid-dossier-code"


class InstantNotAware(InvalidValue):
    """Naive datetimes are ambiguous; every instant in an event is an absolute UTC instant."""

    code = "instant-not-aware"


class InstantOutOfOrder(InvalidValue):
    """The slip must read chronologically, or state-at-instant replays would lie."""

    code = "instant-out-of-order"


class ExtensionNotLater(InvalidValue):
    code = "extension-not-later"


class OpinionNotRequested(InvalidValue):
    code = "opinion-not-requested"


class AlreadyRated(DossierError):
    code = "already-rated"

    def __init__(self) -> None:
        super().__init__(
            "Hồ sơ đã được đánh giá.", "The dossier has already been rated.", field="score"
        )
