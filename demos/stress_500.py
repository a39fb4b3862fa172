#!/usr/bin/env python3
"""Stress 500: the engine's acceptance run.

Ramps a horde to the target, holds it for the whole duration and ends with a pass/fail table:

  enemies sustained >= target in every tick of the hold,
  memory (RSS) growth after warm-up < 50 MB,
  engine CPU frame time p50 and p99 < 16 ms,
  no GC spike and no GC collection during the hold, no GC-tracked object retained by it,
  net allocated blocks growth over the hold <= 2, raw (the engine keeps its counters in int64
  cells, so a counter passing 256 costs nothing; a plain int attribute of the world that still
  does is named in an INFO row), gen0 count growth 0 (engine/acceptance/criteria.py says why),
  >= 95 % slot reuse in every pool that churns, no ring overflow, no refused spawn,
  and the full simulated duration reached.

The CPU frame time is the engine's own work: fixed steps + pack/upload/submit + dashboard +
profiler, without waiting for the rasteriser. Each frame then waits for it (ctx.finish()) and
the full frame time is recorded beside it, reported as INFO: on a machine without a GPU, Mesa
llvmpipe rasterises on the same CPU cores, and the table says so. Vsync is off.

The horde: three enemy tiers from the first second, an immortal autopilot player (drawn as a
knight, with a faint ring at each melee swing) with melee and an auto-aimed weapon, two bosses
(demos/scenes/brute.toml, spitter.toml) entering during the ramp, hit and death particles.

Phases: a full GC collection + freeze after the first frame (loading), ramp (at least --warmup
seconds, until the target is live and no pool has reached a new high-water mark for 3 s), a
young GC collection + freeze, 1 s of settling, then the hold (--duration seconds of simulated
time, measured, with the profiler's combat flag on). The run never ends early on its own: a
closed window, Escape or Ctrl-C still writes the report, marked partial, and the exit code is 1.

Outputs beside --report: the JSON report (written atomically), PNG plots (frame time, memory,
enemies by tier, GC, pools) and a final screenshot. Compare a report with a baseline with
tools/compare_baseline.py; draw the plots again with tools/plot_report.py.

Exit codes: 0 every criterion passed (--ramp: no level up to --enemies failed; --max: the
largest N in budget is >= --enemies); 1 a criterion failed, or the run was partial or broke;
2 bad command-line input.
"""

from __future__ import annotations

import argparse
import gc
import math
import sys
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

import numpy as np  # noqa: E402

PROG = "stress_500.py"
SETTLE_S = 1.0
"""Simulated seconds between the end of the ramp (young GC collection + freeze) and the start of a
measured window."""
CAL_EVERY = 30
"""Frames of the hold between two interleaved calibration repeats."""
STABLE_S = 3.0
"""Simulated seconds without a new high-water mark in any pool that end the ramp."""

STEP_HZ = 30.0
BOSS_SCENE_DIR = ROOT / "demos" / "scenes"
BOSSES = ((1.0, "brute"), (2.0, "spitter"))
"""(simulated second, scene) of the bosses that enter during the ramp."""
"""Fixed simulation steps per second."""
FRAME_BUDGET_MS = 16.0
PROGRESS_NS = 10_000_000_000
"""Wall-clock interval of the progress line during the hold."""


# ----------------------------------------------------------------------------- command line

class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # one clear line, exit 2 (no usage dump)
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """The command line; its help is the documentation of the run."""
    parser = _Parser(
        prog=PROG,
        description=__doc__.split("\n\n")[0].strip() + "\n\n" + "\n\n".join(
            __doc__.split("\n\n")[1:]).strip(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Examples:\n"
               "  python demos/stress_500.py                      # the acceptance run\n"
               "  python demos/stress_500.py --benchmark --headless --duration 10\n"
               "  python demos/stress_500.py --ramp --headless     # first N that fails\n"
               "  python demos/stress_500.py --max --headless      # largest N in budget\n",
    )
    parser.add_argument("--enemies", type=int, default=500, metavar="N",
                        help="enemies to sustain during the hold (default: %(default)s)")
    parser.add_argument("--duration", type=float, default=60.0, metavar="S",
                        help="seconds of simulated time the hold lasts (default: %(default)s)")
    parser.add_argument("--warmup", type=float, default=5.0, metavar="S",
                        help="least simulated seconds of ramp before the hold; the ramp ends "
                             "once this has passed, the target is live and the pools' "
                             "high-water marks have been stable for 3 s (default: %(default)s)")
    parser.add_argument("--ramp-timeout", type=float, default=60.0, metavar="S",
                        help="simulated seconds the ramp waits beyond --warmup for the target "
                             "and stable pools before the hold starts anyway (default: "
                             "%(default)s)")
    parser.add_argument("--seed", type=int, default=1, metavar="N",
                        help="random seed of the world and the app (default: %(default)s)")
    parser.add_argument("--headless", action="store_true",
                        help="render offscreen (EGL) even when a display exists; without a "
                             "display the run is headless anyway")
    parser.add_argument("--benchmark", action="store_true",
                        help="fixed frame time (1/60 s per frame, whatever the wall clock) and "
                             "a seeded RNG: the same simulation on every machine")
    parser.add_argument("--report", type=Path, default=Path("reports/stress_500.json"),
                        metavar="PATH",
                        help="JSON report path; plots (<stem>_*.png) and the screenshot "
                             "(<stem>_screenshot.png) go beside it (default: %(default)s)")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--ramp", action="store_true",
                      help="raise the target by --step every --window seconds and report the "
                           "first N at which any criterion fails")
    mode.add_argument("--max", action="store_true",
                      help="find the largest N whose CPU frame time p50 and p99 stay under "
                           "16 ms (doubling, then bisection to --step)")
    parser.add_argument("--step", type=int, default=1000, metavar="N",
                        help="--ramp/--max: enemies added per level, and the resolution of "
                             "--max (default: %(default)s)")
    parser.add_argument("--window", type=float, default=2.0, metavar="S",
                        help="--ramp/--max: simulated seconds measured at each level "
                             "(default: %(default)s)")
    parser.add_argument("--limit", type=int, default=20000, metavar="N",
                        help="--ramp/--max: the largest N tried (default: %(default)s)")
    parser.add_argument("--max-frames", type=int, default=None, metavar="N",
                        help="stop after N frames, finished or not (a shorter run is "
                             "reported as partial)")
    parser.add_argument("--no-dashboard", action="store_true",
                        help="run without the ImGui dashboard (its UI build is otherwise part "
                             "of the CPU frame time)")
    parser.add_argument("--size", default="1280x720", metavar="WxH",
                        help="framebuffer size (default: %(default)s)")
    parser.add_argument("--quiet", action="store_true", help="print only the final table")
    return parser


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Parse and validate; bad input exits with one line on stderr and code 2."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.enemies <= 0:
        parser.error(f"--enemies must be a positive integer, got {args.enemies}")
    for name in ("duration", "window"):
        value = getattr(args, name)
        if not math.isfinite(value) or value <= 0:
            parser.error(f"--{name} must be a positive number of seconds, got {value}")
    for name in ("warmup", "ramp_timeout"):
        value = getattr(args, name)
        if not math.isfinite(value) or value < 0:
            parser.error(f"--{name.replace('_', '-')} must be >= 0 seconds, got {value}")
    if args.seed < 0:
        parser.error(f"--seed must be >= 0, got {args.seed}")
    if args.step <= 0:
        parser.error(f"--step must be a positive integer, got {args.step}")
    if args.limit < args.step:
        parser.error(f"--limit must be >= --step ({args.step}), got {args.limit}")
    if args.max_frames is not None and args.max_frames <= 0:
        parser.error(f"--max-frames must be a positive integer, got {args.max_frames}")
    from engine.core import AppConfig
    try:
        args.width, args.height = AppConfig.parse_size(args.size)
    except ValueError as exc:
        parser.error(f"--{exc}")
    if args.report.suffix != ".json":
        parser.error(f"--report must name a .json file, got {str(args.report)!r}")
    args.mode = "ramp" if args.ramp else "max" if args.max else "hold"
    return args


