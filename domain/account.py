"""Local user accounts: officers, administrators, auditors, analysts and counter-assisted citizens.

Accounts are event-sourced like everything else so that an auditor can see who was given which
role, by whom and when. The password hash is computed outside the domain (argon2 in the
application layer): the domain only keeps it and the rules about roles and disabling.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta
from typing import Any

from eventsourcing.domain import Aggregate

from domain.actor import OFFICER_ROLES, Role

ACCOUNT_NAMESPACE = uuid.UUID("6f1d2c3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f")
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{2,63}$")


class AccountError(Exception):
    code = "account-error"
    message_vi = "Tài khoản không hợp lệ"
    message_en = "Invalid account"
    http_status = 422

    def __init__(self, detail: str = "", field: str = "") -> None:
        super().__init__(detail or self.message_en)
        self.field = field


class InvalidUsername(AccountError):
    code = "invalid-username"
    message_vi = "Tên đăng nhập không hợp lệ (3–64 ký tự: chữ thường, số, . _ @ -)"
    message_en = "Invalid username (3-64 characters: lower-case letters, digits, . _ @ -)"


class UnitRequired(AccountError):
    code = "unit-required"
    message_vi = "Cán bộ phải thuộc một đơn vị"
    message_en = "An officer account needs a unit"


class AccountLocked(AccountError):
    code = "account-locked"
    message_vi = "Tài khoản tạm thời bị khóa do đăng nhập sai nhiều lần"
    message_en = "The account is locked for a while after repeated failed logins"
    http_status = 423

    def __init__(self, until: datetime) -> None:
        super().__init__(f"locked until {until.isoformat()}")
        self.until = until


class PasswordExpired(AccountError):
    code = "password-expired"
    message_vi = "Mật khẩu đã hết hạn; hãy đổi mật khẩu (đổi mật khẩu không cần đăng nhập)"
    message_en = "The password has expired; change it (changing it needs no session)"
    http_status = 403


class IdentityMismatch(AccountError):
    """The provider now says another personal ID number for the same subject: never re-linked silently."""

    code = "identity-mismatch"
    message_vi = "Số định danh cá nhân không khớp với tài khoản đã liên kết"
    message_en = "The personal identification number does not match the linked account"
    http_status = 409


class AccountDisabled(AccountError):
    code = "account-disabled"
    message_vi = "Tài khoản đã bị khóa"
    message_en = "The account is disabled"
    http_status = 403


def account_id(username: str) -> uuid.UUID:
    """Deterministic, so login finds an account by name without an index."""
    return uuid.uuid5(ACCOUNT_NAMESPACE, username.lower())


def check_username(username: str) -> None:
    if not USERNAME.match(username):
        raise InvalidUsername(username, field="username")


def check_citizen(role: Role) -> None:
    if role != Role.CITIZEN:
        raise AccountError("only citizen accounts link an external identity", field="role")


def check_unit_for_role(role: Role, unit: str | None) -> None:
    if role in OFFICER_ROLES and not unit:
        raise UnitRequired(role.value, field="unit")


class Account(Aggregate):
    class Registered(Aggregate.Created):
        username: str
        password_hash: str
        role: str
        unit: str | None
        full_name: str
        id_number: str | None
        actor_id: str

    @classmethod
    def register(
        cls, *, username: str, password_hash: str, role: Role, unit: str | None,
        full_name: str, id_number: str | None, actor_id: str, at: datetime,
    ) -> Account:
        check_username(username)
        check_unit_for_role(role, unit)
        return cls._create(
            cls.Registered, id=account_id(username), timestamp=at, username=username,
            password_hash=password_hash, role=role.value, unit=unit, full_name=full_name,
            id_number=id_number, actor_id=actor_id,
        )

    def __init__(self, *, username: str, password_hash: str, role: str, unit: str | None,
                 full_name: str, id_number: str | None, actor_id: str, **_: Any) -> None:
        self.username = username
        self.password_hash = password_hash
        self.role = Role(role)
        self.unit = unit
        self.full_name = full_name
        self.id_number = id_number
        self.disabled = False
        self.failed_logins = 0
        self.locked_until: datetime | None = None
        self.phone: str | None = None
        self.email: str | None = None
        self.password_changed_at: datetime | None = None
        """None until the first change: the password is as old as the account (``created_on``)."""
        self.password_generation = 0
        """Counts password changes; tokens carry it, so a change can end every older session."""
        self.external_issuer: str | None = None
        self.external_subject: str | None = None

    class PasswordChanged(Aggregate.Event):
        password_hash: str
        actor_id: str

        def apply(self, aggregate: Account) -> None:  # type: ignore[override]
            aggregate.password_hash = self.password_hash
            aggregate.password_changed_at = self.timestamp
            aggregate.password_generation += 1

    def change_password(self, password_hash: str, *, actor_id: str, at: datetime) -> None:
        self.trigger_event(self.PasswordChanged, timestamp=at, password_hash=password_hash, actor_id=actor_id)

    def password_set_at(self) -> datetime:
        return self.password_changed_at or self.created_on

    def check_password_not_expired(self, at: datetime, max_age: timedelta | None) -> None:
        """Staff passwords expire; a citizen's counter account and external identities do not."""
        if max_age is None or self.role == Role.CITIZEN or not self.password_hash:
            return
        if at >= self.password_set_at() + max_age:
            raise PasswordExpired(self.username)

    class ExternalIdentityLinked(Aggregate.Event):
        """A citizen signed in through the national identity provider for the first time.

        The personal identification number is kept on the account (the applicant's identity),
        never in the username, logs or problem responses."""

        issuer: str
        subject: str
        id_number: str
        full_name: str

        def apply(self, aggregate: Account) -> None:  # type: ignore[override]
            aggregate.external_issuer = self.issuer
            aggregate.external_subject = self.subject
            aggregate.id_number = self.id_number
            if self.full_name:
                aggregate.full_name = self.full_name

    def link_external_identity(self, *, issuer: str, subject: str, id_number: str, full_name: str,
                               at: datetime) -> None:
        check_citizen(self.role)
        self.trigger_event(self.ExternalIdentityLinked, timestamp=at, issuer=issuer, subject=subject,
                           id_number=id_number, full_name=full_name)

    def check_same_person(self, id_number: str) -> None:
        if self.id_number != id_number:
            raise IdentityMismatch(self.username)

    class Disabled(Aggregate.Event):
        reason: str
        actor_id: str

        def apply(self, aggregate: Account) -> None:  # type: ignore[override]
            aggregate.disabled = True

    def disable(self, reason: str, *, actor_id: str, at: datetime) -> None:
        if not self.disabled:
            self.trigger_event(self.Disabled, timestamp=at, reason=reason, actor_id=actor_id)

    def check_enabled(self) -> None:
        if self.disabled:
            raise AccountDisabled(self.username)

    class LoginFailed(Aggregate.Event):
        """A wrong password: kept in the stream so an auditor sees guessing attempts."""

        failures: int
        locked_until: datetime | None

        def apply(self, aggregate: Account) -> None:  # type: ignore[override]
            aggregate.failed_logins = self.failures
            aggregate.locked_until = self.locked_until

    def record_failed_login(self, at: datetime, *, max_failures: int, lockout: timedelta) -> None:
        """Lock after ``max_failures`` consecutive failures; a lock that has run out starts afresh."""
        previous = 0 if self.locked_until is not None and at >= self.locked_until else self.failed_logins
        failures = previous + 1
        locked_until = at + lockout if failures >= max_failures else None
        self.trigger_event(self.LoginFailed, timestamp=at, failures=failures, locked_until=locked_until)

    class FailuresCleared(Aggregate.Event):
        def apply(self, aggregate: Account) -> None:  # type: ignore[override]
            aggregate.failed_logins = 0
            aggregate.locked_until = None

    def clear_failures(self, at: datetime) -> None:
        if self.failed_logins:
            self.trigger_event(self.FailuresCleared, timestamp=at)

    def check_not_locked(self, at: datetime) -> None:
        if self.locked_until is not None and at < self.locked_until:
            raise AccountLocked(self.locked_until)

    class RoleAssigned(Aggregate.Event):
        role: str
        unit: str | None
        actor_id: str

        def apply(self, aggregate: Account) -> None:  # type: ignore[override]
            aggregate.role = Role(self.role)
            aggregate.unit = self.unit

    def assign_role(self, role: Role, unit: str | None, *, actor_id: str, at: datetime) -> None:
        check_unit_for_role(role, unit)
        if (role, unit) != (self.role, self.unit):
            self.trigger_event(self.RoleAssigned, timestamp=at, role=role.value, unit=unit, actor_id=actor_id)

    class ProfileUpdated(Aggregate.Event):
        full_name: str
        phone: str | None
        email: str | None
        actor_id: str

        def apply(self, aggregate: Account) -> None:  # type: ignore[override]
            aggregate.full_name = self.full_name
            aggregate.phone = self.phone
            aggregate.email = self.email

    def update_profile(self, *, full_name: str, phone: str | None, email: str | None, actor_id: str,
                       at: datetime) -> None:
        if not full_name.strip():
            raise AccountError("full name required", field="fullName")
        self.trigger_event(self.ProfileUpdated, timestamp=at, full_name=full_name.strip(), phone=phone, email=email,
                           actor_id=actor_id)
