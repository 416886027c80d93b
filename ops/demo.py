"""``motcua demo``: demo accounts (one per role) and a few hundred dossiers in every state.

Idempotent: accounts that exist are kept, and each demo dossier is filed with a fixed
``Idempotency-Key``, so a second run finds the same dossiers and only drives those that have not
moved yet. It goes through the application services like any client, so it can run while
``motcua serve`` uses the same data dir (the projections pick the new events up).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from rich.progress import Progress

from application.commands import Idempotency
from application.dossiers import Dossiers, Submission
from application.services import Services
from domain.account import account_id
from domain.actor import Actor, Role

DEMO_PASSWORD = "Motcua@2026"
RECEPTION_UNIT = "000.00.01.H22"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: Role
    unit: str | None
    full_name: str


DEMO_ACCOUNTS = (
    DemoAccount("congdan", Role.CITIZEN, None, "Nguyễn Văn An"),
    DemoAccount("tiepnhan", Role.RECEPTION_OFFICER, RECEPTION_UNIT, "Trần Thị Bình"),
    DemoAccount("chuyenvien", Role.HANDLING_OFFICER, "000.00.00.H22", "Lê Văn Cường"),
    DemoAccount("lanhdao", Role.UNIT_LEADER, "000.00.00.H22", "Phạm Thị Dung"),
    DemoAccount("quantri", Role.ADMINISTRATOR, None, "Hoàng Văn Em"),
    DemoAccount("thanhtra", Role.AUDITOR, None, "Vũ Thị Giang"),
    DemoAccount("phantich", Role.ANALYST, None, "Đặng Văn Hùng"),
)

# How far each demo dossier is driven: every lifecycle state appears.
TARGETS = (
    "submitted", "refused", "supplement_at_reception", "received", "processing", "awaiting_supplement",
    "awaiting_payment", "consulting", "approved", "extended", "stopped", "withdrawal_requested", "withdrawn",
    "completed", "returned", "rated",
)


def ensure_accounts(services: Services) -> dict[str, Actor]:
    actors = {}
    for a in DEMO_ACCOUNTS:
        if not services.accounts.exists(a.username):
            services.accounts.register(username=a.username, password=DEMO_PASSWORD, role=a.role, unit=a.unit, full_name=a.full_name)
        actors[a.username] = Actor(id=str(account_id(a.username)), role=a.role, unit=a.unit, name=a.full_name)
    return actors


def run_demo(services: Services, count: int = 320, seed: int = 2026) -> dict[str, int]:
    actors = ensure_accounts(services)
    dossiers: Dossiers = services.dossiers
    rng = random.Random(seed)
    procedures = [p.code for p in services.catalogue.list()]
    made: dict[str, int] = {}
    with Progress() as progress:
        task = progress.add_task("Tạo hồ sơ mẫu / demo dossiers", total=count)
        for i in range(count):
            target = TARGETS[i % len(TARGETS)]
            procedure = services.catalogue.get(rng.choice(procedures))
            channel = rng.choice(procedure.channels)
            filer = actors["congdan"] if channel == "online" else actors["tiepnhan"]
            # The demo reception officer sits at the provincial centre, which receives every procedure
            # (non-territorial reception); a procedure it does not receive goes to its first unit.
            unit = RECEPTION_UNIT if RECEPTION_UNIT in procedure.receiving_units else procedure.receiving_units[0]
            submission = Submission(
                procedure_code=procedure.code, channel=channel, receiving_unit=unit,
                form=(procedure.form_schema or {}).get("examples", [{}])[0],
                applicant={"name": f"Công dân mẫu {i:03d}", "id_number": f"0010990{i:05d}"},
                applicant_account=actors["congdan"].id,
            )
            result = dossiers.submit(filer, submission, Idempotency.of(filer.id, "demo", f"demo-{i}", {"i": i}))
            if dossiers.load(result.code).version == 1:
                _drive(dossiers, actors, result.code, target, filer)
            made[target] = made.get(target, 0) + 1
            progress.advance(task)
    return made


def _drive(app: Dossiers, who: dict[str, Actor], code: str, target: str, applicant: Actor) -> None:
    r, h, lead = who["tiepnhan"], who["chuyenvien"], who["lanhdao"]
    v = 1

    def step(fn: Callable[..., object], *args: object, **kwargs: object) -> None:
        nonlocal v
        v = fn(*args, code, v, **kwargs).version  # type: ignore[attr-defined]

    if target == "submitted":
        return
    if target == "refused":
        return step(app.refuse, r, reason="Hồ sơ không thuộc thẩm quyền giải quyết")
    if target == "supplement_at_reception":
        return step(app.request_supplement, r, items=["Bản sao giấy tờ tùy thân"], reason="Thiếu giấy tờ")
    if target in ("withdrawal_requested", "withdrawn"):
        step(app.request_withdrawal, applicant, reason="Không còn nhu cầu")
        if target == "withdrawn":
            step(app.accept_withdrawal, r)
        return
    step(app.receive, r)
    if target == "received":
        return
    if target == "stopped":
        return step(app.stop_processing, h, reason="Giấy tờ trong hồ sơ không hợp lệ")
    step(app.hand_over, r, to_unit="000.00.00.H22", step_index=1)
    if target == "processing":
        return
    if target == "awaiting_supplement":
        return step(app.request_supplement, h, items=["Bản vẽ thiết kế"], reason="Thiếu bản vẽ")
    if target == "awaiting_payment":
        return step(app.request_fee, h, amount=50_000, items=["Lệ phí"])
    if target == "consulting":
        return step(app.request_opinion, h, to_unit="000.00.12.H22", text="Đề nghị cho ý kiến về tính pháp lý")
    if target == "extended":
        due = app.load(code).due
        assert due is not None
        return step(app.extend_deadline, h, new_due=due + timedelta(days=7), reason="Cần xác minh thêm thông tin")
    step(app.approve_result, lead, summary="Đồng ý cấp", electronic=True)
    if target == "approved":
        return
    step(app.complete, r, electronic_result=True)
    if target == "completed":
        return
    step(app.return_result, r, method="online")
    if target == "rated":
        step(app.rate, who["congdan"], score=5, comment="Hài lòng")
