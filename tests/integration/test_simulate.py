"""`motcua simulate`: a fresh store only, deterministic for a seed, every step through the services."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from application.clock import SimulatedClock
from ops.settings import load_settings
from ops.simulate import LOCAL, run_simulation
from ops.wiring import build_container
from tests.fast import FAST_PASSWORD_HASHING


def _run(data_dir: Path, seed: int) -> tuple[Any, list[tuple[str, str, str]]]:
    settings = load_settings({}, data_dir=str(data_dir), **FAST_PASSWORD_HASHING)
    start = date(2026, 1, 20)  # the range crosses Tết 2026
    clock = SimulatedClock(datetime.combine(start, time(), LOCAL))
    container = build_container(settings, clock=clock, projections=False)
    try:
        summary = run_simulation(container.services, clock, dossiers=80, days=60, start=start, seed=seed,
                                 progress=False)
        dossiers = container.services.dossiers
        events = []
        for n in dossiers.recorder.select_notifications(1, 10_000):
            e = dossiers.mapper.to_domain_event(n)
            if hasattr(e, "status"):
                events.append((str(getattr(e, "code", "")), type(e).__name__, e.timestamp.isoformat()))
        last = max(at for _, _, at in events)
    finally:
        container.close()
    assert last <= clock.now().isoformat()
    return summary, events


def test_the_same_seed_gives_the_same_history_and_the_clock_only_moves_forward(tmp_path: Path) -> None:
    first, events = _run(tmp_path / "a", seed=5)
    second, again = _run(tmp_path / "b", seed=5)
    assert events == again and first.endings == second.endings
    assert sum(first.endings.values()) == 80
    assert [at for _, _, at in events] == sorted(at for _, _, at in events)  # recorded in time order
    assert {"Submitted", "Received", "HandedOver", "ResultApproved", "Completed"} <= {k for _, k, _ in events}


def _motcua(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOTCUA_")}
    env.update(MOTCUA_DATA_DIR=str(data_dir), MOTCUA_LOG_LEVEL="warning",
               **{f"MOTCUA_{k.upper()}": str(v) for k, v in FAST_PASSWORD_HASHING.items()})
    return subprocess.run([sys.executable, "-m", "ops.cli", *args], capture_output=True, text=True, env=env,
                          timeout=120)


def test_the_command_fills_a_fresh_store_and_refuses_one_that_holds_dossiers(tmp_path: Path) -> None:
    made = _motcua(tmp_path, "simulate", "--dossiers", "30", "--days", "20", "--seed", "3", "--start", "2026-03-02")
    assert made.returncode == 0, made.stderr
    assert "30" in made.stdout and "dossiers" in made.stdout
    refused = _motcua(tmp_path, "simulate", "--dossiers", "5", "--days", "5")
    assert refused.returncode == 2
    assert "already holds dossiers" in refused.stderr and "đã có hồ sơ" in refused.stderr
