"""One method per lifecycle step, each a thin call of ``Dossiers.run`` with the aggregate's command.

The API calls these by name; the aggregate decides (transition table, rules), ``run`` does the
loading, checks, saving and error translation that every step shares.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from application.commands import CommandResult, Idempotency
from domain.actor import Actor

if TYPE_CHECKING:
    from domain.calendar import WorkingCalendar
    from domain.dossier import Dossier

Version = int | None


class LifecycleCommands:
    if TYPE_CHECKING:
        def run(self, actor: Actor, code: str, command: str, expected_version: int | None,
                decide: Callable[[Dossier, Any], None], idempotency: Idempotency | None = None) -> CommandResult: ...
        def calendar_of(self, dossier: Dossier) -> WorkingCalendar: ...

    def receive(self, actor: Actor, code: str, version: Version) -> CommandResult:
        return self.run(actor, code, "receive", version, lambda d, at: d.receive(actor, at, self.calendar_of(d)))

    def refuse(self, actor: Actor, code: str, version: Version, *, reason: str) -> CommandResult:
        return self.run(actor, code, "refuse", version, lambda d, at: d.refuse_reception(actor, at, reason=reason))

    def hand_over(self, actor: Actor, code: str, version: Version, *, to_unit: str, to_officer: str | None = None,
                  step_index: int | None = None, note: str = "") -> CommandResult:
        return self.run(actor, code, "hand_over", version, lambda d, at: d.hand_over(
            actor, at, to_unit=to_unit, to_officer=to_officer, step_index=step_index, note=note))

    def request_supplement(self, actor: Actor, code: str, version: Version, *, items: Sequence[str], reason: str) -> CommandResult:
        return self.run(actor, code, "request_supplement", version,
                        lambda d, at: d.request_supplement(actor, at, items=list(items), reason=reason))

    def supplement(self, actor: Actor, code: str, version: Version, *, documents: Sequence[str] = (), note: str = "",
                   idempotency: Idempotency | None = None) -> CommandResult:
        return self.run(actor, code, "supplement", version, lambda d, at: d.supplement(
            actor, at, calendar=self.calendar_of(d), documents=list(documents), note=note), idempotency)

    def request_fee(self, actor: Actor, code: str, version: Version, *, amount: int, items: Sequence[str],
                    note: str = "") -> CommandResult:
        return self.run(actor, code, "request_fee", version, lambda d, at: d.request_financial_obligation(
            actor, at, amount=amount, items=list(items), note=note))

    def record_fee_payment(self, actor: Actor, code: str, version: Version, *, amount: int, paid_online: bool,
                           receipt_ref: str) -> CommandResult:
        return self.run(actor, code, "record_fee_payment", version, lambda d, at: d.pay_fee(
            actor, at, calendar=self.calendar_of(d), amount=amount, paid_online=paid_online, receipt_ref=receipt_ref))

    def request_opinion(self, actor: Actor, code: str, version: Version, *, to_unit: str, text: str) -> CommandResult:
        return self.run(actor, code, "request_opinion", version,
                        lambda d, at: d.request_opinion(actor, at, to_unit=to_unit, text=text))

    def give_opinion(self, actor: Actor, code: str, version: Version, *, text: str) -> CommandResult:
        return self.run(actor, code, "give_opinion", version,
                        lambda d, at: d.give_opinion(actor, at, from_unit=actor.unit or "", text=text))

    def extend_deadline(self, actor: Actor, code: str, version: Version, *, new_due: datetime, reason: str) -> CommandResult:
        return self.run(actor, code, "extend_deadline", version,
                        lambda d, at: d.extend_deadline(actor, at, new_due=new_due, reason=reason))

    def approve_result(self, actor: Actor, code: str, version: Version, *, summary: str, electronic: bool) -> CommandResult:
        return self.run(actor, code, "approve_result", version, lambda d, at: d.approve_result(
            actor, at, summary=summary, electronic=electronic, signed_by=actor.name or actor.id))

    def stop_processing(self, actor: Actor, code: str, version: Version, *, reason: str) -> CommandResult:
        return self.run(actor, code, "stop_processing", version,
                        lambda d, at: d.stop_processing(actor, at, calendar=self.calendar_of(d), reason=reason))

    def request_withdrawal(self, actor: Actor, code: str, version: Version, *, reason: str,
                           idempotency: Idempotency | None = None) -> CommandResult:
        return self.run(actor, code, "request_withdrawal", version,
                        lambda d, at: d.request_withdrawal(actor, at, reason=reason), idempotency)

    def accept_withdrawal(self, actor: Actor, code: str, version: Version, *, note: str = "") -> CommandResult:
        return self.run(actor, code, "accept_withdrawal", version,
                        lambda d, at: d.accept_withdrawal(actor, at, calendar=self.calendar_of(d), note=note))

    def complete(self, actor: Actor, code: str, version: Version, *, electronic_result: bool) -> CommandResult:
        return self.run(actor, code, "complete", version, lambda d, at: d.complete(
            actor, at, calendar=self.calendar_of(d), electronic_result=electronic_result))

    def return_result(self, actor: Actor, code: str, version: Version, *, method: str) -> CommandResult:
        return self.run(actor, code, "return_result", version, lambda d, at: d.return_result(actor, at, method=method))

    def post_message(self, actor: Actor, code: str, version: Version, *, text: str) -> CommandResult:
        return self.run(actor, code, "post_message", version, lambda d, at: d.post_message(actor, at, text=text))

    def rate(self, actor: Actor, code: str, version: Version, *, score: int, comment: str = "",
             idempotency: Idempotency | None = None) -> CommandResult:
        return self.run(actor, code, "rate", version, lambda d, at: d.rate(actor, at, score=score, comment=comment), idempotency)
