#!/usr/bin/env python3
"""Scaling benchmark: the engine's cost per frame from 500 to 100k enemies, beside the naive
object-per-enemy horde with the same rules, and (optionally) a memory soak.

For each N, a headless App in benchmark mode (FixedClock: every frame is 1/60 s, so a fixed
30 Hz step runs on every other frame; seeded RNG) runs the full combat World of
tools/bench_combat.py (``bench_config(N)``: N enemies held steady, waves refilling the dead at
once, player on autopilot, melee + auto-aimed weapon + particles; no bosses, as the naive side
has none) and the horde's Renderer wired by engine.horde.attach (one draw per tier,
projectiles, the player, particles; camera following the player; no hot reload; no profiler
attached). Measured per frame:

  tick      wall time of the fixed step (all combat systems; scheduler.step_ns_last)
  pack      RowGrouper + gathers + interpolation into the staging arrays (RenderStats.pack_ns)
  upload    Buffer.write of the rows packed this frame (RenderStats.upload_ns)
  submit    uniforms + one draw call per batch (RenderStats.submit_ns); on llvmpipe this
            includes the vertex stage, which Mesa runs inside glDraw*
  engine    the engine's CPU cost per 60 fps frame: median tick / 2 (one 30 Hz tick every
            other frame) + median (pack + upload + submit); llvmpipe rasterisation excluded
  own       the same with submit at its fixed cost (its median at the smallest N): the draw
            calls are the same at every N, what grows in submit is Mesa's vertex stage; this
            is the engine's own CPU cost, the figure the 16 ms target is checked on
  cpu       App.run_frame wall time less its swap, mean over the window (the same cost,
            measured whole)
  full      App.run_frame (its swap waits for GL) + ctx.finish(): the whole headless frame,
            llvmpipe raster included

and over the measured window (after warm-up, after ``gc.collect(); gc.freeze()``): RSS
growth, growth of ``sys.getallocatedblocks()`` and of the gen0 count, GC collections.

The naive reference (tools/naive_horde.py, same WorldConfig) runs at every N within a time
box (--naive-budget seconds per N, warm-up shortened to fit and recorded); the ratio is its
median tick over the engine's median tick at that N. Both sides also count what they did per
tick (enemies killed and spawned, projectiles fired, particles spawned: the engine over its
measured ticks, the naive side over its timed ticks, one melee period by default) and a
second table puts them side by side: "parity ok" when the naive kills and spawns per tick are
within 0.5x-2x of the engine's (tools/bench_combat.parity). Where the naive warm-up had to be
cut, its horde has not reached the player yet and kills little: parity is off and its ratio is
a low bound.

--soak S runs --soak-enemies (100k) full frames for S seconds of wall time after warm-up and
samples RSS every second: the memory growth target is under 10 MB over 5 minutes.

Outputs: --report (bench_scale.json: everything, with the machine and the command), beside it
bench_scale.png (cost against N, log-log; cost per enemy), bench_scale_soak.png (with --soak).
The table is printed at the end; a progress bar runs on stderr.

Examples:
    .venv/bin/python -m tools.bench_scale                       # the full sweep (minutes)
    .venv/bin/python -m tools.bench_scale --soak 300            # + the 5-minute memory soak
    .venv/bin/python -m tools.bench_scale --sizes 10k 100k --frames 120
    .venv/bin/python -m tools.bench_scale --quick --report /tmp/q/bench_scale.json  # seconds

Exit codes: 0 the run completed (targets missed are reported, not failed); 2 bad input or no
GL context.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from engine.data.files import atomic_write_bytes
from tools.bench_combat import COUNTED, engine_counts, parity, per_tick
from tools.common import (
    add_seed,
    add_size,
    check_memory,
    check_writable,
    enemy_row_bytes,
    figure,
    machine_info,
    percentile,
    save_png,
    tool_parser,
)

PROG = "python -m tools.bench_scale"
DEFAULT_SIZES = (500, 2_000, 10_000, 50_000, 100_000)
QUICK_SIZES = (150, 600)
STEP_HZ = 30.0
FRAME_MS_60 = 1000.0 / 60.0
TARGET_ENGINE_MS = 16.0
"""The engine's CPU cost per frame at 100k enemies (median), llvmpipe raster excluded."""
FIXED_SUBMIT_MAX_N = 2_000
"""The 100k verdict needs an N this small in the sweep: its submit median is the fixed
submission cost (without one the own cost is not separated from llvmpipe's vertex stage)."""
TARGET_SOAK_MB = 10.0
TARGET_SOAK_S = 300.0
"""Memory growth after warm-up: under 10 MB over 5 minutes."""
FLAT_TOLERANCE = 1.10
"""'Flat or falling' cost per enemy from 10k to 100k: the ratio 100k / 10k at most this."""


# ----------------------------------------------------------------------------- command line

def parse_count(text: str) -> list[int]:
    """``"500"``, ``"2k"``, ``"100k"``, ``"500,2k"`` -> ints.

    Raises:
        argparse.ArgumentTypeError: not a positive count.
    """
    out = []
    for part in text.replace(",", " ").split():
        t = part.strip().lower()
        mult = 1
        if t.endswith("k"):
            mult, t = 1000, t[:-1]
        try:
            value = int(float(t) * mult)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected an enemy count like 500, 2k or 100k, got {part!r}") from None
        if value <= 0:
            raise argparse.ArgumentTypeError(f"expected a positive enemy count, got {part!r}")
        out.append(value)
    return out


