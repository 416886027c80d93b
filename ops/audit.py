"""``motcua audit verify`` and ``motcua audit digest``: the tamper-evidence tools of auditors.

``verify`` recomputes the keyed hash chain of every event store it finds (see
``application.audit_chain``; the stores are opened on their own, not through the container, so
the tools never touch the statistics engine a running server holds), checks the daily digests and the snapshots, and
prints the first break of each store (exit status 1 if any). ``digest`` records each store's
chain head for the local day in ``DATA_DIR/audit-digests.jsonl`` (a store apart from the
database) and prints every digest as JSON lines, for an external timestamping authority. A
running server takes it daily by itself (``ops.audit_schedule``); the command takes one any
time: a digest is only added when the head moved.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import psycopg

from adapters.audit.digests import DIGESTS_FILE, JsonlDigestStore
from application.audit_chain import (
    AuditChainService,
    ChainVerification,
    Digest,
    ChainKeyring,
    parse_chain_keyring,
    take_digest,
    verify_chain,
)
from ops.settings import Settings
from application.base import IsolatedApplication
from ops.stores import audit_chain_key, postgres_conninfo, store_env


def chain_keyring(settings: Settings) -> ChainKeyring:
    """Every chain key (the first and the rotated ones): verification uses the one each link names."""
    keyring = parse_chain_keyring(audit_chain_key(settings))
    assert keyring is not None
    return keyring


def chain_key(settings: Settings) -> bytes:
    """The current chain key (new links are made with it)."""
    return chain_keyring(settings).current


def digest_store(settings: Settings) -> JsonlDigestStore:
    return JsonlDigestStore(settings.data_path / DIGESTS_FILE)


@dataclass(frozen=True)
class StoreInfo:
    name: str
    """The application's name as its tables and files know it (lower case: ``dossiers``)."""
    snapshots: bool


def discover_stores(settings: Settings) -> list[StoreInfo]:
    """Every event store with a chain table: SQLite files in the data dir, or the PostgreSQL
    schema's ``*_audit_chain`` tables. Found rather than listed, so a new application is
    audited without touching this module."""
    found = []
    if settings.embedded:
        for path in sorted(settings.data_path.glob("*.sqlite")):
            try:
                with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
                    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            except sqlite3.DatabaseError:
                continue
            if {"stored_events", "audit_chain"} <= tables:
                found.append(StoreInfo(path.stem, "stored_snapshots" in tables))
        return found
    with psycopg.connect(postgres_conninfo(settings), connect_timeout=10) as conn:
        rows = conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
            (settings.postgres_schema,),
        ).fetchall()
    tables = {r[0] for r in rows}
    for table in sorted(tables):
        prefix = table.removesuffix("_audit_chain")
        if prefix != table and f"{prefix}_events" in tables:
            found.append(StoreInfo(prefix, f"{prefix}_snapshots" in tables))
    return found


def open_store(settings: Settings, info: StoreInfo) -> Any:
    """A read-side Application on one store: our transcoder and recorder, its snapshots if it
    has any, and no table creation (auditing never changes the schema)."""
    app_class = type(f"Audited_{info.name}", (IsolatedApplication,), {"name": info.name})
    env = {**store_env(settings, info.name), "CREATE_TABLE": "n"}
    if info.snapshots:
        env["IS_SNAPSHOTTING_ENABLED"] = "y"
    return app_class(env=env)


@contextmanager
def opened_stores(settings: Settings) -> Iterator[list[tuple[str, Any]]]:
    apps: list[tuple[str, Any]] = []
    try:
        for info in discover_stores(settings):
            apps.append((info.name, open_store(settings, info)))
        yield apps
    finally:
        for _, app in apps:
            app.close()


def take_digests(settings: Settings, apps: Iterable[tuple[str, Any]], now: datetime | None = None) -> list[Digest]:
    now = now or datetime.now(ZoneInfo(settings.timezone))
    store = digest_store(settings)
    taken = []
    for name, app in apps:
        digest = take_digest(name, app.recorder, store, now)
        if digest is not None:
            taken.append(digest)
    return taken


def export_digests(settings: Settings) -> list[dict[str, Any]]:
    return [d.as_dict() for d in digest_store(settings).list()]


def verify_apps(
    settings: Settings, apps: Iterable[tuple[str, Any]], *, show_progress: bool = True
) -> dict[str, ChainVerification]:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    key = chain_keyring(settings)
    digests = digest_store(settings)
    results = {}
    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), disable=not show_progress
    ) as progress:
        for name, app in apps:
            task = progress.add_task(name, total=app.recorder.max_notification_id() or 0)
            results[name] = verify_chain(
                app,
                key,
                digests=digests.list(name),
                progress=lambda _n, last, task=task: progress.update(task, completed=last),
            )
    return results


def verify_command(settings: Settings) -> int:
    from rich.console import Console

    console = Console()
    with opened_stores(settings) as apps:
        if not apps:
            console.print("No event store with an audit chain found")
        results = verify_apps(settings, apps)
    broken = False
    for name, r in results.items():
        counts = f"{r.events_checked} events, {r.snapshots_checked} snapshots, {r.digests_checked} digests"
        if r.ok:
            console.print(f"[green]OK[/green] {name}: {counts}; head {r.head_id} {r.head_hash or '-'}")
            continue
        broken = True
        if r.first_break is not None:
            b = r.first_break
            console.print(
                f"[red]BREAK[/red] {name} at notification {b.notification_id}: {b.reason}"
                + (f" ({b.detail})" if b.detail else "")
                + f"; {counts} verified before it"
            )
        if r.snapshot_break is not None:
            s = r.snapshot_break
            console.print(f"[red]BAD SNAPSHOT[/red] {name} {s.originator_id} v{s.version}: {s.reason}")
    return 1 if broken else 0


def digest_command(settings: Settings, *, take: bool = True) -> int:
    if take:
        with opened_stores(settings) as apps:
            take_digests(settings, apps)
    for row in export_digests(settings):
        print(json.dumps(row, ensure_ascii=False, sort_keys=True))
    return 0


def build_audit_chain(settings: Settings, apps: Iterable[Any]) -> AuditChainService:
    """The ``verifyAuditChain`` service over the container's own applications."""
    stores = [(type(app).name.lower(), app) for app in apps]
    return AuditChainService(chain_keyring(settings), stores, digest_store(settings))
