"""Verifies ID tokens of an OpenID Connect provider (VNeID / the national SSO) with PyJWT.

The provider is found through its discovery document (``/.well-known/openid-configuration``)
and its keys through ``jwks_uri`` with PyJWT's ``PyJWKClient``, which caches the key set for
``jwks_cache_seconds`` and, on an unknown ``kid``, refetches it once, at most every
``refetch_interval`` seconds (its cooldown): a rotated key is picked up at once, and a flood of
made-up ``kid`` values costs the provider one request per interval, not one per token.
Only asymmetric algorithms from an allow-list are accepted, checked on the header before any key
is fetched, so ``alg: none`` and HS256 (a public key used as an HMAC secret) never get near it.
Times are checked against the application clock, with a small leeway for clock skew.
"""

from __future__ import annotations

import hmac
import threading
import time
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

import httpx
import jwt
import structlog

from application.clock import Clock
from application.identity_provider import (
    ExternalIdentity,
    IdentityProvider,
    IdentityProviderUnavailable,
    InvalidIdToken,
)

ALLOWED_ALGORITHMS = frozenset({"RS256", "ES256"})
LEEWAY = timedelta(seconds=30)
DISCOVERY_PATH = "/.well-known/openid-configuration"
DISCOVERY_RETRY_SECONDS = 5.0
"""After a failed discovery, logins fail fast for this long instead of each asking the provider again."""
log = structlog.get_logger("motcua.oidc")


def check_algorithms(algorithms: Iterable[str]) -> tuple[str, ...]:
    chosen = tuple(a.strip() for a in algorithms if a.strip())
    refused = [a for a in chosen if a not in ALLOWED_ALGORITHMS]
    if refused or not chosen:
        raise ValueError(f"OIDC algorithms must be among {sorted(ALLOWED_ALGORITHMS)}, got {list(chosen)}")
    return chosen


