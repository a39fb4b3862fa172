"""The acceptance run's plan without GL: the ramp / settle / hold phase machine driven by
simulated time and counts, the --ramp/--max search, the recorder and the small-int census."""

from __future__ import annotations

import pytest

from engine.acceptance.recorder import IntCensus, Recorder
from engine.acceptance.run import (
    DONE,
    HOLD,
    HOLD_END,
    HOLD_START,
    NOTHING,
    RAMP,
    RAMP_DONE,
    SETTLE,
    LevelSearch,
    PhaseMachine,
)

FRAME_NS = 16_666_667  # 1/60 s


def drive(machine: PhaseMachine, frames: int, live, high_water, t0: int = 0):
    """Run ``frames`` frame ends; ``live``/``high_water`` map a frame to its counts. Returns
    [(frame, event)] of every transition."""
    events = []
    for f in range(frames):
        ev = machine.advance(t0 + f * FRAME_NS, live(f), high_water(f))
        if ev != NOTHING:
            events.append((f, ev))
    return events


def test_a_level_goes_ramp_settle_hold_done_at_the_simulated_seconds():
    m = PhaseMachine(warmup_s=3.0, ramp_timeout_s=60.0)
    m.start_level(0, target=500, window_s=10.0, sim_ns=0)
    assert m.phase == RAMP
    # The horde is live from frame 60; the pools stop growing at frame 100.
    events = drive(m, 2000, live=lambda f: 500 if f >= 60 else f,
                   high_water=lambda f: min(f, 100))
    # Ramp: >= 3 s, target live, 3 s without a new high-water mark (from frame 100).
    ramp_done = 100 + 180
    assert events[0] == (ramp_done, RAMP_DONE)
    assert events[1] == (ramp_done + 60, HOLD_START)  # 1 s of settling
    assert events[2] == (ramp_done + 60 + 600, HOLD_END)  # 10 s of hold
    assert len(events) == 3 and m.phase == DONE
    assert m.reached


def test_the_warmup_is_the_least_ramp():
    m = PhaseMachine(warmup_s=8.0, ramp_timeout_s=60.0)
    m.start_level(0, target=10, window_s=1.0, sim_ns=0)
    events = drive(m, 1000, live=lambda f: 10, high_water=lambda f: 0)
    assert events[0] == (480, RAMP_DONE)  # 8 s, though stable and live from the start


def test_a_ramp_that_never_reaches_the_target_times_out():
    m = PhaseMachine(warmup_s=1.0, ramp_timeout_s=2.0)
    m.start_level(0, target=500, window_s=1.0, sim_ns=0)
    events = drive(m, 400, live=lambda f: 100, high_water=lambda f: 0)
    assert events[0] == (180, RAMP_DONE)  # warm-up + timeout
    assert not m.reached
    assert m.phase in (SETTLE, HOLD, DONE)


