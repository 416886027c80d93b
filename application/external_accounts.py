"""Citizens and businesses who sign in through the national identity provider (VNeID).

The first login creates a citizen account linked to the external identity; later logins find
it again without an index, because its id derives from the provider's ``(issuer, subject)``.
Both derivations are keyed hashes: the subject may well be the personal identification number
itself, and neither may be guessable from a username or a stream id. The number is checked to be
claimed by one subject only (``PersonalIdLink``), in the same transaction as the account.
"""

from __future__ import annotations

import hashlib
import hmac
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError

from application.accounts import Accounts
from application.errors import VersionConflict
from application.identity_provider import ExternalIdentity
from domain.account import Account, account_id
from domain.actor import Role
from domain.identity_link import PersonalIdLink, check_id_number, link_id

USERNAME_PREFIX = "vneid."
CREATED_BY = "identity-provider"


class ExternalAccounts:
    def __init__(self, accounts: Accounts, link_key: str) -> None:
        if len(link_key) < 32:
            raise ValueError("the identity link key must be at least 32 characters")
        self._accounts = accounts
        self._key = link_key.encode()

    def username_for(self, identity: ExternalIdentity) -> str:
        digest = hmac.new(self._key, f"{identity.issuer}\n{identity.subject}".encode(), hashlib.sha256).hexdigest()
        return USERNAME_PREFIX + digest[:32]

    def _number_key(self, id_number: str) -> str:
        return hmac.new(self._key, ("cccd\n" + id_number).encode(), hashlib.sha256).hexdigest()

    def account_for(self, identity: ExternalIdentity) -> Account:
        """The linked citizen account, made on the first login; a number claimed by another subject is refused."""
        check_id_number(identity.id_number)
        username = self.username_for(identity)
        existing = self._find(account_id(username))
        if existing is not None:
            return self._checked(existing, identity)
        now = self._accounts.clock.now()
        account = Account.register(
            username=username, password_hash="", role=Role.CITIZEN, unit=None, full_name=identity.full_name,
            id_number=None, actor_id=CREATED_BY, at=now,
        )
        account.link_external_identity(issuer=identity.issuer, subject=identity.subject,
                                       id_number=identity.id_number, full_name=identity.full_name, at=now)
        link = PersonalIdLink.claim(number_key=self._number_key(identity.id_number), account_id=account.id,
                                    issuer=identity.issuer, at=now)
        try:
            self._accounts.save(account, link)
        except IntegrityError:
            return self._after_conflict(account.id, identity)
        return account

    def _after_conflict(self, id: UUID, identity: ExternalIdentity) -> Account:
        """Either the number belongs to someone else, or the same person's first two logins raced."""
        claimed = self._find_link(link_id(self._number_key(identity.id_number)))
        if claimed is not None:
            claimed.check_belongs_to(id)
        account = self._find(id)
        if account is None:  # the link and the account are saved together: only a lost race gets here
            raise VersionConflict("the account could not be created just now; try again")
        return self._checked(account, identity)

    @staticmethod
    def _checked(account: Account, identity: ExternalIdentity) -> Account:
        account.check_enabled()
        account.check_same_person(identity.id_number)
        return account

    def _find(self, id: UUID) -> Account | None:
        try:
            return self._accounts.repository.get(id)  # type: ignore[no-any-return]
        except AggregateNotFoundError:
            return None

    def _find_link(self, id: UUID) -> PersonalIdLink | None:
        try:
            return self._accounts.repository.get(id)  # type: ignore[no-any-return]
        except AggregateNotFoundError:
            return None
