"""Where the statistics store is and how to reach it: DSNs, the chDB registry, connectors.

A DSN is `chdb:///abs/path[?database=name]` (the in-process engine) or
`http(s)://user:pw@host:8123/database` (a ClickHouse server). The database defaults to
`motcua`.

chDB opens ONE data directory per process and cannot open a second one (DESIGN §2). The
process-wide registry below remembers the directory the process opened first (or the one a
test session pinned with `pin_chdb_directory`); a later chDB DSN naming another directory in
the same process is mapped onto that one, in a database of its own (`<database>_<hash of the
path>`), and a warning is logged. A production process has one data dir, so this never
happens there; in a test run every container shares the one directory, isolated by database.

`Connector` opens its client lazily and serialises calls on it: an unreachable server never
stops a process from starting, and each failure surfaces as `StatisticsUnavailable`.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlparse

import clickhouse_connect
import structlog
from clickhouse_connect.driver.exceptions import DatabaseError, OperationalError

from application.statistics import StatisticsUnavailable

DEFAULT_DATABASE = "motcua"
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,100}$")
log = structlog.get_logger("motcua.clickhouse")
T = TypeVar("T")

_registry_lock = threading.Lock()
_chdb_directory: str | None = None


class InvalidDsn(ValueError):
    """A statistics DSN that is neither chdb:/// nor http(s)://."""


@dataclass(frozen=True)
class Target:
    kind: str
    """`chdb` or `http`."""
    dsn: str
    """What clickhouse-connect is given (no database in it)."""
    database: str
    path: str = ""


def parse_dsn(dsn: str) -> Target:
    parsed = urlparse(dsn)
    query = parse_qs(parsed.query)
    if parsed.scheme == "chdb":
        if parsed.netloc or not parsed.path.startswith("/"):
            raise InvalidDsn(f"chDB DSN must be chdb:///absolute/path, got {dsn!r}")
        database = query.get("database", [DEFAULT_DATABASE])[0]
        target = Target("chdb", f"chdb://{parsed.path}", database, parsed.path.rstrip("/"))
    elif parsed.scheme in ("http", "https"):
        database = parsed.path.strip("/") or query.get("database", [DEFAULT_DATABASE])[0]
        base = f"{parsed.scheme}://{parsed.netloc}"
        target = Target("http", base, database)
    else:
        raise InvalidDsn(f"statistics DSN must start with chdb:/// or http(s)://, got {dsn!r}")
    if not _NAME.match(target.database):
        raise InvalidDsn(f"bad ClickHouse database name {target.database!r}")
    return target


def pin_chdb_directory(path: str) -> str:
    """Fix this process's chDB directory before anything opens one (tests); returns it."""
    global _chdb_directory
    with _registry_lock:
        if _chdb_directory is None:
            _chdb_directory = path.rstrip("/")
        return _chdb_directory


def resolve(target: Target) -> Target:
    """Map a chDB target onto the process's one directory (see the module's docstring)."""
    global _chdb_directory
    if target.kind != "chdb":
        return target
    with _registry_lock:
        if _chdb_directory is None:
            _chdb_directory = target.path
        if target.path == _chdb_directory:
            return target
        digest = hashlib.sha1(target.path.encode()).hexdigest()[:12]
        log.warning("chdb_directory_shared", requested=target.path, opened=_chdb_directory)
        return replace(target, dsn=f"chdb://{_chdb_directory}", path=_chdb_directory,
                       database=f"{target.database}_{digest}")


def open_client(target: Target, *, database: str | None = None) -> Any:
    """A clickhouse-connect client (raises clickhouse-connect's errors)."""
    if target.kind == "chdb":
        return clickhouse_connect.get_client(dsn=target.dsn, database=database)
    return clickhouse_connect.get_client(
        dsn=target.dsn, database=database, connect_timeout=2, send_receive_timeout=30,
        autogenerate_session_id=False,
    )


UNAVAILABLE = (OperationalError, ConnectionError, OSError, TimeoutError)


class Connector:
    """One lazily opened client, used by one thread at a time."""

    def __init__(self, target: Target) -> None:
        self.target = target
        self._client: Any = None
        self._lock = threading.RLock()

    @property
    def database(self) -> str:
        return self.target.database

    def call(self, work: Callable[[Any], T]) -> T:
        """Run `work(client)`; an unreachable store raises `StatisticsUnavailable`."""
        with self._lock:
            try:
                if self._client is None:
                    self._client = open_client(self.target)
                return work(self._client)
            except UNAVAILABLE as exc:
                self._drop()
                raise StatisticsUnavailable(str(exc)) from exc
            except DatabaseError as exc:
                if "Connection" in str(exc) or "connect" in str(exc):
                    self._drop()
                    raise StatisticsUnavailable(str(exc)) from exc
                raise

    def _drop(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            try:
                client.close()
            except Exception:  # already broken
                pass

    def close(self) -> None:
        with self._lock:
            self._drop()


__all__ = ["DEFAULT_DATABASE", "Connector", "InvalidDsn", "Target", "open_client", "parse_dsn",
           "pin_chdb_directory", "resolve"]