def say(args: argparse.Namespace, text: str) -> None:
    if not args.quiet:
        print(f"stress_500: {text}", flush=True)


# ----------------------------------------------------------------------------- the recorder

# Columns of the per-frame record (the tier and pool columns follow these).
(_C_FRAME, _C_WALL, _C_SIM, _C_PHASE, _C_LEVEL, _C_CPU, _C_FULL, _C_RSS, _C_BLOCKS, _C_LIVE,
 _C_STEP) = range(11)
_N_FIXED = 11
_M_START, _M_END = 0, 3
"""Offsets in ``StressRun.marks``: blocks, gen0 count, young tracked objects."""
PHASES = ("ramp", "settle", "hold", "done")
_RAMP, _SETTLE, _HOLD, _DONE = range(4)
_HOLD_MIN, _HOLD_MAX, _END_MIN = range(3)
"""Cells of ``StressRun.census``."""


class Recorder:
    """Per-frame samples in one float64 array allocated before the run.

    When the array is full, every other row is dropped and the stride doubles (a uniform
    subsample). Allocation contract of ``take`` (with the caller's writes into ``data``):
    allocates nothing, except a compaction's copy of half the array (transient; once per
    doubling, so at most a handful of times in any run).
    """

    def __init__(self, capacity: int, n_tiers: int, n_pools: int) -> None:
        self.n_tiers = n_tiers
        self.n_pools = n_pools
        self.data = np.full((capacity, _N_FIXED + n_tiers + n_pools), np.nan)
        self.capacity = capacity
        self.n = 0
        self.stride = 1
        self._skip = 0

    def take(self) -> int:
        """The row to write this frame, or -1 when this frame is skipped by the stride."""
        if self._skip:
            self._skip -= 1
            return -1
        self._skip = self.stride - 1
        if self.n == self.capacity:
            half = self.capacity // 2
            self.data[:half] = self.data[0:self.capacity:2].copy()
            self.data[half:] = np.nan
            self.n = half
            self.stride *= 2
            self._skip = self.stride - 1
        i = self.n
        self.n += 1
        return i

    def rows(self) -> np.ndarray:
        return self.data[:self.n]


# ----------------------------------------------------------------------------- one level

@dataclass
class Snapshot:
    """Counters at the start or end of a measured window (the allocation counters are in
    ``StressRun.marks``, read without making objects that outlive the reading).

    ``counts`` is an int64 array: per pool (in ``StressRun.pools`` order) acquires, reuses,
    refusals and growths, then the frame, the simulated ns, the wall ns and the RSS. An array,
    not ints and a dict of tuples: the start snapshot lives through the hold, and whatever it
    keeps must neither alias a counter's live int (which would keep that int alive after the
    counter moves on) nor come from CPython's free lists (a dict and four tuples taken from
    them were two blocks and two gen0 counts of refill in the hold's first frame, measured).
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
    """Plain int attributes of the world that passed 256 during the window (see
    ``_small_int_crossings``): none while the engine keeps its counters in int64 cells."""
    in_combat: bool = False
    """Whether the profiler's combat flag was on at the end of the window."""
    measurements: dict[str, Any] = field(default_factory=dict)
    results: list[Any] = field(default_factory=list)
    passed: bool = False


# ----------------------------------------------------------------------------- the run

