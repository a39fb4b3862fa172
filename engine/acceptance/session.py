"""One acceptance run, wired: App + World + the horde's renderer + Profiler + recorder.

``AcceptanceRun(options, world_factory=..., extra_systems=...)`` builds the run from the
command line's options (``engine.acceptance.cli.parse_args``); ``App.run`` then drives it, and
its frame-end hook records one row and lets the ``PhaseMachine`` move the plan on. To hold your
own game to the run, hand it a world factory (your ``World`` subclass or your config changes)
and your own systems; see ``engine.acceptance.cli.run_acceptance``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .actions import UserActions
from .outputs import criteria_for, measurements
from .readings import (
    M_END,
    M_START,
    int_objects,
    profiler_measurements,
    read_collections,
    read_marks,
    recorder_capacity,
    snapshot,
)
from .recorder import (
    C_BLOCKS,
    C_CPU,
    C_FRAME,
    C_FULL,
    C_LEVEL,
    C_LIVE,
    C_PHASE,
    C_RSS,
    C_SIM,
    C_STEP,
    C_WALL,
    N_FIXED,
    IntCensus,
    Recorder,
)
from .run import (
    DONE,
    HOLD,
    HOLD_END,
    HOLD_START,
    PHASES,
    RAMP,
    RAMP_DONE,
    Level,
    LevelSearch,
    PhaseMachine,
)
from .stress_world import stress_config

__all__ = ["AcceptanceRun", "WorldFactory", "SystemEntry", "STEP_HZ", "FRAME_BUDGET_MS"]

WorldFactory = Callable[[Any, int], Any]
"""``(config, seed) -> World``: the world to run, from the run's tuned ``WorldConfig``."""
SystemEntry = tuple[str, Callable[[float], None]]
"""``(name, system)``: a scheduler system the run adds after the world's."""

CAL_EVERY = 30
"""Frames of the hold between two interleaved calibration repeats."""
STEP_HZ = 30.0
"""Fixed simulation steps per second."""
FRAME_BUDGET_MS = 16.0
PROGRESS_NS = 10_000_000_000
"""Wall-clock interval of the progress line during the hold."""
_HOLD_MIN, _HOLD_MAX, _END_MIN = range(3)
"""Cells of ``AcceptanceRun.census``."""


def _default_world(config: Any, seed: int) -> Any:
    from engine.combat import World

    return World(config, seed=seed)


