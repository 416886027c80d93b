"""Building the shared catalogues from settings (kept out of ``ops.wiring`` to keep it small)."""

from __future__ import annotations

from application.clock import Clock
from application.shared_catalogues import SharedCatalogues
from adapters.catalogue.shared_seed import seed_shared_catalogues
from ops.settings import Settings
from ops.stores import schema_lock, store_env


def build_shared_catalogues(settings: Settings, clock: Clock, *, seed: bool = True) -> SharedCatalogues:
    """The event-sourced shared catalogues; the seed's missing entries are added on each start."""
    env = store_env(settings, "SharedCatalogues")
    if not settings.embedded:  # rare writes, cheap reads: one standing connection, more under load
        env.update(POSTGRES_POOL_SIZE="1", POSTGRES_MAX_OVERFLOW=str(settings.postgres_pool_size))
    with schema_lock(settings):
        catalogues = SharedCatalogues(env, clock=clock)
    if seed:
        seed_shared_catalogues(catalogues, settings.procedures_file or None)
    return catalogues
