"""``motcua serve`` on PostgreSQL runs ``MOTCUA_WORKERS`` uvicorn worker processes.

Started as an operator starts it (a fresh interpreter running the CLI), answered over HTTP,
stopped with SIGINT. ClickHouse is named by a server address (nothing listens there: the
statistics runners are not started with ``--no-projections``), since a chDB statistics store
would keep the server to one process.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.integration.conftest import PG_DBNAME, PG_HOST, PG_PORT, PG_USER

REPO_ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def spawned_workers(pid: int) -> list[int]:
    """Child processes of ``pid`` started by multiprocessing's spawn (uvicorn's workers)."""
    children: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        children += [int(c) for c in (task / "children").read_text().split()]
    workers = []
    for child in children:
        try:
            cmdline = Path(f"/proc/{child}/cmdline").read_bytes()
        except FileNotFoundError:
            continue
        if b"spawn_main" in cmdline:
            workers.append(child)
    return workers


def test_serve_on_postgresql_runs_two_worker_processes_that_answer_and_stop_on_sigint(
    pg_schema: str, tmp_path: Path,
) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOTCUA_")} | {
        "MOTCUA_DATABASE_URL": f"postgresql://{PG_USER}@{PG_HOST}:{PG_PORT}/{PG_DBNAME}",
        "MOTCUA_POSTGRES_SCHEMA": pg_schema,
        "MOTCUA_POSTGRES_POOL_SIZE": "1",
        "MOTCUA_THREAD_POOL_SIZE": "2",
        "MOTCUA_CLICKHOUSE_DSN": f"http://127.0.0.1:{free_port()}",
        "MOTCUA_DATA_DIR": str(tmp_path / "var"),
        "MOTCUA_WORKERS": "2",
        "MOTCUA_LOG_LEVEL": "warning",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "ops.cli", "serve", "--no-projections", "--port", str(port)],
        cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 120
        answers = 0
        while answers < 5:
            assert server.poll() is None, server.communicate()[0].decode()[-3000:]
            assert time.monotonic() < deadline, "the server did not answer"
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                    answers += 1
                    continue
            except httpx.TransportError:
                pass
            time.sleep(0.5)
        assert len(spawned_workers(server.pid)) == 2
    finally:
        server.send_signal(signal.SIGINT)
        try:
            output = server.communicate(timeout=60)[0].decode()
        except subprocess.TimeoutExpired:
            server.kill()
            output = server.communicate()[0].decode()
    assert server.returncode == 0, output[-3000:]
