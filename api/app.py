"""The Litestar application: controllers, the problem mapper, OpenAPI, request ids, auth."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from litestar import Litestar
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
from api.documents import DocumentController
from api.office import OfficeDossierController
from api.portal import MyDossierController, SubmissionController
from api.admin_procedures import AdminProcedureController
from api.procedures import CatalogueController, ProcedureFormController
from api.middleware import request_id_middleware
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

    return Litestar(
        route_handlers=[
            HealthController, AuthController, SubmissionController, MyDossierController,
            MessageController, OfficeDossierController, DossierHistoryController, WorklistController,
            LookupController, AccessLogController, UserController, ProfileController,
            ProcedureFormController, CatalogueController, AdminProcedureController,
            StatisticsController, PublicStatisticsController, AuditChainController, EventLogController,
            DocumentController, StatisticsExportController,
        ],
        dependencies={"services": Provide(provide_services, use_cache=True, sync_to_thread=False)},
        exception_handlers={Exception: handle_exception},
        middleware=[
            request_id_middleware,
            DefineMiddleware(BearerAuthentication, exclude=["^/schema", "^/health", "^/ready"]),
        ],
        state={"services": services},
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
