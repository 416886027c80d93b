"""dramatiq behind the ``Jobs`` port: Redis broker in deployment, a stub broker in-process.

Actors are declared on the broker this module builds (not dramatiq's global default), so two
containers in one test process never share a queue.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import dramatiq
import structlog
from dramatiq.brokers.redis import RedisBroker
from dramatiq.brokers.stub import StubBroker

from application.jobs import Jobs

log = structlog.get_logger("motcua.jobs")


class DramatiqJobs(Jobs):
    def __init__(self, redis_url: str = "", namespace: str = "motcua") -> None:
        self.broker: dramatiq.Broker = (
            RedisBroker(url=redis_url, namespace=namespace) if redis_url else StubBroker()
        )
        if isinstance(self.broker, StubBroker):
            self.broker.emit_after("process_boot")
        self._actors: dict[str, dramatiq.Actor[Any, Any]] = {}
        self._worker: dramatiq.Worker | None = None

    def register(self, name: str, fn: Callable[..., Any], *, max_retries: int = 5, **options: Any) -> None:
        """``options``: dramatiq actor options (``min_backoff``, ``time_limit``... in ms)."""
        self._actors[name] = dramatiq.actor(fn, actor_name=name, broker=self.broker, max_retries=max_retries,
                                            **options)

    def enqueue(self, name: str, **kwargs: Any) -> None:
        self._actors[name].send(**kwargs)

    def start_worker(self, threads: int = 2) -> None:
        # A short poll timeout keeps shutdown quick; idle polling costs nothing noticeable.
        self._worker = dramatiq.Worker(self.broker, worker_threads=threads, worker_timeout=100)
        self._worker.start()

    def stop(self) -> None:
        if self._worker is not None:
            self._worker.stop(timeout=5000)
            self._worker = None
        self.broker.close()
        _end_time_limit_thread(self.broker)


def _end_time_limit_thread(broker: dramatiq.Broker) -> None:
    """dramatiq's TimeLimit middleware starts a watchdog thread per broker that loops forever,
    waking every second; a process that builds and closes containers (tests, CLI commands)
    would keep one awake per container. Once the worker is gone nothing runs under it, so it
    is put to sleep for good (it cannot be stopped: its loop has no exit)."""
    from dramatiq.middleware.time_limit import TimeLimit

    for middleware in broker.middleware:
        manager = getattr(middleware, "manager", None) if isinstance(middleware, TimeLimit) else None
        if manager is not None and hasattr(manager, "interval"):
            manager.interval = 10**9


class Every:
    """Enqueue a job at a fixed interval from a daemon thread (housekeeping, not business rules)."""

    def __init__(self, jobs: Jobs, name: str, seconds: float) -> None:
        self._jobs, self._name, self._seconds = jobs, name, seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"every-{name}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self._seconds):
            try:
                self._jobs.enqueue(self._name)
            except Exception as exc:  # the broker may be briefly away; try next time
                log.warning("enqueue_failed", job=self._name, error=repr(exc))

    def stop(self) -> None:
        self._stop.set()
