"""What a new staff password must be: long, not trivially guessable, not the old one.

Length first (a passphrase such as "ba con mèo đen 2026" beats "P@ssw0rd"), then a little
variety, the username and a short list of the passwords every guesser tries first. Each rule
has its own error so the officer is told exactly what to change, in Vietnamese and English.
"""

from __future__ import annotations

MIN_LENGTH = 10
MAX_LENGTH = 128
COMMON = frozenset({
    "1234567890", "12345678910", "123456789a", "qwertyuiop", "password123", "matkhau123",
    "1qaz2wsx3edc", "abc1234567", "admin12345", "administrator", "iloveyou123", "0123456789",
})


class PasswordPolicyError(Exception):
    code = "password-policy"
    message_vi = "Mật khẩu mới không đạt yêu cầu"
    message_en = "The new password does not meet the policy"
    http_status = 422

    def __init__(self, detail: str = "") -> None:
        super().__init__(detail or self.message_en)
        self.field = "newPassword"


class PasswordTooShort(PasswordPolicyError):
    code = "password-too-short"
    message_vi = f"Mật khẩu phải có ít nhất {MIN_LENGTH} ký tự"
    message_en = f"The password must have at least {MIN_LENGTH} characters"


class PasswordTooLong(PasswordPolicyError):
    code = "password-too-long"
    message_vi = f"Mật khẩu không được dài quá {MAX_LENGTH} ký tự"
    message_en = f"The password must have at most {MAX_LENGTH} characters"


class PasswordTooSimple(PasswordPolicyError):
    code = "password-too-simple"
    message_vi = "Mật khẩu phải có cả chữ cái và chữ số, khoảng trắng hoặc ký hiệu, và không phổ biến"
    message_en = "The password needs letters and digits, spaces or symbols, and must not be a common one"


class PasswordContainsUsername(PasswordPolicyError):
    code = "password-contains-username"
    message_vi = "Mật khẩu không được chứa tên đăng nhập"
    message_en = "The password must not contain the username"


class PasswordReused(PasswordPolicyError):
    code = "password-reused"
    message_vi = "Mật khẩu mới phải khác mật khẩu hiện tại"
    message_en = "The new password must differ from the current one"


def check_length(password: str) -> None:
    if len(password) < MIN_LENGTH:
        raise PasswordTooShort()
    if len(password) > MAX_LENGTH:
        raise PasswordTooLong()


def check_variety(password: str) -> None:
    letters = any(c.isalpha() for c in password)
    others = any(not c.isalpha() for c in password)
    if not (letters and others) or password.lower() in COMMON or len(set(password)) < 4:
        raise PasswordTooSimple()


def check_not_username(password: str, username: str) -> None:
    if username and username.lower() in password.lower():
        raise PasswordContainsUsername()


def check_differs(new: str, current: str) -> None:
    if new == current:
        raise PasswordReused()


def check_new_password(new: str, *, current: str, username: str) -> None:
    check_length(new)
    check_variety(new)
    check_not_username(new, username)
    check_differs(new, current)
