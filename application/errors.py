"""Errors the application services raise, each with a stable code and bilingual messages.

Infrastructure errors (a unique-constraint violation, a missing aggregate) are translated into
these once, at the service boundary, so the API's single error mapper never sees a driver
exception and never has to guess what it meant.
"""

from __future__ import annotations

from typing import Any


class ApplicationError(Exception):
    """Base: ``code`` is the stable slug used in the problem ``type`` URI."""

    code = "application-error"
    message_vi = "Yêu cầu không thực hiện được"
    message_en = "The request cannot be carried out"

    def __init__(self, detail: str = "", **extra: Any) -> None:
        super().__init__(detail or self.message_en)
        self.detail = detail
        self.extra = extra


class DossierNotFound(ApplicationError):
    code = "dossier-not-found"
    message_vi = "Không tìm thấy hồ sơ"
    message_en = "Dossier not found"


class ProcedureNotFound(ApplicationError):
    code = "procedure-not-found"
    message_vi = "Không tìm thấy thủ tục hành chính"
    message_en = "Administrative procedure not found"


class VersionConflict(ApplicationError):
    """Another writer saved the dossier between our load and our save."""

    code = "version-conflict"
    message_vi = "Hồ sơ vừa được người khác cập nhật, vui lòng tải lại"
    message_en = "The dossier was changed by someone else; reload it and try again"


class StaleVersion(ApplicationError):
    """The client's ``If-Match`` names a version that is no longer current."""

    code = "stale-version"
    message_vi = "Phiên bản hồ sơ đã cũ"
    message_en = "The dossier version you sent is no longer current"

    def __init__(self, current_version: int) -> None:
        super().__init__(f"current version is {current_version}", current_version=current_version)
        self.current_version = current_version


class IdempotencyKeyReused(ApplicationError):
    code = "idempotency-key-reused"
    message_vi = "Khóa Idempotency-Key đã được dùng cho một yêu cầu khác"
    message_en = "This Idempotency-Key was already used with a different request body"


class InvalidCredentials(ApplicationError):
    code = "invalid-credentials"
    message_vi = "Tên đăng nhập hoặc mật khẩu không đúng"
    message_en = "Wrong username or password"


class AccountExists(ApplicationError):
    code = "account-exists"
    message_vi = "Tài khoản đã tồn tại"
    message_en = "An account with this username already exists"
    http_status = 409


class InvalidToken(ApplicationError):
    code = "invalid-token"
    message_vi = "Phiên đăng nhập không hợp lệ hoặc đã hết hạn"
    message_en = "The token is invalid, expired or revoked"


class AccessDenied(ApplicationError):
    code = "access-denied"
    message_vi = "Bạn không có quyền thực hiện thao tác này"
    message_en = "You are not allowed to do this"


class ServiceUnavailable(ApplicationError):
    code = "service-unavailable"
    message_vi = "Dịch vụ tạm thời không sẵn sàng"
    message_en = "The service is temporarily unavailable"
