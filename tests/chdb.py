"""The test run's one chDB directory, and one ClickHouse database per test (DESIGN §2).

chDB opens a single data directory per process. `chdb_directory` (session scope) pins it
before anything opens one; every container and connector in the process is then mapped onto
it (see `adapters.clickhouse.engine`). Tests isolate themselves with `statistics_dsn`, a fresh
database in that directory, dropped afterwards. Import the fixtures into a test module:
`from tests.chdb import chdb_directory, statistics_dsn  # noqa: F401`.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from adapters.clickhouse.engine import Connector, parse_dsn, pin_chdb_directory, resolve


@pytest.fixture(scope="session")
def chdb_directory(tmp_path_factory: pytest.TempPathFactory) -> str:
    return pin_chdb_directory(str(tmp_path_factory.mktemp("chdb")))


def fresh_dsn(directory: str) -> str:
    return f"chdb://{directory}?database=t_{uuid.uuid4().hex[:12]}"


def drop(dsn: str) -> None:
    connector = Connector(resolve(parse_dsn(dsn)))
    try:
        connector.call(lambda c: c.command(f"DROP DATABASE IF EXISTS `{connector.database}`"))
    finally:
        connector.close()


@pytest.fixture
def statistics_dsn(chdb_directory: str) -> Iterator[str]:
    dsn = fresh_dsn(chdb_directory)
    yield dsn
    drop(dsn)


__all__ = ["chdb_directory", "drop", "fresh_dsn", "statistics_dsn"]
