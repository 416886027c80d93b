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
from typing import Annotated, Any

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
    postgres_pre_ping: bool = False
    """Check each pooled connection with a round trip before every use. Off: eventsourcing
    retries reads and writes on a lost connection (10 attempts), and the check cost one round
    trip per statement group, about five per command."""
    redis_url: str = ""
    """Redis for token revocation and jobs in deployment; empty means in-process."""
    clickhouse_dsn: str = ""
    """Statistics store (later issue): ``chdb:///abs/path`` or ``http://host:8123``."""
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    thread_pool_size: int = 16
    group_commit: bool = True
    """PostgreSQL: concurrent saves of one process share one transaction (one commit per batch).
    SQLite always commits one save at a time."""
    group_commit_max_wait_ms: float = 1.0
    """How long the first save of a batch waits for company before committing."""
    group_commit_max_batch: int = 64
    """Most saves in one group-commit transaction."""
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
    event_keys: str = ""
    """Inline event keyring (``id:base64key`` entries, comma-separated, the last current);
    empty means the file ``event_keys_file``. Never both."""
    event_keys_file: str = ""
    """Event keyring file; empty means ``data_dir/secrets/event-keys``, made on first start."""
    access_token_minutes: int = 15
    login_max_failures: int = 5
    login_lockout_minutes: int = 15
    refresh_token_days: int = 7
    idempotency_hours: int = 24
    projection_poll_interval: float = 0.05
    index_projector_process: bool = True
    """PostgreSQL: ``motcua serve`` runs the lookup-index projection in a child process (its own
    core and GIL, ``ops/projector_process.py``); false keeps it on a thread. SQLite: a thread."""
    read_your_writes_max_wait: float = 2.0
    page_size_default: int = 20
    page_size_max: int = 200
    procedures_file: str = ""
    """Seed file of procedures; empty means the one shipped with the package."""
    oidc_issuer: str = ""
    """The identity provider's issuer URL (VNeID / national SSO); empty means OIDC sign-in is off."""
    oidc_client_id: str = ""
    """Our client id at the provider: the audience its ID tokens must name."""
    oidc_algorithms: str = "RS256,ES256"
    """Accepted ID-token signature algorithms (comma-separated, among RS256 and ES256)."""
    oidc_jwks_cache_seconds: int = 300
    oidc_jwks_refetch_seconds: int = 30
    """Least time between two key-set refetches caused by an unknown ``kid``."""
    oidc_http_timeout_seconds: float = 5.0
    oidc_id_number_claim: str = "id_number"
    """The ID-token claim carrying the personal identification number (CCCD, 12 digits)."""
    password_max_age_days: int = 90
    """Staff passwords expire after this many days (0: never)."""
    password_hash_time_cost: int = 3
    """argon2id passes per password hash (RFC 9106 low-memory profile: 3)."""
    password_hash_memory_kib: int = 65536
    """argon2id memory per password hash in KiB (64 MiB). Lowering it weakens stored passwords
    against offline guessing; the test suite does, production must not."""
    rate_limit_per_client: int = 6000
    """Requests per minute from one client address (a one-stop centre's NAT carries many
    counters); 0 turns the limit off. Health, readiness and /metrics are never limited."""
    rate_limit_per_account: int = 1200
    """Requests per minute by one signed-in account; 0 turns the limit off."""
    rate_limit_login_per_username: int = 20
    """Login attempts per minute naming one username (on top of the lockout); 0: off."""
    rate_limit_key_prefix: str = "motcua-rate"
    """Prefix of the rate-limit counters in Redis (when ``redis_url`` is set)."""
    max_body_bytes: int = 1_048_576
    """Largest request body accepted on any route but the upload (413 beyond)."""
    max_upload_bytes: int = 54_525_952
    """Largest multipart body of one document upload (the largest component limit, 50 MB,
    plus the multipart envelope)."""
    max_dossier_document_bytes: int = 200_000_000
    """Total size of all documents attached to one dossier."""
    cors_origins: str = ""
    """Comma-separated origins allowed to call the API from a browser; empty: no CORS headers."""
    metrics_token: str = ""
    """Bearer token a Prometheus scraper sends to read /metrics; empty: loopback clients only."""
    export_max_days: int = 366
    """Longest local-date range (both ends counted) one statistics export may cover."""
    export_retention_hours: int = 72
    """How long a finished statistics export's file is kept before housekeeping removes it."""
    audit_digest_time: Annotated[str, msgspec.Meta(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")] = "23:55"
    """Local time (HH:MM) after which each day's audit-chain digest is taken by a job."""

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
