"""Fixed-step scheduler: an integer-nanosecond accumulator that runs named systems in order.

Each frame the App hands :meth:`Scheduler.advance` the frame's duration in nanoseconds. The
duration is added to an accumulator and the systems run once per whole step it holds; what is
left over, as a fraction of a step, is :meth:`Scheduler.overstep_fraction` - the ``alpha`` a
renderer uses to interpolate between the last two simulated states.

Two guards keep a slow frame from feeding a spiral of death (each frame needing more steps,
which makes it slower still), and neither bites silently:

* the frame delta is clamped to ``max_frame_ns`` (default 250 ms) - counted in
  ``clamp_count``, the excess added to ``dropped_ns``;
* at most ``max_steps`` steps run in one frame (default 5, never ``max_steps + 1``) - when
  the accumulator holds more, the whole extra steps are dropped (the fraction of a step is
  kept so ``alpha`` stays continuous), counted in ``step_cap_count`` and ``dropped_ns``.

Dropping means simulated time falls behind wall time; that is the point (the game slows down
instead of freezing), and the counters let the profiler and reports show that it happened.

Systems are ``fn(dt: float) -> None``; ``dt`` is the step in seconds times ``time_scale``,
computed once when either is set. The order of systems is data: :meth:`add`,
:meth:`insert_before`, :meth:`insert_after`, :meth:`remove`. The run time of each system in
the last step is in ``system_ns`` (int64, the order of ``system_names``), the net allocated
blocks inside each since registration in ``system_blocks_accum``; these arrays are
allocated when the set of systems changes and replaced, never resized in place, so read them
from the scheduler each frame (``layout_version`` changes when they are replaced).
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable

import numpy as np

__all__ = ["Scheduler", "System", "UnknownSystemError", "DuplicateSystemError"]

System = Callable[[float], None]
"""A system: called once per fixed step with ``dt``, the step in (scaled) seconds."""


class UnknownSystemError(KeyError):
    """A system name that is not registered; the message lists the registered ones."""

    def __init__(self, name: str, existing: list[str]) -> None:
        self.name = name
        self.existing = list(existing)
        listed = ", ".join(repr(n) for n in existing) if existing else "none"
        super().__init__(f"no system named {name!r}; registered systems, in order: {listed}")

    def __str__(self) -> str:  # KeyError would show the message repr-quoted
        return str(self.args[0])


class DuplicateSystemError(ValueError):
    """A system name that is already registered."""


def _check_positive_int(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if value <= 0:
        raise ValueError(f"{name} must be > 0, got {value}")
    return value


class Scheduler:
    """Runs registered systems at a fixed step from variable frame times.

    Args:
        step_hz: steps per simulated second (default 30); ignored when ``step_ns`` is given.
        step_ns: the step in nanoseconds, exact; default ``round(1e9 / step_hz)``.
        max_frame_ns: the largest frame delta accepted; longer frames are clamped and counted.
        max_steps: the most steps run in one :meth:`advance`; extra whole steps are dropped
            and counted.
        time_scale: the factor applied to ``dt`` (see :attr:`time_scale`).

    Raises:
        TypeError: a value has the wrong type.
        ValueError: a value is out of range (all must be > 0, ``step_hz`` finite).
    """

    def __init__(
        self,
        *,
        step_hz: float = 30.0,
        step_ns: int | None = None,
        max_frame_ns: int = 250_000_000,
        max_steps: int = 5,
        time_scale: float = 1.0,
    ) -> None:
        if step_ns is None:
            if isinstance(step_hz, bool) or not isinstance(step_hz, (int, float)):
                raise TypeError(f"step_hz must be a number, got {type(step_hz).__name__}")
            if not math.isfinite(step_hz) or step_hz <= 0:
                raise ValueError(f"step_hz must be a finite number > 0, got {step_hz}")
            step_ns = round(1e9 / step_hz)
        self._step_ns: int = _check_positive_int("step_ns", step_ns)
        self.max_frame_ns: int = _check_positive_int("max_frame_ns", max_frame_ns)
        """Frame deltas above this are clamped to it (``clamp_count``, ``dropped_ns``)."""
        self.max_steps: int = _check_positive_int("max_steps", max_steps)
        """The most steps one :meth:`advance` runs (``step_cap_count``, ``dropped_ns``)."""
        self._time_scale = 1.0
        self.dt: float = self._step_ns / 1e9
        """What systems receive: the step in seconds times ``time_scale``."""
        self.time_scale = time_scale

        self.accumulator_ns: int = 0
        """Frame time received and not yet simulated (always < ``step_ns`` after advance)."""
        self.sim_time_ns: int = 0
        """Simulated time: ``steps_total * step_ns``."""
        self.steps_total: int = 0
        """Steps run since construction."""
        self.steps_last_frame: int = 0
        """Steps run by the last :meth:`advance`."""
        self.frames_total: int = 0
        """Calls of :meth:`advance`."""
        self.step_ns_last: int = 0
        """Wall time of the last step, all systems and the loop around them, in ns."""
        self.clamp_count: int = 0
        """Frames whose delta was clamped to ``max_frame_ns``."""
        self.step_cap_count: int = 0
        """Frames that hit ``max_steps`` with whole steps left over (those were dropped)."""
        self.dropped_ns: int = 0
        """Frame time thrown away by the clamp and the step cap together."""
        self.paused_ns: int = 0
        """Frame time received while paused (not simulated, not counted as dropped)."""
        self._paused = False
        self._step_requested = False

        self.system_names: list[str] = []
        """Registered system names, in run order."""
        self.system_ns: np.ndarray = np.zeros(0, dtype=np.int64)
        """Wall time of each system in the last step, ns, in the order of ``system_names``."""
        self.system_ns_accum: np.ndarray = np.zeros(0, dtype=np.int64)
        """Total wall time of each system since it was registered, ns."""
        self.system_blocks_accum: np.ndarray = np.zeros(0, dtype=np.int64)
        """Net ``sys.getallocatedblocks()`` change inside each system since it was registered,
        over the steps it was counted in (``blocks_per_step``): what a system retains shows
        here, named; a profiler takes its deltas."""
        self.blocks_per_step: int = 1 << 30
        """How many systems have their blocks counted per step (default: every system; 0:
        none; k: k systems a step, the first picked at random so a leak with a period is not
        missed by aliasing). A reading costs ~1 µs in a small process but ~20 µs in a game's
        (CPython walks every arena): counting all 17 horde systems adds ~0.35 ms to a
        0.65 ms tick at 500 enemies; a game that needs those back lowers this."""
        self._pick = 12345
        self.layout_version: int = 0
        """Incremented each time the systems (and so the arrays above) change."""
        self._fns: tuple[System, ...] = ()

    # --- configuration -------------------------------------------------------------------

    @property
    def step_ns(self) -> int:
        """The fixed step, in nanoseconds."""
        return self._step_ns

    @property
    def time_scale(self) -> float:
        """Factor applied to ``dt``: 0.25 is slow motion, 2 is fast. Steps still run at the
        fixed rate in wall time; each simulates ``time_scale`` times the step.

        Raises:
            TypeError: not a number.
            ValueError: not finite or not > 0 (use :meth:`pause` to stop time).
        """
        return self._time_scale

    @time_scale.setter
    def time_scale(self, value: float) -> None:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TypeError(f"time_scale must be a number, got {type(value).__name__}")
        if not math.isfinite(value) or value <= 0:
            raise ValueError(f"time_scale must be a finite number > 0, got {value}")
        self._time_scale = float(value)
        self.dt = self._step_ns / 1e9 * self._time_scale

    # --- pause and single step ------------------------------------------------------------

    @property
    def paused(self) -> bool:
        """While paused, :meth:`advance` runs no step (except one per :meth:`request_step`)
        and the accumulator, hence ``alpha``, holds still."""
        return self._paused

    @paused.setter
    def paused(self, value: bool) -> None:
        self._paused = bool(value)
        if not self._paused:
            self._step_requested = False

    def pause(self) -> None:
        """Stop simulated time."""
        self.paused = True

    def resume(self) -> None:
        """Restart simulated time (a pending single step is dropped)."""
        self.paused = False

    def toggle_pause(self) -> None:
        """Pause when running, resume when paused (for a key binding)."""
        self.paused = not self._paused

    def request_step(self) -> None:
        """Run exactly one step at the next :meth:`advance`. Stepping is a paused-mode action:
        a running scheduler is paused first. Several requests before one advance are one
        step."""
        self._paused = True
        self._step_requested = True

    @property
    def step_requested(self) -> bool:
        """A single step is pending for the next :meth:`advance`."""
        return self._step_requested

    # --- registration ---------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.system_names)

    def __contains__(self, name: object) -> bool:
        return name in self.system_names

    def add(self, name: str, fn: System) -> None:
        """Append system ``fn`` under ``name`` (runs after all registered ones).

        Raises:
            TypeError: ``name`` is not a str or ``fn`` is not callable.
            DuplicateSystemError: ``name`` is already registered.
        """
        self._insert(len(self.system_names), name, fn)

    def insert_before(self, anchor: str, name: str, fn: System) -> None:
        """Register ``fn`` under ``name`` to run just before system ``anchor``.

        Raises:
            UnknownSystemError: ``anchor`` is not registered (the message lists those that are).
            TypeError: ``name`` is not a str or ``fn`` is not callable.
            DuplicateSystemError: ``name`` is already registered.
        """
        self._insert(self._index(anchor), name, fn)

    def insert_after(self, anchor: str, name: str, fn: System) -> None:
        """Register ``fn`` under ``name`` to run just after system ``anchor``.

        Raises:
            UnknownSystemError: ``anchor`` is not registered (the message lists those that are).
            TypeError: ``name`` is not a str or ``fn`` is not callable.
            DuplicateSystemError: ``name`` is already registered.
        """
        self._insert(self._index(anchor) + 1, name, fn)

    def remove(self, name: str) -> System:
        """Unregister system ``name`` and return its function.

        Raises:
            UnknownSystemError: ``name`` is not registered (the message lists those that are).
        """
        i = self._index(name)
        names = list(self.system_names)
        fns = list(self._fns)
        del names[i]
        fn = fns.pop(i)
        keep = np.ones(len(self.system_names), dtype=bool)
        keep[i] = False
        self._relayout(names, fns, self.system_ns_accum[keep], self.system_blocks_accum[keep])
        return fn

    def get(self, name: str) -> System:
        """The function registered under ``name``.

        Raises:
            UnknownSystemError: ``name`` is not registered.
        """
        return self._fns[self._index(name)]

    def _index(self, name: str) -> int:
        try:
            return self.system_names.index(name)
        except ValueError:
            raise UnknownSystemError(name, self.system_names) from None

    def _insert(self, index: int, name: str, fn: System) -> None:
        if not isinstance(name, str):
            raise TypeError(f"a system name must be a str, got {type(name).__name__}")
        if not callable(fn):
            raise TypeError(f"system {name!r} must be callable as fn(dt), got "
                            f"{type(fn).__name__}")
        if name in self.system_names:
            raise DuplicateSystemError(
                f"a system named {name!r} is already registered (at position "
                f"{self.system_names.index(name)} of {self.system_names})")
        names = list(self.system_names)
        names.insert(index, name)
        fns = list(self._fns)
        fns.insert(index, fn)
        accum = np.insert(self.system_ns_accum, index, 0)
        blocks = np.insert(self.system_blocks_accum, index, 0)
        self._relayout(names, fns, accum, blocks)

    def _relayout(self, names: list[str], fns: list[System], accum: np.ndarray,
                  blocks: np.ndarray) -> None:
        # New objects, never mutated in place: a step in progress keeps writing into the
        # arrays it started with, and a reader holding the old list/arrays sees a consistent
        # (old) layout.
        self.system_names = names
        self._fns = tuple(fns)
        self.system_ns = np.zeros(len(names), dtype=np.int64)
        self.system_ns_accum = np.ascontiguousarray(accum, dtype=np.int64)
        self.system_blocks_accum = np.ascontiguousarray(blocks, dtype=np.int64)
        self.layout_version += 1

    # --- the per-frame path ---------------------------------------------------------------

    def advance(self, frame_ns: int) -> int:
        """Account one frame of ``frame_ns`` nanoseconds and run the steps it completes.

        Allocates nothing after warm-up (Python ints from ``perf_counter_ns`` are transient;
        the per-system times go into the preallocated ``system_ns``).

        Args:
            frame_ns: the frame's duration (>= 0), from the App's clock.

        Returns:
            The number of steps run (``0 <= steps <= max_steps``).

        Raises:
            TypeError: ``frame_ns`` is not an int.
            ValueError: ``frame_ns < 0``.
            Exception: whatever a system raises propagates, after the steps already run
                were accounted.
        """
        if frame_ns.__class__ is not int:
            if isinstance(frame_ns, bool) or not isinstance(frame_ns, (int, np.integer)):
                raise TypeError(f"frame_ns must be an int, got {type(frame_ns).__name__}")
            frame_ns = int(frame_ns)
        if frame_ns < 0:
            raise ValueError(f"frame_ns must be >= 0, got {frame_ns}")
        self.frames_total += 1
        self.steps_last_frame = 0
        if frame_ns > self.max_frame_ns:
            self.clamp_count += 1
            self.dropped_ns += frame_ns - self.max_frame_ns
            frame_ns = self.max_frame_ns

        if self._paused:
            self.paused_ns += frame_ns
            if self._step_requested:
                self._step_requested = False
                self._run_step()
                self.steps_last_frame = 1
            return self.steps_last_frame

        step_ns = self._step_ns
        acc = self.accumulator_ns + frame_ns
        n = acc // step_ns
        if n > self.max_steps:
            extra = n - self.max_steps
            self.step_cap_count += 1
            self.dropped_ns += extra * step_ns
            acc -= extra * step_ns
            n = self.max_steps
        self.accumulator_ns = acc
        while self.steps_last_frame < n:
            self._run_step()
            self.accumulator_ns -= step_ns
            self.steps_last_frame += 1
        return self.steps_last_frame

    def overstep_fraction(self) -> float:
        """The part of a step accumulated but not simulated, in ``[0, 1)``: the ``alpha`` for
        interpolating between the previous and the current simulated state."""
        return self.accumulator_ns / self._step_ns

    def _run_step(self) -> None:
        clock = time.perf_counter_ns
        # Locals: a system that (un)registers systems mid-step swaps the attributes, and this
        # step keeps writing into the arrays it started with.
        times = self.system_ns
        accum = self.system_ns_accum
        blocks = self.system_blocks_accum
        allocated = sys.getallocatedblocks
        dt = self.dt
        i = 0
        start = t0 = clock()
        # The iterator and both readings' names hold heap ints before the first reading, as
        # they do between two systems: the readings' own objects balance out, and a system
        # that retains nothing reads 0 (computed ints, not readings: a reading costs ~20 µs).
        fns = iter(self._fns)
        n = len(self._fns)
        per = self.blocks_per_step
        first = 0
        if 0 < per < n:
            self._pick = (self._pick * 1103515245 + 12345) & 0x7FFFFFFF
            first = (self._pick >> 16) % n  # an LCG's low bits cycle with short periods
        b0 = n + 1_000_000
        b1 = n + 2_000_000
        for fn in fns:
            if (i - first) % n < per:
                b0 = allocated()
                fn(dt)
                b1 = allocated()
                blocks[i] += b1 - b0
            else:
                fn(dt)
            t1 = clock()
            times[i] = t1 - t0
            t0 = t1
            i += 1
        np.add(accum, times, out=accum)
        self.step_ns_last = t0 - start
        self.steps_total += 1
        self.sim_time_ns += self._step_ns

    def reset_counters(self) -> None:
        """Zero the counters (steps, clamps, caps, dropped/paused time, per-system totals);
        the accumulator and registration are kept."""
        self.steps_total = self.steps_last_frame = self.frames_total = 0
        self.step_ns_last = self.clamp_count = self.step_cap_count = 0
        self.dropped_ns = self.paused_ns = self.sim_time_ns = 0
        self.system_ns.fill(0)
        self.system_ns_accum.fill(0)
        self.system_blocks_accum.fill(0)
