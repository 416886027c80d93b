"""The lookup-index projection in a child process of ``motcua serve`` (PostgreSQL stores).

Why a process: one Python process runs Python on one core at a time. On a thread of the API
process the index follower held the GIL for about an eighth of the time under write load
(decoding every new event, folding, ``COPY``), time taken from the commands and from the
group-commit leader, whose every round trip waits to get the GIL back. A child process runs
the same loop (:func:`ops.projectors.run_projectors`) on the other core.

Why only on PostgreSQL: the embedded SQLite follower is woken by the inserts of its own
process; in another process it could only poll. There it stays a thread.

Nothing changes for correctness: the runner takes the projection's advisory lock and commits
rows and position together, so a child that dies at any point resumes exactly where it
stopped. The parent watches the child and starts a new one (after a delay doubling up to
``MAX_RESTART_DELAY``) until it is asked to stop; the child watches the parent and stops
when the parent is gone, so a killed server leaves no orphan projecting on its own.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import signal
import threading
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.context import SpawnProcess

import structlog

from application.dossier_index import DossierIndex
from ops.settings import Settings
from projections.dossier_index import DossierIndexView

log = structlog.get_logger("motcua.projectors")

FIRST_RESTART_DELAY = 0.5
MAX_RESTART_DELAY = 30.0
STOP_GRACE = 10.0
"""Seconds the child has to finish its page and exit before it is killed."""

_spawn = multiprocessing.get_context("spawn")  # never fork a process that holds pools and threads


def child_main(settings: Settings, parent: Connection) -> None:
    """The child: log like the server, ignore the terminal's Ctrl-C (the parent asks), stop
    when the parent says so or is gone.

    The end of the pipe is the stop signal in both cases: the parent closes its end, or its
    process ends and the system closes it. (A ``multiprocessing.Event`` would not do: a child
    killed while waiting on it leaves its lock taken, and the parent's ``set()`` hangs.)"""
    from ops.heap import freeze_startup_heap
    from ops.logging import configure_logging
    from ops.projectors import run_projectors

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    configure_logging(settings.log_level, json=settings.log_json)
    stop = threading.Event()

    def relay() -> None:
        try:
            parent.recv()
        except EOFError:
            pass
        stop.set()

    threading.Thread(target=relay, name="motcua-projector-relay", daemon=True).start()
    freeze_startup_heap()  # pages of decoded events, as in the server (ops/heap.py)
    run_projectors(settings, stop)


@dataclass
class ProjectorProcess:
    """The child process with its supervisor thread; the same face as ``EmbeddedProjectors``."""

    settings: Settings
    view: DossierIndexView
    """The lookup index for queries, in this process (its own connections)."""
    restarts: int = 0
    """Children started after the first one died (a test and an operator can read it)."""
    _stop: threading.Event = field(default_factory=threading.Event)
    _child: SpawnProcess | None = None
    _to_child: Connection | None = None
    _supervisor: threading.Thread | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def index(self) -> DossierIndex:
        return self.view

    @property
    def pid(self) -> int | None:
        with self._lock:
            return None if self._child is None else self._child.pid

    def start(self) -> None:
        self._start_child()
        self._supervisor = threading.Thread(target=self._supervise, name="motcua-projector-supervisor", daemon=True)
        self._supervisor.start()

    def signal_stop(self) -> None:
        self._stop.set()
        with self._lock:
            if self._to_child is not None:
                self._to_child.close()  # the child sees the pipe end
                self._to_child = None

    def stop(self, timeout: float = STOP_GRACE) -> None:
        """Ask the child to stop, wait for it, kill it if it will not, close the view."""
        self.signal_stop()
        if self._supervisor is not None:
            self._supervisor.join(timeout)
        with self._lock:
            child = self._child
        if child is not None:
            child.join(timeout)
            if child.is_alive():
                log.warning("projector_process_killed", pid=child.pid)
                child.kill()
                child.join()
        self.view.datastore.close()  # type: ignore[attr-defined]

    def _start_child(self) -> None:
        theirs, ours = _spawn.Pipe(duplex=False)
        child = _spawn.Process(target=child_main, args=(self.settings, theirs),
                               name="motcua-index-projector", daemon=True)
        child.start()
        theirs.close()
        with self._lock:
            self._child = child
            if self._stop.is_set():  # asked to stop while this child was starting
                ours.close()
            else:
                self._to_child = ours
        log.info("projector_process_started", pid=child.pid)

    def _supervise(self) -> None:
        delay = FIRST_RESTART_DELAY
        while not self._stop.is_set():
            with self._lock:
                child = self._child
            assert child is not None
            started = time.monotonic()
            multiprocessing.connection.wait([child.sentinel])
            child.join()  # reaped, so its exit code is known
            if self._stop.is_set():
                return
            if time.monotonic() - started > MAX_RESTART_DELAY:
                delay = FIRST_RESTART_DELAY  # it had run a while: not a crash loop
            log.error("projector_process_died", pid=child.pid, exitcode=child.exitcode, restart_in=delay)
            if self._stop.wait(delay):
                return
            self._start_child()
            self.restarts += 1
            delay = min(delay * 2, MAX_RESTART_DELAY)


__all__ = ["ProjectorProcess", "child_main"]
