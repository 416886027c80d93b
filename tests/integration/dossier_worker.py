"""Worker processes for the PostgreSQL concurrency tests of the ``Dossiers`` application.

The claims under test (gap-free dossier codes, one winner per dossier version, idempotency that
survives a restart) are about *separate OS processes* sharing one PostgreSQL database, which is
how a deployment runs several API processes. Threads in one interpreter would share a connection
pool and the GIL and could hide a race, so the tests start real processes.

Why a module of its own rather than functions in the test module:

- processes started with the ``spawn`` context import their target by module name in a fresh
  interpreter; pytest imports test modules under its own rules, a plain package module imports
  the same way everywhere;
- ``python -m tests.integration.dossier_worker submit-once ...`` starts a truly fresh
  interpreter, which is what "after a restart" means for the idempotency test, and lets a person
  reproduce a failing run by hand.

Every process builds its application through the composition root (``ops.wiring``) from
``MOTCUA_*`` settings alone, exactly as an API process does; only the clock is a simulated one,
so that all processes stand on the same local day whatever the wall clock says.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import traceback
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, nullcontext
from datetime import UTC, datetime
from typing import Any, Protocol

from adapters.catalogue.seed import SeedCatalogue
from application.clock import Clock, SimulatedClock
from application.commands import Idempotency
from application.dossiers import Dossiers, Submission
from application.errors import ApplicationError, StaleVersion, VersionConflict
from domain.actor import Actor, Role
from ops.settings import load_settings
from ops.wiring import build_dossiers

PROCEDURE = "2.001610"
"""A seed procedure offered online whose first receiving unit is ``RECEIVING_UNIT``."""
RECEIVING_UNIT = "000.00.01.H22"
CITIZEN = Actor(id="citizen-1", role=Role.CITIZEN, name="Nguyễn Văn An")
RECEPTION = Actor(id="officer-1", role=Role.RECEPTION_OFFICER, unit=RECEIVING_UNIT, name="Lê Văn Cường")
ACTORS: dict[str, Actor] = {"citizen": CITIZEN, "reception": RECEPTION}
BARRIER_TIMEOUT = 30.0
"""Seconds a process waits for its peers before giving up (a hung test is worse than a red one)."""
ANY_INSTANT = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
"""For processes whose clock does not matter: Monday 2 March 2026, 09:00 local."""
MAX_CLIENT_RETRIES = 200
"""Refused submissions a worker re-sends before it gives up (it must end, whatever happens)."""


class BarrierLike(Protocol):
    """What ``threading.Barrier`` and ``multiprocessing``'s barrier have in common."""

    def wait(self, timeout: float | None = None) -> int: ...

    def abort(self) -> None: ...


class LockLike(Protocol):
    def __enter__(self) -> Any: ...

    def __exit__(self, *exc: object) -> Any: ...


class QueueLike(Protocol):
    def put(self, obj: Any) -> None: ...


class PausingClock(Clock):
    """A fixed simulated instant whose first reading after :meth:`arm` waits for the peers.

    ``Dossiers.run`` loads the dossier, checks the expected version, *then* reads the clock,
    lets the aggregate decide and saves. Pausing inside that one clock reading therefore holds
    every process between its load and its save until all of them have loaded: the lost-update
    race happens every time instead of by luck, and it is reached through the clock port the
    application already takes, without patching anything.
    """

    def __init__(self, instant: datetime, barrier: BarrierLike) -> None:
        self._clock = SimulatedClock(instant)
        self._barrier = barrier
        self._armed = False
        self._lock = threading.Lock()

    def arm(self) -> None:
        with self._lock:
            self._armed = True

    def now(self) -> datetime:
        with self._lock:
            armed, self._armed = self._armed, False
        if armed:
            self._barrier.wait(BARRIER_TIMEOUT)
        return self._clock.now()


def _form(note: str) -> dict[str, Any]:
    from tests.unit.procedure_fixtures import seed_form

    form = seed_form(PROCEDURE)
    if note:
        form["headOffice"] = f"{form['headOffice']} ({note})"
    return form


def online_submission(note: str = "") -> Submission:
    """A citizen's online filing; ``note`` varies the body (for the reused-key case)."""
    return Submission(
        procedure_code=PROCEDURE,
        channel="online",
        applicant={"name": "Nguyễn Văn An", "id_number": "001099000001"},
        form=_form(note),
    )


def submission_body(submission: Submission) -> dict[str, Any]:
    """The request body an idempotency key is bound to (what the API would hash)."""
    return {
        "procedureCode": submission.procedure_code,
        "channel": submission.channel,
        "applicant": dict(submission.applicant),
        "form": dict(submission.form),
    }


@contextmanager
def opened_dossiers(environ: Mapping[str, str], clock: Clock,
                    startup: LockLike | None = None) -> Iterator[Dossiers]:
    """The command side as the composition root builds it, closed (pool and all) on exit.

    ``startup`` optionally serialises construction across the processes of one test (the
    composition root takes a PostgreSQL advisory lock for table creation itself, which
    ``test_several_processes_can_start_at_once_on_an_existing_store`` checks without it).
    """
    with startup if startup is not None else nullcontext():
        app = build_dossiers(load_settings(environ), clock, SeedCatalogue())
    try:
        yield app
    finally:
        app.close()


