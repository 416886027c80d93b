"""The ``Accounts`` application: local accounts with argon2 password hashes and one role each."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError

from application.base import IsolatedApplication
from application.clock import Clock
from application.errors import AccountExists, InvalidCredentials
from domain.account import Account, account_id, check_username
from domain.actor import Actor, Role

_hasher = PasswordHasher()
# A real hash to verify against when the user does not exist, so that timing does not reveal
# which usernames exist.
_DUMMY_HASH = _hasher.hash("motcua-timing-equaliser")


class WeakPassword(InvalidCredentials):
    code = "weak-password"
    message_vi = "Mật khẩu phải có ít nhất 8 ký tự"
    message_en = "The password must have at least 8 characters"
    http_status = 422


class Accounts(IsolatedApplication):
    name = "Accounts"

    def __init__(self, env: dict[str, str], clock: Clock, *, max_failures: int = 5,
                 lockout: timedelta = timedelta(minutes=15)) -> None:
        super().__init__(env)
        self.clock = clock
        self.max_failures = max_failures
        self.lockout = lockout

    def register(self, *, username: str, password: str, role: Role, unit: str | None = None,
                 full_name: str = "", id_number: str | None = None, by: Actor | None = None) -> UUID:
        username = username.strip().lower()
        check_username(username)
        if len(password) < 8:
            raise WeakPassword(field="password")
        account = Account.register(
            username=username, password_hash=_hasher.hash(password), role=role, unit=unit,
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

    def authenticate(self, username: str, password: str) -> Actor:
        try:
            account: Account = self.repository.get(account_id(username.strip().lower()))
        except AggregateNotFoundError:
            _verify(_DUMMY_HASH, password)
            raise InvalidCredentials() from None
        now = self.clock.now()
        account.check_not_locked(now)
        if not _verify(account.password_hash, password):
            account.record_failed_login(now, max_failures=self.max_failures, lockout=self.lockout)
            self._save_quietly(account)
            raise InvalidCredentials()
        account.check_enabled()
        account.clear_failures(now)
        self._save_quietly(account)
        return Actor(id=str(account.id), role=account.role, unit=account.unit, name=account.full_name)

    def _save_quietly(self, account: Account) -> None:
        """Failure counting is best effort under a race: a lost count is one more guess, no more."""
        try:
            self.save(account)
        except IntegrityError:
            pass


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
