"""The acceptance run's plan, as pure logic: phases, levels and the search over targets.

A level is one measured window at one enemy target. Each level goes ramp -> settle -> hold ->
done, decided by ``PhaseMachine.advance`` from simulated time and counts only (no clock, no GL,
no world): the ramp lasts at least the warm-up, until the target is live and no pool has set a
new high-water mark for ``STABLE_S`` (or a timeout), then ``SETTLE_S`` of settling, then the hold
of ``window_s``. ``LevelSearch`` picks the next level's target for ``--ramp`` (first N that
fails) and ``--max`` (largest N in budget: doubling, then bisection). The session
(``engine.acceptance.session``) does what each transition asks: GC freezes, snapshots, reports.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["SETTLE_S", "STABLE_S", "PHASES", "RAMP", "SETTLE", "HOLD", "DONE", "NOTHING",
           "RAMP_DONE", "HOLD_START", "HOLD_END", "Snapshot", "Level", "PhaseMachine",
           "LevelSearch"]

SETTLE_S = 1.0
"""Simulated seconds between the end of the ramp (young GC collection + freeze) and the start of a
measured window."""
STABLE_S = 3.0
"""Simulated seconds without a new high-water mark in any pool that end the first ramp."""
LATER_STABLE_S = 1.0
LATER_MIN_RAMP_S = 0.5
"""A later level (--ramp/--max) starts from a warm horde: a shorter ramp and stability rule."""

PHASES = ("ramp", "settle", "hold", "done")
RAMP, SETTLE, HOLD, DONE = range(4)
NOTHING, RAMP_DONE, HOLD_START, HOLD_END = range(4)
"""What ``PhaseMachine.advance`` reports: no change, or the transition it just made."""


@dataclass
class Snapshot:
    """Counters at the start or end of a measured window.

    ``counts`` is an int64 array: per pool acquires, reuses, refusals and growths, then the
    frame, the simulated ns, the wall ns and the RSS. An array, not ints and a dict of tuples:
    the start snapshot lives through the hold, and whatever it keeps must neither alias a
    counter's live int (which would keep that int alive after the counter moves on) nor come
    from CPython's free lists (refilled in the hold's first frame: blocks and gen0 counts).
    """

    counts: np.ndarray
    ring_overflows: int
    refusals: int

    @property
    def frame(self) -> int:
        return int(self.counts[-4])

    @property
    def sim_ns(self) -> int:
        return int(self.counts[-3])

    @property
    def wall_ns(self) -> int:
        return int(self.counts[-2])

    @property
    def rss(self) -> int:
        return int(self.counts[-1])

    def pool(self, k: int) -> np.ndarray:
        """Acquires, reuses, refusals, growths of pool ``k``."""
        return self.counts[4 * k:4 * k + 4]


@dataclass
class Level:
    """One measured window at one target (the hold run has exactly one)."""

    target: int
    window_s: float
    index: int
    start_sim_ns: int = 0
    ramp_done_sim_ns: int | None = None
    hold_start: Snapshot | None = None
    hold_end: Snapshot | None = None
    gen0_growth: int | None = None
    gc_collections: int | None = None
    gc_by_gen: list[int] = field(default_factory=lambda: [0, 0, 0])
    gc_spikes: int | None = None
    spikes: dict[str, int] = field(default_factory=dict)
    crossed: list[str] = field(default_factory=list)
    """Plain int attributes of the world that passed 256 during the window
    (``engine.acceptance.recorder.IntCensus``)."""
    in_combat: bool = False
    """Whether the profiler's combat flag was on at the end of the window."""
    measurements: dict[str, Any] = field(default_factory=dict)
    results: list[Any] = field(default_factory=list)
    passed: bool = False


# Cells of ``PhaseMachine.ns`` (int64: no heap int kept between frames).
_N_LEVEL0, _N_RAMP_DONE, _N_HOLD0, _N_HIGH_WATER_AT, _N_HIGH_WATER = range(5)


