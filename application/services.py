"""The bundle of application services the API is given: the API imports this, never ``ops``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from application.accounts import Accounts
from application.catalogue import ProcedureCatalogue, UnitDirectory
from application.tokens import TokenService


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str = ""
    lag: int | None = None


@dataclass
class Services:
    """Filled by the composition root (``ops.wiring``); each attribute is an application service."""

    settings: Any
    clock: Any
    accounts: Accounts
    tokens: TokenService
    catalogue: ProcedureCatalogue
    units: UnitDirectory
    dossiers: Any = None
    audit: Any = None
    queries: Any = None
    accesses: Any = None
    users: Any = None
    index: Any = None
    procedures: Any = None
    """``application.procedures.Procedures``: the catalogue's administrator commands."""
    catalogue_search: Any = None
    """``application.catalogue_search.CatalogueSearch``: the public catalogue (a projection)."""
    statistics: Any = None
    """``application.statistics.Statistics``: processing statistics (ClickHouse)."""
    audit_chain: Any = None
    event_log: Any = None
    """``application.audit_chain.AuditChainService``: ``verifyAuditChain``."""
    documents: Any = None
    """``application.dossier_documents.DossierDocuments``: a dossier's uploaded files."""
    sign_in: Any = None
    """``application.sign_in.SignIn``: password, identity-provider and password-change sign-ins."""
    shared_catalogues: Any = None
    """``application.shared_catalogues.SharedCatalogues``: units, holidays, fields, statuses..."""
    divisions: Any = None
    """``application.divisions.DivisionReference``: provinces and communes (read-only)."""
    my_data: Any = None
    """``application.my_data.MyData``: ``exportMyData``, a citizen's copy of their data."""
    statistics_exports: Any = None
    audit_digests: Any = None
    """``application.audit_digests.AuditDigests``: the daily audit-chain digest job and its schedule."""
    """``application.statistics_exports.StatisticsExports``: CSV / XLSX exports of statistics."""
    checks: list[Callable[[], Check]] = field(default_factory=list)
    rate_limit_storage: Callable[[], Any] | None = None
    """Makes the store of the HTTP rate-limit counters (a ``limits`` async storage), one per
    app; ``None``: in-process memory. Chosen by the composition root (Redis in deployment)."""
    metric_registries: list[Any] = field(default_factory=list)
    """Process-wide Prometheus registries ``/metrics`` exposes beside the app's own."""
    loop_resources: list[Any] = field(default_factory=list)
    """Adapters with ``open_on_loop`` / ``close_on_loop`` (asynchronous connections): opened
    when the server's event loop starts, closed when it stops, on that loop."""

    async def open_on_loop(self) -> None:
        for resource in self.loop_resources:
            await resource.open_on_loop()

    async def close_on_loop(self) -> None:
        for resource in reversed(self.loop_resources):
            await resource.close_on_loop()

    def readiness(self) -> list[Check]:
        results = []
        for check in self.checks:
            try:
                results.append(check())
            except Exception as exc:  # readiness must report, never raise
                results.append(Check(name=getattr(check, "__name__", "check"), ok=False, detail=repr(exc)))
        return results
