"""Every way into a session ends in our own token pair: a password, the identity provider, a password change.

The identity provider's ID token is checked once here and then forgotten: from then on the
citizen holds our short-lived access token and rotating refresh token like everyone else, so
revocation, logout and refresh reuse detection work the same for all accounts.
"""

from __future__ import annotations

import structlog

from application.access_log import AccessContext
from application.accounts import Accounts, actor_of
from application.external_accounts import ExternalAccounts
from application.identity_provider import IdentityProvider
from application.tokens import TokenPair, TokenService
from domain.account import Account

OIDC_LOGIN_SUBJECT = "oidc"
"""What a failed provider login is logged under: there is no trustworthy name to log yet."""
log = structlog.get_logger("motcua.sign_in")


class SignIn:
    def __init__(self, accounts: Accounts, tokens: TokenService, provider: IdentityProvider,
                 external: ExternalAccounts) -> None:
        self._accounts = accounts
        self._tokens = tokens
        self._provider = provider
        self._external = external

    def with_password(self, username: str, password: str, access: AccessContext | None = None) -> TokenPair:
        actor, generation = self._accounts.sign_in(username, password, access)
        return self._tokens.issue(actor, generation=generation)

    def with_id_token(self, id_token: str, nonce: str | None = None, access: AccessContext | None = None) -> TokenPair:
        """Verify the provider's ID token, find or create the linked citizen account, open a session."""
        account: Account | None = None
        try:
            identity = self._provider.verify(id_token, nonce)
            account = self._external.account_for(identity)
        except Exception as exc:  # application and domain errors carry a code; the token and number never go out
            log.info("oidc_login_refused", code=getattr(exc, "code", type(exc).__name__))
            raise
        finally:
            self._log(account, access)
        return self._tokens.issue(actor_of(account), generation=account.password_generation)

    def change_password(self, username: str, current: str, new: str,
                        access: AccessContext | None = None) -> TokenPair:
        """Change it, end every session opened under the old password, and open a fresh one."""
        actor, generation = self._accounts.change_password(username, current, new, access)
        self._tokens.end_generation(actor.id, generation - 1)
        return self._tokens.issue(actor, generation=generation)

    def _log(self, account: Account | None, access: AccessContext | None) -> None:
        if self._accounts.accesses is not None:
            actor = actor_of(account) if account is not None else None
            self._accounts.accesses.login(account.username if account else OIDC_LOGIN_SUBJECT, actor, access)
