"""The ``Accounts`` application: local accounts with argon2 password hashes and one role each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError

from application.access_log import AccessContext, Accesses
from application.base import IsolatedApplication
from application.clock import Clock
from application.tokens import TokenService
from application.errors import AccessDenied, AccountExists, ApplicationError, InvalidCredentials, VersionConflict
from domain.account import Account, account_id, check_username
from domain.password_policy import check_new_password
from domain.actor import Actor, Role

STRONG_HASHER = PasswordHasher()
"""argon2id with argon2-cffi's defaults (RFC 9106 low-memory profile: 3 passes over 64 MiB)."""


class WeakPassword(InvalidCredentials):
    code = "weak-password"
    message_vi = "Mật khẩu phải có ít nhất 8 ký tự"
    message_en = "The password must have at least 8 characters"
    http_status = 422


class Accounts(IsolatedApplication):
    name = "Accounts"

    def __init__(self, env: dict[str, str], clock: Clock, *, max_failures: int = 5,
                 lockout: timedelta = timedelta(minutes=15), password_max_age: timedelta | None = None,
                 hasher: PasswordHasher = STRONG_HASHER) -> None:
        super().__init__(env)
        self.hasher = hasher
        # A real hash to verify against when the user does not exist, so that timing does not
        # reveal which usernames exist; made with the same cost as the real ones.
        self._dummy_hash = hasher.hash("motcua-timing-equaliser")
        self.clock = clock
        self.max_failures = max_failures
        self.lockout = lockout
        self.password_max_age = password_max_age
        """Staff passwords older than this are refused at login (None: they never expire)."""
        self.accesses: Accesses | None = None

    def register(self, *, username: str, password: str, role: Role, unit: str | None = None,
                 full_name: str = "", id_number: str | None = None, by: Actor | None = None) -> UUID:
        username = username.strip().lower()
        check_username(username)
        if len(password) < 8:
            raise WeakPassword(field="password")
        account = Account.register(
            username=username, password_hash=self.hasher.hash(password), role=role, unit=unit,
            full_name=full_name, id_number=id_number, actor_id=by.id if by else "system", at=self.clock.now(),
        )
        try:
            self.save(account)
        except IntegrityError:
            raise AccountExists(username, field="username") from None
        return account.id

    def exists(self, username: str) -> bool:
        try:
            self.repository.get(account_id(username.strip().lower()))
        except AggregateNotFoundError:
            return False
        return True

    def get(self, id: UUID) -> Account:
        return self.repository.get(id)  # type: ignore[no-any-return]

    def authenticate(self, username: str, password: str, access: AccessContext | None = None) -> Actor:
        return self.sign_in(username, password, access)[0]

    def sign_in(self, username: str, password: str, access: AccessContext | None = None) -> tuple[Actor, int]:
        """Log in: the actor and its password generation; every attempt goes to the access log."""
        actor = None
        try:
            account = self._authenticate(username, password)
            account.check_password_not_expired(self.clock.now(), self.password_max_age)
            actor = actor_of(account)
            return actor, account.password_generation
        finally:
            self._log_login(username, actor, access)

    def change_password(self, username: str, current: str, new: str,
                        access: AccessContext | None = None) -> tuple[Actor, int]:
        """The current password proves who asks, so this works without a session (an expired password).

        A wrong current password counts as a failed login, or this would be a way round lockout.
        """
        actor = None
        try:
            account = self._authenticate(username, current)
            check_new_password(new, current=current, username=account.username)
            account.change_password(self.hasher.hash(new), actor_id=str(account.id), at=self.clock.now())
            try:
                self.save(account)
            except IntegrityError:
                raise VersionConflict("the account was changed at the same moment; try again") from None
            actor = actor_of(account)
            return actor, account.password_generation
        finally:
            self._log_login(username, actor, access)

    def _log_login(self, username: str, actor: Actor | None, access: AccessContext | None) -> None:
        if self.accesses is not None:
            self.accesses.login(username.strip().lower()[:64], actor, access)

    def _authenticate(self, username: str, password: str) -> Account:
        account = self._find(username)
        if account is None or not account.password_hash:  # no such account, or one without a password (OIDC)
            _verify(self.hasher, self._dummy_hash, password)
            raise InvalidCredentials()
        now = self.clock.now()
        account.check_not_locked(now)
        if not _verify(self.hasher, account.password_hash, password):
            account.record_failed_login(now, max_failures=self.max_failures, lockout=self.lockout)
            self._save_quietly(account)
            raise InvalidCredentials()
        account.check_enabled()
        account.clear_failures(now)
        self._save_quietly(account)
        return account

    def _find(self, username: str) -> Account | None:
        try:
            return self.repository.get(account_id(username.strip().lower()))  # type: ignore[no-any-return]
        except AggregateNotFoundError:
            return None

    def _save_quietly(self, account: Account) -> None:
        """Failure counting is best effort under a race: a lost count is one more guess, no more."""
        try:
            self.save(account)
        except IntegrityError:
            pass


