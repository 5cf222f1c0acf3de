"""The loops' promises that decide whether systemd's watchdog is fed."""

from __future__ import annotations

from cpambot.service.liveness import Liveness


def test_a_loop_is_stuck_only_once_its_promise_ran_out():
    """GIVEN a loop that promised to come back within 10 s at t=100 WHEN asked at t=109 THEN nothing is
    stuck; WHEN asked at t=112.5 THEN it is, 2.5 s late."""
    live = Liveness()
    live.beat("veille", 100.0, 10.0)
    assert live.stuck(109.0) == []
    [late] = live.stuck(112.5)
    assert late.name == "veille" and late.late == 2.5


def test_a_new_beat_or_done_clears_a_late_loop():
    """GIVEN two late loops WHEN one beats again and the other is done THEN none is stuck; the most late
    comes first while both are."""
    live = Liveness()
    live.beat("a", 0.0, 1.0)
    live.beat("b", 0.0, 5.0)
    assert [s.name for s in live.stuck(10.0)] == ["a", "b"]
    live.beat("a", 10.0, 60.0)
    live.done("b")
    live.done("never-seen")
    assert live.stuck(10.0) == []
