"""``motcua simulate``: a province's load over D days, through the application services.

It fills a store of its own (never a live one: it refuses a data dir or database that already
holds dossiers) under a `SimulatedClock`. Each dossier's life is a generator that performs one
command and yields the instant of its next one; a priority queue runs the due actions of all
dossiers in time order, so the clock only moves forward and every event is recorded at its
simulated instant. Procedures are drawn by popularity, every channel is used (online by
citizens, counter and postal by reception officers), and the lives include refusals, supplement
requests (some twice), fee waits, opinions, extensions, early / on-time / late finishes,
withdrawals, stops, results returned and ratings, and submitted documents (uploaded, or reused
from the citizen's earlier dossier). Submissions fall mostly in office hours but
some at night and at weekends; a year crosses the public holidays. Deterministic for a seed.
"""

from __future__ import annotations

import hashlib
import heapq
import itertools
import random
from collections import Counter
from collections.abc import Generator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from rich.progress import Progress

from application.clock import SimulatedClock
from application.dossiers import Dossiers, Submission
from application.services import Services
from domain.account import account_id
from domain.actor import Actor, Role
from domain.calendar import WorkingCalendar

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")
PASSWORD = "Motcua@2026"
PROVINCE = "000.00.00.H22"  # the province People's Committee: asked for opinions
CITIZENS = 25
# Relative popularity of the seed procedures (unknown codes weigh 1).
POPULARITY = {"2.000815": 30, "2.000488": 20, "1.009994": 12, "2.001610": 10, "1.000459": 6, "1.004616": 4,
              "1.001193": 24, "2.000635": 14, "2.000884": 14, "1.004873": 10, "1.013831": 12, "1.000894": 8,
              "1.000656": 6, "1.001612": 6, "1.002856": 6, "3.000465": 5}

# A dossier's life: an instant to act at (None: it has ended).
Life = Generator[datetime | None, None, None]


class LiveStore(RuntimeError):
    """The target already holds dossiers: the simulator never writes into a live store."""


@dataclass
class SimulationSummary:
    dossiers: int = 0
    endings: Counter[str] = field(default_factory=Counter)
    events: int = 0
    seconds: float = 0.0

    @property
    def per_second(self) -> float:
        return self.dossiers / self.seconds if self.seconds else 0.0


def ensure_empty(dossiers: Dossiers) -> None:
    if dossiers.recorder.max_notification_id():
        raise LiveStore(
            "Kho dữ liệu đã có hồ sơ: trình mô phỏng chỉ chạy trên kho mới (MOTCUA_DATA_DIR / cơ sở dữ liệu trống). "
            "/ The store already holds dossiers: the simulator only runs on a fresh data dir or database."
        )


