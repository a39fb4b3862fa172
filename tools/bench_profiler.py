"""Profiler overhead at a horde workload: meter on vs off, dashboard drawn vs hidden.

Runs a real headless App (EGL offscreen) with one scheduler system, the *tick*, at a fixed
60 Hz step (benchmark clock: every frame is 1/60 s, one step per frame). By default the tick is
a representative numpy horde tick over N enemies (seek the player, normalise, move, contact
damage; every op with ``out=``). ``--world`` ticks the real combat World instead (N enemies
spawned up front); any other world: call ``run(tick, watch=...)`` with its step function
(``tick(dt)``) and a function registering its stats on the Profiler.

Configurations, interleaved in rounds so that machine noise hits all of them alike:

* ``bare``      - App + tick, no profiler attached;
* ``meter``     - profiler attached (meter hooks, end_frame, spikes, budgets), dashboard hidden;
* ``overview``  - dashboard shown with its default panel (overview);
* ``all``       - dashboard shown with all eight panels open.

Per configuration: median frame CPU time (``run_frame`` less its swap, which waits for GL
headless), median ``end_frame`` time, the dashboard's build time (ImGui new_frame .. render, CPU)
and submit time (``opengl3_render_draw_data``, CPU), and the raster time it adds
(``ctx.finish()`` after the frame, minus the same with the dashboard hidden; llvmpipe renders
on its own threads). Also: the dashboard's Python allocations per frame (tracemalloc peak and
allocated blocks over a window), and the cost of allocation tracing on the tick.

Targets: meter < 2% of the frame; dashboard (build + submit) < 1.5 ms per frame.

    .venv/bin/python -m tools.bench_profiler [--enemies 10000] [--frames 120] [--rounds 5]
                                             [--size 1280x720] [--world]
                                             [--report PATH]
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import numpy as np

from engine.profiler import Profiler
from engine.profiler.dashboard import PANELS
from tools.common import (
    add_frames,
    add_report,
    add_size,
    check_memory,
    check_report,
    enemy_row_bytes,
    machine_info,
    machine_line,
    tool_parser,
    write_json_report,
)

Tick = Callable[[float], None]


class HordeTick:
    """A representative numpy tick over ``n`` enemies: every op writes into owned scratch."""

    def __init__(self, n: int, seed: int = 0) -> None:
        rng = np.random.default_rng(seed)
        self.n = n
        self.pos = rng.random((n, 2)) * 2000.0
        self.vel = np.zeros((n, 2))
        self.delta = np.empty((n, 2))
        self.dist = np.empty(n)
        self.hp = np.full(n, 100.0)
        self.hit = np.empty(n, dtype=bool)
        self.damage = np.empty(n)
        self.player = np.array([1000.0, 1000.0])
        self.speed = np.array(60.0)
        self.min_dist = np.array(1e-3)
        self.contact = np.array(24.0)
        self.dps = np.array(5.0)
        self.step = np.array(0.0)

    def __call__(self, dt: float) -> None:
        self.step[...] = dt
        np.subtract(self.player, self.pos, out=self.delta)
        np.hypot(self.delta[:, 0], self.delta[:, 1], out=self.dist)
        np.maximum(self.dist, self.min_dist, out=self.dist)
        np.divide(self.delta, self.dist[:, None], out=self.delta)
        np.multiply(self.delta, self.speed, out=self.vel)
        np.multiply(self.vel, self.step, out=self.delta)
        np.add(self.pos, self.delta, out=self.pos)
        np.less(self.dist, self.contact, out=self.hit)
        np.multiply(self.hit, self.dps, out=self.damage)
        np.subtract(self.hp, self.damage, out=self.hp)


def _combat_numbers(n: int) -> Any:
    """The combat layer's stats filled with a horde's numbers, so the combat panel has series."""
    from engine.combat import CombatStats

    stats = CombatStats(("grunt", "brute", "elite"))
    stats.enemies_by_tier[:] = (n * 9 // 10, n // 10 - n // 100, n // 100)
    stats.damage_events_last_tick = n // 25
    stats.projectiles_live = 1500
    return stats


def _default_watch(n: int) -> Callable[[Profiler], None]:
    def watch(p: Profiler) -> None:
        from engine.data.pool import ObjectPool, PoolStats
        from engine.data.ring import RingBuffer

        enemies = ObjectPool("enemies", object, 2 * n)
        for _ in range(n):
            enemies.acquire()
        p.watch_pool(enemies.stats)
        p.watch_pool(PoolStats("projectiles", 4096))
        p.watch_ring(RingBuffer("damage", 8192, {"amount": np.float32}))
        p.watch_combat(_combat_numbers(n))

    return watch


def _world(n: int) -> tuple[Tick, Callable[[Profiler], None], str]:
    """The real combat World with ``n`` enemies spawned up front (player immortal), its
    ``step`` as the tick and ``Profiler.watch_world`` as the watch."""
    from dataclasses import replace

    from engine.combat.config import WorldConfig
    from engine.combat.world import World

    base = WorldConfig()
    config = replace(base, enemy_capacity=max(n, base.enemy_capacity),
                     waves=replace(base.waves, max_enemies=n),
                     player=replace(base.player, immortal=True))
    world = World(config, seed=0)
    rng = np.random.default_rng(0)
    lo, hi = world.arena_min, world.arena_max
    for i in range(n):
        x, y = rng.uniform(lo, hi)
        world.spawn_enemy(float(x), float(y), tier=i % len(world.tiers.names))

    def watch(p: Profiler) -> None:
        p.watch_world(world)

    return world.step, watch, f"combat World.step, {n} enemies"


def _median(xs: list[int]) -> float:
    return float(np.median(np.asarray(xs, dtype=np.float64))) if xs else 0.0


def run(tick: Tick, *, frames: int = 120, rounds: int = 5, width: int = 1280,
        height: int = 720, watch: Callable[[Profiler], None] | None = None,
        label: str = "tick") -> dict[str, Any]:
    """Measure the profiler's overhead around ``tick`` (a scheduler system, ``tick(dt)``).

    Args:
        tick: the simulation step to run once per frame.
        frames: frames per configuration per round.
        rounds: interleaved rounds (medians are taken over all rounds' frames).
        width, height: the offscreen target.
        watch: registers the world's stats on the Profiler (pools, rings, combat, render).
        label: names the tick in the report.

    Returns:
        A plain dict of medians (ms) and ratios.
    """
    from engine.core import App, AppConfig

    app = App(AppConfig(headless=True, width=width, height=height, benchmark=True,
                        step_hz=60.0))
    try:
        app.scheduler.add(label, tick)
        ctx = app.ctx
        configs = ("bare", "meter", "overview", "all")
        frame_ns: dict[str, list[int]] = {c: [] for c in configs}
        finish_ns: dict[str, list[int]] = {c: [] for c in configs}
        end_ns: dict[str, list[int]] = {c: [] for c in configs}
        build_ns: dict[str, list[int]] = {c: [] for c in configs}
        submit_ns: dict[str, list[int]] = {c: [] for c in configs}
        tick_ns: dict[str, list[int]] = {c: [] for c in configs}

        profiler: Profiler | None = None
        for _ in range(frames):  # warm the App and the tick
            app.run_frame()
        for _round in range(rounds):
            for config in configs:
                if config == "bare":
                    if profiler is not None:
                        profiler.close()
                        profiler = None
                else:
                    if profiler is None:
                        profiler = Profiler()
                        (watch or (lambda p: None))(profiler)
                        profiler.attach(app, visible=False)
                        for _ in range(30):
                            app.run_frame()
                    d = profiler.dashboard
                    d.visible = config != "meter"
                    for name in PANELS:
                        d.open[name] = config == "all" or name == "overview"
                # Time end_frame from inside: wrap it for this configuration.
                wrapped = None
                if profiler is not None:
                    hooks = app.frame_end_hooks
                    idx = hooks.index(profiler.end_frame)
                    inner = profiler.end_frame
                    samples = end_ns[config]

                    def timed(inner: Callable[[], None] = inner,
                              samples: list[int] = samples) -> None:
                        t = time.perf_counter_ns()
                        inner()
                        samples.append(time.perf_counter_ns() - t)

                    hooks[idx] = timed
                    wrapped = (idx, inner)
                for i in range(frames + 10):
                    t0 = time.perf_counter_ns()
                    app.run_frame()
                    t1 = time.perf_counter_ns()
                    ctx.finish()
                    t2 = time.perf_counter_ns()
                    if i < 10:
                        continue  # the configuration's first frames (ImGui windows appear)
                    swap_ns = app.swap_ns_last  # the headless swap waits for GL
                    frame_ns[config].append(t1 - t0 - swap_ns)
                    finish_ns[config].append(t2 - t1 + swap_ns)
                    tick_ns[config].append(int(app.scheduler.system_ns[0]))
                    if profiler is not None and profiler.dashboard.visible:
                        build_ns[config].append(profiler.dashboard.build_ns_last)
                        submit_ns[config].append(profiler.dashboard.render_ns_last)
                if wrapped is not None:
                    app.frame_end_hooks[wrapped[0]] = wrapped[1]

        # Dashboard allocations per frame, all panels (tracemalloc peak, blocks growth).
        if profiler is None:
            profiler = Profiler()
            (watch or (lambda p: None))(profiler)
            profiler.attach(app)
        d = profiler.dashboard
        d.visible = True
        # Each panel alone: build + submit CPU time.
        per_panel: dict[str, dict[str, float]] = {}
        for only in PANELS:
            for name in PANELS:
                d.open[name] = name == only
            b, sub = [], []
            for i in range(frames // 2 + 10):
                app.run_frame()
                ctx.finish()
                if i >= 10:
                    b.append(d.build_ns_last)
                    sub.append(d.render_ns_last)
            per_panel[only] = {"build_ms": _median(b) / 1e6, "submit_ms": _median(sub) / 1e6}
        for name in PANELS:
            d.open[name] = True
        for _ in range(300):
            app.run_frame()
        gc.collect()
        tracemalloc.start(1)
        peaks = np.zeros(200, dtype=np.int64)  # preallocated: the record must not count
        blocks0 = sys.getallocatedblocks()
        for i in range(len(peaks)):
            cur = tracemalloc.get_traced_memory()[0]
            tracemalloc.reset_peak()
            d.draw()
            peaks[i] = tracemalloc.get_traced_memory()[1] - cur
        blocks1 = sys.getallocatedblocks()
        tracemalloc.stop()
        alloc = {"draw_transient_bytes_median": float(np.median(peaks)),
                 "draw_transient_bytes_max": float(peaks.max()),
                 "blocks_growth_over_200_draws": float(blocks1 - blocks0)}

        # Allocation tracing on the tick: tracing on vs off, bracketed ticks.
        tracing: dict[str, float] = {}
        step = app.scheduler.dt
        for on in (False, True, False, True):
            profiler.set_tracing(on)
            ts = []
            for _ in range(frames):
                t = time.perf_counter_ns()
                profiler.begin_tick()
                tick(step)
                profiler.end_tick()
                ts.append(time.perf_counter_ns() - t)
            key = "tick_tracing_on_ms" if on else "tick_tracing_off_ms"
            tracing[key] = min(tracing.get(key, 1e9), _median(ts) / 1e6)
        profiler.set_tracing(False)
        tracing["tracing_ratio"] = tracing["tick_tracing_on_ms"] / tracing["tick_tracing_off_ms"]
        profiler.close()
    finally:
        app.close()

    med = {c: _median(frame_ns[c]) / 1e6 for c in configs}
    fin = {c: _median(finish_ns[c]) / 1e6 for c in configs}
    end = {c: _median(end_ns[c]) / 1e6 for c in configs}
    report: dict[str, Any] = {
        "tick": label,
        "frames_per_config": frames * rounds,
        "size": [width, height],
        "tick_ms": _median(tick_ns["bare"]) / 1e6,
        "frame_ms": med,
        "finish_ms": fin,
        "end_frame_ms": {c: end[c] for c in configs if c != "bare"},
        "meter_overhead_ms": med["meter"] - med["bare"],
        "meter_end_frame_pct_of_frame": 100.0 * end["meter"] / med["meter"],
        "meter_end_frame_pct_of_60hz": 100.0 * end["meter"] / (1000.0 / 60.0),
        "dashboard": {
            c: {"build_ms": _median(build_ns[c]) / 1e6,
                "submit_ms": _median(submit_ns[c]) / 1e6,
                "build_plus_submit_ms": (_median(build_ns[c]) + _median(submit_ns[c])) / 1e6,
                "raster_extra_ms": fin[c] - fin["meter"],
                "frame_extra_ms": med[c] - med["meter"]}
            for c in ("overview", "all")},
        "dashboard_per_panel": per_panel,
        "dashboard_alloc": alloc,
        "tracing": tracing,
    }
    return report


def _print(report: dict[str, Any]) -> None:
    f = report["frame_ms"]
    print(f"tick: {report['tick']}  ({report['tick_ms']:.3f} ms per step), "
          f"{report['frames_per_config']} frames per configuration, "
          f"{report['size'][0]}x{report['size'][1]}")
    print(f"{'config':10} {'frame ms':>9} {'finish ms':>10} {'end_frame us':>13}")
    for c in ("bare", "meter", "overview", "all"):
        e = report["end_frame_ms"].get(c)
        print(f"{c:10} {f[c]:9.3f} {report['finish_ms'][c]:10.3f} "
              f"{'' if e is None else format(e * 1000, '13.1f')}")
    print(f"meter: end_frame {report['end_frame_ms']['meter'] * 1000:.1f} us = "
          f"{report['meter_end_frame_pct_of_frame']:.2f}% of this frame, "
          f"{report['meter_end_frame_pct_of_60hz']:.2f}% of 16.7 ms; frame overhead vs bare "
          f"{report['meter_overhead_ms'] * 1000:+.1f} us  (target < 2%)")
    for c in ("overview", "all"):
        d = report["dashboard"][c]
        print(f"dashboard {c:8}: build {d['build_ms']:.3f} ms + submit {d['submit_ms']:.3f} ms "
              f"= {d['build_plus_submit_ms']:.3f} ms CPU (target < 1.5); raster +"
              f"{d['raster_extra_ms']:.3f} ms; frame {d['frame_extra_ms']:+.3f} ms vs hidden")
    print("each panel alone (build + submit ms): " + ", ".join(
        f"{k} {v['build_ms']:.2f}+{v['submit_ms']:.2f}"
        for k, v in report["dashboard_per_panel"].items()))
    a = report["dashboard_alloc"]
    print(f"dashboard allocations per frame (all panels): transient median "
          f"{a['draw_transient_bytes_median']:.0f} B, max {a['draw_transient_bytes_max']:.0f} B;"
          f" blocks growth over 200 draws {a['blocks_growth_over_200_draws']:+.0f}")
    t = report["tracing"]
    print(f"allocation tracing: tick {t['tick_tracing_off_ms']:.3f} -> "
          f"{t['tick_tracing_on_ms']:.3f} ms ({t['tracing_ratio']:.2f}x)")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Parse and validate; bad input exits with one line on stderr and code 2."""
    parser = tool_parser("bench_profiler", __doc__)
    parser.add_argument("--enemies", type=int, default=10_000, metavar="N",
                        help="enemies in the representative numpy tick (default: %(default)s)")
    add_frames(parser, 120, what="frames per configuration per round")
    parser.add_argument("--rounds", type=int, default=5, metavar="N",
                        help="interleaved rounds (default: %(default)s)")
    add_size(parser, what="target size")
    parser.add_argument("--world", action="store_true",
                        help="tick the real combat World (engine.combat) instead of the "
                             "representative numpy tick (default: off)")
    add_report(parser, None, "also write the results here as JSON")
    args = parser.parse_args(argv)
    for name in ("enemies", "frames", "rounds"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be >= 1, got {getattr(args, name)}")
    why = check_memory(args.enemies * enemy_row_bytes(), f"--enemies {args.enemies}")
    if why is not None:
        parser.error(why)
    check_report(parser, args.report)
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    width, height = args.size
    print(machine_line(machine_info()))
    if args.world:
        tick, watch, label = _world(args.enemies)
    else:
        tick, watch = HordeTick(args.enemies), _default_watch(args.enemies)
        label = f"numpy horde tick, {args.enemies} enemies"
    report = run(tick, frames=args.frames, rounds=args.rounds, width=width,
                 height=height, watch=watch, label=label)
    _print(report)
    if args.report is not None:
        write_json_report(args.report, report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
