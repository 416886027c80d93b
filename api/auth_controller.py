"""Login, refresh and logout: the only routes besides the public lookup that need no token."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, post
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_204_NO_CONTENT

from api.http import access_context
from api.rate_limits import login_rate_limit
from api.schemas import Credentials, LogoutRequest, RefreshRequest, ServicesDep, TokenResponse
from application.tokens import TokenPair


def _tokens(pair: TokenPair) -> TokenResponse:
    return TokenResponse(pair.access_token, pair.refresh_token, pair.expires_in, pair.token_type)


class AuthController(Controller):
    path = "/auth"
    tags = ["auth"]

    @post("/login", operation_id="login", status_code=HTTP_200_OK, exclude_from_auth=True, sync_to_thread=True,
          guards=[login_rate_limit],
          summary="Đăng nhập / Log in with username and password")
    def login(self, request: Request[Any, Any, Any], data: JSONBody[Credentials], services: ServicesDep) -> TokenResponse:
        actor = services.accounts.authenticate(data.username, data.password, access_context(request))
        return _tokens(services.tokens.issue(actor))

    @post("/refresh", operation_id="refreshToken", status_code=HTTP_200_OK, exclude_from_auth=True, sync_to_thread=True,
          summary="Rotate a refresh token for a new token pair")
    def refresh(self, data: JSONBody[RefreshRequest], services: ServicesDep) -> TokenResponse:
        return _tokens(services.tokens.refresh(data.refresh_token))

    @post("/logout", operation_id="logout", status_code=HTTP_204_NO_CONTENT, sync_to_thread=True,
          summary="Revoke the access token (and the refresh token, if given)")
    def logout(self, request: Request[Any, Any, Any], data: JSONBody[LogoutRequest], services: ServicesDep) -> None:
        services.tokens.logout(str(request.auth), data.refresh_token)
