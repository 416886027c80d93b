"""`motcua report` and `motcua migrate` while a running `motcua serve` holds the chDB directory:
they ask the server over HTTP instead of failing on the lock (separate OS processes)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest

PASSWORD = "Phan-tich#2026"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(tmp_path, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOTCUA_")}
    env.update(MOTCUA_DATA_DIR=str(tmp_path), MOTCUA_LOG_LEVEL="warning", MOTCUA_PORT=str(port))
    return env


def _motcua(env: dict[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ops.cli", *args], input=stdin, capture_output=True, text=True,
                          env=env, timeout=180)


@pytest.fixture
def server(tmp_path) -> Iterator[dict[str, str]]:
    """A real server on a free port, with an analyst made on the command line before it starts."""
    env = _env(tmp_path, _free_port())
    made = _motcua(env, "user", "create", "--username", "phantich", "--role", "analyst", "--name", "Phân tích",
                   stdin=PASSWORD + "\n")
    assert made.returncode == 0, made.stderr
    process = subprocess.Popen([sys.executable, "-m", "ops.cli", "serve"], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while True:  # ready, and the statistics store opened by the server (its position read)
            assert process.poll() is None, "the server died"
            assert time.monotonic() < deadline, "the server did not come up"
            try:
                ready = httpx.get(f"http://127.0.0.1:{env['MOTCUA_PORT']}/ready", timeout=5).json()
                check = next(c for c in ready["components"] if c["name"] == "statistics")
                if check.get("lagEvents") is not None:
                    break
            except (httpx.HTTPError, ValueError, KeyError, StopIteration):
                pass
            time.sleep(0.5)
        yield env
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


def test_report_and_migrate_ask_the_running_server_that_holds_the_chdb_directory(server):
    report = _motcua(server, "report", "--from", "2026-01-01", "--to", "2026-12-31", "--username", "phantich",
                     stdin=PASSWORD + "\n")
    assert report.returncode == 0, report.stderr
    assert "received" in report.stdout and "from the running server" in report.stdout

    without_account = _motcua(server, "report", "--from", "2026-01-01", "--to", "2026-12-31")
    assert without_account.returncode == 3 and "--username" in without_account.stderr

    wrong = _motcua(server, "report", "--from", "2026-01-01", "--to", "2026-12-31", "--username", "phantich",
                    stdin="not-the-password\n")
    assert wrong.returncode == 3 and "sign-in failed" in wrong.stderr

    migrate = _motcua(server, "migrate")
    assert migrate.returncode == 0, migrate.stderr
    assert "held by the running server" in migrate.stdout
