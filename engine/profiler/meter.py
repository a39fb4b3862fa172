"""The frame meter: always-on allocation, GC, memory and timing counters, sampled into rings.

Per frame (``end_frame``), always on, about 3-6 us plus the watches:

* the frame interval (``frame_ms``: between ``end_frame`` calls, 1000 / fps) and the CPU
  frame time (``cpu_ms``), the one frame time the dashboard, budgets, spikes, the acceptance
  run and the benchmarks read. A frame's CPU time is its step time plus the span from the
  first render hook (``render_begin``) to the end of this meter's own work in ``end_frame``:
  the fixed steps, the render hooks (pack, upload, submit), the overlays (the dashboard) and
  the frame-end hooks up to and including the profiler's. It leaves out input polling, the
  clear, the swap (a vsync wait), the GPU's raster time and frame-end hooks after the
  profiler's. A frame without ``render_begin`` (a meter driven without an App, or an App that
  drew nothing while minimised) has no render span: its CPU time is the interval;
* step, render and overlay times (``render_begin``/``render_end``,
  ``overlay_begin``/``overlay_end``). The step time is the bracketed ticks' time when
  ``begin_tick``/``end_tick`` run, else the watched scheduler's ``step_ns_frame``, else 0;
* ``sys.getallocatedblocks()`` delta (Python objects retained or freed; blind to array data);
* ``gc.get_count()[0]`` delta (GC-tracked containers; collections are accounted for, see
  ``_on_gc``);
* GC collections per generation, their pause (``gc.callbacks`` start/stop with
  ``perf_counter_ns``) and objects collected, into an ``EventLog``;
* every watched pool, ring, scheduler, renderer, combat stats and counter (see ``watch.py``).

About once a second (frame clock): RSS (``os.pread`` on a kept ``/proc/self/statm`` fd),
allocated blocks, traced bytes, fps and the mean CPU frame time go into the 1 Hz history.

Opt-in allocation tracing (``set_tracing(True)``, tracemalloc with 1 frame): transient bytes per
tick (``reset_peak`` at ``begin_tick``, ``peak - current_at_begin`` at ``end_tick``) and per
frame (the largest segment between resets), and traced bytes now. It costs ~1.1-1.4x on a numpy
tick and far more on pure-Python loops, so it is off by default.

Growth is measured from ``mark_warmup_end()``, not from process start.

The since-warm-up sums, maxima, histograms and the values taken at the mark are the base
class's (``totals.py``), in int64 arrays so that the meter's own bookkeeping never moves the
blocks reading it measures. Counters that only grow (``frame``) are plain ints: they left the
small-int cache in the first seconds of the run.

Allocation contract: ``end_frame``, ``begin_tick``, ``end_tick`` and the phase
hooks allocate nothing retained after warm-up (held by tests/test_profiler_meter.py with
``measure_steady_state``); the GC callback writes only into preallocated arrays and ints. The
1 Hz sample makes a few transient objects (the statm read) once a second.
"""

from __future__ import annotations

import gc
import sys
import tracemalloc
from collections.abc import Callable
from time import perf_counter_ns
from typing import Any

import numpy as np

from .events import EventLog
from .history import HistoryRing
from .registry import WatchRegistry
from .rss import RssReader
from .totals import F_CPU_NS, F_FRAMES, FrameTotals

__all__ = ["FrameMeter", "GC_GENERATIONS"]

GC_GENERATIONS = ("gen0", "gen1", "gen2")

_SECOND_NS = 1_000_000_000



