"""The Profiler facade: one object that owns the meter, spike detector, budgets and GC policy,
attaches to an App through its hook lists, and reports plain dicts.

Typical use::

    profiler = Profiler()
    profiler.watch_pool(world.store.stats)          # any PoolStats-shaped object
    profiler.watch_ring(world.damage_events)        # any RingBuffer-shaped object
    profiler.watch_render(gfx.render_stats)
    profiler.attach(app)                            # meter + dashboard + scheduler watch
    profiler.gc_policy.after_loading()
    ... run warm-up frames ...
    profiler.mark_warmup_end()
    ... run the measured window ...
    report = profiler.summary()                     # plain dict, JSON-ready

What ``attach`` adds to the App (order matters; attach after the renderer's hooks exist):

* ``render_hooks``: ``meter.render_begin`` first, ``meter.render_end`` last;
* ``overlay_hooks``: ``meter.overlay_begin`` first, then the dashboard, ``meter.overlay_end``;
* ``frame_end_hooks``: ``profiler.end_frame``;
* ``startup_hooks``: ``meter.reset_clock``; ``shutdown_hooks``: ``profiler.close`` (through a
  wrapper that leaves the list alone while the App iterates it);
* with ``bracket_ticks=True``: two marker systems, ``profiler.tick_begin`` first and
  ``profiler.tick_end`` last in the scheduler, for per-tick transient bytes while tracing
  (systems added later land after the end marker: attach after registering systems).

The profiler observes; the only things it drives are the GC (through ``gc_policy``) and, from
the dashboard's buttons, the scheduler's pause / single step.
"""

from __future__ import annotations

import gc
import tracemalloc
from collections.abc import Callable, Sequence
from time import perf_counter_ns
from typing import Any

from . import summary as _summary
from .budgets import Budgets
from .gc_policy import GcPolicy
from .leaks import LeakDetector
from .meter import FrameMeter
from .protocols import (
    CombatStatsLike,
    PoolStatsLike,
    RenderStatsLike,
    RingLike,
    SchedulerLike,
    WorldLike,
    missing,
)
from .spikes import SpikeDetector, SpikeKind
from .trace import TraceRecorder
from .watch import CombatWatch, CounterWatch, PoolWatch, RenderWatch, RingWatch, SchedulerWatch

__all__ = ["Profiler"]

_TICK_BEGIN = "profiler.tick_begin"
_TICK_END = "profiler.tick_end"
_LEAK_TREND = int(SpikeKind.LEAK_TREND)


