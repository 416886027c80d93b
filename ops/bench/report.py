"""The benchmark's one table and its JSON twin, so runs can be compared.

A `Figure` is one line of DESIGN §7: what was measured, its baseline from the same run, the
ratio, the target and whether it is met. The run's context (PostgreSQL durability settings,
the group-commit batch-size histogram, machine, length) goes above the table and into the JSON.
"""

from __future__ import annotations

import json
import platform
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HISTOGRAM_METRIC = "motcua_group_commit_batch_size"
FIGURES = ("P1", "P2", "P3", "P4", "P5", "P6")


@dataclass(frozen=True)
class Figure:
    id: str
    what: str
    value: float | None
    unit: str
    target: str
    passed: bool | None
    """None: not judged (the figure could not be measured)."""
    baseline: float | None = None
    baseline_what: str = ""
    ratio: float | None = None
    p50_ms: float | None = None
    p99_ms: float | None = None
    note: str = ""


@dataclass
class Report:
    seconds: float
    clients: int
    durability: dict[str, str] = field(default_factory=dict)
    histogram: dict[str, float] | None = None
    server_env: dict[str, str] = field(default_factory=dict)
    profile: list[dict[str, Any]] | None = None
    """P1's hottest server functions (`ops.bench.profile.Hot` as dicts), when profiled."""
    figures: list[Figure] = field(default_factory=list)
    started_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    machine: dict[str, Any] = field(default_factory=lambda: {
        "platform": platform.platform(), "python": platform.python_version(), "cpus": _cpus()})

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=2)

    def write_json(self, path: Path) -> None:
        path.write_text(self.to_json() + "\n", encoding="utf-8")


def _cpus() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 0)


def number(value: float | None, digits: int = 0) -> str:
    """1234.5 -> '1,235'; None -> '—'."""
    return "—" if value is None else f"{value:,.{digits}f}"


def verdict(passed: bool | None) -> str:
    return {True: "pass", False: "FAIL", None: "n/a"}[passed]


def table_rows(figures: Sequence[Figure]) -> list[list[str]]:
    """The table's cells, one list per figure (header in `TABLE_HEADER`)."""
    rows = []
    for f in figures:
        rows.append([
            f.id, f.what, f"{number(f.value, 1 if (f.value or 0) < 100 else 0)} {f.unit}".strip(),
            number(f.p50_ms, 1), number(f.p99_ms, 1),
            f"{number(f.baseline)} {f.baseline_what}".strip() if f.baseline is not None else "—",
            "—" if f.ratio is None else f"{f.ratio:.2f}×", f.target, verdict(f.passed),
        ])
    return rows


TABLE_HEADER = ["#", "what", "measured", "p50 ms", "p99 ms", "baseline", "ratio", "target", "result"]


def histogram_text(histogram: dict[str, float] | None) -> str:
    """'≤1: 10, ≤2: 4, …' from cumulative bucket counts, or 'n/a'."""
    if not histogram:
        return "n/a"
    if not any(histogram.values()):
        return "no group-commit transaction observed"
    return ", ".join(f"≤{le}: {count:g}" for le, count in histogram.items())


def parse_histogram(metrics_text: str, name: str = HISTOGRAM_METRIC) -> dict[str, float] | None:
    """Cumulative bucket counts of histogram `name` (summed over label sets) from a /metrics page.

    None when the page has no such histogram (the server has no group commit or no metrics).
    """
    from prometheus_client.parser import text_string_to_metric_families

    buckets: dict[str, float] = {}
    for family in text_string_to_metric_families(metrics_text):
        if family.name != name or family.type != "histogram":
            continue
        for sample in family.samples:
            if sample.name == name + "_bucket":
                le = sample.labels["le"]
                buckets[le] = buckets.get(le, 0.0) + sample.value
    if not buckets:
        return None
    return dict(sorted(buckets.items(), key=lambda kv: float(kv[0])))


def markdown(report: Report) -> str:
    """The table as Markdown, with the run's context above it (for docs/performance.md)."""
    lines = [
        f"Run {report.started_at}: {report.seconds:g} s per figure, {report.clients} clients, "
        f"{machine_text(report)}; PostgreSQL "
        + (", ".join(f"`{k}={v}`" for k, v in report.durability.items()) or "n/a")
        + f"; group-commit batch sizes: {histogram_text(report.histogram)}; server "
        + (" ".join(f"`{k}={v}`" for k, v in report.server_env.items()) or "defaults") + ".",
        "",
        "| " + " | ".join(TABLE_HEADER) + " |",
        "|" + "---|" * len(TABLE_HEADER),
    ]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in table_rows(report.figures)]
    notes = [f"- {f.id}: {f.note}" for f in report.figures if f.note]
    return "\n".join(lines + ([""] + notes if notes else []) + ([""] + profile_lines(report) if report.profile else []))


def machine_text(report: Report) -> str:
    """CPUs, and the speed of their cores during the run when it was measured."""
    reference = report.machine.get("cpu_reference_ms")
    end = report.machine.get("cpu_reference_end_ms")
    at_end = f", {end:g} ms at the end" if end is not None else ""
    return f"{report.machine['cpus']} CPUs" + (
        f" (reference loop {reference:g} ms{at_end}: lower is a faster machine)" if reference is not None else "")


def profile_lines(report: Report) -> list[str]:
    """P1's hottest server functions: share of samples on the stack, and innermost."""
    lines = ["Hottest functions of the server during P1 (share of py-spy samples: on the stack / innermost):", ""]
    lines += [f"- {h['inclusive']:6.1%} / {h['self']:6.1%}  `{h['function']}`" for h in report.profile or []]
    return lines


def report_from_json(text: str) -> Report:
    """A report written by `Report.to_json` (to re-render an earlier run)."""
    data = json.loads(text)
    figures = [Figure(**f) for f in data.pop("figures")]
    report = Report(**data)
    report.figures = figures
    return report


def print_report(report: Report) -> None:
    from rich.console import Console
    from rich.table import Table

    import sys

    console = Console(width=None if sys.stdout.isatty() else 180)
    console.print(f"[bold]motcua bench[/bold] {report.started_at}  {report.seconds:g} s per figure, "
                  f"{report.clients} clients, {machine_text(report)}")
    console.print("PostgreSQL: " + (", ".join(f"{k}={v}" for k, v in report.durability.items()) or "n/a"))
    console.print("server settings: " + (" ".join(f"{k}={v}" for k, v in report.server_env.items()) or "defaults"))
    console.print(f"group-commit batch sizes ({HISTOGRAM_METRIC}): {histogram_text(report.histogram)}")
    table = Table(show_lines=False)
    for name in TABLE_HEADER:
        table.add_column(name, justify="right" if name in ("measured", "p50 ms", "p99 ms", "ratio") else "left")
    for row in table_rows(report.figures):
        table.add_row(*row)
    console.print(table)
    for f in report.figures:
        if f.note:
            console.print(f"  {f.id}: {f.note}")
    if report.profile:
        for line in profile_lines(report):
            console.print(line, markup=False, highlight=False)


__all__ = ["FIGURES", "HISTOGRAM_METRIC", "TABLE_HEADER", "Figure", "Report", "histogram_text", "markdown", "number",
           "parse_histogram", "print_report", "report_from_json", "table_rows", "verdict"]