def actor_of(account: Account) -> Actor:
    return Actor(id=str(account.id), role=account.role, unit=account.unit, name=account.full_name)


def _verify(hasher: PasswordHasher, password_hash: str, password: str) -> bool:
    try:
        return hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@dataclass(frozen=True)
class AccountView:
    id: str
    username: str
    role: str
    unit: str | None
    full_name: str
    phone: str | None
    email: str | None
    disabled: bool
    version: int


def view_of(account: Account) -> AccountView:
    return AccountView(
        id=str(account.id), username=account.username, role=account.role.value, unit=account.unit,
        full_name=account.full_name, phone=account.phone, email=account.email, disabled=account.disabled,
        version=account.version,
    )


class UserAdministration:
    """Administrators manage officer and citizen accounts; citizens edit their own profile."""

    def __init__(self, accounts: Accounts, tokens: TokenService) -> None:
        self._accounts = accounts
        self._tokens = tokens

    def _check_admin(self, actor: Actor) -> None:
        if actor.role != Role.ADMINISTRATOR:
            raise AccessDenied("only administrators manage accounts")

    def _load(self, username: str) -> Account:
        try:
            return self._accounts.repository.get(account_id(username.strip().lower()))  # type: ignore[no-any-return]
        except AggregateNotFoundError:
            raise AccountNotFound(username, field="username") from None

    def create(self, actor: Actor, *, username: str, password: str, role: Role, unit: str | None,
               full_name: str) -> AccountView:
        self._check_admin(actor)
        self._accounts.register(username=username, password=password, role=role, unit=unit,
                                full_name=full_name, by=actor)
        return view_of(self._load(username))

    def get(self, actor: Actor, username: str) -> AccountView:
        self._check_admin(actor)
        return view_of(self._load(username))

    def update(self, actor: Actor, username: str, *, full_name: str, phone: str | None, email: str | None) -> AccountView:
        self._check_admin(actor)
        account = self._load(username)
        account.update_profile(full_name=full_name, phone=phone, email=email, actor_id=actor.id,
                               at=self._accounts.clock.now())
        return self._save(account)

    def assign_role(self, actor: Actor, username: str, role: Role, unit: str | None) -> AccountView:
        self._check_admin(actor)
        account = self._load(username)
        account.assign_role(role, unit, actor_id=actor.id, at=self._accounts.clock.now())
        return self._save(account)

    def disable(self, actor: Actor, username: str, reason: str) -> AccountView:
        self._check_admin(actor)
        account = self._load(username)
        account.disable(reason, actor_id=actor.id, at=self._accounts.clock.now())
        view = self._save(account)
        self._tokens.revoke_subject(view.id)
        return view

    def my_profile(self, actor: Actor) -> AccountView:
        return view_of(self._accounts.get(UUID(actor.id)))

    def update_my_profile(self, actor: Actor, *, full_name: str, phone: str | None, email: str | None) -> AccountView:
        account = self._accounts.get(UUID(actor.id))
        account.update_profile(full_name=full_name, phone=phone, email=email, actor_id=actor.id,
                               at=self._accounts.clock.now())
        return self._save(account)

    def _save(self, account: Account) -> AccountView:
        try:
            self._accounts.save(account)
        except IntegrityError:
            raise VersionConflict("the account was changed by someone else; try again") from None
        return view_of(account)


class AccountNotFound(ApplicationError):
    code = "account-not-found"
    message_vi = "Không tìm thấy tài khoản"
    message_en = "Account not found"
    http_status = 404
