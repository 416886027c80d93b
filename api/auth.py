"""Bearer-token authentication and the ``requires_*`` guards.

The middleware turns a verified access token into the ``Actor`` that every event records;
routes marked ``exclude_from_auth`` (login, refresh, the public lookup, health) skip it.
"""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult

from application.errors import AccessDenied, ApplicationError
from application.services import Services
from application.policy import STATISTICS_READERS
from domain.actor import OFFICER_ROLES, Actor, Role


class BearerAuthentication(AbstractAuthenticationMiddleware):
    async def authenticate_request(self, connection: ASGIConnection[Any, Any, Any, Any]) -> AuthenticationResult:
        header = connection.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise NotAuthorizedException("a Bearer access token is required")
        services: Services = connection.app.state["services"]
        try:
            actor = services.tokens.authenticate(token.strip())
        except ApplicationError as exc:
            raise NotAuthorizedException(exc.detail or exc.message_en) from None
        return AuthenticationResult(user=actor, auth=token.strip())


def _role(connection: ASGIConnection[Any, Any, Any, Any]) -> Role:
    actor: Actor = connection.user
    return actor.role


def _guard(*roles: Role) -> Any:
    allowed = frozenset(roles)

    def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        if _role(connection) not in allowed:
            raise AccessDenied(f"this needs one of the roles: {', '.join(sorted(r.value for r in allowed))}")

    return guard


requires_citizen = _guard(Role.CITIZEN)
requires_officer = _guard(*OFFICER_ROLES)
requires_reception_officer = _guard(Role.RECEPTION_OFFICER)
requires_applicant_side = _guard(Role.CITIZEN, Role.RECEPTION_OFFICER)
requires_dossier_reader = _guard(*OFFICER_ROLES, Role.AUDITOR)
requires_auditor = _guard(Role.AUDITOR)
requires_participant = _guard(Role.CITIZEN, *OFFICER_ROLES)
requires_participant_or_auditor = _guard(Role.CITIZEN, *OFFICER_ROLES, Role.AUDITOR)
requires_administrator = _guard(Role.ADMINISTRATOR)
requires_statistics_reader = _guard(*STATISTICS_READERS)
