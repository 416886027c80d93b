"""Where P1's time goes: a sampling profile of the server under load (py-spy, from outside).

py-spy attaches to the server's process id and samples every thread's Python stack (idle
threads left out), so the thread-pool workers that run the commands are seen, which an
in-process profiler started on the event loop's thread would miss. The raw output is collapsed
stacks, one line per distinct stack: `frame;frame;...;frame COUNT` (outermost first).
`hottest` folds them into each function's share of the samples: inclusive (on the stack) and
self (the innermost frame).
"""

from __future__ import annotations

import shutil
import subprocess
from collections import Counter
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Hot:
    function: str
    inclusive: float
    """Share of samples with the function anywhere on the stack (0..1)."""
    self: float
    """Share of samples with the function innermost."""


def hottest(collapsed: str, top: int = 15, *, skip: tuple[str, ...] = ("threading.py", "thread.py", "runpy",
                                                                       "<module>")) -> list[Hot]:
    """The `top` functions by inclusive share, leaving out frames every worker thread has."""
    inclusive: Counter[str] = Counter()
    innermost: Counter[str] = Counter()
    total = 0
    for line in collapsed.splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        total += count
        frames = [f for f in stack.split(";") if f]
        for frame in set(frames):
            if not any(s in frame for s in skip):
                inclusive[frame] += count
        if frames:
            innermost[frames[-1]] += count
    if not total:
        return []
    return [Hot(name, n / total, innermost[name] / total) for name, n in inclusive.most_common(top)]


def start(pid: int, seconds: float, out: Path) -> subprocess.Popen[bytes] | None:
    """Start sampling `pid` for `seconds` into `out` (collapsed stacks); None without py-spy."""
    spy = shutil.which("py-spy") or (str(Path(__file__).parents[2] / ".venv/bin/py-spy"))
    if not Path(spy).exists():
        return None
    return subprocess.Popen([spy, "record", "--pid", str(pid), "--duration", str(max(1, int(seconds))),
                             "--rate", "200", "--format", "raw", "--nonblocking", "-o", str(out)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def finish(process: subprocess.Popen[bytes] | None, out: Path, top: int = 15) -> list[Hot]:
    if process is None:
        return []
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        return []
    return hottest(out.read_text(encoding="utf-8"), top) if out.exists() else []


__all__ = ["Hot", "finish", "hottest", "start"]
