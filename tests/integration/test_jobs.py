import time
import uuid
from datetime import UTC, datetime, timedelta

from adapters.jobs.dramatiq_jobs import DramatiqJobs
from application.clock import SimulatedClock
from application.commands import CommandResult, Idempotency
from application.housekeeping import purge_expired_idempotency_keys
from ops.settings import load_settings
from ops.wiring import build_container


def _wait(predicate, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_jobs_sent_through_redis_run_on_a_worker():
    jobs = DramatiqJobs("redis://127.0.0.1:6379/0", namespace=f"motcua-test-{uuid.uuid4().hex}")
    seen: list[int] = []
    jobs.register("remember", lambda n: seen.append(n))
    jobs.start_worker(threads=1)
    try:
        jobs.enqueue("remember", n=7)
        assert _wait(lambda: seen == [7])
    finally:
        jobs.stop()


def test_idempotency_keys_older_than_the_retention_are_purged_and_younger_ones_kept(tmp_path):
    clock = SimulatedClock(datetime(2026, 3, 2, 2, 0, tzinfo=UTC))
    container = build_container(load_settings({}, data_dir=str(tmp_path)), clock=clock, projections=False)
    store = container.services.dossiers.recorder
    try:
        result = CommandResult(id="x", code="c", version=1, position=0, status="submitted", national_status=1)
        old = Idempotency(scope="u:op", key="old", body_hash="h")
        container.services.dossiers.save(**{"idempotency": old.record(result, clock.now())})
        clock.advance(timedelta(hours=20))
        new = Idempotency(scope="u:op", key="new", body_hash="h")
        container.services.dossiers.save(**{"idempotency": new.record(result, clock.now())})
        clock.advance(timedelta(hours=5))
        purged = purge_expired_idempotency_keys([store], clock, timedelta(hours=24))
        assert purged == 1
        assert store.find_idempotency("u:op", "old") is None
        assert store.find_idempotency("u:op", "new") is not None
    finally:
        container.close()
