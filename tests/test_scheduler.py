"""Fixed-step scheduler and clocks: scripted frame times against exact step counts and
alphas, the clamp and the step cap (counted), pause / single step / time scale, ordering
errors, determinism, and the allocation contract of ``advance``."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.core import (
    Clock,
    DuplicateSystemError,
    FixedClock,
    ManualClock,
    Scheduler,
    SystemClock,
    UnknownSystemError,
)
from engine.profiler.steady_state import measure_steady_state

MS = 1_000_000


def recorder(log: list, name: str):
    return lambda dt: log.append((name, dt))


# --- clocks ---------------------------------------------------------------------------------

def test_clocks_follow_the_protocol():
    for clock in (SystemClock(), FixedClock(5), ManualClock()):
        assert isinstance(clock, Clock)
    a = SystemClock().now_ns()
    assert isinstance(a, int) and SystemClock().now_ns() >= a


def test_fixed_clock_moves_one_frame_per_read():
    clock = FixedClock(16_666_667, start_ns=100)
    assert [clock.now_ns() for _ in range(4)] == [100 + i * 16_666_667 for i in range(4)]
    assert clock.reads == 4


def test_manual_clock_moves_only_when_told():
    clock = ManualClock(10)
    assert clock.now_ns() == clock.now_ns() == 10
    assert clock.advance(5) == 15
    clock.set(40)
    assert clock.now_ns() == 40
    with pytest.raises(ValueError, match="cannot go back"):
        clock.set(39)
    with pytest.raises(ValueError, match=">= 0"):
        clock.advance(-1)


@pytest.mark.parametrize("bad, exc", [(0, ValueError), (-5, ValueError), (1.5, TypeError),
                                      (True, TypeError)])
def test_fixed_clock_rejects_bad_frames(bad, exc):
    with pytest.raises(exc, match="frame_ns"):
        FixedClock(bad)


# --- stepping -------------------------------------------------------------------------------

def test_default_step_is_30_hz():
    s = Scheduler()
    assert s.step_ns == 33_333_333
    assert s.dt == pytest.approx(1 / 30, rel=1e-7)
    assert (s.max_frame_ns, s.max_steps) == (250_000_000, 5)


def test_scripted_frames_give_exact_steps_and_alphas():
    s = Scheduler(step_ns=10 * MS)
    frames = [4 * MS, 4 * MS, 4 * MS, 25 * MS, 0, 6 * MS, 10 * MS]
    steps = [s.advance(f) for f in frames]
    assert steps == [0, 0, 1, 2, 0, 1, 1]
    assert s.steps_total == 5
    assert s.accumulator_ns == 3 * MS   # 53 ms received, 50 simulated
    assert s.overstep_fraction() == pytest.approx(0.3)
    assert s.sim_time_ns == 50 * MS
    assert s.frames_total == len(frames)
    assert (s.clamp_count, s.step_cap_count, s.dropped_ns) == (0, 0, 0)


def test_alpha_after_each_scripted_frame():
    s = Scheduler(step_ns=10 * MS)
    alphas = []
    for f in (4 * MS, 4 * MS, 4 * MS, 25 * MS):
        s.advance(f)
        alphas.append(s.overstep_fraction())
    assert alphas == pytest.approx([0.4, 0.8, 0.2, 0.7])


def test_60_fps_frames_at_30_hz_alternate_exactly():
    s = Scheduler()  # 33_333_333 ns steps
    steps = [s.advance(16_666_667) for _ in range(600)]
    assert steps == [0, 1] * 300
    # 600 frames of 16_666_667 ns = 300 steps + 300 ns of rounding left over.
    assert s.steps_total == 300 and s.accumulator_ns == 300


def test_clamp_bites_and_is_counted():
    s = Scheduler(step_ns=10 * MS, max_frame_ns=250 * MS, max_steps=100)
    assert s.advance(1_000 * MS) == 25
    assert s.clamp_count == 1
    assert s.dropped_ns == 750 * MS
    assert s.step_cap_count == 0
    assert s.accumulator_ns == 0


def test_step_cap_bites_is_counted_and_keeps_the_fraction():
    s = Scheduler(step_ns=10 * MS, max_steps=5)
    assert s.advance(83 * MS) == 5          # 8 steps due: 5 run, 3 dropped
    assert s.step_cap_count == 1
    assert s.dropped_ns == 30 * MS
    assert s.accumulator_ns == 3 * MS       # the fraction survives, alpha stays continuous
    assert s.advance(7 * MS) == 1
    assert s.step_cap_count == 1


def test_default_guards_together_on_a_huge_frame():
    s = Scheduler()  # 30 Hz, 250 ms clamp, 5 steps
    assert s.advance(2_000_000_000) == 5
    assert s.clamp_count == 1 and s.step_cap_count == 1
    # clamp drops 1.75 s; the cap drops 2 whole steps of the 7 due in 250 ms.
    assert s.dropped_ns == 1_750_000_000 + 2 * 33_333_333
    assert s.accumulator_ns == 250_000_000 - 7 * 33_333_333


@settings(max_examples=200, deadline=None)
@given(frames=st.lists(st.integers(0, 400 * MS), max_size=40),
       step_ns=st.integers(1 * MS, 50 * MS), max_steps=st.integers(1, 8))
def test_never_more_than_the_cap_and_time_is_conserved(frames, step_ns, max_steps):
    s = Scheduler(step_ns=step_ns, max_steps=max_steps)
    for f in frames:
        n = s.advance(f)
        assert 0 <= n <= max_steps
        assert n == s.steps_last_frame
        assert 0 <= s.accumulator_ns < step_ns
    # Every nanosecond received is simulated, pending, or counted as dropped.
    assert sum(frames) == s.steps_total * step_ns + s.accumulator_ns + s.dropped_ns


@pytest.mark.parametrize("bad, exc", [(-1, ValueError), (1.0, TypeError), (None, TypeError),
                                      (True, TypeError)])
def test_advance_rejects_bad_frame_times(bad, exc):
    with pytest.raises(exc, match="frame_ns"):
        Scheduler().advance(bad)


def test_advance_accepts_numpy_integers():
    s = Scheduler(step_ns=10)
    assert s.advance(np.int64(25)) == 2


@pytest.mark.parametrize("kwargs, exc", [
    ({"step_hz": 0}, ValueError), ({"step_hz": float("inf")}, ValueError),
    ({"step_hz": "30"}, TypeError), ({"step_ns": 0}, ValueError),
    ({"max_steps": 0}, ValueError), ({"max_frame_ns": -1}, ValueError),
    ({"max_steps": 2.0}, TypeError), ({"time_scale": 0}, ValueError),
])
def test_bad_configuration_is_refused(kwargs, exc):
    with pytest.raises(exc):
        Scheduler(**kwargs)


# --- pause, single step, time scale ---------------------------------------------------------

def test_pause_holds_time_and_alpha():
    s = Scheduler(step_ns=10 * MS)
    s.advance(14 * MS)
    s.pause()
    assert [s.advance(50 * MS) for _ in range(3)] == [0, 0, 0]
    assert s.overstep_fraction() == pytest.approx(0.4)
    assert s.paused_ns == 150 * MS
    assert s.dropped_ns == 0
    s.resume()
    assert s.advance(6 * MS) == 1


def test_request_step_runs_exactly_one_step_even_when_paused():
    log: list = []
    s = Scheduler(step_ns=10 * MS)
    s.add("a", recorder(log, "a"))
    s.pause()
    s.request_step()
    s.request_step()                      # two requests before one advance: one step
    assert s.advance(0) == 1
    assert s.advance(0) == 0
    assert s.advance(100 * MS) == 0
    assert len(log) == 1 and s.steps_total == 1
    assert s.accumulator_ns == 0          # a single step does not touch the accumulator


def test_request_step_while_running_pauses_first():
    s = Scheduler(step_ns=10 * MS)
    s.request_step()
    assert s.paused and s.step_requested
    assert s.advance(35 * MS) == 1        # one step, not three
    assert s.advance(35 * MS) == 0


def test_toggle_pause_and_resume_drop_a_pending_step():
    s = Scheduler(step_ns=10 * MS)
    s.toggle_pause()
    assert s.paused
    s.request_step()
    s.toggle_pause()
    assert not s.paused and not s.step_requested
    assert s.advance(5 * MS) == 0


def test_time_scale_scales_dt_not_the_step_rate():
    log: list = []
    s = Scheduler(step_ns=10 * MS)
    s.add("a", recorder(log, "a"))
    s.time_scale = 0.25
    assert s.advance(30 * MS) == 3
    assert [dt for _, dt in log] == [pytest.approx(0.0025)] * 3
    s.time_scale = 2
    s.advance(10 * MS)
    assert log[-1][1] == pytest.approx(0.02)
    for bad in (0, -1.0, float("nan")):
        with pytest.raises(ValueError, match="time_scale"):
            s.time_scale = bad
    with pytest.raises(TypeError):
        s.time_scale = "fast"  # type: ignore[assignment]
    assert s.time_scale == 2.0


# --- ordering -------------------------------------------------------------------------------

def test_systems_run_in_registration_order():
    log: list = []
    s = Scheduler(step_ns=10)
    s.add("movement", recorder(log, "movement"))
    s.add("deaths", recorder(log, "deaths"))
    s.insert_before("movement", "waves", recorder(log, "waves"))
    s.insert_after("movement", "melee", recorder(log, "melee"))
    s.insert_after("deaths", "particles", recorder(log, "particles"))
    assert s.system_names == ["waves", "movement", "melee", "deaths", "particles"]
    s.advance(10)
    assert [n for n, _ in log] == s.system_names
    assert "melee" in s and len(s) == 5
    fn = s.remove("melee")
    assert callable(fn) and s.system_names == ["waves", "movement", "deaths", "particles"]
    assert s.get("waves") is not None


def test_missing_anchor_names_the_registered_systems():
    s = Scheduler()
    s.add("waves", lambda dt: None)
    s.add("movement", lambda dt: None)
    with pytest.raises(UnknownSystemError) as info:
        s.insert_before("melee", "x", lambda dt: None)
    assert isinstance(info.value, KeyError)
    assert str(info.value) == ("no system named 'melee'; registered systems, in order: "
                               "'waves', 'movement'")
    assert info.value.existing == ["waves", "movement"]
    for call in (lambda: s.insert_after("nope", "x", lambda dt: None),
                 lambda: s.remove("nope"), lambda: s.get("nope")):
        with pytest.raises(KeyError, match="'waves', 'movement'"):
            call()
    assert s.system_names == ["waves", "movement"]


def test_duplicates_and_bad_systems_are_refused():
    s = Scheduler()
    s.add("waves", lambda dt: None)
    with pytest.raises(DuplicateSystemError, match="'waves' is already registered"):
        s.add("waves", lambda dt: None)
    with pytest.raises(DuplicateSystemError):
        s.insert_before("waves", "waves", lambda dt: None)
    with pytest.raises(TypeError, match="callable"):
        s.add("x", 3)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="str"):
        s.add(7, lambda dt: None)  # type: ignore[arg-type]
    assert s.system_names == ["waves"]


# --- per-system timing ----------------------------------------------------------------------

def busy(n: int):
    def fn(dt: float) -> None:
        total = 0
        for i in range(n):
            total += i
    return fn


def test_system_times_are_recorded_by_name():
    s = Scheduler(step_ns=10)
    s.add("light", lambda dt: None)
    s.add("heavy", busy(20_000))
    assert s.system_ns.dtype == np.int64 and s.system_ns.shape == (2,)
    s.advance(30)
    assert s.steps_last_frame == 3
    assert (s.system_ns > 0).all()
    assert s.step_ns_last >= int(s.system_ns.sum())
    # The total holds three steps' worth: more than the last step alone.
    assert (s.system_ns_accum > s.system_ns).all()


def test_relayout_replaces_arrays_and_keeps_totals_by_name():
    s = Scheduler(step_ns=10)
    s.add("a", busy(100))
    s.add("b", busy(100))
    s.advance(10)
    total_b = int(s.system_ns_accum[1])
    old_arrays, version = s.system_ns, s.layout_version
    s.insert_before("a", "first", lambda dt: None)
    assert s.system_ns is not old_arrays and s.layout_version == version + 1
    assert s.system_names == ["first", "a", "b"]
    assert int(s.system_ns_accum[2]) == total_b and s.system_ns_accum[0] == 0
    s.remove("a")
    assert s.system_names == ["first", "b"] and int(s.system_ns_accum[1]) == total_b


def test_a_system_may_change_the_registration_mid_step():
    s = Scheduler(step_ns=10)
    log: list = []

    def spawner(dt: float) -> None:
        if "late" not in s:
            s.add("late", recorder(log, "late"))
        s.remove("victim")
        s.add("victim", recorder(log, "victim"))

    s.add("spawner", spawner)
    s.add("victim", recorder(log, "victim"))
    s.advance(20)                     # the first step finishes on the layout it started with
    assert s.system_names == ["spawner", "late", "victim"]
    assert s.system_ns.shape == (3,)


def test_a_raising_system_propagates_and_finished_steps_are_counted():
    calls = [0]

    def boom(dt: float) -> None:
        calls[0] += 1
        if calls[0] == 2:
            raise RuntimeError("system failed")

    s = Scheduler(step_ns=10)
    s.add("boom", boom)
    with pytest.raises(RuntimeError, match="system failed"):
        s.advance(30)
    assert s.steps_total == 1 and s.accumulator_ns == 20


def test_reset_counters():
    s = Scheduler(step_ns=10, max_steps=1)
    s.add("a", lambda dt: None)
    s.advance(35)
    s.reset_counters()
    assert (s.steps_total, s.step_cap_count, s.dropped_ns, int(s.system_ns_accum[0])) == \
        (0, 0, 0, 0)


# --- determinism ----------------------------------------------------------------------------

def simulate(seed: int, frames: list[int]) -> tuple[np.ndarray, int]:
    rng = np.random.default_rng(seed)
    pos = np.zeros((64, 2))
    noise = np.empty((64, 2))
    s = Scheduler()

    def jitter(dt: float) -> None:
        rng.random(out=noise)
        pos.__iadd__(noise * dt)

    s.add("jitter", jitter)
    for f in frames:
        s.advance(f)
    return pos, s.steps_total


def test_same_seed_and_frames_give_the_same_result():
    frames = [int(x) for x in np.random.default_rng(1).integers(1 * MS, 90 * MS, 200)]
    pos_a, steps_a = simulate(42, frames)
    pos_b, steps_b = simulate(42, frames)
    pos_c, _ = simulate(43, frames)
    assert steps_a == steps_b > 0
    assert np.array_equal(pos_a, pos_b)
    assert not np.array_equal(pos_a, pos_c)


# --- allocation contract --------------------------------------------------------------------

def test_advance_allocates_nothing_in_steady_state():
    s = Scheduler()
    s.add("a", lambda dt: None)
    s.add("b", lambda dt: None)
    frames = iter(int(x) for x in [16_666_667] * 10_000)

    report = measure_steady_state(lambda: s.advance(next(frames)))
    assert report.ok, str(report)
    assert s.steps_total > 500   # the window really ran steps through both systems


def test_advance_check_fails_on_a_planted_leak():
    """The same measurement with a system that keeps one object per step must fail."""
    kept: list = []
    s = Scheduler()
    s.add("a", lambda dt: None)
    s.add("leak", lambda dt: kept.append(np.zeros(1)))
    report = measure_steady_state(lambda: s.advance(33_333_333))
    assert not report.ok
    assert any(f.startswith("blocks_growth") for f in report.failures()), str(report)


def test_advance_check_fails_on_a_planted_temporary():
    s = Scheduler()
    s.add("a", lambda dt: None)
    s.add("temp", lambda dt: np.ones(10_000).sum())
    report = measure_steady_state(lambda: s.advance(33_333_333), warmup=20, window=50)
    assert not report.ok
    assert any(f.startswith("max_transient") for f in report.failures()), str(report)


def test_sampled_block_counting_names_a_periodic_leak():
    """With one system counted per step, picked at random, a leak every 4th step in one of 4
    systems is still seen (a fixed rotation would alias with it and see nothing)."""
    s = Scheduler()
    keep: list[object] = []
    steps = [0]

    def periodic(dt: float) -> None:
        steps[0] += 1
        if steps[0] % 4 == 0:
            keep.append(object())

    for name in ("a", "b", "c"):
        s.add(name, lambda dt: None)
    s.add("periodic", periodic)
    s.blocks_per_step = 1
    for _ in range(400):
        s.advance(s.step_ns)
    counted = dict(zip(s.system_names, s.system_blocks_accum.tolist()))
    assert counted["periodic"] >= 10, counted  # ~25 expected: 100 objects, 1 in 4 counted
    assert counted["a"] == counted["b"] == counted["c"] == 0, counted
    s.blocks_per_step = 0
    before = s.system_blocks_accum.copy()
    for _ in range(40):
        s.advance(s.step_ns)
    assert (s.system_blocks_accum == before).all()
