"""The daily audit digest as a scheduled job, driven by the simulated clock.

The container is the real one (embedded stores, in-process dramatiq worker); the schedule's
thread ticks at start-up, and the test ticks it again as the simulated clock moves.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from application.audit_digests import AuditDigests
from application.clock import SimulatedClock
from domain.actor import Role
from ops.settings import load_settings
from ops.wiring import Container, build_container

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")
MORNING = datetime(2026, 3, 2, 10, 0, tzinfo=LOCAL)


@pytest.fixture
def started(tmp_path: Path) -> Iterator[tuple[Container, SimulatedClock]]:
    settings = load_settings({}, data_dir=str(tmp_path / "var"))
    clock = SimulatedClock(MORNING)
    container = build_container(settings, clock=clock, projections=False)
    try:
        container.start()
        yield container, clock
    finally:
        container.close()


def run_jobs(container: Container) -> None:
    container.jobs.broker.join("default", timeout=20_000)


def digests_of(container: Container) -> list[tuple[str, str, int]]:
    schedule: AuditDigests = container.services.audit_digests
    return [(d.store, d.day.isoformat(), d.notification_id) for d in schedule.digests.list()]


def wait_for_digests(container: Container) -> list[tuple[str, str, int]]:
    import time

    for _ in range(200):  # the start-up tick runs on the schedule's thread
        if digests_of(container):
            return digests_of(container)
        time.sleep(0.05)
    return digests_of(container)


def register_officer(container: Container, name: str) -> None:
    container.services.accounts.register(username=name, password="a good password long enough",
                                         role=Role.RECEPTION_OFFICER, unit="000.00.01.H22")


def test_start_up_takes_a_digest_then_one_a_day_after_the_digest_time(
        started: tuple[Container, SimulatedClock]) -> None:
    container, clock = started
    schedule: AuditDigests = container.services.audit_digests
    wait_for_digests(container)
    run_jobs(container)  # the start-up job may still be recording the other stores' heads
    first = digests_of(container)
    stores = {store for store, _, _ in first}
    assert "procedures" in stores, "the seeded catalogue's chain head is digested at start-up"
    assert {day for _, day, _ in first} == {"2026-03-02"}

    assert not schedule.tick(), "taken this morning: not due again before the digest time"
    register_officer(container, "officer-a")
    clock.set(MORNING.replace(hour=23, minute=54))
    assert not schedule.tick()

    clock.set(MORNING.replace(hour=23, minute=56))
    assert schedule.tick()
    assert not schedule.tick(), "enqueued once a day"
    run_jobs(container)
    after = digests_of(container)
    accounts = [d for d in after if d[0] == "accounts"]
    assert accounts[-1][1] == "2026-03-02"
    assert accounts[-1][2] == container.services.accounts.recorder.max_notification_id()
    assert len(after) == len(first) + 1, "only the store whose head moved gets a new digest"

    clock.set(MORNING.replace(hour=23, minute=57) + timedelta(days=1))  # nothing happened that day
    assert schedule.tick()
    run_jobs(container)
    assert digests_of(container) == after, "a head already digested is not recorded again"
    assert schedule.take() == [], "the job is idempotent"


def test_at_start_up_a_digest_older_than_a_day_is_due_and_a_fresh_one_is_not(
        started: tuple[Container, SimulatedClock]) -> None:
    container, clock = started
    wait_for_digests(container)
    run_jobs(container)
    schedule: AuditDigests = container.services.audit_digests

    def restarted() -> AuditDigests:
        return AuditDigests(schedule.stores, schedule.digests, clock, zone="Asia/Ho_Chi_Minh", at=schedule.at,
                            jobs=container.jobs)

    clock.set(MORNING + timedelta(hours=10))  # 20:00: taken this morning, the digest time has not come
    assert not restarted().due()
    clock.set(MORNING + timedelta(hours=20))  # 06:00 the next day: last night's digest time went by
    assert restarted().due()
    clock.set(MORNING + timedelta(days=1, hours=1))  # the process was down at last night's digest time
    assert restarted().due()
    register_officer(container, "officer-b")
    assert restarted().tick()
    run_jobs(container)
    assert digests_of(container)[-1][:2] == ("accounts", "2026-03-03")


def test_digest_jobs_running_at_once_record_a_head_once(tmp_path: Path) -> None:
    import threading

    from adapters.audit.digests import JsonlDigestStore
    from application.audit_chain import Digest

    store = JsonlDigestStore(tmp_path / "audit-digests.jsonl")
    digest = Digest("dossiers", MORNING.date(), 42, "ab" * 32, MORNING)
    results: list[bool] = []
    barrier = threading.Barrier(8)

    def job() -> None:
        other = JsonlDigestStore(store.path)  # as another worker process opens it
        barrier.wait()
        results.append(other.append_if_moved(digest))

    threads = [threading.Thread(target=job) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert sorted(results) == [False] * 7 + [True]
    assert store.list() == [digest]