def build_parser() -> argparse.ArgumentParser:
    p = tool_parser("bench_scale", __doc__)
    p.add_argument("--sizes", type=parse_count, nargs="+", default=None, metavar="N",
                   help="enemy counts, separated by spaces or commas; 'k' = 1000 (default: "
                        "500 2k 10k 50k 100k; --quick 150 600)")
    p.add_argument("--frames", type=int, default=None, metavar="N",
                   help="measured frames per N (default: 240, i.e. 120 ticks; --quick 16)")
    p.add_argument("--warmup", type=float, default=None, metavar="S",
                   help="simulated seconds of simulation-only ticks before measuring: the "
                        "horde closes in on the player; then 30 rendered frames (--quick 4) "
                        "(default: 5.0, as bench_combat's 150 ticks; --quick 0.27)")
    p.add_argument("--report", type=Path, default=Path("reports/bench_scale/bench_scale.json"),
                   metavar="PATH",
                   help="the JSON report; the plots go beside it (default: %(default)s)")
    p.add_argument("--quick", action="store_true",
                   help="tiny sizes and few frames (a few seconds): for tests (default: off)")
    p.add_argument("--soak", type=float, default=0.0, metavar="SECONDS",
                   help="after the sweep, run --soak-enemies for this many seconds of wall "
                        "time and track RSS (target: < 10 MB growth over 300 s) (default: "
                        "%(default)s, no soak)")
    p.add_argument("--soak-enemies", type=parse_count, default=None, metavar="N",
                   help="enemies in the soak (default: 100k; --quick: the largest size)")
    p.add_argument("--naive-budget", type=float, default=None, metavar="SECONDS",
                   help="wall time the naive reference may take per N, warm-up included "
                        "(default: 45; --quick 2); 0 skips it")
    p.add_argument("--naive-ticks", type=int, default=24, metavar="T",
                   help="naive ticks timed per N, at most (default: %(default)s: one melee "
                        "period of bench_config, so its kills per tick hold one swing)")
    add_size(p, what="offscreen framebuffer size")
    add_seed(p, default=1)
    p.add_argument("--no-plot", action="store_true", help="skip the PNG plots (default: off)")
    return p


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Parse, apply the --quick defaults, validate (one line and exit 2 on bad input)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    q = args.quick
    sizes = [n for group in args.sizes for n in group] if args.sizes else \
        list(QUICK_SIZES if q else DEFAULT_SIZES)
    args.sizes = sorted(set(sizes))
    if args.frames is None:
        args.frames = 16 if q else 240
    if args.warmup is None:
        args.warmup = 8 / STEP_HZ if q else 150 / STEP_HZ
    if not math.isfinite(args.warmup) or not 0 <= args.warmup <= 3600:
        parser.error(f"--warmup must be within 0..3600 simulated seconds, got {args.warmup}")
    args.warmup_ticks = round(args.warmup * STEP_HZ)
    args.warmup_frames = 4 if q else 30
    args.fbo = args.size
    args.out = args.report.parent
    if args.naive_budget is None:
        args.naive_budget = 2.0 if q else 45.0
    if args.soak_enemies is None:
        args.soak_enemies = max(args.sizes) if q else 100_000
    else:
        args.soak_enemies = args.soak_enemies[0]
    if args.frames < 2:
        parser.error(f"--frames must be >= 2 (a tick every other frame), got {args.frames}")
    if args.naive_ticks < 1:
        parser.error(f"--naive-ticks must be >= 1, got {args.naive_ticks}")
    for name in ("soak", "naive_budget"):
        value = getattr(args, name)
        if not math.isfinite(value) or value < 0:
            parser.error(f"--{name.replace('_', '-')} must be a number >= 0, got {value}")
    if args.seed < 0:
        parser.error(f"--seed must be >= 0, got {args.seed}")
    if args.report.suffix != ".json":
        parser.error(f"--report must name a .json file, got {str(args.report)!r}")
    why = check_writable(args.report)
    why = why and f"--report: {why}"
    if why is None:
        most = max(max(args.sizes), args.soak_enemies)
        why = check_memory(most * enemy_row_bytes(), f"--sizes/--soak-enemies {most}")
    if why is not None:
        parser.error(why)
    return args


# ----------------------------------------------------------------------------- progress bar

class ProgressBar:
    """A text bar on stderr. Work is counted in enemy-frames (cost grows with N), so the bar
    moves at a steadier pace than a count of sizes. On a terminal it redraws one line
    (at most every 0.2 s); otherwise it prints a line at each phase change."""

    def __init__(self, total: float, width: int = 30, stream: Any = None) -> None:
        self.total = max(total, 1.0)
        self.done = 0.0
        self.width = width
        self.stream = stream if stream is not None else sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.t0 = time.perf_counter()
        self._last_draw = 0.0
        self._phase = ""

    def add(self, work: float) -> None:
        self.done = min(self.total, self.done + work)

    def show(self, phase: str, detail: str = "", force: bool = False) -> None:
        now = time.perf_counter()
        key = phase + " " + "".join(c for c in detail if c.isalpha() or c == " ")
        changed = key != self._phase
        if not self.tty and not changed and not force:
            return
        if self.tty and not changed and not force and now - self._last_draw < 0.2:
            return
        self._phase = key
        self._last_draw = now
        frac = self.done / self.total
        filled = int(round(frac * self.width))
        bar = "#" * filled + "-" * (self.width - filled)
        el = int(now - self.t0)
        line = f"[{bar}] {frac * 100:5.1f}%  {el // 60}:{el % 60:02d}  {phase} {detail}"
        if self.tty:
            self.stream.write("\r" + line[:118].ljust(118))
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()


