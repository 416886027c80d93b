"""The command line as an administrator uses it, in separate processes on one data dir."""

import os
import subprocess
import sys


def _motcua(tmp_path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOTCUA_")}
    env.update(MOTCUA_DATA_DIR=str(tmp_path), MOTCUA_LOG_LEVEL="warning")
    return subprocess.run([sys.executable, "-m", "ops.cli", *args], input=stdin, capture_output=True, text=True,
                          env=env, timeout=120)


def test_an_administrator_account_made_on_the_command_line_can_be_disabled_there(tmp_path):
    created = _motcua(tmp_path, "user", "create", "--username", "admin.tinh", "--role", "administrator",
                      "--name", "Quản trị tỉnh", stdin="Secret#2026pw\n")
    assert created.returncode == 0, created.stderr
    assert created.stdout.split("\t")[:2] == ["admin.tinh", "administrator"]
    again = _motcua(tmp_path, "user", "create", "--username", "admin.tinh", "--role", "citizen", "--name", "X",
                    stdin="Secret#2026pw\n")
    assert again.returncode == 1 and "already exists" in again.stderr
    disabled = _motcua(tmp_path, "user", "disable", "--username", "admin.tinh", "--reason", "Chuyển công tác")
    assert disabled.returncode == 0 and disabled.stdout.strip().endswith("disabled")


def test_replay_prints_the_slip_of_a_demo_dossier_and_says_when_a_code_is_unknown(tmp_path):
    demo = _motcua(tmp_path, "demo", "--dossiers", "16")
    assert demo.returncode == 0, demo.stderr
    unknown = _motcua(tmp_path, "replay", "000.00.01.H22-200101-0001")
    assert unknown.returncode == 1 and "not found" in unknown.stdout
