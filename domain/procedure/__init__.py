"""The procedure catalogue domain: the versioned ``Procedure`` aggregate and its rules."""

from domain.procedure.aggregate import PROCEDURE_NAMESPACE, Procedure, ProcedureRegister, procedure_id
from domain.procedure.errors import (
    AlreadySuspended,
    DraftAlreadyOpen,
    InvalidNationalCode,
    InvalidTerms,
    NoDraft,
    NotPublished,
    NotSuspended,
    ProcedureError,
    ProcedureWithdrawn,
    PublishedVersionImmutable,
    ReasonRequired,
    StepsDoNotSum,
)
from domain.procedure.terms import CHANNELS, SERVICE_LEVELS, check_terms, fee_total

__all__ = [
    "CHANNELS", "PROCEDURE_NAMESPACE", "SERVICE_LEVELS", "AlreadySuspended", "DraftAlreadyOpen",
    "InvalidNationalCode", "InvalidTerms", "NoDraft", "NotPublished", "NotSuspended", "Procedure",
    "ProcedureError", "ProcedureRegister", "ProcedureWithdrawn", "PublishedVersionImmutable",
    "ReasonRequired", "StepsDoNotSum", "check_terms", "fee_total", "procedure_id",
]