class OidcIdentityProvider(IdentityProvider):
    def __init__(self, *, issuer: str, client_id: str, clock: Clock, algorithms: Iterable[str] = ("RS256", "ES256"),
                 jwks_cache_seconds: float = 300, refetch_interval_seconds: float = 30, timeout_seconds: float = 5,
                 id_number_claim: str = "id_number", leeway: timedelta = LEEWAY) -> None:
        if not issuer or not client_id:
            raise ValueError("OIDC needs both an issuer URL and a client id")
        self.issuer = issuer
        self._client_id = client_id
        self._clock = clock
        self._algorithms = check_algorithms(algorithms)
        self._cache_seconds = jwks_cache_seconds
        self._refetch_interval = refetch_interval_seconds
        self._timeout = timeout_seconds
        self._id_number_claim = id_number_claim
        self._leeway = leeway
        self._keys: jwt.PyJWKClient | None = None
        self._discovery_failed_at: float | None = None
        self._lock = threading.Lock()

    def verify(self, id_token: str, nonce: str | None = None) -> ExternalIdentity:
        header = _header(id_token)
        alg, kid = header.get("alg"), header.get("kid")
        if alg not in self._algorithms:
            raise InvalidIdToken("the token's algorithm is not allowed")
        if not isinstance(kid, str) or not kid:
            raise InvalidIdToken("the token names no signing key (kid)")
        key = self._signing_key(kid)
        claims = self._decode(id_token, key, alg)
        self._check_times(claims)
        if nonce is not None and not hmac.compare_digest(str(claims.get("nonce", "")), nonce):
            raise InvalidIdToken("the nonce does not match")
        return self._identity(claims)

    def _signing_key(self, kid: str) -> jwt.PyJWK:
        try:
            return self._key_client().get_signing_key(kid)
        except jwt.PyJWKClientConnectionError:
            log.warning("oidc_jwks_unreachable", issuer=self.issuer)
            raise IdentityProviderUnavailable("the provider's keys cannot be fetched") from None
        except (jwt.PyJWKSetError, ValueError):  # no usable keys, or a body that is not JSON
            log.warning("oidc_jwks_unusable", issuer=self.issuer)
            raise IdentityProviderUnavailable("the provider publishes no usable keys") from None
        except jwt.PyJWKClientError:
            raise InvalidIdToken("the token is signed with a key the provider does not publish") from None

    def _key_client(self) -> jwt.PyJWKClient:
        with self._lock:
            if self._keys is None:
                failed_at = self._discovery_failed_at
                if failed_at is not None and time.monotonic() - failed_at < DISCOVERY_RETRY_SECONDS:
                    raise IdentityProviderUnavailable("the provider was unreachable a moment ago")
                try:
                    jwks_uri = self._discover()
                except IdentityProviderUnavailable:
                    self._discovery_failed_at = time.monotonic()
                    raise
                self._keys = jwt.PyJWKClient(
                    jwks_uri, cache_jwk_set=True, lifespan=self._cache_seconds, timeout=self._timeout,
                    cooldown_duration=self._refetch_interval,
                )
            return self._keys

    def _discover(self) -> str:
        """The ``jwks_uri`` of the provider; fetched once, retried on the next login if it failed."""
        url = self.issuer.rstrip("/") + DISCOVERY_PATH
        try:
            response = httpx.get(url, timeout=self._timeout, follow_redirects=False)
            response.raise_for_status()
            document = response.json()
        except (httpx.HTTPError, ValueError):
            log.warning("oidc_discovery_failed", url=url)
            raise IdentityProviderUnavailable("the provider's discovery document cannot be fetched") from None
        if not isinstance(document, dict) or document.get("issuer") != self.issuer:
            log.error("oidc_discovery_issuer_mismatch", url=url)
            raise IdentityProviderUnavailable("the provider's discovery document names another issuer")
        jwks_uri = document.get("jwks_uri")
        if not isinstance(jwks_uri, str) or not jwks_uri.startswith(("https://", "http://")):
            raise IdentityProviderUnavailable("the provider's discovery document has no usable jwks_uri")
        return jwks_uri

    def _decode(self, token: str, key: jwt.PyJWK, alg: str) -> dict[str, Any]:
        try:
            return jwt.decode(
                token, key=key, algorithms=[alg], audience=self._client_id, issuer=self.issuer,
                options={"require": ["iss", "aud", "sub", "exp", "iat"], "verify_exp": False,
                         "verify_iat": False, "verify_nbf": False},
            )
        except jwt.InvalidAudienceError:
            raise InvalidIdToken("the token is meant for another client (audience)") from None
        except jwt.InvalidIssuerError:
            raise InvalidIdToken("the token comes from another issuer") from None
        except jwt.InvalidSignatureError:
            raise InvalidIdToken("the token's signature is wrong") from None
        except jwt.MissingRequiredClaimError as exc:
            raise InvalidIdToken(f"the token lacks the {exc.claim!r} claim") from None
        except jwt.PyJWTError:
            raise InvalidIdToken("the token cannot be verified") from None

    def _check_times(self, claims: dict[str, Any]) -> None:
        now = self._clock.now()
        exp, iat, nbf = _instant(claims, "exp", now), _instant(claims, "iat", now), claims.get("nbf")
        if exp + self._leeway <= now:
            raise InvalidIdToken("the token has expired")
        if iat - self._leeway > now:
            raise InvalidIdToken("the token was issued in the future")
        if nbf is not None and _instant(claims, "nbf", now) - self._leeway > now:
            raise InvalidIdToken("the token is not valid yet")
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        if len(audiences) > 1 and claims.get("azp") != self._client_id:
            raise InvalidIdToken("a token for several audiences must name us as its authorised party")

    def _identity(self, claims: dict[str, Any]) -> ExternalIdentity:
        number = claims.get(self._id_number_claim)
        if not isinstance(number, str) or not number:
            raise InvalidIdToken(f"the token lacks the {self._id_number_claim!r} claim")
        name = claims.get("name") or " ".join(
            str(claims[k]) for k in ("family_name", "given_name") if claims.get(k)
        )
        return ExternalIdentity(
            issuer=self.issuer, subject=str(claims["sub"]), id_number=number, full_name=str(name)[:200],
            email=_text(claims.get("email")), phone=_text(claims.get("phone_number")),
        )


def _header(token: str) -> dict[str, Any]:
    if not isinstance(token, str) or len(token) > 16_384:
        raise InvalidIdToken("the token is malformed")
    try:
        return jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise InvalidIdToken("the token is malformed") from None


def _instant(claims: dict[str, Any], name: str, now: datetime) -> datetime:
    value = claims.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidIdToken(f"the {name!r} claim is not a number")
    try:
        return datetime.fromtimestamp(value, tz=now.tzinfo)
    except (OverflowError, OSError, ValueError):
        raise InvalidIdToken(f"the {name!r} claim is out of range") from None


def _text(value: object) -> str | None:
    return str(value)[:200] if isinstance(value, str) and value else None
