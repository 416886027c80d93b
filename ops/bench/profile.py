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
import sys
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
    # py-spy's complaints (e.g. "behind in sampling" on a slow machine) go to a file beside the
    # profile: an unread pipe would fill up and stall it.
    with _log_of(out).open("wb") as log:
        return subprocess.Popen([spy, "record", "--pid", str(pid), "--duration", str(max(1, int(seconds))),
                                 "--rate", "200", "--format", "raw", "--nonblocking", "-o", str(out)],
                                stdout=subprocess.DEVNULL, stderr=log)


def finish(process: subprocess.Popen[bytes] | None, out: Path, top: int = 15, *, wait: float = 180) -> list[Hot]:
    """The hottest functions; empty (and py-spy's log named) when it wrote no profile in time."""
    if process is None:
        return []
    try:
        process.wait(timeout=wait)
    except subprocess.TimeoutExpired:
        process.kill()
    if not out.exists():
        print(f"py-spy wrote no profile; its messages: {_log_of(out)}", file=sys.stderr)
        return []
    return hottest(out.read_text(encoding="utf-8"), top)


def _log_of(out: Path) -> Path:
    return out.with_name(out.name + ".log")


__all__ = ["Hot", "finish", "hottest", "start"]
