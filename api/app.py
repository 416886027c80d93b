"""The Litestar application: controllers, the problem mapper, OpenAPI, request ids."""

from __future__ import annotations

from litestar import Litestar
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig

from api.health import HealthController
from api.middleware import request_id_middleware
from api.problems import handle_exception
from application.services import Services


def create_app(services: Services) -> Litestar:
    def provide_services() -> Services:
        return services

    return Litestar(
        route_handlers=[HealthController],
        dependencies={"services": Provide(provide_services, use_cache=True, sync_to_thread=False)},
        exception_handlers={Exception: handle_exception},
        middleware=[request_id_middleware],
        openapi_config=OpenAPIConfig(
            title="motcua",
            version="0.1.0",
            description="Hệ thống thông tin giải quyết thủ tục hành chính / Administrative procedures back end",
            path="/schema",
        ),
        debug=False,
    )
