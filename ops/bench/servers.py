"""The processes under test: `motcua serve` on a PostgreSQL schema of its own, and the bare app.

The server is a subprocess started with the configuration the issue asks for: PostgreSQL store
(schema `bench_<random>`, dropped afterwards), projections in-process, statistics in the
embedded chDB under a temporary data dir, JSON logs at warning level. The bench process talks
to it only over loopback HTTP and reads PostgreSQL directly for positions.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from uuid import uuid4

import httpx
import psycopg
from psycopg.sql import SQL, Identifier

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    base_url: str
    process: subprocess.Popen[bytes]
    log: Path


def _wait_ready(server: Server, path: str, timeout: float, method: str = "GET") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"the server exited with {server.process.returncode}:\n{server.log.read_text()[-3000:]}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.request(method, server.base_url + path, timeout=2, json={"code": "x", "secret": "y"}
                             if method == "POST" else None).status_code < 500:
                return
        time.sleep(0.2)
    raise RuntimeError(f"the server was not ready within {timeout:.0f} s:\n{server.log.read_text()[-3000:]}")


def _stop(server: Server) -> None:
    if server.process.poll() is None:
        server.process.terminate()
        try:
            server.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait(timeout=10)


@contextlib.contextmanager
def bench_schema(conninfo: str) -> Iterator[str]:
    schema = f"bench_{uuid4().hex[:12]}"
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(SQL("CREATE SCHEMA {}").format(Identifier(schema)))
    try:
        yield schema
    finally:
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute("SET lock_timeout = '20s'")
            conn.execute(SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(Identifier(schema)))


#: Settings the bench changes when the server has them: its load comes from ONE loopback address
#: and a few accounts standing for many counters, so the per-address and per-account request
#: limits (abuse protection, not capacity) would only measure themselves. `--server-env` wins.
BENCH_DEFAULTS = {"rate_limit_per_client": "0", "rate_limit_per_account": "0"}


def bench_defaults() -> dict[str, str]:
    """`BENCH_DEFAULTS` as MOTCUA_* variables, only for settings this version has (unknown ones are errors)."""
    import msgspec

    from ops.settings import Settings

    known = {f.name for f in msgspec.structs.fields(Settings)}
    return {f"MOTCUA_{name.upper()}": value for name, value in BENCH_DEFAULTS.items() if name in known}


def server_env(database_url: str, schema: str, data_dir: Path, pool_size: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOTCUA_")}
    env.update(bench_defaults())
    env.update(MOTCUA_DATABASE_URL=database_url, MOTCUA_POSTGRES_SCHEMA=schema, MOTCUA_DATA_DIR=str(data_dir),
               MOTCUA_POSTGRES_POOL_SIZE=str(pool_size), MOTCUA_LOG_LEVEL="warning")
    return env


@contextlib.contextmanager
def motcua_server(env: dict[str, str], logs: Path) -> Iterator[Server]:
    port = free_port()
    log = logs / "motcua-serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "ops.cli", "serve", "--port", str(port)],
                                   cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    server = Server(f"http://127.0.0.1:{port}", process, log)
    try:
        _wait_ready(server, "/health", timeout=120)
        yield server
    finally:
        _stop(server)


@contextlib.contextmanager
def bare_server(logs: Path) -> Iterator[Server]:
    port = free_port()
    log = logs / "bare.log"
    with log.open("wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "ops.bench.bare", "127.0.0.1", str(port)],
                                   cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    server = Server(f"http://127.0.0.1:{port}", process, log)
    try:
        _wait_ready(server, "/bare", timeout=60, method="POST")
        yield server
    finally:
        _stop(server)


@contextlib.contextmanager
def scratch_dir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="motcua-bench-") as tmp:
        yield Path(tmp)


__all__ = ["BENCH_DEFAULTS", "Server", "bench_defaults", "bare_server", "bench_schema", "free_port", "motcua_server", "scratch_dir", "server_env"]
