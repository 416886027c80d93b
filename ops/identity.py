"""Wires sign-in: the identity provider chosen from settings, external accounts and ``SignIn``."""

from __future__ import annotations

from datetime import timedelta

from argon2 import PasswordHasher

from application.accounts import Accounts
from application.clock import Clock
from application.external_accounts import ExternalAccounts
from application.identity_provider import IdentityProvider, NoIdentityProvider
from application.sign_in import SignIn
from application.tokens import TokenService
from ops.secrets import secret
from ops.settings import Settings, SettingsError


def password_hasher(settings: Settings) -> PasswordHasher:
    """argon2id at the configured cost; hashes keep their own parameters, so a change of cost
    still verifies the passwords hashed before it."""
    if settings.password_hash_time_cost < 1 or settings.password_hash_memory_kib < 64:
        raise SettingsError("MOTCUA_PASSWORD_HASH_TIME_COST must be >= 1 and MOTCUA_PASSWORD_HASH_MEMORY_KIB >= 64")
    return PasswordHasher(time_cost=settings.password_hash_time_cost, memory_cost=settings.password_hash_memory_kib)


def password_max_age(settings: Settings) -> timedelta | None:
    return timedelta(days=settings.password_max_age_days) if settings.password_max_age_days > 0 else None


def build_identity_provider(settings: Settings, clock: Clock) -> IdentityProvider:
    if not settings.oidc_issuer:
        return NoIdentityProvider()
    if not settings.oidc_client_id:
        raise SettingsError("MOTCUA_OIDC_ISSUER is set but MOTCUA_OIDC_CLIENT_ID is empty: the audience is needed")
    from adapters.oidc.verifier import OidcIdentityProvider

    try:
        return OidcIdentityProvider(
            issuer=settings.oidc_issuer, client_id=settings.oidc_client_id, clock=clock,
            algorithms=settings.oidc_algorithms.split(","), jwks_cache_seconds=settings.oidc_jwks_cache_seconds,
            refetch_interval_seconds=settings.oidc_jwks_refetch_seconds,
            timeout_seconds=settings.oidc_http_timeout_seconds, id_number_claim=settings.oidc_id_number_claim,
        )
    except ValueError as exc:
        raise SettingsError(f"MOTCUA_OIDC_*: {exc}") from None


def build_sign_in(settings: Settings, clock: Clock, accounts: Accounts, tokens: TokenService) -> SignIn:
    # Derived from the lookup key like the dossiers' applicant keys, so every process of a
    # deployment finds the same account for the same citizen. Rotating it would orphan links.
    link_key = "identity-link:" + secret(settings.lookup_secret_key, settings.data_path, "lookup")
    return SignIn(accounts, tokens, build_identity_provider(settings, clock), ExternalAccounts(accounts, link_key))
