"""The bundle of application services the API is given: the API imports this, never ``ops``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str = ""
    lag: int | None = None


@dataclass
class Services:
    """Filled by the composition root (``ops.wiring``); each attribute is an application service."""

    settings: Any
    clock: Any
    checks: list[Callable[[], Check]] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def readiness(self) -> list[Check]:
        results = []
        for check in self.checks:
            try:
                results.append(check())
            except Exception as exc:  # readiness must report, never raise
                results.append(Check(name=getattr(check, "__name__", "check"), ok=False, detail=repr(exc)))
        return results