class StressRun:
    """The engine wired for the stress run: App + World + Renderer + Profiler + recorder."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.started_wall = time.perf_counter_ns()
        self.phase = _RAMP
        self.levels: list[Level] = []
        self.level: Level | None = None
        self.finished = False  # the whole plan (hold, or the search) completed
        self.ended_in: str | None = None  # the phase a run cut short was in
        self.screenshot_path: Path | None = None
        self.error: str | None = None
        self._next_progress_ns = 0
        self.search_good: int | None = None
        self.search_bad: int | None = None

    # ------------------------------------------------------------------ building
    def build(self) -> None:
        from engine.acceptance.calibration import CalibrationWorkload, measure_calibration
        from engine.combat import BossWave, World, WorldConfig
        from engine.core import App, AppConfig
        from engine.profiler import Profiler
        from engine.render import Renderer

        args = self.args
        self.calibration = measure_calibration()
        self.cal_work = CalibrationWorkload()
        say(args, f"calibration workload: {self.calibration.median_ns / 1e6:.3f} ms (median)")
        self.app = App(AppConfig(width=args.width, height=args.height,
                                 title=f"horde engine - stress {args.enemies}", vsync=False,
                                 headless=True if args.headless else None,
                                 step_hz=STEP_HZ, benchmark=args.benchmark, seed=args.seed))
        app = self.app
        first_target = args.enemies if args.mode == "hold" else args.step
        self.world = World(self._world_config(WorldConfig, BossWave, first_target),
                           seed=args.seed)
        self.world.install(app.scheduler)
        # The census runs right after the wave director: the horde each tick simulates.
        app.scheduler.insert_after("waves", "stress.census", self._census)
        self.renderer = Renderer(app.ctx, target=lambda: app.target,
                                 viewport=(args.width, args.height))
        self._wire_renderer()
        app.render_hooks.append(self.renderer.render_hook)
        app.resize_hooks.append(self.renderer.resize)
        self.profiler = Profiler()
        self.pools = list(self.world.pools())  # PoolStats of every pool
        for stats in self.pools:
            self.profiler.watch_pool(stats)
        for ring in self.world.rings():
            self.profiler.watch_ring(ring)
        self.profiler.watch_render(self.renderer.stats)
        self.profiler.watch_combat(self.world.stats)
        self.profiler.attach(app, dashboard=not args.no_dashboard, bracket_ticks=True,
                             screenshot=self._dashboard_screenshot)
        # The recorder's hooks frame everything else: first render hook, last frame-end hook,
        # first shutdown hook (before the profiler closes).
        app.render_hooks.insert(0, self._render_start)
        app.frame_end_hooks.append(self._frame_end)
        app.shutdown_hooks.insert(0, self._on_shutdown)
        self.tier_names = [t.name for t in self.world.config.tiers]
        self.pool_names = [str(p.name) for p in self.pools]
        self.recorder = Recorder(self._capacity(), len(self.tier_names), len(self.pool_names))
        info = app.ctx.info
        self.gl_renderer = str(info.get("GL_RENDERER", "unknown"))
        self.gl_version = str(info.get("GL_VERSION", "unknown"))
        self._t_render0 = 0
        self._rendered = False
        self._loaded = False
        self.marks = np.zeros(6, dtype=np.int64)
        self.cal_ns = np.zeros(self.recorder.capacity // CAL_EVERY + 2, dtype=np.int64)
        # Counters of the hold in int64 cells, not Python ints: the calibration count passes
        # 256 in a long hold, and the census values alias the store's live count (see
        # ``_snapshot``); either would be a block of growth the hold's reading counts.
        self._cal_n = np.zeros(1, dtype=np.int64)
        self._cal_countdown = CAL_EVERY
        self.census = np.zeros(3, dtype=np.int64)
        """Hold: fewest and most live enemies in a tick, fewest at a frame end."""
        self._high_water = -1
        self._high_water_ns = 0
        self._counters = self._int_counters()
        self._counters_at_start = np.zeros(len(self._counters), dtype=np.int64)
        self._counters_at_end = np.zeros(len(self._counters), dtype=np.int64)
        self.args.report.parent.mkdir(parents=True, exist_ok=True)
        self._start_level(first_target, args.duration if args.mode == "hold" else args.window)

    def _world_config(self, config_cls: Any, wave_cls: Any, target: int) -> Any:
        cfg = config_cls()
        most = self.args.enemies if self.args.mode == "hold" else self.args.limit
        cfg.enemy_capacity = max(cfg.enemy_capacity, 2 * most)
        waves = cfg.waves
        # A fast, progressive ramp: the target is reached in a few simulated seconds.
        waves.start_rate = 200.0
        waves.max_rate = 4000.0
        waves.ramp_seconds = 10.0
        waves.max_enemies = target
        # Every tier from the first second, so the hold meets no tier (and no batch) for the
        # first time: what the warm-up has not seen, it has not warmed.
        n_tiers = len(cfg.tiers)
        mix = tuple([0.6, 0.3, 0.1][:n_tiers]) if n_tiers <= 3 else tuple([1.0] * n_tiers)
        waves.tier_mix = ((0.0, mix),)
        # Two bosses walk in during the ramp and stay through the hold: their scenes, pool,
        # projectiles and sprites are part of the measured frame.
        cfg.bosses = tuple(wave_cls(time=t, scene=str(BOSS_SCENE_DIR / f"{name}.toml"))
                           for t, name in BOSSES)
        cfg.player.immortal = True
        cfg.player.autopilot = True
        return cfg

    def _wire_renderer(self) -> None:
        r = self.renderer
        w = self.world
        r.set_enemy_source(w.enemies)
        r.set_projectile_source(w.projectiles)
        r.set_particle_source(w.particles)
        slots = w.bosses.slots
        r.set_boss_source(lambda sprites: sprites.add_from(slots))
        stats = w.stats
        r.set_player_source(w.player, swings=lambda: stats.melee_swings,
                            swing_radius=w.config.melee.radius)

    def _capacity(self) -> int:
        args = self.args
        if args.mode == "hold":
            total_s = args.warmup + args.ramp_timeout + SETTLE_S + args.duration + 2.0
        else:
            levels = args.limit // args.step + 8
            total_s = levels * (args.window + SETTLE_S + 10.0)
        fps = 60.0 if args.benchmark else 240.0
        return int(min(total_s * fps, 200_000)) + 1024

    # ------------------------------------------------------------------ levels
    def _start_level(self, target: int, window_s: float) -> None:
        self.level = Level(target=target, window_s=window_s, index=len(self.levels),
                           start_sim_ns=self.app.scheduler.sim_time_ns)
        self.levels.append(self.level)
        self.world.config.waves.max_enemies = target
        self.phase = _RAMP
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

    def _int_counters(self) -> list[tuple[str, Any, str]]:
        """``(label, object, attribute)`` of every plain int attribute of the world's stats,
        player, pools, rings, systems and boss slots.

        The engine keeps its counters in int64 cells (``engine.data.counters``: descriptors,
        not instance attributes), so this finds only constants (a capacity, a config value, a
        boss's slot index); a plain-int counter added back is found here and named by
        ``_small_int_crossings`` if it passes 256 during the hold."""
        w = self.world
        objs: list[tuple[str, Any]] = [("stats", w.stats), ("player", w.player)]
        objs += [(f"pool {p.name}", p) for p in w.pools()]
        objs += [(f"ring {r.name}", r) for r in w.rings()]
        objs += [(f"system {name}", fn) for name, fn in w.systems()]
        objs += [(f"boss slot {i}", b) for i, b in enumerate(w.bosses.slots)]
        out = []
        for label, obj in objs:
            names = list(getattr(obj, "__dict__", {}))
            names += [n for cls in type(obj).__mro__ for n in getattr(cls, "__slots__", ())]
            for attr in names:
                # High-water marks are maxima, not counters: the ramp's stability rule is
                # about them.
                if attr != "high_water" and type(getattr(obj, attr, None)) is int:
                    out.append((label, obj, attr))
        return out

    def _read_counters(self, out: np.ndarray) -> None:
        """The world's int counters into ``out`` (int64; no int outlives the reading)."""
        for j, (_, obj, attr) in enumerate(self._counters):
            out[j] = getattr(obj, attr)

    def _small_int_crossings(self) -> tuple[int, list[str]]:
        """Plain int attributes of the world that left (or re-entered) CPython's small-int
        cache over the hold.

        A plain int counter that passes 256 holds a heap int of its own from then on: one
        allocated block, once, that the hold's raw blocks reading counts. The engine's
        counters are int64 cells and never do; this names any that are not (information: the
        blocks row judges the raw count): the net count of int objects (a counter falling
        back below 257 frees its int), and the names of those that left. Called right after
        the end reading, while the attributes still hold the objects it read.
        """
        from engine.profiler import SMALL_INT_MAX

        start, end = self._counters_at_start, self._counters_at_end
        cached_start = (start >= -5) & (start <= SMALL_INT_MAX)
        cached_end = (end >= -5) & (end <= SMALL_INT_MAX)
        left = cached_start & ~cached_end
        names = []
        owned: set[int] = set()
        for j, (label, obj, attr) in enumerate(self._counters):
            if left[j]:
                names.append(f"{label}.{attr}")
                # Counters that share one int object (a ring's pushed, drained and head move
                # together and may be one object) hold one block between them.
                owned.add(id(getattr(obj, attr)))
        net = len(owned) - int((cached_end & ~cached_start).sum())
        return net, names

    def _snapshot(self) -> Snapshot:
        """The counters now, copied into an array (see ``Snapshot``)."""
        pools = self.pools
        counts = np.zeros(4 * len(pools) + 4, dtype=np.int64)
        for k, p in enumerate(pools):
            counts[4 * k] = p.acquires
            counts[4 * k + 1] = p.reuses
            counts[4 * k + 2] = p.refusals
            counts[4 * k + 3] = p.growths
        counts[-4] = self.app.frame
        counts[-3] = self.app.scheduler.sim_time_ns
        counts[-2] = time.perf_counter_ns()
        counts[-1] = self.profiler.meter.rss.read()
        overflows = 0
        for r in self.world.rings():
            overflows += int(r.overflows)
        refusals = int(counts[2:4 * len(pools):4].sum())
        return Snapshot(counts=counts, ring_overflows=overflows, refusals=refusals)

    def _read_marks(self, base: int) -> None:
        """Young tracked objects, gen0 count and allocated blocks into ``marks[base:base+3]``.

        The readings go into a preallocated int64 array: the int each call returns is freed
        at once, so no reading outlives itself (a kept ``sys.getallocatedblocks()`` result is
        one block that the next reading would count). After ``gc.freeze()``,
        ``gc.get_objects()`` lists only the young generations: cheap, and exact.
        """
        marks = self.marks
        if base == _M_START:  # the snapshot's own objects exist before these readings
            marks[base + 2] = len(gc.get_objects())
            marks[base + 1] = gc.get_count()[0]
            marks[base] = sys.getallocatedblocks()
        else:  # and after them
            marks[base] = sys.getallocatedblocks()
            marks[base + 1] = gc.get_count()[0]
            marks[base + 2] = len(gc.get_objects())

    # ------------------------------------------------------------------ hooks
    def _census(self, dt: float) -> None:
        """System after ``waves``: the fewest and most live enemies a tick of the hold
        simulated (kills of the tick are flushed later, by ``deaths``). Allocates nothing."""
        if self.phase == _HOLD:
            live = self.world.enemies.count
            census = self.census
            if live < census[_HOLD_MIN]:
                census[_HOLD_MIN] = live
            if live > census[_HOLD_MAX]:
                census[_HOLD_MAX] = live

    def _render_start(self, alpha: float) -> None:
        """First render hook: the start of the frame's render work. Allocates nothing."""
        self._t_render0 = time.perf_counter_ns()
        self._rendered = True

    def _frame_end(self) -> None:
        """Last frame-end hook: CPU time, raster wait, one record, the phase machine.

        Allocation contract: after warm-up, writes into the recorder's preallocated array and
        retains nothing, except at phase changes (snapshots, prints: once per phase).
        """
        t_end = time.perf_counter_ns()
        meter = self.profiler.meter
        step_ns = meter.step_ms.last() * 1e6
        cpu_ns = step_ns + (t_end - self._t_render0 if self._rendered else 0)
        self._rendered = False
        self.app.ctx.finish()
        finish_ns = time.perf_counter_ns() - t_end
        if self.phase == _HOLD:
            # One calibration repeat every CAL_EVERY frames, after the frame's measurements:
            # timed under the load the frames run under.
            self._cal_countdown -= 1
            cal_n = self._cal_n
            if self._cal_countdown <= 0 and cal_n[0] < self.cal_ns.shape[0]:
                self._cal_countdown = CAL_EVERY
                self.cal_ns[cal_n[0]] = self.cal_work.time_once()
                cal_n += 1
        sched = self.app.scheduler
        sim_ns = sched.sim_time_ns
        live = self.world.enemies.count
        i = self.recorder.take()
        if i >= 0:
            row = self.recorder.data[i]
            row[_C_FRAME] = self.app.frame
            row[_C_WALL] = t_end
            row[_C_SIM] = sim_ns * 1e-9
            row[_C_PHASE] = self.phase
            row[_C_LEVEL] = self.level.index if self.level is not None else -1
            row[_C_CPU] = cpu_ns * 1e-6
            row[_C_FULL] = (cpu_ns + finish_ns) * 1e-6
            row[_C_RSS] = meter.rss_bytes * 1e-6
            row[_C_BLOCKS] = meter.blocks_since_warmup
            row[_C_LIVE] = live
            row[_C_STEP] = step_ns * 1e-6
            k = _N_FIXED
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
        if level is None or self.phase == _DONE:
            return
        if self.phase == _HOLD:
            if live < self.census[_END_MIN]:
                self.census[_END_MIN] = live
            if sim_ns - level.hold_start.sim_ns >= round(level.window_s * 1e9):  # type: ignore[union-attr]
                self._end_window()
            elif self.args.mode == "hold" and t_end >= self._next_progress_ns:
                self._next_progress_ns = t_end + PROGRESS_NS
                held = (sim_ns - level.hold_start.sim_ns) * 1e-9  # type: ignore[union-attr]
                say(self.args, f"hold {held:.0f}/{level.window_s:g} s simulated, {live} live, "
                               f"CPU frame {cpu_ns * 1e-6:.1f} ms")
            return
        elapsed_s = (sim_ns - level.start_sim_ns) * 1e-9
        if self.phase == _RAMP:
            # Warm means: the target is live and no pool has reached a new high-water mark for
            # STABLE_S (the first contact of the horde with the player makes the largest
            # bursts of particles; a hold that starts before it meets fresh slots).
            high_water = 0
            for p in self.pools:
                high_water += p.high_water
            if high_water != self._high_water:
                self._high_water = high_water
                self._high_water_ns = sim_ns
            min_ramp = self.args.warmup if level.index == 0 else 0.5
            stable_s = STABLE_S if level.index == 0 else 1.0
            stable = sim_ns - self._high_water_ns >= stable_s * 1e9
            reached = live >= level.target and elapsed_s >= min_ramp and stable
            if reached or elapsed_s >= min_ramp + self.args.ramp_timeout:
                level.ramp_done_sim_ns = sim_ns
                why = ("" if reached else " (TIMED OUT: " + (
                    "target not live)" if live < level.target else "pools still growing)"))
                say(self.args, f"ramp done: {live}/{level.target} enemies, pool high-water "
                               f"marks stable for {(sim_ns - self._high_water_ns) * 1e-9:.1f} s,"
                               f" at {sim_ns * 1e-9:.1f} s simulated{why}; young GC collect + "
                               f"freeze, settling")
                # Not a full collection: that would empty CPython's free lists (floats above
                # all), and the hold would watch them refill from the game's rarer bursts, a
                # block at a time, as growth (measured: 15 of the 17 blocks such a hold grew
                # by). The full collection ran after loading (the first frame).
                self.profiler.gc_policy.freeze_survivors()
                # And at the end of it, the float free list as full as a long-running game
                # keeps it (what that hides: engine/profiler/steady_state.py).
                from engine.profiler import fill_float_free_list

                fill_float_free_list()
                self.phase = _SETTLE
            return
        if self.phase == _SETTLE and sim_ns - (level.ramp_done_sim_ns or 0) >= SETTLE_S * 1e9:
            self._start_window(level)

    def _start_window(self, level: Level) -> None:
        # The window is combat: the GC policy raises its thresholds and a gen2 collection is
        # a spike (it ends in _close_window). Before the start readings: entering keeps the
        # previous thresholds (a tuple) until it leaves.
        self.profiler.set_combat(True)
        self.census.fill(self.world.enemies.count)
        self._next_progress_ns = time.perf_counter_ns() + PROGRESS_NS
        say(self.args, f"hold phase: {level.target} enemies for {level.window_s:g} s simulated, "
                       f"from {self.app.scheduler.sim_time_ns * 1e-9:.1f} s")
        self.phase = _HOLD
        level.hold_start = self._snapshot()
        self._read_counters(self._counters_at_start)
        # Last before the readings: the meter's since-warm-up blocks and gen0 sums then count
        # from the same moment as the hold's (the dashboard shows the criterion's figure).
        self.profiler.mark_warmup_end()
        self._read_marks(_M_START)

    def _close_window(self, level: Level) -> None:
        """Read the end counters of the window and evaluate it (once)."""
        self._read_marks(_M_END)
        self._read_counters(self._counters_at_end)
        level.in_combat = self.profiler.in_combat
        self.profiler.set_combat(False)  # after the end readings
        level.hold_end = self._snapshot()
        meter = self.profiler.meter
        level.gc_by_gen = [int(c) for c in meter.gc_log.counts_since_mark]
        level.gc_collections = sum(level.gc_by_gen)
        # gc.get_count()[0] is reset by a collection; with collections in the window the
        # meter's collection-aware sum is the figure.
        level.gen0_growth = (int(self.marks[_M_END + 1] - self.marks[_M_START + 1])
                             if level.gc_collections == 0 else int(meter.gen0_since_warmup))
        level.spikes = self.profiler.spikes.counts(since_mark=True)
        level.gc_spikes = int(level.spikes.get("gc_pause", 0)
                              + level.spikes.get("gen2_in_combat", 0))
        self._evaluate(level)

    def _end_window(self) -> None:
        level = self.level
        assert level is not None and level.hold_start is not None
        self._close_window(level)
        if self.args.mode == "hold":
            self.summary_at_close = self.profiler.summary()
            self._finish(screenshot=True)
            return
        self._next_level(level)

    def _finish(self, *, screenshot: bool) -> None:
        self.phase = _DONE
        self.finished = True
        if screenshot:
            self._take_screenshot()
        self.app.request_close("max_frames")

    def _take_screenshot(self) -> None:
        path = self.args.report.with_name(self.args.report.stem + "_screenshot.png")
        try:
            self.screenshot_path = self.renderer.screenshot(path)
        except Exception as exc:  # a screenshot must not lose the report
            say(self.args, f"screenshot failed: {type(exc).__name__}: {exc}")

    def _dashboard_screenshot(self) -> None:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        path = self.args.report.with_name(f"{self.args.report.stem}_dash_{stamp}.png")
        self.renderer.screenshot(path)

    def _on_shutdown(self) -> None:
        """First shutdown hook (GL and the profiler still alive): close a window cut short."""
        level = self.level
        if self.finished or level is None:
            return
        self.ended_in = PHASES[self.phase]
        if self.phase == _HOLD and level.hold_start is not None and level.hold_end is None:
            self._close_window(level)
        self._take_screenshot()
        self.phase = _DONE
        self.summary_at_close = self.profiler.summary()

    # ------------------------------------------------------------------ search (--ramp/--max)
    def _next_level(self, level: Level) -> None:
        args = self.args
        if args.mode == "ramp":
            failed = [r.name for r in level.results if r.verdict == "FAIL"]
            say(args, f"level {level.target}: " + ("PASS" if not failed
                                                    else "FAIL (" + ", ".join(failed) + ")"))
            if failed or level.target + args.step > args.limit:
                self._finish(screenshot=True)
                return
            self._start_level(level.target + args.step, args.window)
            return
        ok = level.passed
        p50 = level.measurements.get("frame_cpu_p50_ms")
        p99 = level.measurements.get("frame_cpu_p99_ms")
        say(args, f"level {level.target}: CPU frame p50 {p50:.2f} ms, p99 {p99:.2f} ms -> "
                  + ("within" if ok else "over") + " budget")
        if ok:
            self.search_good = max(self.search_good or 0, level.target)
        else:
            self.search_bad = level.target if self.search_bad is None else min(
                self.search_bad, level.target)
        if self.search_bad is None:
            nxt = min(level.target * 2, args.limit)
            if nxt == level.target:
                self._finish(screenshot=True)
                return
            self._start_level(nxt, args.window)
            return
        good = self.search_good or 0
        mid = (good + self.search_bad) // 2 // args.step * args.step
        if mid <= good:  # bisected down to --step
            self._finish(screenshot=True)
            return
        self._start_level(mid, args.window)

    # ------------------------------------------------------------------ evaluation
    def _evaluate(self, level: Level) -> None:
        from engine.acceptance.criteria import (
            AtMost,
            Below,
            default_criteria,
            evaluate,
            overall_passed,
        )

        meas = self._measurements(level)
        level.measurements = meas
        if self.args.mode == "max":
            crit: list[Any] = [
                Below("frame time p50 (engine CPU)", "frame_cpu_p50_ms", FRAME_BUDGET_MS, "ms"),
                Below("frame time p99 (engine CPU)", "frame_cpu_p99_ms", FRAME_BUDGET_MS, "ms"),
            ]
        else:
            crit = default_criteria(self.pool_names, required_pools=("enemies",),
                                    counters_past_256=level.crossed)
            if self.args.mode == "ramp":
                # Per level: the window is short and follows a ramp; memory growth is judged
                # against the whole-run limit by the hold run, not per level.
                crit = [c for c in crit if getattr(c, "key", "") != "memory_growth_mb"]
                crit.append(AtMost("memory growth in window", "memory_growth_mb", 50.0, "MB"))
        level.results = evaluate(crit, meas)
        level.passed = overall_passed(level.results)

    def _hold_rows(self, level: Level) -> np.ndarray:
        rows = self.recorder.rows()
        sel = (rows[:, _C_LEVEL] == level.index) & (rows[:, _C_PHASE] == _HOLD)
        return rows[sel]

    def _measurements(self, level: Level) -> dict[str, Any]:
        start, end = level.hold_start, level.hold_end
        assert start is not None and end is not None
        rows = self._hold_rows(level)
        cpu = rows[:, _C_CPU]
        full = rows[:, _C_FULL]
        step = rows[:, _C_STEP]

        def pct(a: np.ndarray, q: float) -> float | None:
            return float(np.percentile(a, q)) if len(a) else None

        pools: dict[str, dict[str, Any]] = {}
        for k, stats in enumerate(self.pools):
            name = str(stats.name)
            acq0, reu0, ref0, gro0 = (int(v) for v in start.pool(k))
            acq1, reu1, ref1, gro1 = (int(v) for v in end.pool(k))
            pools[name] = {"acquires_hold": acq1 - acq0, "reuses_hold": reu1 - reu0,
                           "refusals_hold": ref1 - ref0, "growths_hold": gro1 - gro0,
                           "refusals": ref1, "growths": gro1,
                           "capacity": int(stats.capacity), "high_water": int(stats.high_water)}
        sched = self.app.scheduler
        blocks = int(self.marks[_M_END] - self.marks[_M_START])
        crossings, level.crossed = self._small_int_crossings()
        return {
            "enemies_target": level.target,
            "enemies_min_hold": int(self.census[_HOLD_MIN]),
            "enemies_max_hold": int(self.census[_HOLD_MAX]),
            "enemies_min_frame_end": int(self.census[_END_MIN]),
            "memory_growth_mb": (end.rss - start.rss) / 1e6,
            "rss_start_mb": start.rss / 1e6,
            "rss_end_mb": end.rss / 1e6,
            "frame_cpu_p50_ms": pct(cpu, 50),
            "frame_cpu_p99_ms": pct(cpu, 99),
            "frame_cpu_max_ms": float(cpu.max()) if len(cpu) else None,
            "frame_cpu_mean_ms": float(cpu.mean()) if len(cpu) else None,
            # Medians of the two populations (with 30 Hz steps at 60 frames a second, half the
            # frames run a step): the baseline compares these, not the p50 between them.
            "tick_p50_ms": pct(step[step > 0], 50),
            "render_cpu_p50_ms": pct(cpu - step, 50),
            "frame_full_p50_ms": pct(full, 50),
            "frame_full_p99_ms": pct(full, 99),
            "frame_full_max_ms": float(full.max()) if len(full) else None,
            "frames_hold": end.frame - start.frame,
            "frames_sampled_hold": len(rows),
            "gc_spikes": level.gc_spikes,
            "in_combat_hold": int(level.in_combat),  # 1: the combat flag was on
            "gc_collections_hold": level.gc_collections,
            "gc_gen0_hold": level.gc_by_gen[0],
            "gc_gen1_hold": level.gc_by_gen[1],
            "gc_gen2_hold": level.gc_by_gen[2],
            "blocks_growth_hold": blocks,
            "small_int_crossings_hold": crossings,
            # Information only (the baseline compares it): the raw count is judged.
            "blocks_growth_beyond_counters_hold": blocks - crossings,
            "gen0_growth_hold": level.gen0_growth,
            "tracked_growth_hold": int(self.marks[_M_END + 2] - self.marks[_M_START + 2]),
            "pools": pools,
            "ring_overflows": end.ring_overflows,
            "spawn_refusals": end.refusals,
            "hold_sim_s": (end.sim_ns - start.sim_ns) * 1e-9,
            "hold_wall_s": (end.wall_ns - start.wall_ns) * 1e-9,
            "duration_s": level.window_s,
            "clamp_count": int(sched.clamp_count),
            "step_cap_count": int(sched.step_cap_count),
            "kills_total": int(np.sum(self.world.stats.kills_by_tier)),
        }

    # ------------------------------------------------------------------ the report
    def series(self) -> dict[str, Any]:
        from engine.profiler import GC_GENERATIONS

        rows = self.recorder.rows()
        ser: dict[str, Any] = {
            "t_s": rows[:, _C_SIM],
            "frame_cpu_ms": rows[:, _C_CPU],
            "frame_full_ms": rows[:, _C_FULL],
            "rss_mb": rows[:, _C_RSS],
            "blocks_growth": rows[:, _C_BLOCKS],
            "enemies_live": rows[:, _C_LIVE],
            "step_ms": rows[:, _C_STEP],
            "enemies_by_tier": {name: rows[:, _N_FIXED + k]
                                for k, name in enumerate(self.tier_names)},
            "pool_utilisation": {name: rows[:, _N_FIXED + self.recorder.n_tiers + k]
                                 for k, name in enumerate(self.pool_names)},
        }
        wall = rows[:, _C_WALL]
        events = []
        log = self.profiler.meter.gc_log
        for ev in log.recent(len(log)):
            j = int(np.searchsorted(wall, ev["t_ns"])) if len(wall) else 0
            t = float(rows[min(j, len(rows) - 1), _C_SIM]) if len(rows) else 0.0
            events.append({"t_s": t, "gen": GC_GENERATIONS.index(str(ev["kind"])),
                           "pause_ms": ev["value"], "explicit": ev["flag"]})
        ser["gc_events"] = events
        phases: dict[str, float | None] = {"warmup_end_s": None, "hold_end_s": None}
        if self.levels and self.levels[0].hold_start is not None:
            phases["warmup_end_s"] = self.levels[0].hold_start.sim_ns * 1e-9
        last = self.levels[-1] if self.levels else None
        if last is not None and last.hold_end is not None:
            phases["hold_end_s"] = last.hold_end.sim_ns * 1e-9
        ser["phases"] = phases
        return ser


def _exit_reason(run: StressRun, app_reason: str | None) -> str:
    if run.finished:
        return "completed"
    return app_reason or "error"


def write_outputs(run: StressRun, app_reason: str | None) -> tuple[dict[str, Any], list[Path]]:
    """The report (atomic JSON) and the plots; returns the report and the files written."""
    from engine.acceptance.criteria import default_criteria, evaluate
    from engine.acceptance.plots import write_plots
    from engine.acceptance.report import build_report, machine_info, summarise_series, write_report

    args = run.args
    partial = not run.finished
    levels = run.levels
    chosen: Level | None = None
    if args.mode == "hold":
        chosen = levels[0] if levels else None
    elif args.mode == "ramp":
        failing = [lv for lv in levels if lv.results and not lv.passed]
        chosen = failing[0] if failing else next((lv for lv in reversed(levels) if lv.results),
                                                 None)
    else:
        good = [lv for lv in levels if lv.results and lv.passed]
        chosen = max(good, key=lambda lv: lv.target) if good else (levels[0] if levels else None)
    if chosen is not None and chosen.results:
        meas = dict(chosen.measurements)
        results = chosen.results
    else:
        meas = {"enemies_target": chosen.target if chosen else args.enemies,
                "duration_s": args.duration, "hold_sim_s": 0.0,
                "pools": {}}
        results = evaluate(default_criteria(run.pool_names if hasattr(run, "pool_names")
                                            else ()), meas)
    sim_s = run.app.scheduler.sim_time_ns * 1e-9 if hasattr(run, "app") else 0.0
    config = {"enemies": args.enemies, "duration_s": args.duration, "warmup_s": args.warmup,
              "ramp_timeout_s": args.ramp_timeout, "seed": args.seed,
              "benchmark": args.benchmark, "headless": bool(getattr(run, "headless", True)),
              "mode": args.mode, "dashboard": not args.no_dashboard,
              "size": [args.width, args.height], "step_hz": STEP_HZ,
              "settle_s": SETTLE_S, "max_frames": args.max_frames}
    if args.mode != "hold":
        config.update({"step": args.step, "window_s": args.window, "limit": args.limit})
    extra: dict[str, Any] = {
        "frame_time_criterion": "engine CPU frame time (fixed steps + render hooks + overlay "
                                "+ frame-end hooks), without waiting for the rasteriser; "
                                "frame_full_* adds ctx.finish() (llvmpipe raster on this "
                                "machine's CPUs)",
        "calibration": run.calibration.as_dict() if hasattr(run, "calibration") else None,
        "files": {},
    }
    if run.error:
        extra["error"] = run.error
    if chosen is not None and chosen.results:
        extra["counters_past_256_in_hold"] = list(chosen.crossed)
    if args.mode != "hold":
        extra[args.mode] = {
            "levels": [{"target": lv.target, "passed": lv.passed,
                        "failed": [r.name for r in lv.results if r.verdict == "FAIL"],
                        "measurements": {k: v for k, v in lv.measurements.items()
                                         if k != "pools"}}
                       for lv in levels if lv.results],
        }
        if args.mode == "ramp":
            failing = [lv for lv in levels if lv.results and not lv.passed]
            extra["ramp"]["first_failing_n"] = failing[0].target if failing else None
            extra["ramp"]["first_failing_criteria"] = (
                [r.name for r in failing[0].results if r.verdict == "FAIL"] if failing else [])
        else:
            good = [lv.target for lv in levels if lv.results and lv.passed]
            extra["max"]["largest_n_in_budget"] = max(good) if good else None
            bad = [lv.target for lv in levels if lv.results and not lv.passed]
            extra["max"]["smallest_n_over_budget"] = min(bad) if bad else None
    if hasattr(run, "summary_at_close"):
        extra["profiler"] = {k: run.summary_at_close.get(k) for k in
                             ("gc", "scheduler", "gc_policy", "budgets")}
    series = run.series() if hasattr(run, "recorder") else None
    series_summary = None
    if series is not None:
        series_summary = {k: summarise_series(series[k])
                          for k in ("frame_cpu_ms", "frame_full_ms", "rss_mb", "enemies_live")}
    if hasattr(run, "recorder"):
        extra["series_stride"] = run.recorder.stride
    report = build_report(
        config=config,
        run={"partial": partial, "exit_reason": _exit_reason(run, app_reason),
             "frames": int(run.app.frame) if hasattr(run, "app") else 0,
             "sim_time_s": sim_s,
             "wall_time_s": (time.perf_counter_ns() - run.started_wall) * 1e-9,
             "phase": run.ended_in or PHASES[run.phase]},
        measurements=meas, results=results,
        machine=machine_info(getattr(run, "gl_renderer", None), getattr(run, "gl_version", None)),
        calibration_ns=run.calibration.median_ns if hasattr(run, "calibration") else None,
        series=series, series_summary=series_summary, extra=extra)
    files: list[Path] = []
    stem = args.report.stem
    if series is not None:
        try:
            files += write_plots(report, args.report.parent, stem)
        except Exception as exc:  # plots must not lose the report
            say(args, f"plots failed: {type(exc).__name__}: {exc}")
    if run.screenshot_path is not None:
        files.append(run.screenshot_path)
    report["extra"]["files"] = {p.stem.replace(stem + "_", ""): p.name for p in files}
    write_report(args.report, report)
    return report, files


def main(argv: list[str] | None = None) -> int:
    """Run the stress test; returns the exit code."""
    args = parse_args(argv)
    from engine.acceptance.criteria import format_table
    from engine.acceptance.report import criteria_results

    run = StressRun(args)
    app_reason: str | None = None
    try:
        run.build()
        run.headless = run.app.headless
        n = args.enemies if args.mode == "hold" else args.step
        span = (f"hold {args.duration:g} s" if args.mode == "hold"
                else f"windows of {args.window:g} s")
        clock = "benchmark (fixed 1/60 s frames)" if args.benchmark else "real time"
        say(args, f"{args.mode} run: {n} enemies, {span} simulated, warm-up >= "
                  f"{args.warmup:g} s, seed {args.seed}, {clock}, "
                  f"{'headless' if run.app.headless else 'window'}, GL: {run.gl_renderer}")
        app_reason = run.app.run(max_frames=args.max_frames)
    except KeyboardInterrupt:  # Ctrl-C while building: nothing ran, still say so
        app_reason = "interrupt"
    except Exception as exc:
        app_reason = "error"
        run.error = f"{type(exc).__name__}: {exc}"
        traceback.print_exc()
        if hasattr(run, "app") and not run.app.closed:
            try:
                run.app.close()
            except Exception:
                traceback.print_exc()
    if hasattr(run, "calibration"):
        # Timed again after the run: a load that changed during the run moves both halves.
        from engine.acceptance.calibration import CalibrationResult, measure_calibration

        end = measure_calibration()
        during = [int(v) for v in run.cal_ns[:int(run._cal_n[0])]] if hasattr(run, "cal_ns") \
            else []
        run.calibration = CalibrationResult(run.calibration.repeats_ns + during
                                            + end.repeats_ns)
    gc.collect()
    try:
        report, files = write_outputs(run, app_reason)
    except Exception as exc:
        print(f"{PROG}: error: the report could not be written: {type(exc).__name__}: {exc}",
              file=sys.stderr)
        traceback.print_exc()
        return 1
    print()
    print(format_table(criteria_results(report)))
    print()
    if args.mode == "ramp":
        r = report["extra"]["ramp"]
        print(f"ramp: first N where a criterion fails: {r['first_failing_n']} "
              f"({', '.join(r['first_failing_criteria']) or 'none up to --limit'})")
    elif args.mode == "max":
        m = report["extra"]["max"]
        print(f"max: largest N within the {FRAME_BUDGET_MS:g} ms CPU frame budget: "
              f"{m['largest_n_in_budget']} (smallest over budget: "
              f"{m['smallest_n_over_budget']})")
    if report["run"]["partial"]:
        print(f"PARTIAL RUN ({report['run']['exit_reason']}, phase {report['run']['phase']}, "
              f"{report['run']['sim_time_s']:.1f} s simulated): the report is marked partial")
    print(f"verdict: {report['verdict']}")
    print(f"report: {args.report}")
    for p in files:
        print(f"  {p}")
    if args.mode == "hold":
        return 0 if report["verdict"] == "PASS" else 1
    if report["run"]["partial"]:
        return 1
    found = (report["extra"]["ramp"]["first_failing_n"] if args.mode == "ramp"
             else report["extra"]["max"]["largest_n_in_budget"])
    if args.mode == "ramp":
        return 0 if found is None or found > args.enemies else 1
    return 0 if found is not None and found >= args.enemies else 1


if __name__ == "__main__":
    sys.exit(main())
