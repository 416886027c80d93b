"""How long the statistics runner waits before reading the store again (``ops.statistics``)."""

from __future__ import annotations

from ops.statistics import GATHER, IDLE_POLL, pause_after


def test_after_a_full_batch_the_runner_reads_again_at_once() -> None:
    assert pause_after(500, 0, 500, 0.05) == 0.0


def test_after_a_partial_batch_the_next_one_gathers_for_a_while() -> None:
    assert pause_after(37, 0, 500, 0.05) == GATHER
    assert pause_after(0, 3, 500, 0.05) == GATHER  # only access counts came: still work under way


def test_with_nothing_new_the_runner_polls_no_faster_than_its_idle_interval() -> None:
    assert pause_after(0, 0, 500, 0.05) == IDLE_POLL
    assert pause_after(0, 0, 500, 1.5) == 1.5