class FrameMeter(FrameTotals, WatchRegistry):
    """Always-on frame counters into preallocated history rings.

    The since-warm-up readings come from the base class ``FrameTotals`` (``totals.py``), the
    ``watch_*`` methods and the watch lists from ``WatchRegistry`` (``registry.py``).

    Args:
        frame_capacity: frames of per-frame history (1024 = 17 s at 60 fps).
        second_capacity: seconds of 1 Hz history (600 = 10 min).
        gc_capacity: GC collections kept in ``gc_log`` and per-generation plot rings.
        clock: the frame clock (integer ns); GC pauses always use ``perf_counter_ns``.
        hist_bin_ns: resolution of the since-warm-up frame time histograms (percentiles).
        hist_max_ns: frames longer than this land in the last bin (the max is kept exactly).

    Raises:
        ValueError: a capacity < 1 or a histogram parameter <= 0.
    """

    def __init__(self, *, frame_capacity: int = 1024, second_capacity: int = 600,
                 gc_capacity: int = 512, clock: Callable[[], int] = perf_counter_ns,
                 hist_bin_ns: int = 20_000, hist_max_ns: int = 250_000_000) -> None:
        for name, value in (("frame_capacity", frame_capacity),
                            ("second_capacity", second_capacity),
                            ("gc_capacity", gc_capacity)):
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be an int >= 1, got {value!r}")
        FrameTotals.__init__(self, hist_bin_ns, hist_max_ns)
        WatchRegistry.__init__(self, frame_capacity)
        self.second_capacity = second_capacity
        self._clock = clock
        fc, sc = frame_capacity, second_capacity

        # Per-frame history (one sample per end_frame).
        self.frame_ms = HistoryRing(fc, name="frame")
        """Frame interval: between end_frame calls, ms (1000 / fps)."""
        self.cpu_ms = HistoryRing(fc, name="CPU")
        """CPU frame time, ms (the module docstring says what it spans)."""
        self.step_ms = HistoryRing(fc, name="step")
        self.render_ms = HistoryRing(fc, name="render")
        self.overlay_ms = HistoryRing(fc, name="overlay")
        self.blocks = HistoryRing(fc, name="blocks / frame")
        """Delta of sys.getallocatedblocks() per frame."""
        self.gen0 = HistoryRing(fc, name="gen0 / frame")
        """Net GC-tracked containers allocated per frame (gen0 count delta)."""
        self.gc_collections = HistoryRing(fc, name="collections / frame")
        self.gc_pause_ms = HistoryRing(fc, name="GC pause / frame")
        self.transient_bytes = HistoryRing(fc, name="transient / frame")
        """Largest tracemalloc peak-over-start in the frame, bytes (tracing only)."""
        self.traced_bytes = HistoryRing(fc, name="traced")
        """tracemalloc current traced bytes at the end of the frame (tracing only)."""
        self.tick_transient_bytes = HistoryRing(fc, name="transient / tick")
        """Transient bytes of each bracketed tick (tracing only)."""

        # 1 Hz history.
        self.sec_rss_mb = HistoryRing(sc, name="RSS")
        self.sec_fps = HistoryRing(sc, name="fps")
        self.sec_cpu_ms = HistoryRing(sc, name="mean CPU")
        """Mean CPU frame time over each second, ms (what the frame budget is checked on)."""
        self.sec_blocks_total = HistoryRing(sc, name="blocks")
        self.sec_traced_mb = HistoryRing(sc, name="traced")

        # GC collections: one event each (kind = generation, value = pause ms,
        # aux = objects collected, flag = 1 when the GC policy asked for it).
        self.gc_log = EventLog(gc_capacity, 3, GC_GENERATIONS)
        self.gc_frame_by_gen = tuple(HistoryRing(gc_capacity, name=g) for g in GC_GENERATIONS)
        """Frame number of each collection, per generation (GC timeline x)."""
        self.gc_pause_by_gen = tuple(HistoryRing(gc_capacity, name=g) for g in GC_GENERATIONS)
        """Pause in ms of each collection, per generation (GC timeline y)."""
        self.gc_collected_since_warmup = np.zeros(3, dtype=np.int64)
        """Objects collected per generation since the warm-up mark."""
        self.gc_explicit_since_warmup = np.zeros(3, dtype=np.int64)
        """Collections the GC policy asked for, per generation, since the warm-up mark."""
        self.gc_policy: Any = None
        """Set by the Profiler: an object with a ``collecting`` bool marks explicit collections."""

        self.rss = RssReader()

        self.frame = 0
        """Frames ended so far (the number of the frame being built)."""
        self.tracing = False
        self._started_tracing = False
        self.second_ticked = False
        """True for the frame whose end_frame took the 1 Hz sample."""
        self._installed = False
        # An int64 cell, not an int: summed inside the tick-end marker system and reset in
        # end_frame, an int would be a block the scheduler charges to that system each tick.
        self._tick_ns_frame = np.zeros(1, dtype=np.int64)
        self.tick_transient_max = np.zeros(1, dtype=np.int64)
        """The largest transient bytes of one bracketed tick since the warm-up mark (tracing)."""
        self.reset_clock()
        self._reset_since_warmup()
        self.warmed_up = False
        self.install()

    # ----------------------------------------------------------------- lifecycle

    def install(self) -> None:
        """Register the GC callback (done by the constructor; idempotent)."""
        if not self._installed:
            gc.callbacks.append(self._on_gc)
            self._installed = True

    def close(self) -> None:
        """Remove the GC callback, stop tracing if this meter started it, close the statm fd.
        Safe to call twice."""
        if self._installed:
            gc.callbacks.remove(self._on_gc)
            self._installed = False
        self.set_tracing(False)
        self.rss.close()

    def reset_clock(self) -> None:
        """Restart frame timing now (call when the first frame starts, e.g. after loading),
        so the first interval does not include start-up."""
        now = self._clock()
        self._last_end_ns = now
        self._last_frame_ns = 0
        self._second_start_ns = now
        self._sec_sums.fill(0)
        self._last_blocks = sys.getallocatedblocks()
        self._gen0_base = gc.get_count()[0]
        self._gen0_acc = 0
        self._frame_gc_n = 0
        self._frame_gc_pause_ns = 0
        self._gc_t0 = 0
        self._tick_t0 = 0
        self._tick_ns_frame.fill(0)
        self._ticks_frame = 0
        self._render_t0 = 0
        self._cpu_t0 = 0
        self._render_ns = 0
        self._overlay_t0 = 0
        self._overlay_ns = 0
        self._trace_base = 0
        self._frame_transient = 0
        self.rss_bytes = self.rss.read()
        self.blocks_total = self._last_blocks

    def _reset_since_warmup(self) -> None:
        self.gc_log.mark()
        self.tick_transient_max.fill(0)
        self.gc_collected_since_warmup.fill(0)
        self.gc_explicit_since_warmup.fill(0)
        # Copied into the array, not kept as attributes: ``rss_bytes`` is read again at 1 Hz,
        # and a kept alias would keep this reading's int alive beside the new one.
        self.rss_bytes = self.rss.read()
        self._mark_totals(self.frame, self.rss_bytes,
                          tracemalloc.get_traced_memory()[0] if self.tracing else 0,
                          self._clock())

    def mark_warmup_end(self) -> None:
        """Start measuring growth and the since-warm-up sums, counts and histograms now.

        The blocks and gen0 readings restart here too, not at the last ``end_frame``: what the
        frame did before the mark is warm-up. Allocates nothing retained: the values taken now
        are copied into an int64 array.
        """
        self._reset_since_warmup()
        if self.scheduler is not None:
            self.scheduler.mark()
        self._last_blocks = sys.getallocatedblocks()
        count0 = gc.get_count()[0]
        self._gen0_acc = 0
        self._gen0_base = count0
        self.warmed_up = True

    # ----------------------------------------------------------------- GC callback

    def _on_gc(self, phase: str, info: dict[str, int]) -> None:
        """gc.callbacks hook: times the pause and records the collection.

        Allocation contract: writes ints into attributes and preallocated arrays; retains no
        object (it runs inside the collector).
        """
        if phase == "start":
            self._gen0_acc += gc.get_count()[0] - self._gen0_base
            self._gc_t0 = perf_counter_ns()
            return
        t = perf_counter_ns()
        pause_ns = t - self._gc_t0
        gen = info["generation"]
        collected = info["collected"]
        policy = self.gc_policy
        explicit = 1 if (policy is not None and policy.collecting) else 0
        self._frame_gc_n += 1
        self._frame_gc_pause_ns += pause_ns
        self.gc_collected_since_warmup[gen] += collected
        self.gc_explicit_since_warmup[gen] += explicit
        pause_ms = pause_ns * 1e-6
        self.gc_log.record(gen, self.frame, t, pause_ms, collected, explicit)
        self.gc_frame_by_gen[gen].push(self.frame)
        self.gc_pause_by_gen[gen].push(pause_ms)
        self._gen0_base = gc.get_count()[0]

    # ----------------------------------------------------------------- phase hooks

    def begin_tick(self) -> None:
        """Mark the start of one fixed step. Allocates nothing retained (tracing: resets the
        tracemalloc peak)."""
        if self.tracing:
            cur, peak = tracemalloc.get_traced_memory()
            seg = peak - self._trace_base
            if seg > self._frame_transient:
                self._frame_transient = seg
            self._trace_base = cur
            tracemalloc.reset_peak()
        self._tick_t0 = self._clock()

    def end_tick(self) -> None:
        """Mark the end of one fixed step: adds its time to the frame's step time and, when
        tracing, records its transient bytes. Allocates nothing retained."""
        self._tick_ns_frame[0] += self._clock() - self._tick_t0
        self._ticks_frame += 1
        if self.tracing:
            cur, peak = tracemalloc.get_traced_memory()
            seg = peak - self._trace_base
            self.tick_transient_bytes.push(seg)
            if seg > self.tick_transient_max[0]:
                self.tick_transient_max[0] = seg
            if seg > self._frame_transient:
                self._frame_transient = seg
            self._trace_base = cur
            tracemalloc.reset_peak()

    def render_begin(self, alpha: float = 0.0) -> None:
        """Render-hook-shaped: marks the start of rendering (the CPU frame time's render span
        starts at the first call in a frame). Allocates nothing."""
        t = self._clock()
        self._render_t0 = t
        if not self._cpu_t0:
            self._cpu_t0 = t

    def render_end(self, alpha: float = 0.0) -> None:
        """Render-hook-shaped: marks the end of rendering."""
        self._render_ns += self._clock() - self._render_t0

    def overlay_begin(self) -> None:
        """Overlay-hook-shaped: marks the start of the overlays (the dashboard included)."""
        self._overlay_t0 = self._clock()

    def overlay_end(self) -> None:
        """Overlay-hook-shaped: marks the end of the overlays."""
        self._overlay_ns += self._clock() - self._overlay_t0

    # ----------------------------------------------------------------- tracing

    def set_tracing(self, on: bool) -> None:
        """Turn allocation tracing (tracemalloc, 1 frame) on or off.

        Turning it off stops tracemalloc only if this meter started it.
        """
        if on and not self.tracing:
            if not tracemalloc.is_tracing():
                tracemalloc.start(1)
                self._started_tracing = True
            self.tracing = True
            self._trace_base = tracemalloc.get_traced_memory()[0]
            # Traced growth counts from the later of the warm-up mark and this moment.
            self._mark_traced(self._trace_base)
            tracemalloc.reset_peak()
        elif not on and self.tracing:
            self.tracing = False
            if self._started_tracing:
                tracemalloc.stop()
                self._started_tracing = False

    # ----------------------------------------------------------------- the frame

    def end_frame(self) -> None:
        """Close the frame: timings, counters and watches into the rings.

        Allocation contract: allocates nothing retained after warm-up (tested with
        ``measure_steady_state``); makes short-lived ints and floats, and its sums and maxima
        are int64 array cells, so no int it keeps changes between cached and heap. Once a
        second it reads RSS (a 64-byte bytes object, freed).
        """
        now = self._clock()
        frame_ns = now - self._last_end_ns
        self._last_frame_ns = frame_ns
        self._last_end_ns = now

        # Counters first, so the meter's own work below does not land in this frame.
        blocks = sys.getallocatedblocks()
        d_blocks = blocks - self._last_blocks
        self._last_blocks = blocks
        count0 = gc.get_count()[0]
        d_gen0 = self._gen0_acc + count0 - self._gen0_base
        self._gen0_acc = 0
        self._gen0_base = count0

        self.frame_ms.push(frame_ns * 1e-6)
        self.blocks.push(d_blocks)
        self.gen0.push(d_gen0)
        gc_n = self._frame_gc_n
        self.gc_collections.push(gc_n)
        self.gc_pause_ms.push(self._frame_gc_pause_ns * 1e-6)
        self._frame_gc_n = 0
        self._frame_gc_pause_ns = 0

        for w in self._watches:
            w.sample()

        if self._ticks_frame:
            step_ns = int(self._tick_ns_frame[0])
        elif self.scheduler is not None:
            step_ns = self.scheduler.step_ns_frame
        else:
            step_ns = 0
        self._tick_ns_frame.fill(0)
        self._ticks_frame = 0
        self.step_ms.push(step_ns * 1e-6)
        self.render_ms.push(self._render_ns * 1e-6)
        self.overlay_ms.push(self._overlay_ns * 1e-6)
        self._render_ns = 0
        self._overlay_ns = 0

        if self.tracing:
            cur, peak = tracemalloc.get_traced_memory()
            seg = peak - self._trace_base
            if seg > self._frame_transient:
                self._frame_transient = seg
            self.transient_bytes.push(self._frame_transient)
            self.traced_bytes.push(cur)
            self._frame_transient = 0
            self._trace_base = cur
            tracemalloc.reset_peak()

        # The CPU frame time ends here, after the meter's own sampling (see the module
        # docstring); what is left below is a few array writes.
        cpu_t0 = self._cpu_t0
        self._cpu_t0 = 0
        cpu_ns = self._clock() - cpu_t0 + step_ns if cpu_t0 else frame_ns
        self.cpu_ms.push(cpu_ns * 1e-6)

        self._add_frame(d_blocks, d_gen0, gc_n, frame_ns, cpu_ns)

        # 1 Hz.
        elapsed = now - self._second_start_ns
        self.second_ticked = elapsed >= _SECOND_NS
        if self.second_ticked:
            self._sample_second(now, elapsed)
        self.frame += 1

    def _sample_second(self, now: int, elapsed: int) -> None:
        """The 1 Hz sample. Allocates a few transients (statm read), retains nothing."""
        self.rss_bytes = self.rss.read()
        self.blocks_total = sys.getallocatedblocks()
        sec = self._sec_sums
        frames = int(sec[F_FRAMES])
        self.sec_rss_mb.push(self.rss_bytes * 1e-6)
        self.sec_fps.push(frames * 1e9 / elapsed)
        self.sec_cpu_ms.push(int(sec[F_CPU_NS]) * 1e-6 / frames)
        self.sec_blocks_total.push(self.blocks_total)
        self.sec_traced_mb.push(tracemalloc.get_traced_memory()[0] * 1e-6 if self.tracing
                                else 0.0)
        self._second_start_ns = now
        sec.fill(0)

    # ----------------------------------------------------------------- readings

    @property
    def rss_growth_bytes(self) -> int:
        """RSS growth since the warm-up mark (from the latest 1 Hz sample)."""
        return self.rss_bytes - self.rss_at_warmup

    @property
    def traced_growth_bytes(self) -> int:
        """Traced bytes growth since the warm-up mark (0 when not tracing)."""
        if not self.tracing or not len(self.traced_bytes):
            return 0
        return int(self.traced_bytes.last()) - self.traced_at_warmup
