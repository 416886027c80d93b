"""Applications configured from our settings alone.

eventsourcing's ``Application.construct_env`` starts from ``os.environ`` and lays ``env=`` on
top, so a stray ``POSTGRES_DBNAME`` (or a name-prefixed ``DOSSIERS_POSTGRES_DBNAME``) in the
process environment could silently point the store elsewhere. Every application of ours derives
from ``IsolatedApplication``, whose environment is exactly what the composition root passes.
"""

from __future__ import annotations

from typing import Any

from eventsourcing.application import Application
from eventsourcing.persistence import IntegrityError, JSONTranscoder
from eventsourcing.utils import Environment, EnvType

from application.errors import ApplicationError


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

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        """Our transcoder registers its own transcodings; only the stock one needs them."""
        if type(transcoder) is JSONTranscoder:
            super().register_transcodings(transcoder)


__all__ = ["IsolatedApplication", "IntegrityError", "StoreUnavailable"]
