"""The computing pieces of `motcua bench`: percentiles, lags, ratios, the table and its JSON.

The harness itself is timing and never runs in the suite; these are the parts a wrong formula
would silently spoil.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from ops.bench.cli import figures
from ops.bench.report import Figure, Report, histogram_text, parse_histogram, table_rows
from ops.bench.stats import Throughput, percentile, ratio, time_lags


def test_percentiles_interpolate_between_order_statistics() -> None:
    values = [float(v) for v in range(1, 101)]  # 1..100
    assert percentile(values, 50) == pytest.approx(50.5)
    assert percentile(values, 99) == pytest.approx(99.01)
    assert percentile(list(reversed(values)), 50) == pytest.approx(50.5)  # order does not matter
    assert percentile([7.0], 99) == 7.0
    assert percentile([], 50) is None
    with pytest.raises(ValueError):
        percentile(values, 100)


def test_a_window_gives_throughput_and_latencies_in_milliseconds() -> None:
    t = Throughput.of([0.010] * 98 + [0.500, 0.900], errors=3, seconds=4.0)
    assert t.ok == 100 and t.errors == 3
    assert t.per_second == 25.0
    assert t.p50_ms == pytest.approx(10.0)
    assert 500 < t.p99_ms < 900  # type: ignore[operator]
    assert Throughput.of([], errors=0, seconds=0).per_second == 0.0


def test_the_lag_of_a_head_is_the_time_until_the_position_first_reaches_it() -> None:
    heads = [(0.0, 10), (1.0, 20), (2.0, 30), (3.0, 40)]
    positions = [(0.0, 5), (0.5, 10), (1.2, 15), (1.7, 25), (2.1, 25), (2.6, 35)]
    assert time_lags(heads, positions) == pytest.approx([0.5, 0.7, 0.6])  # head 40 never reached: left out


def test_a_position_sample_that_goes_back_does_not_undo_progress() -> None:
    lags = time_lags([(0.0, 10)], [(0.1, 12), (0.2, 3), (0.3, 12)])
    assert lags == pytest.approx([0.1])


def test_a_ratio_needs_both_figures() -> None:
    assert ratio(700.0, 2000.0) == pytest.approx(0.35)
    assert ratio(None, 2000.0) is None
    assert ratio(700.0, 0.0) is None


def test_server_settings_are_ours_and_not_those_the_bench_sets_itself() -> None:
    from ops.bench.cli import setting

    assert setting("MOTCUA_THREAD_POOL_SIZE=32") == ("MOTCUA_THREAD_POOL_SIZE", "32")
    for bad in ("THREADS=3", "MOTCUA_WORKERS", "MOTCUA_POSTGRES_SCHEMA=public"):
        with pytest.raises(argparse.ArgumentTypeError):
            setting(bad)


def test_figures_are_chosen_by_name_in_any_case() -> None:
    assert figures("p1, P2") == {"P1", "P2"}
    with pytest.raises(argparse.ArgumentTypeError):
        figures("P7")
    with pytest.raises(argparse.ArgumentTypeError):
        figures(" , ")


def test_the_table_shows_measured_baseline_ratio_target_and_verdict() -> None:
    p1 = Figure("P1", "write commands", 1620.4, "commands/s", "≥ 1,500/s", passed=True, baseline=4000.0,
                baseline_what="raw commits/s", ratio=0.405, p50_ms=12.34, p99_ms=80.0)
    p6 = Figure("P6 history", "history", None, "ms", "≤ 20 ms", passed=None)
    rows = table_rows([p1, p6])
    assert rows[0] == ["P1", "write commands", "1,620 commands/s", "12.3", "80.0", "4,000 raw commits/s",
                       "0.41×", "≥ 1,500/s", "pass"]
    assert rows[1][2:] == ["— ms", "—", "—", "—", "—", "≤ 20 ms", "n/a"]
    failed = Figure("P4", "report", 612.0, "ms", "≤ 500 ms", passed=False)
    assert table_rows([failed])[0][-1] == "FAIL"


def test_the_json_keeps_every_figure_and_the_run_context(tmp_path: Path) -> None:
    report = Report(seconds=60, clients=32, durability={"fsync": "on", "synchronous_commit": "on"},
                    histogram={"1.0": 3.0, "+Inf": 5.0})
    report.figures.append(Figure("P5", "rebuild", 25000.0, "events/s", "≥ 20,000", passed=True))
    path = tmp_path / "run.json"
    report.write_json(path)
    data = json.loads(path.read_text())
    assert data["durability"] == {"fsync": "on", "synchronous_commit": "on"}
    assert data["figures"][0]["id"] == "P5" and data["figures"][0]["value"] == 25000.0
    assert data["figures"][0]["passed"] is True
    assert data["seconds"] == 60 and data["clients"] == 32 and data["machine"]["cpus"] >= 1


METRICS = """\
# HELP motcua_group_commit_batch_size Commands saved per group-commit transaction
# TYPE motcua_group_commit_batch_size histogram
motcua_group_commit_batch_size_bucket{store="dossiers",le="1.0"} 4.0
motcua_group_commit_batch_size_bucket{store="dossiers",le="8.0"} 10.0
motcua_group_commit_batch_size_bucket{store="dossiers",le="+Inf"} 12.0
motcua_group_commit_batch_size_bucket{store="accounts",le="1.0"} 1.0
motcua_group_commit_batch_size_bucket{store="accounts",le="8.0"} 1.0
motcua_group_commit_batch_size_bucket{store="accounts",le="+Inf"} 1.0
motcua_group_commit_batch_size_count{store="dossiers"} 12.0
motcua_group_commit_batch_size_sum{store="dossiers"} 50.0
# HELP other_seconds Something else
# TYPE other_seconds histogram
other_seconds_bucket{le="1.0"} 9.0
other_seconds_bucket{le="+Inf"} 9.0
"""


def test_the_group_commit_histogram_is_read_from_the_metrics_page_summed_over_labels() -> None:
    histogram = parse_histogram(METRICS)
    assert histogram == {"1.0": 5.0, "8.0": 11.0, "+Inf": 13.0}
    assert histogram_text(histogram) == "≤1.0: 5, ≤8.0: 11, ≤+Inf: 13"


def test_a_server_without_the_histogram_gives_n_a() -> None:
    assert parse_histogram("# TYPE x counter\nx_total 1.0\n") is None
    assert histogram_text(None) == "n/a"
    assert histogram_text({"1.0": 0.0, "+Inf": 0.0}) == "no group-commit transaction observed"


def test_a_saved_run_renders_again_as_the_same_markdown_table() -> None:
    from ops.bench.report import markdown, report_from_json

    report = Report(seconds=5, clients=8, durability={"fsync": "on"})
    report.figures.append(Figure("P2", "lookup | by code", 236.0, "requests/s", "≥ 0.6× bare", passed=True,
                                 baseline=195.0, baseline_what="bare requests/s", ratio=1.21, note="errors 0"))
    text = markdown(report)
    assert "| P2 | lookup \\| by code | 236 requests/s |" in text
    assert "`fsync=on`" in text and "- P2: errors 0" in text
    assert markdown(report_from_json(report.to_json())) == text


def test_collapsed_stacks_fold_into_each_functions_share_of_the_samples() -> None:
    from ops.bench.profile import hottest

    collapsed = (
        "run (threading.py:975);handle (api/office.py:30);save (eventsourcing/application.py:10);"
        "execute (psycopg/cursor.py:5) 6\n"
        "run (threading.py:975);handle (api/office.py:30);decode (json/decoder.py:3) 3\n"
        "run (threading.py:975);verify (api/auth.py:9) 1\n"
        "garbage line\n"
    )
    hot = {h.function: h for h in hottest(collapsed, top=10)}
    assert "run (threading.py:975)" not in hot  # every worker thread has it: left out
    assert hot["handle (api/office.py:30)"].inclusive == pytest.approx(0.9)
    assert hot["handle (api/office.py:30)"].self == 0.0
    assert hot["execute (psycopg/cursor.py:5)"].self == pytest.approx(0.6)
    assert [h.function for h in hottest(collapsed, top=1)] == ["handle (api/office.py:30)"]
    assert hottest("") == []


def test_the_servers_bench_settings_are_settings_this_version_knows() -> None:
    from ops.bench.servers import BENCH_DEFAULTS, bench_defaults
    from ops.settings import load_settings

    chosen = bench_defaults()
    load_settings(chosen)  # an unknown MOTCUA_ variable would be an error and the server would not start
    assert set(chosen) <= {f"MOTCUA_{name.upper()}" for name in BENCH_DEFAULTS}


def test_a_run_names_the_speed_of_its_cores_when_it_was_measured_and_older_runs_still_render() -> None:
    from ops.bench.baselines import cpu_reference_ms
    from ops.bench.report import markdown, report_from_json

    report = Report(seconds=5, clients=8)
    assert "reference loop" not in markdown(report)  # a run saved before the reference existed
    reference = cpu_reference_ms(rounds=1)
    assert reference > 0
    report.machine["cpu_reference_ms"] = reference
    assert f"(reference loop {reference:g} ms" in markdown(report)
    assert report_from_json(report.to_json()).machine["cpu_reference_ms"] == reference
    report.machine["cpu_reference_end_ms"] = reference * 2
    assert f"(reference loop {reference:g} ms, {reference * 2:g} ms at the end:" in markdown(report)


def test_a_profiler_that_wrote_nothing_gives_no_hot_functions_and_names_its_log(tmp_path: Path, capsys) -> None:
    import subprocess
    import sys

    from ops.bench.profile import finish

    out = tmp_path / "p1.txt"
    assert finish(subprocess.Popen([sys.executable, "-c", "pass"]), out, wait=30) == []
    assert "p1.txt.log" in capsys.readouterr().err
    out.write_text("main;work 3\nmain;idle 1\n", encoding="utf-8")
    hot = finish(subprocess.Popen([sys.executable, "-c", "pass"]), out, wait=30)
    assert [h.function for h in hot][:1] == ["main"]
