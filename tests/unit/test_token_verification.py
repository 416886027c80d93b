"""A token's verified claims are remembered, but expiry, revocation and the signature still hold.

``TokenService`` keeps the claims of tokens whose signature it checked (a client sends the same
access token with every request). These tests use a token once, so it is remembered, and then
check that everything that may change since still refuses it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from adapters.revocation.memory import InMemoryRevocationList
from application import tokens as token_module
from application.clock import SimulatedClock
from application.errors import InvalidToken
from application.tokens import TokenService
from domain.actor import Actor, Role

OFFICER = Actor(id="officer-1", role=Role.RECEPTION_OFFICER, unit="000.00.01.H22", name="Cán bộ một cửa")


@pytest.fixture
def clock() -> SimulatedClock:
    return SimulatedClock(datetime(2026, 3, 2, 2, 0, tzinfo=UTC))


@pytest.fixture
def tokens(clock: SimulatedClock) -> TokenService:
    return TokenService("s" * 32, clock, InMemoryRevocationList(clock), timedelta(minutes=15), timedelta(days=7))


def test_a_remembered_token_is_refused_once_it_has_expired(tokens: TokenService, clock: SimulatedClock) -> None:
    access = tokens.issue(OFFICER).access_token
    assert tokens.authenticate(access).id == OFFICER.id

    clock.advance(timedelta(minutes=16))

    with pytest.raises(InvalidToken, match="expired"):
        tokens.authenticate(access)


def test_a_remembered_token_is_refused_once_its_session_is_revoked(tokens: TokenService) -> None:
    pair = tokens.issue(OFFICER)
    assert tokens.authenticate(pair.access_token).id == OFFICER.id

    tokens.logout(pair.access_token, pair.refresh_token)

    with pytest.raises(InvalidToken):
        tokens.authenticate(pair.access_token)


def test_a_token_with_one_character_changed_is_refused_though_the_original_is_remembered(tokens: TokenService) -> None:
    access = tokens.issue(OFFICER).access_token
    tokens.authenticate(access)
    head, payload, signature = access.split(".")
    forged = f"{head}.{payload}.{signature[:-2]}{'A' if signature[-2] != 'A' else 'B'}{signature[-1]}"

    with pytest.raises(InvalidToken, match="cannot be verified"):
        tokens.authenticate(forged)


def test_the_memory_of_verified_tokens_is_bounded(tokens: TokenService, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(token_module, "VERIFIED_TOKENS_KEPT", 3)
    issued = [tokens.issue(OFFICER).access_token for _ in range(7)]

    assert all(tokens.authenticate(t).id == OFFICER.id for t in issued)

    assert len(tokens._verified_claims) <= 3
