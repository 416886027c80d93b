"""The composition root: the one place that picks concrete adapters from settings.

Everything else receives what it needs; nothing below this module decides between SQLite and
PostgreSQL, in-process or Redis, or reads the environment.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from adapters.catalogue.importer import import_seed
from adapters.jobs.dramatiq_jobs import DramatiqJobs, Every
from application.access_log import AccessLog, Accesses
from application.accounts import Accounts, UserAdministration
from application.dossier_audit import DossierAudit
from application.dossier_queries import DossierQueries
from application.event_log_export import EventLogExport
from application.my_data import MyData
from application.dossiers import Dossiers
from application.dossier_documents import DossierDocuments
from adapters.documents.filesystem import FilesystemDocumentStore
from application.catalogue import ProcedureCatalogue, UnitDirectory
from application.procedures import Procedures
from application.housekeeping import purge_expired_idempotency_keys
from application.jobs import PURGE_IDEMPOTENCY_KEYS
from application.lookup_secrets import LookupSecrets
from application.clock import Clock, WallClock
from application.services import Check, Services
from application.tokens import RevocationList, TokenService
from ops.audit import build_audit_chain
from ops.audit_schedule import attach_audit_digests
from ops.identity import build_sign_in, password_hasher, password_max_age
from ops.calendars import HolidaySource, calendar_provider
from ops.catalogue_projector import build_catalogue_view, start_embedded_catalogue_projector
from ops.projectors import build_index_view, start_embedded_projectors
from ops.metrics import PROCESS_REGISTRY
from ops.secrets import secret
from ops.shared_catalogues import build_shared_catalogues
from adapters.catalogue.divisions import PackageDivisions
from ops.settings import Settings
from ops.statistics import attach_statistics
from ops.exports import attach_exports
from ops.stores import postgres_conninfo, schema_lock, store_env


REDIS_TIMEOUT = 0.5
"""Seconds the rate limiter waits for Redis before serving the request unlimited."""

INDEX_LAG_NOT_READY = 10_000
"""Events the lookup index may trail the store by before the process reports not ready."""


@dataclass
class Container:
    settings: Settings
    clock: Clock
    services: Services
    closers: list[Any] = field(default_factory=list)
    starters: list[Any] = field(default_factory=list)
    jobs: Any = None

    def start(self) -> None:
        """Start background work (projection runners, job workers)."""
        for starter in self.starters:
            starter()

    def close(self) -> None:
        for closer in self.closers:  # every background thread first hears the stop at once
            signal_stop = getattr(getattr(closer, "__self__", None), "signal_stop", None)
            if callable(signal_stop):
                signal_stop()
        for closer in reversed(self.closers):
            try:
                closer()
            except Exception:  # closing must go on for the others
                pass
        self.closers.clear()


def build_revocations(settings: Settings, clock: Clock) -> RevocationList:
    if settings.redis_url:
        import redis

        from adapters.revocation.redis import RedisRevocationList

        return RedisRevocationList(redis.Redis.from_url(settings.redis_url), clock)
    from adapters.revocation.memory import InMemoryRevocationList

    return InMemoryRevocationList(clock)


def build_container(settings: Settings, *, clock: Clock | None = None, projections: bool = True) -> Container:
    clock = clock or WallClock()
    settings.data_path.mkdir(parents=True, exist_ok=True)
    shared = build_shared_catalogues(settings, clock)
    with schema_lock(settings):
        accounts = Accounts(
            store_env(settings, "Accounts"), clock, max_failures=settings.login_max_failures,
            lockout=timedelta(minutes=settings.login_lockout_minutes),
            password_max_age=password_max_age(settings), hasher=password_hasher(settings),
        )
    tokens = TokenService(
        secret(settings.jwt_secret, settings.data_path, "jwt"),
        clock,
        build_revocations(settings, clock),
        access_ttl=timedelta(minutes=settings.access_token_minutes),
        refresh_ttl=timedelta(days=settings.refresh_token_days),
    )

    access_log = build_access_log(settings)
    accesses = Accesses(access_log, clock)
    accounts.accesses = accesses
    procedures = build_procedures(settings, clock)
    catalogue_view = build_catalogue_view(settings)
    dossiers = build_dossiers(settings, clock, procedures, accesses, units=shared, holidays=shared)
    index = build_index_view(settings)

    def event_store() -> Check:
        accounts.recorder.max_notification_id()
        dossiers.recorder.max_notification_id()
        procedures.recorder.max_notification_id()
        shared.recorder.max_notification_id()
        return Check(name="event-store", ok=True)

    def catalogue_projection() -> Check:
        lag = max(0, (procedures.recorder.max_notification_id() or 0) - catalogue_view.position())
        return Check(name="catalogue", ok=lag < INDEX_LAG_NOT_READY, lag=lag)

    def lookup_index() -> Check:
        lag = max(0, (dossiers.recorder.max_notification_id() or 0) - index.position())
        return Check(name="lookup-index", ok=lag < INDEX_LAG_NOT_READY, lag=lag)

    queries = DossierQueries(
        index, clock, shared.descendants, dossiers.lookup_secrets,
        max_wait=settings.read_your_writes_max_wait, default_limit=settings.page_size_default,
        max_limit=settings.page_size_max,
    )
    audit_chain = build_audit_chain(settings, [accounts, dossiers, procedures, shared])
    services = Services(
        settings=settings, clock=clock, accounts=accounts, tokens=tokens,
        catalogue=procedures, units=shared, dossiers=dossiers, audit=DossierAudit(dossiers),
        queries=queries, accesses=accesses, users=UserAdministration(accounts, tokens),
        checks=[event_store, lookup_index, catalogue_projection], procedures=procedures,
        catalogue_search=catalogue_view, audit_chain=audit_chain,
        event_log=EventLogExport(audit_chain, accesses),
        shared_catalogues=shared, divisions=PackageDivisions(),
    )
    services.documents = DossierDocuments(dossiers, FilesystemDocumentStore(settings.data_path / "documents"),
                                          max_dossier_bytes=settings.max_dossier_document_bytes)
    services.rate_limit_storage = rate_limit_storage_factory(settings)
    services.metric_registries = [PROCESS_REGISTRY]
    services.loop_resources = [index]
    services.sign_in = build_sign_in(settings, clock, accounts, tokens)
    services.my_data = MyData(accounts, dossiers, index, access_log, clock, max_wait=settings.read_your_writes_max_wait)
    container = Container(settings=settings, clock=clock, services=services)
    container.closers.extend([
        accounts.close, procedures.close, shared.close, catalogue_view.datastore.close, dossiers.close,
        index.datastore.close, access_log.close,
    ])
    if projections:
        container.starters.append(lambda: _projectors(container))
        container.starters.append(lambda: _catalogue_projector(container))
    attach_statistics(container, dossiers, projections=projections)
    container.jobs = build_jobs(settings, clock, [dossiers.recorder, accounts.recorder])
    if settings.embedded or not settings.redis_url:
        # In-process jobs (no Redis: the stub broker's queue exists only in this process);
        # with Redis, `motcua worker` runs them.
        container.starters.append(container.jobs.start_worker)
    if settings.embedded:
        container.starters.append(lambda: _housekeeping(container))
    container.closers.insert(0, container.jobs.stop)
    attach_exports(container)
    attach_audit_digests(container)  # after the exports: their store is digested too
    return container


def rate_limit_storage_factory(settings: Settings) -> Callable[[], Any]:
    """Where the HTTP rate-limit counters live: Redis in deployment (shared by every worker and
    server, counted atomically), process memory in the embedded default. One store per app."""
    if settings.redis_url:
        from limits.aio.storage import RedisStorage

        uri = "async+" + settings.redis_url
        # Short timeouts: an unreachable Redis must cost a request little (it is then served).
        return lambda: RedisStorage(uri, implementation="redispy", key_prefix=settings.rate_limit_key_prefix,
                                    socket_connect_timeout=REDIS_TIMEOUT, socket_timeout=REDIS_TIMEOUT)
    from limits.aio.storage import MemoryStorage

    return MemoryStorage


def build_jobs(settings: Settings, clock: Clock, stores: list[Any]) -> DramatiqJobs:
    jobs = DramatiqJobs(settings.redis_url)
    keep = timedelta(hours=settings.idempotency_hours)
    jobs.register(PURGE_IDEMPOTENCY_KEYS, lambda: purge_expired_idempotency_keys(stores, clock, keep))
    return jobs


def _projectors(container: Container) -> None:
    handle = start_embedded_projectors(container.settings)
    container.closers.insert(0, handle.stop)


def _catalogue_projector(container: Container) -> None:
    handle = start_embedded_catalogue_projector(container.settings)
    container.closers.insert(0, handle.stop)


def _housekeeping(container: Container) -> None:
    every = Every(container.jobs, PURGE_IDEMPOTENCY_KEYS, seconds=3600)
    every.start()
    container.closers.insert(0, every.stop)


def build_access_log(settings: Settings) -> AccessLog:
    if settings.embedded:
        from adapters.access_log.sqlite import SQLiteAccessLog

        return SQLiteAccessLog(settings.data_path / "access_log.sqlite")
    from adapters.access_log.postgres import PostgresAccessLog

    with schema_lock(settings):
        return PostgresAccessLog(postgres_conninfo(settings), settings.postgres_schema)


def build_procedures(settings: Settings, clock: Clock) -> Procedures:
    """The event-sourced procedure catalogue; imports the seed file's procedures on first start."""
    env = store_env(settings, "Procedures")
    if not settings.embedded:  # few writes: one standing connection, more only under load
        env.update(POSTGRES_POOL_SIZE="1", POSTGRES_MAX_OVERFLOW=str(settings.postgres_pool_size))
    with schema_lock(settings):
        procedures = Procedures(env, clock=clock)
    import_seed(procedures, settings.procedures_file or None)
    return procedures


def build_dossiers(settings: Settings, clock: Clock, catalogue: ProcedureCatalogue,
                   accesses: Accesses | None = None, units: UnitDirectory | None = None,
                   holidays: HolidaySource | None = None) -> Dossiers:
    """Also used by CLI commands and tests that need only the command side.

    ``units`` defaults to ``catalogue`` (the seed stand-in serves both ports); ``holidays`` (the
    shared catalogues) lays units' own days on the working calendar."""
    directory: UnitDirectory = units if units is not None else catalogue  # type: ignore[assignment]
    lookup_key = secret(settings.lookup_secret_key, settings.data_path, "lookup")
    accesses = accesses or Accesses(build_access_log(settings), clock)
    with schema_lock(settings):
        return Dossiers(
            store_env(settings, "Dossiers"),
            accesses=accesses,
            clock=clock,
            catalogue=catalogue,
            calendar_for=calendar_provider(settings, holidays),
            scope_of=directory.descendants,
            lookup_secrets=LookupSecrets(lookup_key),
            # Derived, so every API process of a deployment computes the same pseudonymous keys.
            applicant_key_secret="applicant-key:" + lookup_key,
        )
