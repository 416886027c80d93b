"""The Litestar application: controllers, the problem mapper, OpenAPI, request ids, auth."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from litestar import Litestar, Router
from litestar.concurrency import set_asyncio_executor
from litestar.di import Provide
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme

from api.auth import BearerAuthentication
from api.auth_controller import AuthController
from api.access_log import AccessLogController
from api.users import ProfileController, UserController
from api.audit import DossierHistoryController
from api.audit_chain import AuditChainController, EventLogController
from api.health import HealthController
from api.lookup import LookupController
from api.worklist import WorklistController
from api.statistics import PublicStatisticsController, StatisticsController
from api.statistics_exports import StatisticsExportController
from api.messages import MessageController
from api.my_data import MyDataController
from api.documents import DocumentController
from api.office import OfficeDossierController
from api.portal import MyDossierController, SubmissionController
from api.admin_procedures import AdminProcedureController
from api.catalogues import (
    DivisionController, DocumentTypeController, FieldController, HolidayController, StatusController, UnitController,
)
from api.procedures import CatalogueController, ProcedureFormController
from api.metrics import HttpMetrics, MetricsController, metrics_middleware
from api.middleware import request_id_middleware
from api.rate_limits import RateLimits, account_rate_limit_middleware, client_rate_limit_middleware
from api.security import add_security_headers, cors_config
from api.problems import handle_exception
from application.services import Services

_executor: ThreadPoolExecutor | None = None


def create_app(services: Services) -> Litestar:
    global _executor
    if _executor is None:
        # Sized with the database pool: handlers that touch the event store run here.
        _executor = ThreadPoolExecutor(max_workers=services.settings.thread_pool_size, thread_name_prefix="motcua")
        set_asyncio_executor(_executor)

    def provide_services() -> Services:
        return services

    settings = services.settings
    # Uploads get their own, larger body limit; every other route has the global one.
    documents = Router(path="/", route_handlers=[DocumentController], request_max_body_size=settings.max_upload_bytes)

    return Litestar(
        route_handlers=[
            HealthController, AuthController, SubmissionController, MyDossierController,
            MessageController, OfficeDossierController, DossierHistoryController, WorklistController,
            LookupController, AccessLogController, UserController, ProfileController,
            ProcedureFormController, CatalogueController, AdminProcedureController,
            StatisticsController, PublicStatisticsController, AuditChainController, EventLogController,
            documents, MetricsController, UnitController, HolidayController, StatusController, FieldController,
            DocumentTypeController, DivisionController,
            MyDataController,
            StatisticsExportController,
        ],
        dependencies={"services": Provide(provide_services, use_cache=True, sync_to_thread=False)},
        exception_handlers={Exception: handle_exception},
        middleware=[
            request_id_middleware,
            metrics_middleware,
            client_rate_limit_middleware,
            DefineMiddleware(BearerAuthentication, exclude=["^/schema", "^/health", "^/ready"]),
            account_rate_limit_middleware,
        ],
        before_send=[add_security_headers],
        on_startup=[services.open_on_loop],
        on_shutdown=[services.close_on_loop],
        cors_config=cors_config(settings.cors_origins),
        request_max_body_size=settings.max_body_bytes,
        state={
            "services": services,
            "rate_limits": RateLimits(settings, services.rate_limit_storage),
            "metrics": HttpMetrics(services),
        },
        openapi_config=OpenAPIConfig(
            title="motcua",
            version="0.1.0",
            description="Hệ thống thông tin giải quyết thủ tục hành chính / Administrative procedures back end",
            path="/schema",
            components=Components(security_schemes={"bearer": SecurityScheme(type="http", scheme="bearer", bearer_format="JWT")}),
            security=[{"bearer": []}],
        ),
        debug=False,
    )