class Simulation:
    def __init__(self, services: Services, clock: SimulatedClock, *, dossiers: int, days: int, start: date,
                 seed: int) -> None:
        self.services = services
        self.app: Dossiers = services.dossiers
        self.clock = clock
        self.count = dossiers
        self.rng = random.Random(seed)
        self.begin = datetime.combine(start, time(0, 0), LOCAL).astimezone(UTC)
        self.end = self.begin + timedelta(days=days)
        self.procedures = [p for p in services.catalogue.list()]
        self.weights = [POPULARITY.get(p.code, 1) for p in self.procedures]
        self.officers: dict[tuple[Role, str], Actor] = {}
        self.citizens: list[Actor] = []
        self.summary = SimulationSummary(dossiers=dossiers)
        self.seed = seed
        self.doc_rng = random.Random(seed ^ 766)  # its own stream: the lives draw as before
        self.earlier: dict[str, tuple[str, str]] = {}  # citizen id -> (dossier code, document hash)

    # ----- accounts -----

    def _account(self, username: str, role: Role, unit: str | None, name: str) -> Actor:
        accounts = self.services.accounts
        if not accounts.exists(username):
            accounts.register(username=username, password=PASSWORD, role=role, unit=unit, full_name=name)
        return Actor(id=str(account_id(username)), role=role, unit=unit, name=name)

    def officer(self, role: Role, unit: str) -> Actor:
        key = (role, unit)
        if key not in self.officers:
            username = f"sim-{role.value.split('_')[0]}-{unit.replace('.', '')}".lower()
            self.officers[key] = self._account(username, role, unit, f"Cán bộ mô phỏng {role.value} {unit}")
        return self.officers[key]

    def ensure_accounts(self) -> None:
        self.citizens = [self._account(f"sim-citizen-{i:03d}", Role.CITIZEN, None, f"Công dân mô phỏng {i:03d}")
                         for i in range(CITIZENS)]

    # ----- time helpers -----

    def calendar(self, unit: str) -> WorkingCalendar:
        return self.app.calendar_for(unit)

    def office(self, unit: str, after: datetime, working: timedelta) -> datetime:
        """`working` office time after `after` (officers act in office hours)."""
        return self.calendar(unit).add_working_time(after, working)

    def minutes(self, lo: float, hi: float) -> timedelta:
        return timedelta(minutes=self.rng.uniform(lo, hi))

    def arrival(self, unit: str) -> datetime:
        """A submission instant: mostly office hours on working days, some nights and weekends."""
        cal = self.calendar(unit)
        span = (self.end - self.begin).days
        day = (self.begin.astimezone(LOCAL) + timedelta(days=self.rng.randrange(max(span, 1)))).date()
        if self.rng.random() < 0.88:
            while not cal.is_working_day(day):
                day += timedelta(days=1)
            clock = time(7, 30) if self.rng.random() < 0.5 else time(13, 0)
            local = datetime.combine(day, clock, LOCAL) + self.minutes(0, 210)
        else:
            local = datetime.combine(day, time(0, 0), LOCAL) + self.minutes(0, 24 * 60)
        return min(local.astimezone(UTC), self.end - timedelta(minutes=1))  # every dossier is filed

    # ----- the run -----

    def run(self, progress: Progress | None = None) -> SimulationSummary:
        import time as wall

        started = wall.perf_counter()
        ensure_empty(self.app)
        self.ensure_accounts()
        first = self.app.recorder.max_notification_id() or 0
        queue: list[tuple[datetime, int, Life]] = []
        seq = itertools.count()
        lives = [(self.arrival(PROVINCE), i) for i in range(self.count)]
        for at, i in lives:
            heapq.heappush(queue, (at, next(seq), self.life(i)))
        task = progress.add_task("Mô phỏng hồ sơ / simulating dossiers", total=self.count) if progress else None
        done = 0
        while queue:
            at, _, life = heapq.heappop(queue)
            if at >= self.end:
                life.close()  # beyond the horizon: the dossier stays as it is
                done += 1
                continue
            if at > self.clock.now():
                self.clock.set(at)
            nxt = next(life, None)
            if nxt is None:
                done += 1
                if progress and task is not None:
                    progress.update(task, completed=min(done, self.count))
                continue
            heapq.heappush(queue, (max(nxt, self.clock.now()), next(seq), life))
        if progress and task is not None:
            progress.update(task, completed=self.count)
        self.summary.events = (self.app.recorder.max_notification_id() or 0) - first
        self.summary.seconds = wall.perf_counter() - started
        return self.summary

    def attach_documents(self, i: int, code: str, procedure: Any, filer: Actor, citizen: Actor | None) -> None:
        """Submitted documents: uploaded (digitised) for about two dossiers in three, reused from
        the citizen's earlier dossier for some online ones; the rest are paper only."""
        documents = self.services.documents
        components = [c.get("name") for c in getattr(procedure, "components", ()) or () if c.get("name")]
        rng = self.doc_rng
        if documents is None or not components or rng.random() < 0.35:
            return
        earlier = self.earlier.get(citizen.id) if citizen is not None and filer == citizen else None
        if earlier is not None and rng.random() < 0.5:
            documents.reuse(filer, code, None, components[0], earlier[0], earlier[1])
            return
        content = b"%PDF-1.4\n%" + f"motcua simulate {self.seed} {i}".encode() + b"\n%%EOF\n"
        documents.upload(filer, code, None, components[0], f"tai-lieu-{i:05d}.pdf", [content])
        if citizen is not None:
            self.earlier[citizen.id] = (code, hashlib.sha256(content).hexdigest())

    def life(self, i: int) -> Life:  # noqa: C901 - one dossier's story, read top to bottom
        rng, app = self.rng, self.app
        procedure = rng.choices(self.procedures, self.weights)[0]
        receiving = procedure.receiving_units[0] if rng.random() < 0.8 else procedure.receiving_units[-1]
        steps = list(procedure.steps)
        handler_step = next((k for k, s in enumerate(steps) if s.role == "handling_officer"), None)
        leader_step = next((k for k, s in enumerate(steps) if s.role == "unit_leader"), None)
        handler_unit = steps[handler_step].unit if handler_step is not None else receiving
        leader_unit = steps[leader_step].unit if leader_step is not None else procedure.receiving_units[-1]
        reception = self.officer(Role.RECEPTION_OFFICER, receiving)
        handler = self.officer(Role.HANDLING_OFFICER, handler_unit)
        leader = self.officer(Role.UNIT_LEADER, leader_unit)
        channel = rng.choices(procedure.channels, [5 if c == "online" else 3 if c == "counter" else 1
                                                   for c in procedure.channels])[0]
        citizen = rng.choice(self.citizens)
        has_account = channel == "online" or rng.random() < 0.5
        filer = citizen if channel == "online" else reception
        applicant = citizen if has_account else reception  # who acts on the applicant's side
        submission = Submission(
            procedure_code=procedure.code, channel=channel, receiving_unit=receiving,
            form=(procedure.form_schema or {}).get("examples", [{}])[0],
            # Account holders come back (same identity number: same pseudonymous key); walk-ins vary.
            applicant={"name": f"Người nộp mô phỏng {i:05d}",
                       "id_number": f"0019{self.citizens.index(citizen):08d}" if has_account
                       else f"0029{rng.randrange(10**8):08d}"},
            applicant_account=citizen.id if has_account else "",
        )
        code = app.submit(filer, submission).code
        self.attach_documents(i, code, procedure, filer, citizen if has_account else None)
        ending = "open"

        def ended(name: str) -> None:
            nonlocal ending
            ending = name

        try:
            # --- reception ---
            yield self.office(receiving, self.clock.now(), self.minutes(5, 240))
            r = rng.random()
            if r < 0.03:
                app.refuse(reception, code, None, reason="Hồ sơ không thuộc thẩm quyền / not within competence")
                ended("refused")
                return
            if r < 0.10:
                app.request_supplement(reception, code, None, items=["Bản sao giấy tờ tùy thân"], reason="Thiếu giấy tờ")
                yield self.clock.now() + timedelta(hours=rng.uniform(2, 24 * 6))
                if rng.random() < 0.1:
                    app.request_withdrawal(applicant, code, None, reason="Không bổ sung được / cannot supply")
                    yield self.office(receiving, self.clock.now(), self.minutes(10, 480))
                    app.accept_withdrawal(reception, code, None)
                    ended("withdrawn")
                    return
                app.supplement(applicant, code, None, note="Đã bổ sung")
                yield self.office(receiving, self.clock.now(), self.minutes(5, 120))
            if rng.random() < 0.02:
                app.request_withdrawal(applicant, code, None, reason="Không còn nhu cầu / no longer needed")
                yield self.office(receiving, self.clock.now(), self.minutes(10, 480))
                app.accept_withdrawal(reception, code, None)
                ended("withdrawn")
                return
            app.receive(reception, code, None)
            received = self.clock.now()
            cal = self.calendar(receiving)
            budget = cal.working_time_between(cal.processing_start(received), app.load(code).due or received)
            speed = rng.random()
            fraction = (rng.uniform(0.15, 0.8) if speed < 0.45 else rng.uniform(0.8, 0.99) if speed < 0.85
                        else rng.uniform(1.02, 1.8))
            yield self.office(receiving, self.clock.now(), self.minutes(10, 180))
            if rng.random() < 0.01:
                app.stop_processing(handler, code, None, reason="Giấy tờ giả mạo / forged papers")
                ended("stopped")
                return
            app.hand_over(reception, code, None, to_unit=handler_unit, step_index=handler_step)
            yield self.office(handler_unit, self.clock.now(), budget * fraction * rng.uniform(0.1, 0.3))
            # --- processing: waits, opinions, extensions ---
            for round_ in range(2):
                if rng.random() < (0.10 if round_ == 0 else 0.3):
                    app.request_supplement(handler, code, None, items=[f"Tài liệu bổ sung {round_ + 1}"],
                                           reason="Hồ sơ chưa đầy đủ / incomplete")
                    yield self.clock.now() + timedelta(hours=rng.uniform(4, 24 * 10))
                    if rng.random() < 0.05:
                        app.request_withdrawal(applicant, code, None, reason="Rút hồ sơ / withdraw")
                        yield self.office(receiving, self.clock.now(), self.minutes(10, 480))
                        app.accept_withdrawal(reception, code, None)
                        ended("withdrawn")
                        return
                    app.supplement(applicant, code, None, note=f"Bổ sung lần {round_ + 1}")
                    yield self.office(handler_unit, self.clock.now(), self.minutes(30, 600))
                else:
                    break
            if procedure.fee_stops_clock and rng.random() < 0.6:
                amount = rng.choice((50_000, 100_000, 200_000, 500_000))
                app.request_fee(handler, code, None, amount=amount, items=["Phí, lệ phí"])
                yield self.clock.now() + timedelta(hours=rng.uniform(1, 24 * 5))
                app.record_fee_payment(reception, code, None, amount=amount, paid_online=rng.random() < 0.6,
                                       receipt_ref=f"BL-{i:06d}")
                yield self.office(handler_unit, self.clock.now(), self.minutes(10, 240))
            if rng.random() < 0.02:
                app.stop_processing(handler, code, None, reason="Không đủ điều kiện / not eligible")
                ended("stopped")
                return
            if rng.random() < 0.08:
                app.request_opinion(handler, code, None, to_unit=PROVINCE, text="Đề nghị cho ý kiến")
                yield self.office(PROVINCE, self.clock.now(), budget * rng.uniform(0.05, 0.2))
                app.give_opinion(self.officer(Role.HANDLING_OFFICER, PROVINCE), code, None, text="Thống nhất")
                yield self.office(handler_unit, self.clock.now(), self.minutes(30, 240))
            dossier = app.load(code)
            due = dossier.due or self.clock.now()
            # The speed is judged against the wait-adjusted original due instant.
            start = cal.processing_start(received)
            total = cal.working_time_between(start, dossier.original_due or due) if dossier.original_due else budget
            target = self.office(receiving, start, max(total + budget * (fraction - 1), timedelta(0)))
            if fraction > 1 and rng.random() < 0.4 and self.clock.now() < due:
                app.extend_deadline(handler, code, None, new_due=due + timedelta(days=rng.randint(3, 15)),
                                    reason="Cần xác minh thêm / needs verification")
            if rng.random() < 0.01:
                app.request_withdrawal(applicant, code, None, reason="Không còn nhu cầu / no longer needed")
                yield self.office(receiving, self.clock.now(), self.minutes(10, 480))
                app.accept_withdrawal(reception, code, None)
                ended("withdrawn")
                return
            yield max(self.clock.now(), target - timedelta(hours=2))
            if leader_step is not None:
                app.hand_over(handler, code, None, to_unit=leader_unit, step_index=leader_step)
                yield self.clock.now() + self.minutes(5, 60)
            electronic = rng.random() < 0.7
            app.approve_result(leader, code, None, summary="Đồng ý / approved", electronic=electronic)
            yield max(self.clock.now() + self.minutes(5, 30), target)
            back = next((k for k in range(len(steps) - 1, -1, -1) if steps[k].unit == receiving), None)
            if back is not None and back > (leader_step or 0):
                app.hand_over(leader, code, None, to_unit=receiving, step_index=back)
            app.complete(reception, code, None, electronic_result=electronic)
            ended("completed")
            yield self.clock.now() + timedelta(hours=rng.uniform(1, 24 * 7))
            if rng.random() < 0.85:
                method = "online" if electronic and channel == "online" else rng.choice(("counter", "post"))
                app.return_result(reception, code, None, method=method)
                ended("returned")
                if has_account and rng.random() < 0.6:  # ratings come from the citizen's account
                    yield self.clock.now() + timedelta(hours=rng.uniform(0.1, 48))
                    app.rate(applicant, code, None, score=rng.choices((1, 2, 3, 4, 5), (3, 4, 13, 35, 45))[0],
                             comment="Đánh giá mô phỏng")
                    ended("rated")
        finally:  # also when the horizon closes the life early
            self.summary.endings[ending] += 1


