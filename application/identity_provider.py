"""Port: an external OpenID Connect provider vouches for a citizen or a business.

In production this is the national single sign-on (VNeID); the adapter lives in
``adapters/oidc`` and the tests run it against a local stand-in server. The application only
needs the verified facts: who the provider says this is (issuer + subject), their personal
identification number and name. The number is kept out of ``repr`` so it cannot slip into a
log line through an f-string or a traceback.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field

from application.errors import ApplicationError, ServiceUnavailable


@dataclass(frozen=True)
class ExternalIdentity:
    issuer: str
    subject: str
    id_number: str = field(repr=False)
    full_name: str = ""
    email: str | None = field(default=None, repr=False)
    phone: str | None = field(default=None, repr=False)


class IdentityProvider(ABC):
    @abstractmethod
    def verify(self, id_token: str, nonce: str | None = None) -> ExternalIdentity:
        """Check the ID token completely (signature, issuer, audience, times, nonce) or raise.

        Raises ``InvalidIdToken`` for a token we must not trust, ``IdentityProviderUnavailable``
        when the provider cannot be reached to check it, ``OidcDisabled`` when none is configured.
        """


class InvalidIdToken(ApplicationError):
    """Deliberately vague towards the client (the detail names only the failed check)."""

    code = "invalid-id-token"
    message_vi = "Mã định danh (ID token) không hợp lệ hoặc đã hết hạn"
    message_en = "The ID token is invalid or expired"
    http_status = 401


class IdentityProviderUnavailable(ServiceUnavailable):
    code = "identity-provider-unavailable"
    message_vi = "Không kết nối được với hệ thống định danh quốc gia, vui lòng thử lại sau"
    message_en = "The identity provider cannot be reached; try again later"
    http_status = 503


class OidcDisabled(ApplicationError):
    code = "oidc-disabled"
    message_vi = "Đăng nhập bằng tài khoản định danh điện tử chưa được bật trên hệ thống này"
    message_en = "Sign-in through the identity provider is not enabled on this system"
    http_status = 501


class NoIdentityProvider(IdentityProvider):
    """What the composition root wires when ``MOTCUA_OIDC_ISSUER`` is empty."""

    def verify(self, id_token: str, nonce: str | None = None) -> ExternalIdentity:
        raise OidcDisabled()