def _report(results: QueueLike, worker: str, body: Callable[[], dict[str, Any]],
            barrier: BarrierLike) -> None:
    """Run ``body`` and put its outcome on the queue; an unexpected error travels as text.

    The parent can then fail with the child's traceback instead of waiting for a result that
    never comes, and breaking the barrier releases the peers at once instead of after
    ``BARRIER_TIMEOUT``.
    """
    try:
        outcome = body()
    except BaseException as exc:  # noqa: BLE001 - everything must reach the parent
        barrier.abort()
        outcome = {"crashed": type(exc).__name__, "traceback": traceback.format_exc()}
    results.put({"worker": worker, **outcome})


# ----- targets for multiprocessing (spawn context) -----


def submit_many(environ: Mapping[str, str], at: str, count: int, startup: LockLike,
                start: BarrierLike, results: QueueLike, worker: str) -> None:
    """Submit ``count`` dossiers one after another, starting when every peer is ready.

    The start barrier sits after the application is built, so connection set-up does not
    spread the processes out in time and the submissions really overlap. A submission the
    application refuses with ``VersionConflict`` (it gave up allocating a code) is counted and
    sent again, as a client would after a 409: the code invariants can then be checked on the
    full count, and the refusals are reported for the test to judge separately.
    """
    def body() -> dict[str, Any]:
        codes: list[str] = []
        refused = 0
        with opened_dossiers(environ, SimulatedClock(datetime.fromisoformat(at)), startup) as app:
            start.wait(BARRIER_TIMEOUT)
            while len(codes) < count:
                try:
                    codes.append(app.submit(CITIZEN, online_submission()).code)
                except VersionConflict:
                    refused += 1
                    if refused > MAX_CLIENT_RETRIES:
                        raise
        return {"codes": codes, "refused": refused}

    _report(results, worker, body, start)


def post_message_in_lockstep(environ: Mapping[str, str], at: str, actor: str, code: str,
                             version: int, text: str, startup: LockLike, barrier: BarrierLike,
                             results: QueueLike, worker: str) -> None:
    """Post a message at ``version``, pausing between load and save until the peer has loaded.

    A process that loses the race reports the error class by name, then plays a client that
    retries: first blindly with the version it had (which must now be refused as stale, naming
    the current version), then with that current version (which must succeed).
    """
    def body() -> dict[str, Any]:
        who = ACTORS[actor]
        clock = PausingClock(datetime.fromisoformat(at), barrier)
        with opened_dossiers(environ, clock, startup) as app:
            clock.arm()
            try:
                result = app.post_message(who, code, version, text=text)
            except ApplicationError as exc:
                outcome: dict[str, Any] = {"outcome": type(exc).__name__}
                if isinstance(exc, VersionConflict):
                    try:
                        app.post_message(who, code, version, text=text)
                    except StaleVersion as stale:
                        current = stale.current_version
                        outcome.update(blind_retry="StaleVersion", current_version=current)
                    else:
                        return {**outcome, "blind_retry": "ok"}
                    retried = app.post_message(who, code, current, text=text)
                    outcome.update(retried_version=retried.version)
                return outcome
            return {"outcome": "ok", "version": result.version, "position": result.position}

    _report(results, worker, body, barrier)


def start_application_repeatedly(environ: Mapping[str, str], rounds: int, start: BarrierLike,
                                 results: QueueLike, worker: str) -> None:
    """Build and close the application ``rounds`` times, in step with the peers each time.

    This is what several API or projection processes of a deployment do when they are started
    together (``docker compose up --scale``), or restarted together after a database failover.
    Each round's outcome is "ok" or the error's class and message.
    """
    def body() -> dict[str, Any]:
        outcomes: list[str] = []
        for _ in range(rounds):
            start.wait(BARRIER_TIMEOUT)
            try:
                with opened_dossiers(environ, SimulatedClock(ANY_INSTANT)):
                    outcomes.append("ok")
            except Exception as exc:  # noqa: BLE001 - the outcome is what is reported
                outcomes.append(f"{type(exc).__name__}: {exc}")
        return {"outcomes": outcomes}

    _report(results, worker, body, start)


# ----- command line: a fresh interpreter per call -----


def submit_once(app: Dossiers, key: str, note: str) -> dict[str, Any]:
    """One keyed submission; the outcome (or the error's class name) as JSON-able data."""
    submission = online_submission(note)
    idem = Idempotency.of(CITIZEN.id, "submit", key, submission_body(submission))
    try:
        result = app.submit(CITIZEN, submission, idem)
    except ApplicationError as exc:
        return {"error": type(exc).__name__}
    return {"code": result.code, "version": result.version, "replayed": result.replayed,
            "lookupSecret": result.lookup_secret}


def main(argv: list[str] | None = None) -> int:
    """``submit-once --at ISO --key KEY [--note TEXT]``; settings come from ``MOTCUA_*``."""
    parser = argparse.ArgumentParser(prog="python -m tests.integration.dossier_worker")
    commands = parser.add_subparsers(dest="command", required=True)
    once = commands.add_parser("submit-once", help="submit one dossier with an Idempotency-Key")
    once.add_argument("--at", required=True, help="the simulated instant, ISO 8601 with offset")
    once.add_argument("--key", required=True, help="the Idempotency-Key")
    once.add_argument("--note", default="", help="varies the body")
    args = parser.parse_args(argv)
    with opened_dossiers(os.environ, SimulatedClock(datetime.fromisoformat(args.at))) as app:
        print(json.dumps(submit_once(app, args.key, args.note), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