class Profiler:
    """Meter, spikes, budgets, GC policy and (once attached) the dashboard.

    Args:
        frame_capacity: frames of per-frame history.
        second_capacity: seconds of 1 Hz history.
        budgets: frame and memory budgets (default ``Budgets()``: 16 ms, 50 MB).
        gc_policy: the GC policy (default ``GcPolicy()``).
        gc_pause_ms: GC pause above which a collection is a spike (when ``spikes`` is None).
        spike_capacity: spike events kept (when ``spikes`` is None).
        spikes: a configured SpikeDetector (its thresholds) instead of the default one.
        leaks: a configured LeakDetector (its trend thresholds) instead of the default one.
        clock: the frame clock (integer ns).
        auto_spare_time: call ``gc_policy.spare_time(budget - work)`` at each frame end.

    Raises:
        ValueError: a capacity or threshold out of range (from the parts).
    """

    def __init__(self, *, frame_capacity: int = 1024, second_capacity: int = 600,
                 budgets: Budgets | None = None, gc_policy: GcPolicy | None = None,
                 gc_pause_ms: float = 1.0, spike_capacity: int = 1024,
                 spikes: SpikeDetector | None = None, leaks: LeakDetector | None = None,
                 clock: Callable[[], int] = perf_counter_ns,
                 auto_spare_time: bool = False) -> None:
        self.meter = FrameMeter(frame_capacity=frame_capacity, second_capacity=second_capacity,
                                clock=clock)
        self.budgets = budgets if budgets is not None else Budgets()
        self.spikes = spikes if spikes is not None else SpikeDetector(
            frame_budget_ms=self.budgets.frame_ms, gc_pause_ms=gc_pause_ms,
            capacity=spike_capacity)
        self.leaks = leaks if leaks is not None else LeakDetector()
        """Leaks by trend since the warm-up mark (``leaks.py``); flags land in the spike log."""
        self.gc_policy = gc_policy if gc_policy is not None else GcPolicy()
        if self.gc_policy.on_combat is None:
            self.gc_policy.on_combat = self._on_combat
        self.spikes.in_combat = self.gc_policy.in_combat
        self.meter.gc_policy = self.gc_policy
        self.auto_spare_time = auto_spare_time
        self._budget_ns = int(self.budgets.frame_ms * 1e6)
        self.dashboard: Any = None
        """The Dashboard made by ``attach`` (None headless-less or when not wanted)."""
        self.app: Any = None
        self._hooks: list[tuple[list[Any], Any]] = []
        self._tick_markers = False
        self._in_app_shutdown = False
        self.closed = False
        self._sites_base: tracemalloc.Snapshot | None = None
        self.trace: TraceRecorder | None = None
        """Set by ``start_trace``: the frames kept for ``write_trace``."""

    # ----------------------------------------------------------------- watches

    def watch_pool(self, stats: PoolStatsLike) -> PoolWatch:
        """Watch a pool's stats (``PoolStatsLike``), its in_use trend too. Raises TypeError if
        unfit."""
        w = self.meter.watch_pool(stats)
        self.leaks.add_pool(w)
        return w

    def watch_ring(self, ring: RingLike) -> RingWatch:
        """Watch a ring (``RingLike``). Raises TypeError if unfit."""
        return self.meter.watch_ring(ring)

    def watch_scheduler(self, scheduler: SchedulerLike) -> SchedulerWatch:
        """Watch the fixed-step scheduler (``SchedulerLike``). Raises TypeError if unfit."""
        return self.meter.watch_scheduler(scheduler)

    def watch_render(self, stats: RenderStatsLike) -> RenderWatch:
        """Watch the renderer's stats (``RenderStatsLike``). Raises TypeError if unfit."""
        return self.meter.watch_render(stats)

    def watch_combat(self, stats: CombatStatsLike,
                     tier_names: Sequence[str] | None = None) -> CombatWatch:
        """Watch the combat stats (``CombatStatsLike``; ``tier_names`` default to theirs).
        Raises TypeError if unfit."""
        return self.meter.watch_combat(stats, tier_names)

    def watch_world(self, world: WorldLike) -> list[Any]:
        """Watch everything a combat world exposes (``WorldLike``): each of ``world.pools()``,
        each of ``world.rings()`` and ``world.stats``.

        Returns:
            The watches made.

        Raises:
            TypeError: the world lacks one of these, or a watched object is unfit.
        """
        name = missing(world, WorldLike)
        if name is not None:
            raise TypeError(f"watch_world needs pools(), rings() and stats; "
                            f"{type(world).__name__} has no {name!r}")
        made: list[Any] = [self.watch_pool(s) for s in world.pools()]
        made += [self.watch_ring(r) for r in world.rings()]
        made.append(self.watch_combat(world.stats))
        return made

    def watch_counter(self, name: str, getter: Callable[[], float],
                      group: str = "overview") -> CounterWatch:
        """Sample ``getter()`` each frame, shown in panel ``group``. Raises TypeError if the
        getter is not callable."""
        return self.meter.watch_counter(name, getter, group)

    # ----------------------------------------------------------------- combat / GC

    def _on_combat(self, on: bool) -> None:
        self.spikes.in_combat = on

    def set_combat(self, on: bool) -> None:
        """Enter or leave combat: GC thresholds (policy) and gen2 spike flagging."""
        if on:
            self.gc_policy.enter_combat()
        else:
            self.gc_policy.exit_combat()
        self.spikes.in_combat = on

    @property
    def in_combat(self) -> bool:
        return self.spikes.in_combat

    # ----------------------------------------------------------------- the frame

    def end_frame(self) -> None:
        """The frame-end hook: meter, spikes, budgets (and spare-time GC if enabled).

        Allocation contract: allocates nothing retained after warm-up (the meter's, spike
        detector's and budgets' contracts; held by tests/test_profiler_meter.py).
        """
        meter = self.meter
        meter.end_frame()
        self.spikes.check(meter)
        if meter.warmed_up:
            app = self.app
            frame_ns = getattr(app, "frame_ns_last", None) if app is not None else None
            raised = self.leaks.tick(meter, frame_ns if frame_ns is not None
                                     else meter._last_frame_ns)
            if raised:
                self._log_leaks(meter, raised)
        if self.trace is not None:
            self.trace.record(meter)
        self.budgets.check(meter)
        policy = self.gc_policy
        policy.frame = meter.frame
        if self.auto_spare_time:
            policy.spare_time(self._budget_ns - int(meter.cpu_ms.last() * 1e6))

    def _log_leaks(self, meter: FrameMeter, raised: int) -> None:
        trends = self.leaks.trends
        for k in range(len(trends)):
            if raised >> k & 1:
                self.spikes.log.record(_LEAK_TREND, meter.frame - 1, meter._last_end_ns,
                                       trends[k].slope, k)

    def snapshot_allocations(self) -> None:
        """Take the base of ``allocation_sites`` now (tracing on; else a no-op): a tracemalloc
        snapshot, taken with the collector off and then frozen (``gc.freeze``), so that its
        objects neither trigger a collection later nor get traversed by one. Take it before
        the warm-up ends (the acceptance run: at the end of its ramp): made at the mark, its
        objects and the free lists they empty read as growth in the hold."""
        if not self.meter.tracing:
            return
        enabled = gc.isenabled()
        gc.disable()
        self._sites_base = tracemalloc.take_snapshot()
        gc.freeze()
        if enabled:
            gc.enable()

    def mark_warmup_end(self) -> None:
        """Growth, sums, histograms, leak trends and spike counts are measured from now on
        (and allocation sites, from here when ``snapshot_allocations`` was not called)."""
        if self._sites_base is None:
            self.snapshot_allocations()
        self.meter.mark_warmup_end()
        self.spikes.mark()
        self.leaks.mark(self.meter)
        self.budgets.check(self.meter, now=True)

    def begin_tick(self) -> None:
        """See ``FrameMeter.begin_tick``."""
        self.meter.begin_tick()

    def end_tick(self) -> None:
        """See ``FrameMeter.end_tick``."""
        self.meter.end_tick()

    def set_tracing(self, on: bool) -> None:
        """Opt-in allocation tracing (tracemalloc); see ``FrameMeter.set_tracing``."""
        self.meter.set_tracing(on)

    def start_trace(self, capacity: int = 36_000) -> TraceRecorder:
        """Keep the newest ``capacity`` frames' zones (10 min at 60 fps: ~4 MB) from now on,
        for ``write_trace``. Allocates the recorder (once)."""
        names = list(self.meter.scheduler.system_names) if self.meter.scheduler else []
        self.trace = TraceRecorder(capacity, names)
        return self.trace

    def write_trace(self, path: Any) -> None:
        """Write the kept frames, GC collections and flags as a Chrome/Perfetto JSON trace,
        atomically (``engine.profiler.trace``). Raises RuntimeError before ``start_trace``."""
        if self.trace is None:
            raise RuntimeError("no trace recorded: call start_trace() first")
        self.trace.write(path, self.meter.gc_log, self.spikes.log)

    def allocation_sites(self, n: int = 10) -> list[dict[str, object]]:
        """See ``summary.allocation_sites``: the top ``n`` file:line sites of traced growth
        since the base snapshot (allocates)."""
        return _summary.allocation_sites(self, n)

    # ----------------------------------------------------------------- App wiring

    def _add(self, hooks: list[Any], hook: Any, *, first: bool = False) -> None:
        if first:
            hooks.insert(0, hook)
        else:
            hooks.append(hook)
        self._hooks.append((hooks, hook))

    def attach(self, app: Any, *, dashboard: bool = True, bracket_ticks: bool = False,
               screenshot: Callable[[], object] | None = None,
               visible: bool = True) -> Any:
        """Hook the profiler into an App (see the module docstring for what goes where).

        Args:
            app: an ``engine.core.App`` (or anything with its hook lists and scheduler).
            dashboard: also make the ImGui dashboard, bind its keys on ``app.input`` and add
                it to the overlay hooks.
            bracket_ticks: register the tick marker systems (per-tick transient bytes).
            screenshot: the dashboard's screenshot button callback.
            visible: whether the dashboard starts shown.

        Returns:
            The Dashboard, or None when ``dashboard`` is False.

        Raises:
            RuntimeError: already attached.
            TypeError: ``app`` lacks the hook lists.
        """
        if self.app is not None:
            raise RuntimeError("this Profiler is already attached to an App; detach() first")
        for name in ("render_hooks", "overlay_hooks", "frame_end_hooks"):
            if not isinstance(getattr(app, name, None), list):
                raise TypeError(f"attach needs an App with a list {name!r}; "
                                f"{type(app).__name__} has none")
        self.app = app
        scheduler = getattr(app, "scheduler", None)
        if scheduler is not None and self.meter.scheduler is None:
            self.watch_scheduler(scheduler)
        if bracket_ticks and scheduler is not None:
            self._bracket(scheduler)
        meter = self.meter
        self._add(app.render_hooks, meter.render_begin, first=True)
        self._add(app.render_hooks, meter.render_end)
        self._add(app.overlay_hooks, meter.overlay_begin, first=True)
        if dashboard:
            from .dashboard import Dashboard

            self.dashboard = Dashboard(self, scheduler=scheduler, screenshot=screenshot,
                                       visible=visible)
            self.dashboard.attach(app)
            self._add(app.overlay_hooks, self.dashboard.draw)
        self._add(app.overlay_hooks, meter.overlay_end)
        self._add(app.frame_end_hooks, self.end_frame)
        for name, hook in (("startup_hooks", meter.reset_clock),
                           ("shutdown_hooks", self._on_app_shutdown)):
            hooks = getattr(app, name, None)
            if isinstance(hooks, list):
                self._add(hooks, hook)
        meter.reset_clock()
        return self.dashboard

    def _bracket(self, scheduler: Any) -> None:
        names = list(scheduler.system_names)
        begin = _tick_system(self.meter.begin_tick)
        end = _tick_system(self.meter.end_tick)
        if names:
            scheduler.insert_before(names[0], _TICK_BEGIN, begin)
        else:
            scheduler.add(_TICK_BEGIN, begin)
        scheduler.add(_TICK_END, end)
        self._tick_markers = True

    def _on_app_shutdown(self) -> None:
        # The App is iterating its shutdown_hooks: removing ourselves from that list now would
        # make it skip the hook after ours.
        self._in_app_shutdown = True
        self.close()

    def detach(self) -> None:
        """Remove every hook (and tick marker) ``attach`` added; shut the dashboard down."""
        app = self.app
        for hooks, hook in reversed(self._hooks):
            if self._in_app_shutdown and app is not None and \
                    hooks is getattr(app, "shutdown_hooks", None):
                continue
            for i, h in enumerate(hooks):
                if h == hook:
                    del hooks[i]
                    break
        self._hooks.clear()
        if self._tick_markers and self.app is not None:
            scheduler = self.app.scheduler
            for name in (_TICK_BEGIN, _TICK_END):
                if name in scheduler:
                    scheduler.remove(name)
            self._tick_markers = False
        if self.dashboard is not None:
            self.dashboard.shutdown()
        self.app = None

    def close(self) -> None:
        """Detach, shut the dashboard down, leave combat and remove the GC callback.
        Safe to call twice."""
        if self.closed:
            return
        self.closed = True
        if self.app is not None:
            self.detach()
        elif self.dashboard is not None:
            self.dashboard.shutdown()
        self.gc_policy.close()
        self.meter.close()

    # ----------------------------------------------------------------- reports
    # ----------------------------------------------------------------- reports

    def snapshot(self) -> dict[str, object]:
        """The latest per-frame values (``summary.snapshot``; allocates)."""
        return _summary.snapshot(self)

    def summary(self, window_frames: int | None = None, *,
                sites: bool = True) -> dict[str, object]:
        """The run report as a plain, JSON-ready dict (``summary.summary``, where the keys are
        listed; allocates).

        Args:
            window_frames: frames for the exact percentiles over the newest frames (default:
                frames since the warm-up mark, at most the history capacity).
            sites: include ``alloc.sites_since_warmup`` (``allocation_sites``: a snapshot).
        """
        return _summary.summary(self, window_frames, sites=sites)


def _tick_system(mark: Callable[[], None]) -> Callable[[float], None]:
    """A scheduler system (``fn(dt)``) that calls ``mark()``; allocates nothing per call."""

    def system(dt: float) -> None:
        mark()

    return system