def test_pools_still_growing_keep_the_ramp_going():
    m = PhaseMachine(warmup_s=0.0, ramp_timeout_s=100.0)
    m.start_level(0, target=1, window_s=1.0, sim_ns=0)
    # A new high-water mark every 2 s until frame 600, then none.
    events = drive(m, 1500, live=lambda f: 1, high_water=lambda f: min(f // 120, 5))
    assert events[0] == (600 + 180, RAMP_DONE)


def test_a_later_level_ramps_shorter_and_the_hold_is_counted_from_its_start():
    m = PhaseMachine(warmup_s=5.0, ramp_timeout_s=60.0)
    t0 = 100 * 10**9
    m.start_level(1, target=5, window_s=2.0, sim_ns=t0)
    events = drive(m, 500, live=lambda f: 5, high_water=lambda f: 0, t0=t0)
    # Later levels: >= 0.5 s and 1 s stable (a fresh machine sees its first mark at frame
    # 0), then 1 s settle, 2 s hold.
    assert [e for _, e in events] == [RAMP_DONE, HOLD_START, HOLD_END]
    assert events[0][0] == 60
    assert events[2][0] - events[1][0] == 120
    assert m.hold_start_ns == t0 + events[1][0] * FRAME_NS


def test_finish_stops_the_machine():
    m = PhaseMachine(warmup_s=0.0, ramp_timeout_s=0.0)
    m.start_level(0, target=1, window_s=1.0, sim_ns=0)
    m.finish()
    assert drive(m, 100, live=lambda f: 1, high_water=lambda f: 0) == []
    assert m.phase == DONE


def test_bad_seconds_are_refused():
    with pytest.raises(ValueError, match="expected seconds >= 0"):
        PhaseMachine(warmup_s=-1.0, ramp_timeout_s=0.0)


def test_hold_phase_is_hold_between_its_transitions():
    m = PhaseMachine(warmup_s=0.0, ramp_timeout_s=0.0, settle_s=0.0, stable_s=0.0)
    m.start_level(0, target=1, window_s=1.0, sim_ns=0)
    assert m.advance(0, 1, 0) == RAMP_DONE
    assert m.advance(0, 1, 0) == HOLD_START and m.phase == HOLD
    assert m.advance(FRAME_NS, 1, 0) == NOTHING and m.held_ns(FRAME_NS) == FRAME_NS
    assert m.advance(10**9, 1, 0) == HOLD_END


def test_ramp_search_steps_until_a_failure_or_the_limit():
    s = LevelSearch("ramp", step=1000, limit=3000)
    assert s.next_target(1000, True) == 2000
    assert s.next_target(2000, False) is None
    s = LevelSearch("ramp", step=1000, limit=3000)
    assert s.next_target(3000, True) is None


def test_max_search_doubles_then_bisects_to_the_step():
    s = LevelSearch("max", step=1000, limit=20000)

    def passes(n: int) -> bool:  # the machine's budget in this test
        return n <= 5000

    tried = [1000]
    while (nxt := s.next_target(tried[-1], passes(tried[-1]))) is not None:
        tried.append(nxt)
    assert tried == [1000, 2000, 4000, 8000, 6000, 5000]
    assert s.good == 5000 and s.bad == 6000


def test_max_search_stops_at_the_limit():
    s = LevelSearch("max", step=1000, limit=3000)
    assert s.next_target(1000, True) == 2000
    assert s.next_target(2000, True) == 3000
    assert s.next_target(3000, True) is None


def test_search_refuses_bad_input():
    with pytest.raises(ValueError, match="expected mode"):
        LevelSearch("hold", 1, 1)
    with pytest.raises(ValueError, match="limit >= step"):
        LevelSearch("max", 10, 5)


def test_recorder_keeps_a_uniform_subsample_when_full():
    rec = Recorder(8, n_tiers=1, n_pools=1)
    written = []
    for frame in range(40):
        i = rec.take()
        if i >= 0:
            rec.data[i, 0] = frame
            written.append(frame)
    frames = rec.rows()[:, 0]
    assert rec.stride == 8 and rec.n <= rec.capacity
    assert list(frames) == list(range(0, 40, 8))  # every 8th frame, in order, none lost
    assert set(frames) <= set(written)


class _Stats:
    __slots__ = ("hits", "name", "high_water")

    def __init__(self) -> None:
        self.hits = 0
        self.name = "stats"
        self.high_water = 0


def test_int_census_names_a_plain_int_that_passes_256():
    stats = _Stats()
    other = type("Other", (), {})()
    other.capacity = 1000
    census = IntCensus([("stats", stats), ("other", other)])
    assert [(label, attr) for label, _, attr in census.watched] == [
        ("stats", "hits"), ("other", "capacity")]  # high_water (a maximum) is not watched
    census.read(census.start)
    stats.hits += 300
    stats.high_water = 10_000
    census.read(census.end)
    assert census.crossings() == (1, ["stats.hits"])


def test_exit_codes_of_each_mode():
    from types import SimpleNamespace

    from engine.acceptance.outputs import exit_code

    def report(verdict="PASS", partial=False, **extra):
        return {"verdict": verdict, "run": {"partial": partial}, "extra": extra}

    hold = SimpleNamespace(mode="hold", enemies=500)
    assert exit_code(report("PASS"), hold) == 0
    assert exit_code(report("FAIL"), hold) == 1
    ramp = SimpleNamespace(mode="ramp", enemies=500)
    assert exit_code(report(ramp={"first_failing_n": None}), ramp) == 0
    assert exit_code(report(ramp={"first_failing_n": 1000}), ramp) == 0
    assert exit_code(report(ramp={"first_failing_n": 500}), ramp) == 1
    assert exit_code(report(partial=True, ramp={"first_failing_n": None}), ramp) == 1
    top = SimpleNamespace(mode="max", enemies=500)
    assert exit_code(report(max={"largest_n_in_budget": 500}), top) == 0
    assert exit_code(report(max={"largest_n_in_budget": None}), top) == 1


def test_criteria_of_each_mode():
    from engine.acceptance.outputs import criteria_for

    hold = criteria_for("hold", ["enemies"], [], 16.0)
    ramp = criteria_for("ramp", ["enemies"], [], 16.0)
    top = criteria_for("max", ["enemies"], [], 16.0)
    assert [c.key for c in top] == ["frame_cpu_p50_ms", "frame_cpu_p99_ms"]
    assert len(ramp) == len(hold)  # memory growth judged in the window instead
    assert [c.name for c in ramp if getattr(c, "key", "") == "memory_growth_mb"] == [
        "memory growth in window"]
