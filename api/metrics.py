"""Prometheus metrics of one app instance and the ``/metrics`` route that exposes them.

Requests are labelled by the handler's ``operationId``, never the raw path (dossier codes in
paths would make a series per dossier). Each app has its own registry, so two apps in one
process (tests) never collide; the process-wide registries the composition root hands over
(the group committer's batch sizes) are exposed beside it. Projection lag is computed when
Prometheus scrapes, from the same checks ``/ready`` reports.

Who may read: a scraper presenting ``MOTCUA_METRICS_TOKEN`` as a bearer token or, when no
token is configured, any client on the loopback interface (a sidecar or node exporter proxy).
Metrics hold no personal data, but they do tell an outsider the traffic of every operation.
"""

from __future__ import annotations

import hmac
import ipaddress
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from litestar import Controller, Request, Response, get
from litestar.connection import ASGIConnection
from litestar.exceptions import HTTPException
from litestar.handlers.base import BaseRouteHandler
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from api.problems import HTTPProblem
from api.rate_limits import UNLIMITED_OPT
from application.errors import AccessDenied
from application.services import Check, Services

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
COMMAND_METHODS = frozenset({"POST", "PATCH", "PUT", "DELETE"})


def outcome_of(status: int) -> str:
    """What became of a state-changing call, from its status."""
    if status < 400:
        return "accepted"
    if status in (409, 412):
        return "conflict"
    if status in (401, 403):
        return "denied"
    if status == 404:
        return "not-found"
    if status == 429:
        return "throttled"
    if status >= 500:
        return "failed"
    return "refused"


class _ProjectionLag(Collector):
    def __init__(self, readiness: Callable[[], list[Check]]) -> None:
        self.readiness = readiness

    def collect(self) -> Iterator[GaugeMetricFamily]:
        gauge = GaugeMetricFamily("motcua_projection_lag_events",
                                  "Events the projection trails its event store by", labels=["projection"])
        for check in self.readiness():
            if check.lag is not None:
                gauge.add_metric([check.name], check.lag)
        yield gauge


class _Registries(Collector):
    """The process-wide registries, collected as if they were part of this one."""

    def __init__(self, registries: Iterable[CollectorRegistry]) -> None:
        self.registries = list(registries)

    def collect(self) -> Iterator[Any]:
        for registry in self.registries:
            yield from registry.collect()


class HttpMetrics:
    def __init__(self, services: Services) -> None:
        self.registry = CollectorRegistry()
        self.latency = Histogram("motcua_http_request_duration_seconds", "Request latency by operation",
                                 ["operation"], buckets=LATENCY_BUCKETS, registry=self.registry)
        self.requests = Counter("motcua_http_requests", "Requests by operation and status class",
                                ["operation", "status_class"], registry=self.registry)
        self.commands = Counter("motcua_command_outcomes", "State-changing calls by operation and outcome",
                                ["operation", "outcome"], registry=self.registry)
        self.registry.register(_ProjectionLag(services.readiness))
        self.registry.register(_Registries(services.metric_registries))
        # Labelled children by label values: ``labels()`` takes a lock and builds tuples on
        # every call, a cost paid on every request; operations and statuses are few.
        self._children: dict[tuple[str, ...], Any] = {}

    def _child(self, metric: Any, *values: str) -> Any:
        key = (id(metric), *values)
        child = self._children.get(key)
        if child is None:
            child = self._children[key] = metric.labels(*values)
        return child

    def record(self, operation: str, method: str, status: int, seconds: float) -> None:
        self._child(self.latency, operation).observe(seconds)
        self._child(self.requests, operation, f"{status // 100}xx").inc()
        if method in COMMAND_METHODS:
            self._child(self.commands, operation, outcome_of(status)).inc()

    def expose(self) -> bytes:
        return generate_latest(self.registry)


def _operation(scope: Scope) -> str:
    handler = scope.get("route_handler")
    operation = getattr(handler, "operation_id", None)
    if isinstance(operation, str):
        return operation
    return "preflight" if scope.get("method") == "OPTIONS" else "other"


def _status_of(exc: Exception) -> int:
    if isinstance(exc, HTTPException):
        return exc.status_code
    if isinstance(exc, HTTPProblem):
        return exc.status
    return int(getattr(exc, "http_status", 500))


def metrics_middleware(app: ASGIApp) -> ASGIApp:
    """Times every routed request; errors raised by later middleware (401) count by their status."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await app(scope, receive, send_and_note)
        except Exception as exc:
            status = _status_of(exc)
            raise
        finally:
            metrics: HttpMetrics = scope["litestar_app"].state["metrics"]
            metrics.record(_operation(scope), scope.get("method", ""), status, time.perf_counter() - started)

    return middleware


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class MetricsReaderOnly(AccessDenied):
    code = "metrics-forbidden"
    message_vi = "Chỉ hệ thống giám sát được đọc số liệu vận hành"
    message_en = "Only the monitoring system may read the metrics"


def requires_metrics_reader(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    token: str = connection.app.state["services"].settings.metrics_token
    if token:
        scheme, _sep, given = connection.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode()):
            return
        raise MetricsReaderOnly("the metrics token is missing or wrong")
    if not (connection.client and _is_loopback(connection.client.host)):
        raise MetricsReaderOnly("without MOTCUA_METRICS_TOKEN only loopback clients may read the metrics")


class MetricsController(Controller):
    path = "/metrics"
    tags = ["operations"]

    @get("", operation_id="getMetrics", exclude_from_auth=True, sync_to_thread=True,
         guards=[requires_metrics_reader], opt={UNLIMITED_OPT: False},
         summary="Số liệu vận hành / Prometheus metrics (monitoring token or loopback only)")
    def metrics(self, request: Request[Any, Any, Any]) -> Response[bytes]:
        metrics: HttpMetrics = request.app.state["metrics"]
        return Response(metrics.expose(), media_type=CONTENT_TYPE_LATEST)