class PhaseMachine:
    """Ramp, settle, hold, done of one level at a time, from simulated time and counts.

    Args:
        warmup_s: least simulated seconds of the first level's ramp.
        ramp_timeout_s: simulated seconds the ramp waits beyond its minimum for the target and
            stable pools before it ends anyway.
        settle_s, stable_s: see ``SETTLE_S`` and ``STABLE_S``.

    Attributes:
        phase: ``RAMP``, ``SETTLE``, ``HOLD`` or ``DONE``.
        reached: whether the last ramp ended on its rule (False: it timed out).
    """

    def __init__(self, warmup_s: float, ramp_timeout_s: float, *, settle_s: float = SETTLE_S,
                 stable_s: float = STABLE_S) -> None:
        if warmup_s < 0 or ramp_timeout_s < 0 or settle_s < 0 or stable_s < 0:
            raise ValueError(f"expected seconds >= 0, got warmup {warmup_s}, ramp timeout "
                             f"{ramp_timeout_s}, settle {settle_s}, stable {stable_s}")
        self.warmup_s = float(warmup_s)
        self.ramp_timeout_s = float(ramp_timeout_s)
        self.settle_s = float(settle_s)
        self.stable_s = float(stable_s)
        self.phase = RAMP  # loading, before the first level, counts as its ramp
        self.reached = False
        self.target = 0
        self.index = 0
        self.window_ns = 0
        self.ns = np.zeros(5, dtype=np.int64)
        self.ns[_N_HIGH_WATER] = -1

    def start_level(self, index: int, target: int, window_s: float, sim_ns: int) -> None:
        """Begin level ``index`` (0 first) at ``sim_ns``: its ramp starts now."""
        self.index = index
        self.target = target
        self.window_ns = round(window_s * 1e9)
        self.ns[_N_LEVEL0] = sim_ns
        self.phase = RAMP

    def finish(self) -> None:
        """Nothing more to run (the plan completed, or the run was cut short)."""
        self.phase = DONE

    @property
    def ramp_done_ns(self) -> int:
        return int(self.ns[_N_RAMP_DONE])

    @property
    def hold_start_ns(self) -> int:
        return int(self.ns[_N_HOLD0])

    def stable_for_ns(self, sim_ns: int) -> int:
        """Simulated ns since a pool last set a new high-water mark."""
        return sim_ns - int(self.ns[_N_HIGH_WATER_AT])

    def held_ns(self, sim_ns: int) -> int:
        """Simulated ns of the hold so far."""
        return sim_ns - int(self.ns[_N_HOLD0])

    def advance(self, sim_ns: int, live: int, high_water: int) -> int:
        """One frame end: move on when the rules say so; returns the transition made.

        Args:
            sim_ns: simulated time now.
            live: live enemies now.
            high_water: the sum of every pool's high-water mark (a change restarts the
                stability clock).

        Returns ``NOTHING``, ``RAMP_DONE`` (now settling), ``HOLD_START`` (now holding: take
        the start readings) or ``HOLD_END`` (the window is over: take the end readings, then
        ``start_level`` or ``finish``).

        Allocation contract: allocates nothing retained (its state is int64 cells and small
        ints), except the transition's own (once per phase).
        """
        ns = self.ns
        phase = self.phase
        if phase == HOLD:
            if sim_ns - ns[_N_HOLD0] >= self.window_ns:
                self.phase = DONE
                return HOLD_END
            return NOTHING
        if phase == RAMP:
            if high_water != ns[_N_HIGH_WATER]:
                ns[_N_HIGH_WATER] = high_water
                ns[_N_HIGH_WATER_AT] = sim_ns
            first = self.index == 0
            min_ramp_s = self.warmup_s if first else LATER_MIN_RAMP_S
            stable_s = self.stable_s if first else LATER_STABLE_S
            elapsed_s = (sim_ns - ns[_N_LEVEL0]) * 1e-9
            stable = sim_ns - ns[_N_HIGH_WATER_AT] >= stable_s * 1e9
            reached = live >= self.target and elapsed_s >= min_ramp_s and stable
            if reached or elapsed_s >= min_ramp_s + self.ramp_timeout_s:
                self.reached = bool(reached)
                ns[_N_RAMP_DONE] = sim_ns
                self.phase = SETTLE
                return RAMP_DONE
            return NOTHING
        if phase == SETTLE and sim_ns - ns[_N_RAMP_DONE] >= self.settle_s * 1e9:
            ns[_N_HOLD0] = sim_ns
            self.phase = HOLD
            return HOLD_START
        return NOTHING


class LevelSearch:
    """The next target of ``--ramp`` and ``--max`` runs, from each level's verdict.

    ``--ramp``: raise the target by ``step`` until a level fails or ``limit`` is passed.
    ``--max``: double until a level is over budget, then bisect between the largest good and
    the smallest bad target down to ``step``.
    """

    def __init__(self, mode: str, step: int, limit: int) -> None:
        if mode not in ("ramp", "max"):
            raise ValueError(f"expected mode 'ramp' or 'max', got {mode!r}")
        if step <= 0 or limit < step:
            raise ValueError(f"expected step > 0 and limit >= step, got step {step}, "
                             f"limit {limit}")
        self.mode = mode
        self.step = step
        self.limit = limit
        self.good: int | None = None
        self.bad: int | None = None

    def next_target(self, target: int, passed: bool) -> int | None:
        """The target after a level at ``target`` that passed or not; None: the search is
        over."""
        step = self.step
        if self.mode == "ramp":
            if not passed or target + step > self.limit:
                return None
            return target + step
        if passed:
            self.good = max(self.good or 0, target)
        else:
            self.bad = target if self.bad is None else min(self.bad, target)
        if self.bad is None:
            nxt = min(target * 2, self.limit)
            return None if nxt == target else nxt
        good = self.good or 0
        mid = (good + self.bad) // 2 // step * step
        return None if mid <= good else mid  # bisected down to ``step``