def run_simulation(services: Services, clock: SimulatedClock, *, dossiers: int, days: int, start: date,
                   seed: int = 2026, progress: bool = True) -> SimulationSummary:
    sim = Simulation(services, clock, dossiers=dossiers, days=days, start=start, seed=seed)
    if not progress:
        return sim.run()
    with Progress() as bar:
        return sim.run(bar)


def simulate_command(settings: Any, *, dossiers: int, days: int, start: date | None, seed: int) -> int:
    """The CLI: exit 2 on a store that already holds dossiers."""
    import sys

    from rich.console import Console

    from ops.wiring import build_container

    start = start or date(2026, 1, 1)
    clock = SimulatedClock(datetime.combine(start, time(0, 0), LOCAL))
    container = build_container(settings, clock=clock, projections=False)
    try:
        try:
            ensure_empty(container.services.dossiers)
        except LiveStore as exc:
            print(f"motcua simulate: {exc}", file=sys.stderr)
            return 2
        summary = run_simulation(container.services, clock, dossiers=dossiers, days=days, start=start, seed=seed)
    finally:
        container.close()
    console = Console()
    endings = ", ".join(f"{k} {v}" for k, v in sorted(summary.endings.items()) if v)
    console.print(f"[bold]Mô phỏng / simulated:[/bold] {summary.dossiers} hồ sơ / dossiers, {summary.events} sự kiện / events "
                  f"in {summary.seconds:.1f} s ({summary.per_second:.0f}/s): {endings}")
    return 0