# ----------------------------------------------------------------------------- measuring

def _median_ms(ns: list[int]) -> float:
    return statistics.median(ns) / 1e6 if ns else float("nan")


def _p95_ms(ns: list[int]) -> float:
    return percentile(ns, 95) / 1e6


_TICK, _PACK, _UPLOAD, _SUBMIT, _CPU, _FULL, _LIVE = range(7)
_NCOLS = 7


class GcCounter:
    """Collections (per generation) and their pause time, through ``gc.callbacks``."""

    def __init__(self) -> None:
        self.counts = [0, 0, 0]
        self.pause_ns = 0
        self._t = 0

    def __call__(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._t = time.perf_counter_ns()
        else:
            self.pause_ns += time.perf_counter_ns() - self._t
            self.counts[int(info.get("generation", 2))] += 1

    def reset(self) -> None:
        self.counts = [0, 0, 0]
        self.pause_ns = 0


@dataclass
class SizeResult:
    """Everything measured at one N (engine side)."""

    n: int
    frames: int = 0
    ticks: int = 0
    live_min: int = 0
    live_mean: float = 0.0
    tick_ms: float = float("nan")
    tick_p95_ms: float = float("nan")
    pack_ms: float = float("nan")
    upload_ms: float = float("nan")
    submit_ms: float = float("nan")
    render_ms: float = float("nan")
    engine_ms: float = float("nan")
    cpu_mean_ms: float = float("nan")
    cpu_p95_ms: float = float("nan")
    full_ms: float = float("nan")
    full_p95_ms: float = float("nan")
    finish_ms: float = float("nan")
    us_per_enemy: float = float("nan")
    submit_fixed_ms: float = float("nan")
    engine_own_ms: float = float("nan")
    own_us_per_enemy: float = float("nan")
    tick_us_per_enemy: float = float("nan")
    rss_growth_mb: float = 0.0
    rss_mb: float = 0.0
    blocks_growth: int = 0
    gen0_growth: int = 0
    gc_collections: list[int] = field(default_factory=lambda: [0, 0, 0])
    gc_pause_ms: float = 0.0
    draw_calls: int = 0
    instances: int = 0
    upload_bytes: int = 0
    kills_per_tick: float = 0.0
    per_tick: dict[str, float] = field(default_factory=dict)
    projectiles: int = 0
    particles: int = 0
    refusals: int = 0
    batch_growths_in_window: int = 0
    systems_ms: dict[str, float] = field(default_factory=dict)
    naive: dict[str, Any] | None = None
    ratio: float | None = None
    parity_ok: bool | None = None
    parity_ratios: dict[str, float] | None = None


class Bench:
    """One headless App, one Renderer; a fresh World per N."""

    def __init__(self, args: argparse.Namespace) -> None:
        from engine.core import App, AppConfig
        from engine.horde import attach
        from engine.profiler import RssReader
        from tools.bench_combat import DT, bench_config

        self.args = args
        self.bench_config = bench_config
        self.dt = DT
        w, h = args.fbo
        self.app = App(AppConfig(width=w, height=h, headless=True, benchmark=True,
                                 seed=args.seed, step_hz=STEP_HZ, vsync=False,
                                 title="bench_scale"))
        app = self.app
        from engine.combat import World

        # The one wiring (engine.horde.attach), here without the profiler; it draws the first
        # world until ``_install`` hands it each N's.
        probe = World(bench_config(16), seed=args.seed)
        self.horde = attach(app, probe, profiler=False, follow=True, viewport=(w, h),
                            reload_every=0)
        del probe
        self.renderer = self.horde.renderer
        self.tiers = self.renderer.tiers
        self.world: Any = None
        self.rss = RssReader()
        self.gc_counter = GcCounter()
        info = app.ctx.info
        self.gl = {"renderer": str(info.get("GL_RENDERER", "?")),
                   "version": str(info.get("GL_VERSION", "?"))}

    def sprite_sizes(self) -> dict[str, list[float]]:
        """World size (= pixels at zoom 1) of each tier's sprite."""
        return {t.name: [float(v) for v in (t.size or (0.0, 0.0))] for t in self.tiers}

    def _install(self, world: Any) -> None:
        sched = self.app.scheduler
        for name in list(sched.system_names):
            sched.remove(name)
        world.install(sched)
        self.horde.set_world(world)
        self.world = world

    def measure(self, n: int, bar: ProgressBar) -> SizeResult:
        """Warm up and measure one N. See the module docstring for what each figure is."""
        from engine.combat import World

        args = self.args
        app = self.app
        ctx = app.ctx
        sched = app.scheduler
        rs = self.renderer.stats
        res = SizeResult(n=n)
        label = f"N={n:,}"
        if self.world is not None:
            self.world = None
            gc.unfreeze()
            gc.collect()
        world = World(self.bench_config(n), seed=args.seed)
        self._install(world)
        for i in range(args.warmup_ticks):
            world.step(self.dt)
            bar.add(n * 2)  # a tick ~ two frames of work
            bar.show(label, f"warm-up tick {i + 1}/{args.warmup_ticks}")
        # The engine's loading step: full collection, then freeze what was loaded.
        gc.collect()
        gc.freeze()
        app.reset_frame_clock()
        for i in range(args.warmup_frames):
            app.run_frame()
            ctx.finish()
            bar.add(n)
            bar.show(label, f"warm-up frame {i + 1}/{args.warmup_frames}")

        # Samples go into arrays allocated before the window, so that the bookkeeping adds
        # no Python objects to the blocks / gen0 / RSS figures of the window.
        frames = args.frames
        samples = np.zeros((frames, _NCOLS), dtype=np.int64)
        sys_ns = np.zeros(len(sched.system_names), dtype=np.int64)
        kills0 = int(world.stats.kills_by_tier.sum())
        counts0 = engine_counts(world)
        growths0 = rs.reallocations
        counter = self.gc_counter
        counter.reset()
        gc.callbacks.append(counter)
        clock = time.perf_counter_ns
        enemies = world.enemies
        rss0 = self.rss.read()
        gen00 = gc.get_count()[0]
        blocks0 = sys.getallocatedblocks()
        try:
            for i in range(frames):
                t0 = clock()
                app.run_frame()
                t1 = clock()
                ctx.finish()
                t2 = clock()
                row = samples[i]
                if sched.steps_last_frame:
                    row[_TICK] = sched.step_ns_last
                    np.add(sys_ns, sched.system_ns, out=sys_ns)
                row[_PACK] = rs.pack_ns
                row[_UPLOAD] = rs.upload_ns
                row[_SUBMIT] = rs.submit_ns
                row[_CPU] = t1 - t0 - app.swap_ns_last  # the headless swap waits for GL
                row[_FULL] = t2 - t0
                row[_LIVE] = enemies.count
                bar.add(n)
                bar.show(label, f"frame {i + 1}/{frames}")
        finally:
            blocks1 = sys.getallocatedblocks()
            gen01 = gc.get_count()[0]
            rss1 = self.rss.read()
            gc.callbacks.remove(counter)
        ticked = samples[:, _TICK] > 0
        tick_ns = samples[ticked, _TICK].tolist()
        pack = samples[:, _PACK].tolist()
        upload = samples[:, _UPLOAD].tolist()
        submit = samples[:, _SUBMIT].tolist()
        render = (samples[:, _PACK] + samples[:, _UPLOAD] + samples[:, _SUBMIT]).tolist()
        cpu = samples[:, _CPU].tolist()
        full = samples[:, _FULL].tolist()
        finish = (samples[:, _FULL] - samples[:, _CPU]).tolist()
        live = samples[:, _LIVE].tolist()
        res.systems_ms = {name: float(v) / max(1, len(tick_ns)) / 1e6
                          for name, v in zip(sched.system_names, sys_ns)}
        res.frames = len(cpu)
        res.ticks = len(tick_ns)
        res.live_min = min(live)
        res.live_mean = statistics.fmean(live)
        res.tick_ms = _median_ms(tick_ns)
        res.tick_p95_ms = _p95_ms(tick_ns)
        res.pack_ms = _median_ms(pack)
        res.upload_ms = _median_ms(upload)
        res.submit_ms = _median_ms(submit)
        res.render_ms = _median_ms(render)
        res.engine_ms = res.tick_ms * STEP_HZ / 60.0 + res.render_ms
        res.cpu_mean_ms = statistics.fmean(cpu) / 1e6
        res.cpu_p95_ms = _p95_ms(cpu)
        res.full_ms = _median_ms(full)
        res.full_p95_ms = _p95_ms(full)
        res.finish_ms = _median_ms(finish)
        res.us_per_enemy = res.engine_ms * 1e3 / n
        res.tick_us_per_enemy = res.tick_ms * 1e3 / n
        res.rss_growth_mb = (rss1 - rss0) / 1e6
        res.rss_mb = rss1 / 1e6
        res.blocks_growth = blocks1 - blocks0
        res.gen0_growth = gen01 - gen00
        res.gc_collections = list(counter.counts)
        res.gc_pause_ms = counter.pause_ns / 1e6
        res.draw_calls = rs.draw_calls
        res.instances = sum(rs.instances.values())
        res.upload_bytes = rs.upload_bytes
        res.kills_per_tick = (int(world.stats.kills_by_tier.sum()) - kills0) / max(1, res.ticks)
        res.per_tick = per_tick(counts0, engine_counts(world), max(1, res.ticks))
        res.projectiles = world.projectiles.count
        res.particles = world.particles.count
        res.refusals = int(world.stats.spawn_refusals)
        res.batch_growths_in_window = rs.reallocations - growths0
        return res

    def soak(self, n: int, seconds: float, bar: ProgressBar) -> dict[str, Any]:
        """Full frames at ``n`` enemies for ``seconds`` of wall time after warm-up; RSS,
        blocks and GC sampled every second."""
        args = self.args
        app = self.app
        ctx = app.ctx
        self.world = None
        gc.unfreeze()
        gc.collect()
        from engine.combat import World

        world = World(self.bench_config(n), seed=args.seed)
        self._install(world)
        for _ in range(args.warmup_ticks):
            world.step(self.dt)
        gc.collect()
        gc.freeze()
        app.reset_frame_clock()
        for _ in range(max(args.warmup_frames, 60)):
            app.run_frame()
            ctx.finish()
        bar.show(f"soak N={n:,}", f"{seconds:g} s", force=True)
        counter = self.gc_counter
        counter.reset()
        gc.callbacks.append(counter)
        ticks0 = app.scheduler.steps_total
        # One sample a second into arrays made before the run: the soak's own bookkeeping
        # adds nothing to the blocks and RSS it reports.
        cap = int(seconds) + 2
        series = np.zeros((cap, 3), dtype=np.float64)  # t_s, rss MB, allocated blocks
        k = 0
        frames = 0
        clock = time.perf_counter_ns
        start = clock()
        end = start + int(seconds * 1e9)
        next_sample = start
        try:
            while True:
                now = clock()
                if now >= next_sample and k < cap:
                    row = series[k]
                    row[0] = (now - start) / 1e9
                    row[1] = self.rss.read() / 1e6
                    row[2] = sys.getallocatedblocks()
                    k += 1
                    next_sample += 1_000_000_000
                    if bar.tty:
                        bar.show(f"soak N={n:,}", f"{row[0]:5.0f}/{seconds:.0f} s RSS "
                                 f"{row[1] - series[0, 1]:+.2f} MB", force=True)
                if now >= end:
                    break
                app.run_frame()
                ctx.finish()
                frames += 1
        finally:
            gc.callbacks.remove(counter)
        t_s = series[:k, 0].tolist()
        rss = series[:k, 1].tolist()
        blocks = series[:k, 2]
        growth = rss[-1] - rss[0]
        slope = float(np.polyfit(t_s, rss, 1)[0]) if len(t_s) >= 3 else 0.0
        duration = t_s[-1] if t_s else 0.0
        projected = growth if duration >= TARGET_SOAK_S else slope * TARGET_SOAK_S
        return {
            "enemies": n, "seconds": duration, "frames": frames,
            "ticks": app.scheduler.steps_total - ticks0,
            "simulated_s": (app.scheduler.steps_total - ticks0) / STEP_HZ,
            "rss_start_mb": rss[0], "rss_end_mb": rss[-1], "rss_growth_mb": growth,
            "rss_max_growth_mb": max(rss) - rss[0],
            "slope_mb_per_min": slope * 60.0,
            "projected_growth_mb_over_300s": projected,
            "blocks_growth": int(blocks[-1] - blocks[0]),
            "gc_collections": list(counter.counts),
            "gc_pause_ms": counter.pause_ns / 1e6,
            "target_mb": TARGET_SOAK_MB, "target_s": TARGET_SOAK_S,
            "met": bool(duration >= TARGET_SOAK_S and growth < TARGET_SOAK_MB),
            "series": {"t_s": t_s, "rss_mb": rss},
        }

    def close(self) -> None:
        self.world = None
        self.rss.close()
        self.app.close()  # attach's shutdown hook releases the renderer
        gc.unfreeze()


def run_naive(n: int, args: argparse.Namespace, engine_warmup: int) -> dict[str, Any] | None:
    """The naive horde at ``n`` enemies within ``args.naive_budget`` seconds, or None when
    even 2 ticks do not fit. Warm-up is cut to what fits in half the budget (recorded)."""
    if args.naive_budget <= 0:
        return None
    from tools.bench_combat import DT, bench_config
    from tools.naive_horde import NaiveHorde

    clock = time.perf_counter_ns
    budget_ns = int(args.naive_budget * 1e9)
    start = clock()
    horde = NaiveHorde(bench_config(n), seed=args.seed)
    t0 = clock()
    horde.step(DT)  # the first tick spawns the whole horde: not timed as a tick
    first_ns = clock() - t0
    t0 = clock()
    horde.step(DT)
    probe_ns = clock() - t0
    spent = clock() - start
    if spent + 2 * probe_ns > budget_ns:
        return {"n": n, "skipped": True, "probe_tick_ms": probe_ns / 1e6,
                "first_tick_ms": first_ns / 1e6,
                "reason": f"one tick ({probe_ns / 1e9:.1f} s) does not fit the "
                          f"{args.naive_budget:g} s budget"}
    warm_ok = 2
    # Later ticks cost more (the horde closes in); plan with twice the probe.
    warm_budget = budget_ns // 2 - spent
    while warm_ok < engine_warmup and (warm_ok + 1) * probe_ns * 2 < warm_budget:
        horde.step(DT)
        warm_ok += 1
    samples: list[int] = []
    kills0 = horde.kills
    counts0 = horde.counts()
    while len(samples) < args.naive_ticks:
        t0 = clock()
        horde.step(DT)
        samples.append(clock() - t0)
        if clock() - start + samples[-1] > budget_ns and len(samples) >= 2:
            break
    return {"n": n, "skipped": False, "warmup_ticks": warm_ok,
            "warmup_target": engine_warmup, "ticks": len(samples),
            "tick_ms": _median_ms(samples), "tick_min_ms": min(samples) / 1e6,
            "live": len(horde.enemies), "kills_per_tick": (horde.kills - kills0) / len(samples),
            "per_tick": per_tick(counts0, horde.counts(), len(samples)),
            "seconds": (clock() - start) / 1e9}


# ----------------------------------------------------------------------------- reporting

COLUMNS = (
    ("N", "{:>7,}", "n"),
    ("live", "{:>7,}", "live_min"),
    ("tick", "{:>7.2f}", "tick_ms"),
    ("pack", "{:>6.2f}", "pack_ms"),
    ("upload", "{:>6.2f}", "upload_ms"),
    ("submit", "{:>6.2f}", "submit_ms"),
    ("engine", "{:>7.2f}", "engine_ms"),
    ("own", "{:>6.2f}", "engine_own_ms"),
    ("us/en", "{:>6.3f}", "own_us_per_enemy"),
    ("cpu", "{:>7.2f}", "cpu_mean_ms"),
    ("full", "{:>7.2f}", "full_ms"),
    ("RSS+MB", "{:>6.2f}", "rss_growth_mb"),
    ("blocks", "{:>6}", "blocks_growth"),
    ("gen0", "{:>5}", "gen0_growth"),
    ("GC", "{:>5}", "gc_total"),
)


def table(rows: list[SizeResult]) -> str:
    """The result table (ms are medians per frame unless said; see the module docstring)."""
    head = " ".join(f"{name:>{len(fmt.format(0)) if name != 'N' else 7}}"
                    for name, fmt, _ in COLUMNS)
    head += f" {'naive':>9} {'(warm)':>6} {'ratio':>7}"
    lines = [head]
    for r in rows:
        values = dict(r.__dict__)
        values["gc_total"] = sum(r.gc_collections)
        cells = []
        for name, fmt, key in COLUMNS:
            width = len(fmt.format(0)) if name != "N" else 7
            v = values[key]
            cells.append(f"{'n/a':>{width}}" if isinstance(v, float) and math.isnan(v)
                         else fmt.format(v))
        nv = r.naive
        if nv is None:
            cells.append(f"{'-':>9} {'':>6} {'-':>7}")
        elif nv.get("skipped"):
            cells.append(f"{'>budget':>9} {'':>6} {'-':>7}")
        else:
            warm = f"({nv['warmup_ticks']})"
            cells.append(f"{nv['tick_ms']:>9.1f} {warm:>6} {r.ratio:>6.1f}x")
        lines.append(" ".join(cells))
    return "\n".join(lines)


def parity_table(rows: list[SizeResult]) -> str:
    """Per-tick counts, engine / naive, and whether the two sides did the same work."""
    lines = ["per tick, engine / naive (engine over its measured ticks, naive over its timed "
             "ticks):",
             f"{'N':>7} " + " ".join(f"{k:>17}" for k in COUNTED) + "  parity"]
    for r in rows:
        nv = r.naive
        npt = nv.get("per_tick") if nv and not nv.get("skipped") else None
        cells = []
        for k in COUNTED:
            e = r.per_tick.get(k, float("nan"))
            cells.append(f"{e:>8.2f} / {npt[k]:>6.2f}" if npt else f"{e:>8.2f} / {'-':>6}")
        state = "-" if r.parity_ok is None else "ok" if r.parity_ok else "OFF"
        if nv and not nv.get("skipped") and nv["warmup_ticks"] < nv["warmup_target"]:
            state += f" (naive warm-up cut to {nv['warmup_ticks']})"
        lines.append(f"{r.n:>7,} " + " ".join(cells) + f"  {state}")
    return "\n".join(lines)


def split_submit(rows: list[SizeResult]) -> None:
    """Fill ``submit_fixed_ms``, ``engine_own_ms`` and ``own_us_per_enemy``.

    The number of draw calls is the same at every N, so the engine's own submission work
    (Python, uniforms, one glDraw* per batch) does not grow with N; what grows in ``submit``
    is the driver's work inside glDraw*: on llvmpipe the vertex stage and triangle binning
    run synchronously in the calling thread. ``submit_fixed_ms`` is the submit median at the
    smallest N of the sweep (an upper bound of the fixed part: a loose one unless that N is
    small; the 100k verdict needs it at most ``FIXED_SUBMIT_MAX_N``), and ``engine_own_ms`` =
    tick/2 + pack + upload + submit_fixed: the engine's CPU cost per frame with Mesa's
    per-instance vertex work taken out, as a GPU driver would take it off the CPU.
    """
    if not rows:
        return
    fixed = min(rows, key=lambda r: r.n).submit_ms
    for r in rows:
        r.submit_fixed_ms = min(fixed, r.submit_ms)
        r.engine_own_ms = r.tick_ms * STEP_HZ / 60.0 + r.pack_ms + r.upload_ms \
            + r.submit_fixed_ms
        r.own_us_per_enemy = r.engine_own_ms * 1e3 / r.n


def verdicts(rows: list[SizeResult], soak: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The targets, each with what was measured and whether it was met (None: not run)."""
    by_n = {r.n: r for r in rows}
    out: list[dict[str, Any]] = []
    a, b = by_n.get(10_000), by_n.get(100_000)
    if a and b:
        ratio_o = b.own_us_per_enemy / a.own_us_per_enemy
        ratio_e = b.us_per_enemy / a.us_per_enemy
        ratio_t = b.tick_us_per_enemy / a.tick_us_per_enemy
        out.append({"target": f"engine cost per enemy flat or falling from 10k to 100k "
                              f"(100k/10k <= {FLAT_TOLERANCE})",
                    "measured": f"own {a.own_us_per_enemy:.3f} -> {b.own_us_per_enemy:.3f} us "
                                f"({ratio_o:.2f}x); tick {a.tick_us_per_enemy:.3f} -> "
                                f"{b.tick_us_per_enemy:.3f} us ({ratio_t:.2f}x); with "
                                f"llvmpipe's vertex stage {a.us_per_enemy:.3f} -> "
                                f"{b.us_per_enemy:.3f} us ({ratio_e:.2f}x)",
                    "met": bool(ratio_o <= FLAT_TOLERANCE)})
    else:
        out.append({"target": "cost per enemy flat or falling from 10k to 100k",
                    "measured": "10k and 100k not both in --sizes", "met": None})
    if b and min(by_n) > FIXED_SUBMIT_MAX_N:
        out.append({"target": f"engine CPU per frame at 100k < {TARGET_ENGINE_MS:g} ms",
                    "measured": f"own cost not separable: no N <= {FIXED_SUBMIT_MAX_N:,} in "
                                f"--sizes to measure the fixed submit cost; {b.engine_ms:.2f} "
                                f"ms with llvmpipe's vertex stage in submit ({b.submit_ms:.2f})",
                    "met": None})
    elif b:
        out.append({"target": f"engine CPU per frame at 100k < {TARGET_ENGINE_MS:g} ms "
                              f"(tick/2 + pack + upload + submission, median; llvmpipe "
                              f"raster excluded)",
                    "measured": f"own {b.engine_own_ms:.2f} ms (tick {b.tick_ms:.2f}/2 + pack "
                                f"{b.pack_ms:.2f} + upload {b.upload_ms:.2f} + submit "
                                f"{b.submit_fixed_ms:.2f}); {b.engine_ms:.2f} ms with "
                                f"llvmpipe's vertex stage in submit ({b.submit_ms:.2f}); "
                                f"full headless frame on llvmpipe {b.full_ms:.2f} ms",
                    "met": bool(b.engine_own_ms < TARGET_ENGINE_MS)})
    else:
        out.append({"target": f"engine CPU per frame at 100k < {TARGET_ENGINE_MS:g} ms",
                    "measured": "100k not in --sizes", "met": None})
    if soak is not None:
        out.append({"target": f"memory growth after warm-up < {TARGET_SOAK_MB:g} MB over "
                              f"{TARGET_SOAK_S:g} s at {soak['enemies']:,} enemies",
                    "measured": f"{soak['rss_growth_mb']:+.2f} MB over {soak['seconds']:.0f} s "
                                f"({soak['frames']} frames, {soak['ticks']} ticks; max "
                                f"{soak['rss_max_growth_mb']:+.2f}, slope "
                                f"{soak['slope_mb_per_min']:+.3f} MB/min, "
                                f"{sum(soak['gc_collections'])} GC collections)",
                    "met": soak["met"] if soak["seconds"] >= TARGET_SOAK_S else None})
    else:
        out.append({"target": f"memory growth < {TARGET_SOAK_MB:g} MB over 5 minutes",
                    "measured": "no --soak run", "met": None})
    return out


def _count_label(n: float) -> str:
    return f"{n / 1000:g}k" if n >= 1000 else f"{n:g}"


def plot(rows: list[SizeResult], soak: dict[str, Any] | None, out_dir: Path,
         title: str) -> list[Path]:
    """bench_scale.png (and bench_scale_soak.png); returns the paths written."""
    paths = []
    ns = np.array([r.n for r in rows], dtype=float)
    fig = figure(13, 5.2)
    ax, ax2 = fig.subplots(1, 2)
    series = [("combat tick", [r.tick_ms for r in rows], "o-", "C0"),
              ("render CPU (pack+upload+submit)", [r.render_ms for r in rows], "s-", "C1"),
              ("engine CPU / 60 fps frame (own)", [r.engine_own_ms for r in rows], "D-", "C2"),
              ("+ llvmpipe vertex stage", [r.engine_ms for r in rows], "v:", "C3"),
              ("full headless frame (llvmpipe)", [r.full_ms for r in rows], "^--", "C4")]
    naive = [(r.n, r.naive["tick_ms"]) for r in rows if r.naive and not r.naive.get("skipped")]
    for label, ys, style, color in series:
        ax.plot(ns, ys, style, color=color, label=label)
    if naive:
        ax.plot([a for a, _ in naive], [b for _, b in naive], "x:", color="grey",
                label="naive object-per-enemy tick")
    ax.axhline(TARGET_ENGINE_MS, color="red", lw=0.8, ls="--", label="16 ms")
    if len(ns) >= 2:  # a slope-1 guide through the engine's smallest point
        e0 = rows[0].engine_own_ms
        ax.plot(ns, e0 * ns / ns[0], color="black", lw=0.6, ls=":", label="linear in N")
    for a in (ax, ax2):
        a.set_xscale("log")
        a.set_yscale("log")
        a.set_xticks(ns, [_count_label(v) for v in ns])
        a.minorticks_off()
        a.set_xlabel("enemies (N)")
    ax.set_ylabel("ms (median)")
    ax.set_title("cost against N")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    ax2.plot(ns, [r.tick_us_per_enemy for r in rows], "o-", color="C0", label="combat tick")
    ax2.plot(ns, [r.own_us_per_enemy for r in rows], "D-", color="C2",
             label="engine CPU / frame (own)")
    ax2.plot(ns, [r.us_per_enemy for r in rows], "v:", color="C3",
             label="+ llvmpipe vertex stage")
    if naive:
        ax2.plot([a for a, _ in naive], [b * 1e3 / a for a, b in naive], "x:", color="grey",
                 label="naive tick")
    ax2.set_ylabel("us per enemy")
    ax2.set_title("cost per enemy")
    ax2.grid(True, which="both", alpha=0.3)
    ax2.legend(fontsize=8)
    fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    paths.append(save_png(fig, out_dir / "bench_scale.png"))
    if soak is not None and soak["series"]["t_s"]:
        fig = figure(8, 4)
        ax = fig.subplots()
        t = soak["series"]["t_s"]
        rss = np.asarray(soak["series"]["rss_mb"])
        ax.plot(t, rss - rss[0], "-", label="RSS growth")
        ax.axhline(TARGET_SOAK_MB, color="red", lw=0.8, ls="--", label="10 MB")
        ax.set_xlabel("seconds after warm-up")
        ax.set_ylabel("MB")
        ax.set_title(f"memory soak at {soak['enemies']:,} enemies")
        ax.grid(True, alpha=0.3)
        ax.legend()
        fig.tight_layout()
        paths.append(save_png(fig, out_dir / "bench_scale_soak.png"))
    return paths


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from engine.acceptance.calibration import measure_calibration

    calib0 = measure_calibration().median_ns
    try:
        bench = Bench(args)
    except Exception as exc:  # no EGL / no GL 3.3: one clear line
        print(f"{PROG}: cannot start a headless App (EGL, OpenGL 3.3): {exc}", file=sys.stderr)
        return 2
    work = sum(n * (2 * args.warmup_ticks + args.warmup_frames + args.frames)
               for n in args.sizes)
    work += sum(n * 10 for n in args.sizes) if args.naive_budget else 0
    bar = ProgressBar(work)
    rows: list[SizeResult] = []
    soak = None
    started = time.time()
    try:
        for n in args.sizes:
            res = bench.measure(n, bar)
            bar.show(f"N={n:,}", "naive reference", force=True)
            res.naive = run_naive(n, args, args.warmup_ticks)
            if res.naive and not res.naive.get("skipped"):
                res.ratio = res.naive["tick_ms"] / res.tick_ms
                res.parity_ok, res.parity_ratios = parity(res.per_tick,
                                                          res.naive["per_tick"])
            bar.add(n * 10 if args.naive_budget else 0)
            bar.show(f"N={n:,}", "done", force=True)
            rows.append(res)
        split_submit(rows)
        if args.soak > 0:
            soak = bench.soak(args.soak_enemies, args.soak, bar)
        sprite_sizes = bench.sprite_sizes()
        gl = bench.gl
    finally:
        bar.close()
        bench.close()
    calib1 = measure_calibration().median_ns
    command = "python -m tools.bench_scale " + " ".join(argv if argv is not None else sys.argv[1:])
    report: dict[str, Any] = {
        "command": command.strip(),
        "started": time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(started)),
        "seconds": time.time() - started,
        "machine": {**machine_info(), "gl_renderer": gl["renderer"],
                    "gl_version": gl["version"]},
        "calibration_ms": {"before": calib0 / 1e6, "after": calib1 / 1e6},
        "setup": {"framebuffer": list(args.fbo), "sprite_world_sizes": sprite_sizes,
                  "zoom": 1.0, "step_hz": STEP_HZ, "frame_s": 1 / 60,
                  "frames": args.frames, "warmup_ticks": args.warmup_ticks,
                  "warmup_frames": args.warmup_frames, "seed": args.seed,
                  "world": "tools/bench_combat.bench_config(N): no bosses, autopilot, "
                           "immortal player", "naive_budget_s": args.naive_budget},
        "rows": [r.__dict__ for r in rows],
        "soak": soak,
        "targets": verdicts(rows, soak),
    }
    json_path = args.report
    atomic_write_bytes(json_path, json.dumps(report, indent=2, default=float).encode())
    pngs: list[Path] = []
    if not args.no_plot:
        m = report["machine"]
        pngs = plot(rows, soak, args.out,
                    f"{m['cpu']} x{m['cores']}, {m['gl_renderer']}; fbo "
                    f"{args.fbo[0]}x{args.fbo[1]}, {args.frames} frames per N")

    m = report["machine"]
    print(f"machine: {m['cpu']}, {m['cores']} cores, {m['gl_renderer']}, Python {m['python']}, "
          f"numpy {m['numpy']}; commit {m['commit']}")
    print(f"framebuffer {args.fbo[0]}x{args.fbo[1]}, zoom 1, sprites (world px) "
          + ", ".join(f"{k} {v[0]:g}x{v[1]:g}" for k, v in sprite_sizes.items())
          + f"; {args.frames} frames per N at 60 fps, 30 Hz ticks; calibration "
          f"{calib0 / 1e6:.2f} -> {calib1 / 1e6:.2f} ms")
    print("ms per frame (medians): tick = one combat step (every other frame); engine = "
          "tick/2 + pack + upload + submit; own = the same with submit at its fixed cost "
          "(llvmpipe's vertex stage out); us/en = own per enemy; cpu = run_frame mean; "
          "full = + ctx.finish(); naive = its tick (warm-up ticks it had), ratio = naive / "
          "tick")
    print(table(rows))
    print(parity_table(rows))
    if soak is not None:
        print(f"soak: {soak['enemies']:,} enemies for {soak['seconds']:.0f} s "
              f"({soak['frames']} frames): RSS {soak['rss_growth_mb']:+.2f} MB (max "
              f"{soak['rss_max_growth_mb']:+.2f}), slope {soak['slope_mb_per_min']:+.3f} "
              f"MB/min, blocks {soak['blocks_growth']:+d}, GC {soak['gc_collections']}")
    for v in report["targets"]:
        state = {True: "met", False: "MISSED", None: "not measured"}[v["met"]]
        print(f"target: {v['target']}: {state} - {v['measured']}")
    print(f"wrote {json_path}" + "".join(f", {p}" for p in pngs))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
