"""One place where configuration enters the process.

Everything is read once from ``MOTCUA_*`` environment variables into a frozen msgspec Struct;
no other module reads ``os.environ``. eventsourcing itself would read the environment too, so
the composition root builds every Application's ``env=`` from these settings alone
(see ``ops.wiring``), which means a stray ``POSTGRES_DBNAME`` can never reconfigure the store.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import msgspec

PREFIX = "MOTCUA_"


class SettingsError(ValueError):
    """A configuration value that cannot be used; the message names the variable."""


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    """Every setting with its default. README.md documents each one."""

    data_dir: str = "./var"
    """Where the embedded default keeps its SQLite files, chDB directory and secrets."""
    database_url: str = ""
    """``postgresql://user@host:port/dbname``; empty means the embedded SQLite default."""
    postgres_schema: str = "public"
    postgres_pool_size: int = 10
    redis_url: str = ""
    """Redis for token revocation and jobs in deployment; empty means in-process."""
    clickhouse_dsn: str = ""
    """Statistics store (later issue): ``chdb:///abs/path`` or ``http://host:8123``."""
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    thread_pool_size: int = 16
    log_level: str = "info"
    log_json: bool = True
    timezone: str = "Asia/Ho_Chi_Minh"
    working_periods: str = "07:30-11:30,13:00-17:00"
    reception_cutoff: str = "15:00"
    jwt_secret: str = ""
    """HS256 signing key; empty means a random key kept in ``data_dir/secrets``."""
    lookup_secret_key: str = ""
    """HMAC key for the public lookup secrets; empty means a random key in ``data_dir/secrets``."""
    audit_chain_key: str = ""
    """HMAC key of the audit hash chain (``base64:...`` or text of 32+ characters); empty means
    a random key kept in ``data_dir/secrets/audit-chain``. Keep it outside the database."""
    access_token_minutes: int = 15
    login_max_failures: int = 5
    login_lockout_minutes: int = 15
    refresh_token_days: int = 7
    idempotency_hours: int = 24
    projection_poll_interval: float = 0.05
    read_your_writes_max_wait: float = 2.0
    page_size_default: int = 20
    page_size_max: int = 200
    procedures_file: str = ""
    """Seed file of procedures; empty means the one shipped with the package."""
    export_max_days: int = 366
    """Longest local-date range (both ends counted) one statistics export may cover."""
    export_retention_hours: int = 72
    """How long a finished statistics export's file is kept before housekeeping removes it."""

    @property
    def embedded(self) -> bool:
        return not self.database_url

    @property
    def data_path(self) -> Path:
        return Path(self.data_dir).resolve()


def _fields() -> dict[str, Any]:
    return {f.name: f for f in msgspec.structs.fields(Settings)}


def load_settings(environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
    """Read ``MOTCUA_*`` variables (unknown ones are an error, to catch typos)."""
    environ = os.environ if environ is None else environ
    fields = _fields()
    raw: dict[str, Any] = {}
    for name, value in environ.items():
        if not name.startswith(PREFIX):
            continue
        key = name[len(PREFIX) :].lower()
        if key not in fields:
            known = ", ".join(PREFIX + k.upper() for k in sorted(fields))
            raise SettingsError(f"Unknown setting {name}. Known settings: {known}")
        raw[key] = value
    raw.update(overrides)
    try:
        return msgspec.convert(raw, Settings, strict=False)
    except msgspec.ValidationError as exc:
        raise SettingsError(f"Invalid setting: {exc} (variables start with {PREFIX})") from None


def settings_table() -> list[tuple[str, str, str]]:
    """(variable, default, description) rows: the README table is checked against this."""
    rows = []
    for f in msgspec.structs.fields(Settings):
        rows.append((PREFIX + f.name.upper(), repr(f.default), ""))
    return rows
