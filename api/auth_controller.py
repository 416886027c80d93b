"""Login (password or the identity provider), refresh, logout and password change.

Besides the public lookup these are the only routes that need no token: a password change
proves who asks with the current password, so an officer whose password expired can still do it.
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, post
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_204_NO_CONTENT
from msgspec import Meta

from api.http import access_context
from api.rate_limits import login_rate_limit
from api.schemas import Credentials, LogoutRequest, RefreshRequest, ServicesDep, TokenResponse
from application.tokens import TokenPair


class OidcLogin(msgspec.Struct, frozen=True, forbid_unknown_fields=True, rename="camel"):
    id_token: Annotated[str, Meta(min_length=1, max_length=16384)]
    """The ID token the client got from the identity provider."""
    nonce: Annotated[str, Meta(min_length=1, max_length=256)] | None = None
    """The nonce the client sent in its authorisation request; the token must carry it."""


class PasswordChange(msgspec.Struct, frozen=True, forbid_unknown_fields=True, rename="camel"):
    username: Annotated[str, Meta(min_length=1, max_length=64)]
    current_password: Annotated[str, Meta(min_length=1, max_length=200)]
    new_password: Annotated[str, Meta(min_length=1, max_length=200)]


def _tokens(pair: TokenPair) -> TokenResponse:
    return TokenResponse(pair.access_token, pair.refresh_token, pair.expires_in, pair.token_type)


Req = Request[Any, Any, Any]


class AuthController(Controller):
    path = "/auth"
    tags = ["auth"]

    @post("/login", operation_id="login", status_code=HTTP_200_OK, exclude_from_auth=True, sync_to_thread=True,
          guards=[login_rate_limit],
          summary="Đăng nhập / Log in with username and password")
    def login(self, request: Req, data: JSONBody[Credentials], services: ServicesDep) -> TokenResponse:
        return _tokens(services.sign_in.with_password(data.username, data.password, access_context(request)))

    @post("/oidc", operation_id="loginWithOidc", status_code=HTTP_200_OK, exclude_from_auth=True,
          sync_to_thread=True, summary="Đăng nhập bằng định danh điện tử / Log in with the identity provider's ID token")
    def login_with_oidc(self, request: Req, data: JSONBody[OidcLogin], services: ServicesDep) -> TokenResponse:
        return _tokens(services.sign_in.with_id_token(data.id_token, data.nonce, access_context(request)))

    @post("/password", operation_id="changePassword", status_code=HTTP_200_OK, exclude_from_auth=True,
          sync_to_thread=True, guards=[login_rate_limit],
          summary="Đổi mật khẩu / Change the password (ends the other sessions; answers a fresh token pair)")
    def change_password(self, request: Req, data: JSONBody[PasswordChange], services: ServicesDep) -> TokenResponse:
        return _tokens(services.sign_in.change_password(data.username, data.current_password, data.new_password,
                                                        access_context(request)))

    @post("/refresh", operation_id="refreshToken", status_code=HTTP_200_OK, exclude_from_auth=True, sync_to_thread=True,
          summary="Rotate a refresh token for a new token pair")
    def refresh(self, data: JSONBody[RefreshRequest], services: ServicesDep) -> TokenResponse:
        return _tokens(services.tokens.refresh(data.refresh_token))

    @post("/logout", operation_id="logout", status_code=HTTP_204_NO_CONTENT, sync_to_thread=True,
          summary="Revoke the access token (and the refresh token, if given)")
    def logout(self, request: Req, data: JSONBody[LogoutRequest], services: ServicesDep) -> None:
        services.tokens.logout(str(request.auth), data.refresh_token)
