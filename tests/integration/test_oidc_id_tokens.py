"""ID tokens from a real HTTP provider (the local stand-in) through the PyJWT verifier.

Every refusal is checked to be an ``InvalidIdToken`` (401) and not a crash or a 503, and the
stand-in counts the key-set requests, so the refetch behaviour is observed, not assumed.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from adapters.oidc.standin import JWKS_PATH, OidcStandInServer
from adapters.oidc.verifier import OidcIdentityProvider
from application.clock import SimulatedClock
from application.identity_provider import IdentityProviderUnavailable, InvalidIdToken

CLIENT = "motcua-test-client"
CCCD = "001099000001"


@pytest.fixture
def clock() -> SimulatedClock:
    return SimulatedClock(datetime(2026, 3, 2, 2, 0, tzinfo=UTC))


@pytest.fixture(params=["RS256", "ES256"])
def provider(request, clock) -> Iterator[OidcStandInServer]:
    with OidcStandInServer(alg=request.param, client_id=CLIENT, now=clock.now) as server:
        yield server


def verifier(provider: OidcStandInServer, clock: SimulatedClock, **options: object) -> OidcIdentityProvider:
    return OidcIdentityProvider(issuer=provider.issuer, client_id=CLIENT, clock=clock, timeout_seconds=2,
                                **options)  # type: ignore[arg-type]


def refused(check: OidcIdentityProvider, token: str, because: str, nonce: str | None = None) -> None:
    with pytest.raises(InvalidIdToken) as caught:
        check.verify(token, nonce)
    assert because in caught.value.detail


def test_a_token_signed_by_the_provider_gives_the_identity_it_vouches_for(provider, clock):
    identity = verifier(provider, clock).verify(provider.issue("sub-1", id_number=CCCD, name="Nguyễn Văn An"))
    assert (identity.issuer, identity.subject, identity.id_number, identity.full_name) == (
        provider.issuer, "sub-1", CCCD, "Nguyễn Văn An")
    assert CCCD not in repr(identity)


def test_an_expired_token_is_refused_after_a_small_leeway(provider, clock):
    check = verifier(provider, clock)
    token = provider.issue("sub-1", id_number=CCCD, lifetime=timedelta(minutes=5))
    clock.advance(timedelta(minutes=5, seconds=20))
    assert check.verify(token).subject == "sub-1"  # within the 30 s leeway for clock skew
    clock.advance(timedelta(seconds=15))
    refused(check, token, "expired")


def test_a_token_for_another_client_is_refused(provider, clock):
    refused(verifier(provider, clock), provider.issue("sub-1", id_number=CCCD, audience="someone-else"), "audience")


def test_a_token_for_several_audiences_must_name_us_as_authorised_party(provider, clock):
    check = verifier(provider, clock)
    both = [CLIENT, "someone-else"]
    refused(check, provider.issue("sub-1", id_number=CCCD, audience=both, azp="someone-else"), "authorised party")
    assert check.verify(provider.issue("sub-1", id_number=CCCD, audience=both, azp=CLIENT)).subject == "sub-1"


def test_a_token_from_another_issuer_is_refused(provider, clock):
    refused(verifier(provider, clock), provider.issue("sub-1", id_number=CCCD, issuer="https://sso.example"), "issuer")


def test_a_token_issued_in_the_future_is_refused(provider, clock):
    token = provider.issue("sub-1", id_number=CCCD, issued_at=clock.now() + timedelta(minutes=2))
    refused(verifier(provider, clock), token, "future")


def test_a_bad_signature_is_refused(provider, clock):
    check = verifier(provider, clock)
    header, payload, signature = provider.issue("sub-1", id_number=CCCD).split(".")
    other = provider.issue("sub-2", id_number="001099000002").split(".")[1]
    refused(check, f"{header}.{other}.{signature}", "signature")
    # A key of the attacker's own, presented under the provider's kid.
    forged = jwt.encode(jwt.decode(f"{header}.{payload}.{signature}", options={"verify_signature": False}),
                        _foreign_key(provider.alg), algorithm=provider.alg, headers={"kid": provider.current_kid})
    refused(check, forged, "signature")


def test_a_token_signed_with_an_unpublished_key_is_refused(provider, clock):
    token = jwt.encode({"iss": provider.issuer, "sub": "x", "aud": CLIENT, "iat": 1, "exp": 2, "id_number": CCCD},
                       _foreign_key(provider.alg), algorithm=provider.alg, headers={"kid": "not-published"})
    refused(verifier(provider, clock), token, "does not publish")


@pytest.mark.parametrize("alg", ["none", "HS256"])
def test_alg_none_and_hmac_tokens_are_refused_before_any_key_is_fetched(provider, clock, alg):
    claims = {"iss": provider.issuer, "sub": "sub-1", "aud": CLIENT, "id_number": CCCD,
              "iat": int(clock.now().timestamp()), "exp": int(clock.now().timestamp()) + 300}
    key = None if alg == "none" else "a shared secret an attacker guessed!"
    token = jwt.encode(claims, key, algorithm=alg, headers={"kid": provider.current_kid})
    refused(verifier(provider, clock), token, "algorithm")
    assert provider.requests[JWKS_PATH] == 0


def test_a_rotated_key_is_picked_up_and_a_dropped_key_is_refused(provider, clock):
    check = verifier(provider, clock, refetch_interval_seconds=0)
    first = provider.current_kid
    assert check.verify(provider.issue("sub-1", id_number=CCCD)).subject == "sub-1"
    second = provider.rotate()
    assert check.verify(provider.issue("sub-1", id_number=CCCD)).subject == "sub-1"  # unknown kid: one refetch
    assert check.verify(provider.issue("sub-1", id_number=CCCD, kid=first)).subject == "sub-1"  # still published
    provider.drop(first)
    provider.rotate()
    assert check.verify(provider.issue("sub-1", id_number=CCCD)).subject == "sub-1"  # fetched: {second, third}
    refused(check, provider.issue("sub-1", id_number=CCCD, kid=first), "does not publish")
    assert check.verify(provider.issue("sub-1", id_number=CCCD, kid=second)).subject == "sub-1"


def test_a_dropped_key_is_refused_once_the_cached_key_set_runs_out(provider, clock):
    check = verifier(provider, clock, jwks_cache_seconds=0.3, refetch_interval_seconds=3600)
    old = provider.current_kid
    provider.rotate()
    check.verify(provider.issue("sub-1", id_number=CCCD))  # first fetch: both keys
    provider.drop(old)
    assert check.verify(provider.issue("sub-1", id_number=CCCD, kid=old)).subject == "sub-1"  # cached
    time.sleep(0.4)  # the cache lifetime passes (the refetch interval alone would keep the old set)
    refused(check, provider.issue("sub-1", id_number=CCCD, kid=old), "does not publish")
    assert provider.requests[JWKS_PATH] == 2


def test_a_flood_of_unknown_kids_costs_the_provider_one_refetch_per_interval(provider, clock):
    check = verifier(provider, clock, refetch_interval_seconds=3600)
    assert check.verify(provider.issue("sub-1", id_number=CCCD)).subject == "sub-1"
    assert provider.requests[JWKS_PATH] == 1
    for _ in range(50):
        token = jwt.encode({"sub": "x"}, _foreign_key(provider.alg), algorithm=provider.alg,
                           headers={"kid": uuid.uuid4().hex})
        refused(check, token, "does not publish")
    assert provider.requests[JWKS_PATH] == 1
    assert check.verify(provider.issue("sub-1", id_number=CCCD)).subject == "sub-1"  # known keys still work


def test_unknown_kids_each_refetch_when_no_interval_is_set(provider, clock):
    """The counterpart of the flood test: the interval is what keeps the count down."""
    check = verifier(provider, clock, refetch_interval_seconds=0)
    check.verify(provider.issue("sub-1", id_number=CCCD))
    for _ in range(3):
        refused(check, jwt.encode({"sub": "x"}, _foreign_key(provider.alg), algorithm=provider.alg,
                                  headers={"kid": uuid.uuid4().hex}), "does not publish")
    assert provider.requests[JWKS_PATH] == 4


def test_the_nonce_must_match_when_the_client_gives_one(provider, clock):
    check = verifier(provider, clock)
    token = provider.issue("sub-1", id_number=CCCD, nonce="n-0S6_WzA2Mj")
    assert check.verify(token, "n-0S6_WzA2Mj").subject == "sub-1"
    refused(check, token, "nonce", nonce="another-nonce")
    refused(check, provider.issue("sub-1", id_number=CCCD), "nonce", nonce="n-0S6_WzA2Mj")


def test_a_token_without_the_personal_id_number_is_refused(provider, clock):
    token = provider.issue("sub-1", id_number="")
    refused(verifier(provider, clock), token, "id_number")


def test_garbage_is_refused_as_malformed(provider, clock):
    refused(verifier(provider, clock), "not-a-jwt", "malformed")


def test_a_provider_that_cannot_be_reached_is_unavailable_not_a_bad_token(clock):
    server = OidcStandInServer(client_id=CLIENT, now=clock.now).start()
    token = server.issue("sub-1", id_number=CCCD)
    check = verifier(server, clock)
    server.stop()
    with pytest.raises(IdentityProviderUnavailable):
        check.verify(token)


def test_a_provider_that_does_not_answer_in_time_is_unavailable(clock):
    with OidcStandInServer(client_id=CLIENT, now=clock.now, delay_seconds=1.0) as server:
        check = OidcIdentityProvider(issuer=server.issuer, client_id=CLIENT, clock=clock, timeout_seconds=0.2)
        with pytest.raises(IdentityProviderUnavailable):
            check.verify(server.issue("sub-1", id_number=CCCD))


def test_after_a_failed_discovery_logins_fail_fast_instead_of_asking_again(provider, clock):
    check = OidcIdentityProvider(issuer=provider.issuer + "/elsewhere", client_id=CLIENT, clock=clock)
    token = provider.issue("sub-1", id_number=CCCD)
    for _ in range(5):
        with pytest.raises(IdentityProviderUnavailable):
            check.verify(token)
    assert provider.requests["/elsewhere/.well-known/openid-configuration"] == 1


def test_only_rs256_and_es256_can_be_configured(clock):
    with pytest.raises(ValueError, match="RS256"):
        OidcIdentityProvider(issuer="https://sso.example", client_id=CLIENT, clock=clock, algorithms=["HS256"])


def _foreign_key(alg: str):
    if alg == "RS256":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    from cryptography.hazmat.primitives.asymmetric import ec

    return ec.generate_private_key(ec.SECP256R1())