class AcceptanceRun:
    """The engine wired for the acceptance run (see the module docstring).

    Args:
        options: the parsed command line (``engine.acceptance.cli.parse_args``).
        world_factory: makes the world from the run's ``WorldConfig`` and seed (default:
            ``World(config, seed=seed)``). The run reads the horde kit's world API: stores,
            ``stats``, ``player``, ``pools()``, ``rings()``, ``systems()``, ``install()``.
        extra_systems: systems added to the scheduler after the world's; they are part of
            every measured tick.
    """

    def __init__(self, options: Any, *, world_factory: WorldFactory | None = None,
                 extra_systems: Sequence[SystemEntry] = ()) -> None:
        self.args = options
        self.world_factory = world_factory or _default_world
        self.extra_systems = tuple(extra_systems)
        self.started_wall = time.perf_counter_ns()
        self.machine = PhaseMachine(options.warmup, options.ramp_timeout)
        self.search = (LevelSearch(options.mode, options.step, options.limit)
                       if options.mode != "hold" else None)
        self.levels: list[Level] = []
        self.level: Level | None = None
        self.finished = False  # the whole plan (hold, or the search) completed
        self.ended_in: str | None = None  # the phase a run cut short was in
        self.screenshot_path: Path | None = None
        self.error: str | None = None
        self.stop_signal: str | None = None  # the signal that cut the run short, if one did
        self.window_lost = False  # destroyed from outside: its pixels cannot be read back
        self.sites_at_end: list[dict[str, object]] = []
        self.step_hz = STEP_HZ
        self._next_progress_ns = 0

    @property
    def phase(self) -> int:
        """The phase now: ``run.RAMP``, ``SETTLE``, ``HOLD`` or ``DONE``."""
        return self.machine.phase

    def say(self, text: str) -> None:
        if not self.args.quiet:
            print(f"stress_500: {text}", flush=True)

    # ------------------------------------------------------------------ building
    def build(self) -> None:
        from engine.acceptance.calibration import CalibrationWorkload, measure_calibration
        from engine.combat import WorldConfig
        from engine.core import App, AppConfig
        from engine.horde import DEFAULT_TIERS, attach
        from engine.profiler import Profiler

        args = self.args
        self.calibration = measure_calibration()
        self.cal_work = CalibrationWorkload()
        self.say(f"calibration workload: {self.calibration.median_ns / 1e6:.3f} ms (median)")
        self.app = App(AppConfig(width=args.width, height=args.height,
                                 title=f"horde engine - stress {args.enemies}", vsync=False,
                                 headless=True if args.headless else None,
                                 step_hz=STEP_HZ, benchmark=args.benchmark, seed=args.seed))
        app = self.app
        from engine.core.options import OptionError, check_gl_size

        why = check_gl_size(app.ctx.info, args.width, args.height)
        if why is not None:  # before the world and the renderer allocate for it
            raise OptionError(f"--size: {why}")
        first_target = args.enemies if args.mode == "hold" else args.step
        most = args.enemies if args.mode == "hold" else args.limit
        self.world = self.world_factory(stress_config(WorldConfig(), first_target, most),
                                        args.seed)
        self.world.install(app.scheduler)
        # The census runs right after the wave director: the horde each tick simulates.
        app.scheduler.insert_after("waves", "stress.census", self._census)
        for name, system in self.extra_systems:
            app.scheduler.add(name, system)
        self.profiler = Profiler()
        if getattr(args, "trace_allocations", False):
            # From the start: the warm-up then warms tracemalloc's own tables too.
            self.profiler.set_tracing(True)
        self.horde = attach(app, self.world, profiler=self.profiler,
                            dashboard=not args.no_dashboard,
                            bracket_ticks=True, screenshot=self._dashboard_screenshot,
                            # The stock sprites at their sheet sizes, untinted: the look (and
                            # the raster load) the baselines were measured with.
                            viewport=(args.width, args.height), tiers=DEFAULT_TIERS)
        self.renderer = self.horde.renderer
        self.pools = list(self.world.pools())  # PoolStats of every pool
        # The recorder's hooks frame everything else: last frame-end hook, first shutdown
        # hook (before the profiler closes).
        app.frame_end_hooks.append(self._frame_end)
        app.shutdown_hooks.insert(0, self._on_shutdown)
        self.tier_names = [t.name for t in self.world.config.tiers]
        self.pool_names = [str(p.name) for p in self.pools]
        self.recorder = Recorder(recorder_capacity(args), len(self.tier_names),
                                 len(self.pool_names))
        info = app.ctx.info
        self.gl_renderer = str(info.get("GL_RENDERER", "unknown"))
        self.gl_version = str(info.get("GL_VERSION", "unknown"))
        self._loaded = False
        self.marks = np.zeros(6, dtype=np.int64)
        self.actions = UserActions(self.profiler, self._shot_path, self.say)
        """User actions: events of the run (``engine.acceptance.actions``)."""
        app.resize_hooks.append(self._on_resize)
        self.cal_ns = np.zeros(self.recorder.capacity // CAL_EVERY + 2, dtype=np.int64)
        # Counters of the hold in int64 cells, not Python ints: the calibration count passes
        # 256 in a long hold, and the census values alias the store's live count (see
        # ``readings.snapshot``); either would be a block of growth the hold's reading counts.
        self.cal_n = np.zeros(1, dtype=np.int64)
        self._cal_countdown = CAL_EVERY
        self.census = np.zeros(3, dtype=np.int64)
        """Hold: fewest and most live enemies in a tick, fewest at a frame end."""
        self.int_census = IntCensus(int_objects(self.world, self.extra_systems))
        self.args.report.parent.mkdir(parents=True, exist_ok=True)
        self._start_level(first_target, args.duration if args.mode == "hold" else args.window)

    # ------------------------------------------------------------------ levels
    def _start_level(self, target: int, window_s: float) -> None:
        sim_ns = self.app.scheduler.sim_time_ns
        self.level = Level(target=target, window_s=window_s, index=len(self.levels),
                           start_sim_ns=sim_ns)
        self.levels.append(self.level)
        self.world.config.waves.max_enemies = target
        self.machine.start_level(self.level.index, target, window_s, sim_ns)
        live = int(self.world.enemies.count)
        if live > target:
            self._despawn_excess(live - target)

    def _despawn_excess(self, n: int) -> None:
        """Mark the last ``n`` live enemies for removal (--max bisection going down); the
        deaths system flushes them at its point of the tick."""
        store = self.world.enemies
        mask = np.zeros(store.count, dtype=bool)
        mask[store.count - n:] = True
        store.kill_rows(mask)

    # ------------------------------------------------------------------ hooks
    def _census(self, dt: float) -> None:
        """System after ``waves``: the fewest and most live enemies a tick of the hold
        simulated (kills of the tick are flushed later, by ``deaths``). Allocates nothing."""
        if self.machine.phase == HOLD:
            live = self.world.enemies.count
            census = self.census
            if live < census[_HOLD_MIN]:
                census[_HOLD_MIN] = live
            if live > census[_HOLD_MAX]:
                census[_HOLD_MAX] = live

    def _frame_end(self) -> None:
        """Last frame-end hook: the meter's CPU frame time, the raster wait, one record, the
        phase machine.

        Allocation contract: after warm-up, writes into the recorder's preallocated array and
        retains nothing, except at phase changes (snapshots, prints: once per phase).
        """
        t_end = time.perf_counter_ns()
        meter = self.profiler.meter
        cpu_ms = meter.cpu_ms.last()  # the one CPU frame time (FrameMeter.cpu_ms)
        self.app.ctx.finish()
        finish_ms = (time.perf_counter_ns() - t_end) * 1e-6
        machine = self.machine
        phase = machine.phase
        if phase == HOLD:
            # One calibration repeat every CAL_EVERY frames, after the frame's measurements:
            # timed under the load the frames run under.
            self._cal_countdown -= 1
            cal_n = self.cal_n
            if self._cal_countdown <= 0 and cal_n[0] < self.cal_ns.shape[0]:
                self._cal_countdown = CAL_EVERY
                self.cal_ns[cal_n[0]] = self.cal_work.time_once()
                cal_n += 1
        sim_ns = self.app.scheduler.sim_time_ns
        live = self.world.enemies.count
        i = self.recorder.take()
        if i >= 0:
            row = self.recorder.data[i]
            row[C_FRAME] = self.app.frame
            row[C_WALL] = t_end
            row[C_SIM] = sim_ns * 1e-9
            row[C_PHASE] = phase
            row[C_LEVEL] = self.level.index if self.level is not None else -1
            row[C_CPU] = cpu_ms
            row[C_FULL] = cpu_ms + finish_ms
            row[C_RSS] = meter.rss_bytes * 1e-6
            row[C_BLOCKS] = meter.blocks_since_warmup
            row[C_LIVE] = live
            row[C_STEP] = meter.step_ms.last()
            k = N_FIXED
            row[k:k + self.recorder.n_tiers] = self.world.stats.enemies_by_tier
            k += self.recorder.n_tiers
            for p in self.pools:
                row[k] = p.in_use / p.capacity if p.capacity else 0.0
                k += 1
        if not self._loaded:
            # Loading ends with the first frame (shaders, atlas, fonts, scenes): a full
            # collection, then freeze, so later collections do not traverse what it loaded.
            self._loaded = True
            self.profiler.gc_policy.after_loading()
        level = self.level
        if level is None or phase == DONE:
            return
        if phase == HOLD and live < self.census[_END_MIN]:
            self.census[_END_MIN] = live

        high_water = 0
        if phase == RAMP:
            # The ramp is stable when no pool sets a new high-water mark and no instance
            # batch of the renderer grows (its reallocations): a batch that doubles in the
            # hold is tracked objects and blocks the hold's criteria fail.
            for p in self.pools:
                high_water += p.high_water
            high_water += self.renderer.stats.reallocations
        event = machine.advance(sim_ns, live, high_water)
        if event == HOLD_END:
            self._end_window()
        elif event == RAMP_DONE:
            self._ramp_done(level, sim_ns, live)
        elif event == HOLD_START:
            self._start_window(level)
        elif phase == HOLD and self.args.mode == "hold" and t_end >= self._next_progress_ns:
            self._next_progress_ns = t_end + PROGRESS_NS
            held = machine.held_ns(sim_ns) * 1e-9
            self.say(f"hold {held:.0f}/{level.window_s:g} s simulated, {live} live, "
                     f"CPU frame {cpu_ms:.1f} ms")

    def _ramp_done(self, level: Level, sim_ns: int, live: int) -> None:
        level.ramp_done_sim_ns = sim_ns
        why = ("" if self.machine.reached else " (TIMED OUT: " + (
            "target not live)" if live < level.target else "pools still growing)"))
        self.say(f"ramp done: {live}/{level.target} enemies, pools and batches stable for "
                 f"{self.machine.stable_for_ns(sim_ns) * 1e-9:.1f} s, at {sim_ns * 1e-9:.1f} s "
                 f"simulated{why}; young GC collect + freeze, settling")
        # Not a full collection: that would empty CPython's free lists (floats above all),
        # and the hold would watch them refill from the game's rarer bursts, a block at a
        # time, as growth. The full collection ran after loading (the first frame).
        self.profiler.gc_policy.freeze_survivors()
        # And at the end of it, the float free list as full as a long-running game keeps it
        # (what that hides: engine/profiler/steady_state.py).
        from engine.profiler import fill_float_free_list

        fill_float_free_list()
        self.profiler.snapshot_allocations()  # with tracing: the base of the sites report

    def _start_window(self, level: Level) -> None:
        # The window is combat: the GC policy raises its thresholds and a gen2 collection is
        # a spike (it ends in _close_window). Before the start readings: entering keeps the
        # previous thresholds (a tuple) until it leaves.
        self.profiler.set_combat(True)
        self.census.fill(self.world.enemies.count)
        self._next_progress_ns = time.perf_counter_ns() + PROGRESS_NS
        self.say(f"hold phase: {level.target} enemies for {level.window_s:g} s simulated, "
                 f"from {self.app.scheduler.sim_time_ns * 1e-9:.1f} s")
        level.hold_start = snapshot(self.pools, self.app, self.profiler, self.world)
        self.actions.prepare(self.app.target)  # before the readings
        if getattr(self.args, "trace", None) is not None and self.profiler.trace is None:
            # The hold's frames (the first level's, for --ramp/--max), made before the readings.
            fps = 60.0 if self.args.benchmark else 240.0
            self.profiler.start_trace(int(min(level.window_s * fps, 200_000)) + 600)
        self.int_census.read(self.int_census.start)
        # Last before the readings: the meter's since-warm-up blocks and gen0 sums then count
        # from the same moment as the hold's (the dashboard shows the criterion's figure).
        self.profiler.mark_warmup_end()
        read_marks(self.marks, M_START)

    def _close_window(self, level: Level) -> None:
        """Read the end counters of the window and evaluate it (once)."""
        read_marks(self.marks, M_END)
        self.int_census.read(self.int_census.end)
        level.in_combat = self.profiler.in_combat
        self.profiler.set_combat(False)  # after the end readings
        level.hold_end = snapshot(self.pools, self.app, self.profiler, self.world)
        read_collections(level, self.marks, self.profiler)
        # After every reading (a snapshot may trigger a collection), before the evaluation
        # (whose imports would be growth too).
        self.sites_at_end = self.profiler.allocation_sites(10)
        self.actions.flush()
        self._evaluate(level)

    def _close_summary(self) -> None:
        self.summary_at_close = summary = self.profiler.summary(sites=False)
        alloc = summary["alloc"]
        if isinstance(alloc, dict):
            alloc["sites_since_warmup"] = self.sites_at_end
        path = getattr(self.args, "trace", None)
        if path is not None and self.profiler.trace is not None:
            try:  # a trace must not lose the report
                self.profiler.write_trace(path)
                self.say(f"trace: {path}")
            except OSError as exc:
                self.say(f"trace failed: {type(exc).__name__}: {exc}")

    def _end_window(self) -> None:
        level = self.level
        assert level is not None and level.hold_start is not None
        self._close_window(level)
        if self.search is None:
            self._close_summary()
            self._finish()
            return
        self._next_level(level)

    def _finish(self) -> None:
        self.machine.finish()
        self.finished = True
        self._take_screenshot()
        self.app.request_close("max_frames")

    def _take_screenshot(self) -> None:
        if self.window_lost:  # reading a destroyed window's framebuffer crashes the driver
            self.say("screenshot skipped: the window is gone")
            return
        path = self.args.report.with_name(self.args.report.stem + "_screenshot.png")
        try:
            self.screenshot_path = self.renderer.screenshot(path)
        except Exception as exc:  # a screenshot must not lose the report
            self.say(f"screenshot failed: {type(exc).__name__}: {exc}")

    def _dashboard_screenshot(self) -> None:
        """The dashboard's Screenshot button (``actions.UserActions.screenshot``)."""
        self.actions.screenshot(self.app.target, self.renderer, self.machine.phase == HOLD)

    def _shot_path(self, t_ns: int) -> Path:
        stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(t_ns / 1e9))
        return self.args.report.with_name(f"{self.args.report.stem}_dash_{stamp}.png")

    def _on_resize(self, width: int, height: int) -> None:
        self.actions.log("resize")

    def _on_shutdown(self) -> None:
        """First shutdown hook (GL and the profiler still alive): close a window cut short."""
        level = self.level
        if self.finished or level is None:
            return
        self.actions.log("close")
        self.ended_in = PHASES[self.machine.phase]
        if self.machine.phase == HOLD and level.hold_start is not None \
                and level.hold_end is None:
            self._close_window(level)
        self._take_screenshot()
        self.machine.finish()
        self._close_summary()

    # ------------------------------------------------------------------ search (--ramp/--max)
    def _next_level(self, level: Level) -> None:
        args = self.args
        assert self.search is not None
        if args.mode == "ramp":
            failed = [r.name for r in level.results if r.verdict == "FAIL"]
            self.say(f"level {level.target}: " + ("PASS" if not failed
                                                  else "FAIL (" + ", ".join(failed) + ")"))
        else:
            p50 = level.measurements.get("frame_cpu_p50_ms")
            p99 = level.measurements.get("frame_cpu_p99_ms")
            self.say(f"level {level.target}: CPU frame p50 {p50:.2f} ms, p99 {p99:.2f} ms -> "
                     + ("within" if level.passed else "over") + " budget")
        nxt = self.search.next_target(level.target, level.passed)
        if nxt is None:
            self._finish()
            return
        self._start_level(nxt, args.window)

    # ------------------------------------------------------------------ evaluation
    def _evaluate(self, level: Level) -> None:
        from engine.acceptance.criteria import evaluate, overall_passed

        crossings, level.crossed = self.int_census.crossings()
        level.measurements = measurements(self, level, crossings)
        crit = criteria_for(self.args.mode, self.pool_names, level.crossed, FRAME_BUDGET_MS)
        level.measurements.update(profiler_measurements(self.profiler,
                                                        int(self.actions.counts.sum())))
        level.results = evaluate(crit, level.measurements)
        level.passed = overall_passed(level.results)
