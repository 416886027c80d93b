"""Applications configured from our settings alone.

eventsourcing's ``Application.construct_env`` starts from ``os.environ`` and lays ``env=`` on
top, so a stray ``POSTGRES_DBNAME`` (or a name-prefixed ``DOSSIERS_POSTGRES_DBNAME``) in the
process environment could silently point the store elsewhere. Every application of ours derives
from ``IsolatedApplication``, whose environment is exactly what the composition root passes.
"""

from __future__ import annotations

from typing import Any

from eventsourcing.application import Application, Repository
from eventsourcing.persistence import IntegrityError, JSONTranscoder
from eventsourcing.utils import Environment, EnvType, strtobool

from application.errors import ApplicationError
from application.repository import OneReadRepository


class StoreUnavailable(ApplicationError):
    code = "store-unavailable"
    message_vi = "Kho dữ liệu tạm thời không truy cập được"
    message_en = "The event store is temporarily unavailable"


class IsolatedApplication(Application[Any]):
    def construct_env(self, name: str, env: EnvType | None = None) -> Environment:
        _env = dict(type(self).env)
        if type(self).is_snapshotting_enabled or type(self).snapshotting_intervals:
            _env["IS_SNAPSHOTTING_ENABLED"] = "y"
        if env is not None:
            _env.update(env)
        return Environment(name, _env)

    def construct_repository(self) -> Repository[Any]:
        """The library's repository and options, loading snapshot and events in one read where it can."""
        cache_maxsize = self.env.get(self.AGGREGATE_CACHE_MAXSIZE)
        return OneReadRepository(
            event_store=self.events,
            snapshot_store=self.snapshots,
            cache_maxsize=int(cache_maxsize) if cache_maxsize else None,
            fastforward=strtobool(self.env.get(self.AGGREGATE_CACHE_FASTFORWARD, "y")),
            fastforward_skipping=strtobool(self.env.get(self.AGGREGATE_CACHE_FASTFORWARD_SKIPPING, "n")),
            deepcopy_from_cache=strtobool(self.env.get(self.DEEPCOPY_FROM_AGGREGATE_CACHE, "y")),
        )

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        """Our transcoder registers its own transcodings; only the stock one needs them."""
        if type(transcoder) is JSONTranscoder:
            super().register_transcodings(transcoder)


__all__ = ["IsolatedApplication", "IntegrityError", "StoreUnavailable"]
