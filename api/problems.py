"""The one exception-to-response mapper: RFC 9457 problem details for every failure.

Each problem has a stable ``type`` URI built from the error's code, a Vietnamese-and-English
``title`` and, where known, the offending field, so a portal front end can show the citizen a
message in their language and a developer can look the type up in the docs.
"""

from __future__ import annotations

from typing import Any

import msgspec
import structlog
from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException, ValidationException

from domain.calendar import CalendarError
from domain.dossier.errors import AlreadyRated, RoleNotAllowed, TransitionNotAllowed
from application.errors import (
    AccessDenied,
    ApplicationError,
    DossierNotFound,
    IdempotencyKeyReused,
    InvalidCredentials,
    InvalidToken,
    ProcedureNotFound,
    ServiceUnavailable,
    StaleVersion,
    VersionConflict,
)

PROBLEM_BASE = "https://motcua.gov.vn/problems/"
PROBLEM_MEDIA_TYPE = "application/problem+json"
log = structlog.get_logger("motcua.api")


class FieldError(msgspec.Struct, frozen=True, omit_defaults=True):
    field: str
    message: str
    messageVi: str = ""
    messageEn: str = ""


class Problem(msgspec.Struct, frozen=True, omit_defaults=True):
    type: str
    title: str
    status: int
    detail: str = ""
    instance: str = ""
    code: str = ""
    titleVi: str = ""
    titleEn: str = ""
    field: str = ""
    errors: list[FieldError] = []
    currentVersion: int | None = None
    requestId: str = ""


class HTTPProblem(Exception):
    """Raised by the HTTP layer itself (missing If-Match, bad cursor...)."""

    def __init__(self, status: int, code: str, vi: str, en: str, detail: str = "", field: str = "") -> None:
        super().__init__(detail or en)
        self.status, self.code, self.vi, self.en = status, code, vi, en
        self.detail, self.field = detail, field


_STATUS: dict[type[ApplicationError], int] = {
    DossierNotFound: 404,
    ProcedureNotFound: 404,
    VersionConflict: 409,
    StaleVersion: 412,
    IdempotencyKeyReused: 422,
    InvalidCredentials: 401,
    InvalidToken: 401,
    AccessDenied: 403,
    ServiceUnavailable: 503,
}


_HTTP_TITLES: dict[int, tuple[str, str]] = {
    403: ("Không có quyền truy cập", "Forbidden"),
    404: ("Không tìm thấy", "Not found"),
    405: ("Phương thức không được hỗ trợ", "Method not allowed"),
    413: ("Dữ liệu gửi lên quá lớn", "Request entity too large"),
    415: ("Kiểu dữ liệu không được hỗ trợ", "Unsupported media type"),
    429: ("Quá nhiều yêu cầu", "Too many requests"),
}


def problem_response(request: Request[Any, Any, Any], problem: Problem, headers: dict[str, str] | None = None) -> Response[Problem]:
    return Response(problem, status_code=problem.status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def _make(status: int, code: str, vi: str, en: str, request: Request[Any, Any, Any], **kw: Any) -> Problem:
    return Problem(
        type=PROBLEM_BASE + code,
        title=f"{vi} / {en}",
        status=status,
        instance=str(request.url.path),
        code=code,
        titleVi=vi,
        titleEn=en,
        **kw,
    )


def _status_of(exc: ApplicationError) -> int:
    """The nearest class in the error's ancestry that says: its own ``http_status`` or the table."""
    for cls in type(exc).__mro__:
        if "http_status" in vars(cls):
            return int(vars(cls)["http_status"])
        if cls in _STATUS:
            return _STATUS[cls]  # type: ignore[index]
    return 422


def handle_exception(request: Request[Any, Any, Any], exc: Exception) -> Response[Problem]:
    """Single mapper registered for every exception type."""
    headers: dict[str, str] = {}
    if isinstance(exc, HTTPProblem):
        p = _make(exc.status, exc.code, exc.vi, exc.en, request, detail=exc.detail, field=exc.field)
        headers.update(getattr(exc, "headers", None) or {})
    elif isinstance(exc, ApplicationError):
        status = _status_of(exc)
        p = _make(
            status, exc.code, exc.message_vi, exc.message_en, request,
            detail=exc.detail, currentVersion=exc.extra.get("current_version"),
            field=str(exc.extra.get("field", "")), errors=_field_errors(exc),
        )
        if status == 503:
            headers["Retry-After"] = "5"
    elif isinstance(exc, CalendarError):
        p = _make(422, "invalid-instant", "Thời điểm không hợp lệ", "Invalid date or time", request, detail=str(exc))
    elif _is_domain_error(exc):
        p = _make(
            _domain_status(exc), exc.code, exc.message_vi, exc.message_en, request,  # type: ignore[attr-defined]
            detail=str(exc), field=str(getattr(exc, "field", "") or ""),
        )
    elif isinstance(exc, ValidationException):
        errors = [
            FieldError(field=str(e.get("key") or e.get("source") or ""), message=str(e.get("message", "")))
            for e in (exc.extra or []) if isinstance(e, dict)
        ]
        p = _make(400, "invalid-request", "Dữ liệu gửi lên không hợp lệ", "The request is malformed", request,
                  detail=exc.detail, errors=errors, field=errors[0].field if errors else "")
    elif isinstance(exc, NotAuthorizedException):
        p = _make(401, "unauthenticated", "Cần đăng nhập", "Authentication required", request, detail=exc.detail)
        headers["WWW-Authenticate"] = "Bearer"
    elif isinstance(exc, HTTPException):
        vi, en = _HTTP_TITLES.get(exc.status_code, (exc.detail, exc.detail))
        p = _make(exc.status_code, f"http-{exc.status_code}", vi, en, request, detail=exc.detail)
        headers.update(exc.headers or {})
    else:
        # The log has the traceback; the caller gets the request id to quote, and nothing else.
        log.exception("unhandled_error", error=repr(exc))
        request_id = str(structlog.contextvars.get_contextvars().get("request_id", ""))
        p = _make(500, "internal-error", "Lỗi hệ thống", "Internal server error", request, requestId=request_id)
    return problem_response(request, p, headers or None)


def _field_errors(exc: ApplicationError) -> list[FieldError]:
    """An error naming several bad fields (an e-form) lists each, in both languages."""
    return [
        FieldError(field=e.field, message=e.message_en, messageVi=e.message_vi, messageEn=e.message_en)
        for e in exc.extra.get("errors", ()) if hasattr(e, "field") and hasattr(e, "message_vi")
    ]


def _domain_status(exc: Exception) -> int:
    """Wrong state and repeated one-time acts conflict (409); bad values are unprocessable (422)."""
    if isinstance(exc, TransitionNotAllowed | AlreadyRated):
        return 409
    if isinstance(exc, RoleNotAllowed):
        return 403
    return int(getattr(exc, "http_status", 422))


def _is_domain_error(exc: Exception) -> bool:
    return all(hasattr(exc, a) for a in ("code", "message_vi", "message_en"))
