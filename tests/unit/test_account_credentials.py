"""Given events -> command -> new events: password change and expiry, external identities, token generations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from adapters.revocation.memory import InMemoryRevocationList
from application.accounts import Accounts
from application.clock import SimulatedClock
from application.errors import InvalidToken
from application.external_accounts import ExternalAccounts
from application.identity_provider import ExternalIdentity
from application.tokens import TokenService
from domain.account import AccountDisabled, IdentityMismatch, PasswordExpired, account_id
from domain.actor import Role
from domain.identity_link import IdNumberAlreadyLinked, InvalidIdNumber
from domain.password_policy import PasswordReused, PasswordTooShort

PASSWORD = "correct horse battery"
NEW = "ba con mèo đen 2026"
ISSUER = "https://sso.example.gov.vn"


@pytest.fixture
def clock() -> SimulatedClock:
    return SimulatedClock(datetime(2026, 3, 2, 2, 0, tzinfo=UTC))


@pytest.fixture
def accounts(clock) -> Accounts:
    return Accounts({"PERSISTENCE_MODULE": "eventsourcing.popo"}, clock, password_max_age=timedelta(days=90))


def topics(accounts: Accounts, username: str) -> list[str]:
    return [type(e).__qualname__ for e in accounts.events.get(account_id(username))]


def given_officer(accounts: Accounts) -> str:
    accounts.register(username="le.cuong", password=PASSWORD, role=Role.HANDLING_OFFICER, unit="000.13.01.H22")
    return "le.cuong"


def test_changing_the_password_records_it_and_moves_the_generation_on(accounts):
    officer = given_officer(accounts)
    actor, generation = accounts.change_password(officer, PASSWORD, NEW)
    assert generation == 1 and actor.role == Role.HANDLING_OFFICER
    assert topics(accounts, officer) == ["Account.Registered", "Account.PasswordChanged"]
    assert accounts.sign_in(officer, NEW)[1] == 1


@pytest.mark.parametrize(("new", "error"), [("short1", PasswordTooShort), (PASSWORD, PasswordReused)])
def test_a_new_password_against_the_policy_records_nothing(accounts, new, error):
    officer = given_officer(accounts)
    with pytest.raises(error):
        accounts.change_password(officer, PASSWORD, new)
    assert topics(accounts, officer) == ["Account.Registered"]


def test_a_staff_password_expires_after_the_maximum_age_and_a_change_restarts_it(accounts, clock):
    officer = given_officer(accounts)
    clock.advance(timedelta(days=90))
    with pytest.raises(PasswordExpired):
        accounts.sign_in(officer, PASSWORD)
    accounts.change_password(officer, PASSWORD, NEW)
    clock.advance(timedelta(days=89, hours=23))
    assert accounts.sign_in(officer, NEW)[0].role == Role.HANDLING_OFFICER


def test_without_a_maximum_age_passwords_never_expire(clock):
    accounts = Accounts({"PERSISTENCE_MODULE": "eventsourcing.popo"}, clock, password_max_age=None)
    officer = given_officer(accounts)
    clock.advance(timedelta(days=1000))
    assert accounts.sign_in(officer, PASSWORD)[0].role == Role.HANDLING_OFFICER


def identity(subject: str = "sub-1", number: str = "001099000001") -> ExternalIdentity:
    return ExternalIdentity(issuer=ISSUER, subject=subject, id_number=number, full_name="Nguyễn Văn An")


def test_a_first_external_login_creates_a_linked_citizen_account_and_the_next_finds_it(accounts):
    external = ExternalAccounts(accounts, "k" * 32)
    account = external.account_for(identity())
    username = external.username_for(identity())
    assert topics(accounts, username) == ["Account.Registered", "Account.ExternalIdentityLinked"]
    assert (account.role, account.id_number, account.external_subject) == (Role.CITIZEN, "001099000001", "sub-1")
    assert "001099000001" not in username and "sub-1" not in username
    assert external.account_for(identity()).id == account.id
    assert topics(accounts, username) == ["Account.Registered", "Account.ExternalIdentityLinked"]


def test_a_number_claimed_by_one_subject_is_refused_to_another_and_nothing_is_stored(accounts):
    external = ExternalAccounts(accounts, "k" * 32)
    external.account_for(identity("sub-1"))
    before = accounts.recorder.max_notification_id()
    with pytest.raises(IdNumberAlreadyLinked):
        external.account_for(identity("sub-2"))
    assert accounts.recorder.max_notification_id() == before


def test_a_subject_whose_number_changes_is_refused(accounts):
    external = ExternalAccounts(accounts, "k" * 32)
    external.account_for(identity())
    with pytest.raises(IdentityMismatch):
        external.account_for(identity(number="001099000009"))


def test_a_malformed_number_is_refused_before_anything_is_stored(accounts):
    with pytest.raises(InvalidIdNumber):
        ExternalAccounts(accounts, "k" * 32).account_for(identity(number="0010990000"))
    assert accounts.recorder.max_notification_id() in (None, 0)


def test_a_disabled_external_account_cannot_sign_in_again(accounts, clock):
    external = ExternalAccounts(accounts, "k" * 32)
    account = external.account_for(identity())
    account.disable("fraud", actor_id="admin", at=clock.now())
    accounts.save(account)
    with pytest.raises(AccountDisabled):
        external.account_for(identity())


def test_ending_a_password_generation_revokes_its_tokens_only(accounts, clock):
    tokens = TokenService("s" * 32, clock, InMemoryRevocationList(clock), timedelta(minutes=15), timedelta(days=7))
    officer = given_officer(accounts)
    actor, generation = accounts.sign_in(officer, PASSWORD)
    old = tokens.issue(actor, generation=generation)
    refreshed = tokens.refresh(old.refresh_token)  # the generation travels with the session
    new = tokens.issue(actor, generation=generation + 1)
    tokens.end_generation(actor.id, generation)
    for token in (old.access_token, refreshed.access_token):
        with pytest.raises(InvalidToken):
            tokens.authenticate(token)
    with pytest.raises(InvalidToken):
        tokens.refresh(refreshed.refresh_token)
    assert tokens.authenticate(new.access_token).id == actor.id
