"""The combat tick with the horde on the CPU and on the GPU, side by side in one run, at 10k to
1M enemies.

For each N both paths run the same World (tools/bench_combat.py's ``bench_config(N)``: N
enemies held steady, waves refilling the dead, player on autopilot, melee + weapon +
particles), filled at once with N enemies spread over the arena (~160 px^2 each: a crowd
where the separation cap binds), then warmed up and timed tick by tick:

  CPU path   ``World.step``: every system in numpy; ``horde`` = movement + spatial_hash +
             separation (its separation compares each enemy with a few neighbours of the
             grid's sorted order, not every neighbour). Also timed, outside the tick: the
             exact capped separation of engine.data (``Neighbours.separation``, cap 8, one
             radius of twice the largest enemy radius) over the same grid: what exact
             separation costs on the CPU.
  GPU path   ``GpuHorde.step`` (engine.horde.gpu): movement and separation as compute passes,
             the grid built on the GPU, exact capped separation (every neighbour within the
             sum of radii, the 8 nearest), positions read back once per tick; the rest of the
             kit (and the CPU grid it queries) on the CPU. ``horde`` = gpu_sync + movement +
             gpu_readback + gpu_grid + separation + the CPU spatial_hash.
             Each GPU pass waits for its work (ctx.finish), so the per-pass figures are the
             passes' times; ``overlap`` is the tick without those waits (grid and separation
             then run beside the CPU kit until the next readback).

Printed per N: tick median (ms) of each path and the ratio CPU / GPU, the horde part of each,
the readback (ms and bytes per tick) and each GPU pass. Wall-clock: run on a quiet machine.
Full frames (drawing) are not timed here: tools/bench_scale.py times the CPU path's frames.

Examples:
    python -m tools.bench_gpu                          # 10k 100k 300k 1M (about a minute)
    python -m tools.bench_gpu --sizes 10k 100k --ticks 30
    python -m tools.bench_gpu --json /tmp/bench_gpu.json

Exit codes: 0 the run completed (targets missed are reported, not failed); 2 bad input or no
GL 4.3 context.
"""

from __future__ import annotations

import statistics
import sys
import time
from typing import Any

import numpy as np

from engine.combat import World
from engine.data import Neighbours
from tools.bench_combat import bench_config
from tools.bench_scale import parse_count
from tools.common import (
    add_report,
    add_warmup,
    check_report,
    machine_info,
    machine_line,
    tool_parser,
    write_json_report,
)

DT = 1.0 / 30.0
DEFAULT_SIZES = (10_000, 100_000, 300_000, 1_000_000)
HORDE_CPU = ("movement", "spatial_hash", "separation")
EXACT_CAP = 8
"""The neighbour cap of both exact separations (the GPU pass's and SpatialHash.separation)."""
TARGET_1M_MS = 33.0
"""The GPU path's tick at 1M enemies (30 Hz)."""
TARGET_RATIO_100K = 2.0
"""CPU tick / GPU tick at 100k."""


def filled_world(n: int, seed: int) -> World:
    """A World of ``bench_config(n)`` holding n enemies spread uniformly over the arena."""
    world = World(bench_config(n), seed=seed)
    world.system("waves").spawn(n)
    store = world.enemies
    rng = np.random.default_rng(seed)
    k = store.count
    pos = store.columns["pos"][:k]
    pos[:] = rng.uniform(world.arena_min, world.arena_max, (k, 2)).astype(np.float32)
    np.copyto(store.columns["prev_pos"][:k], pos)
    return world


def ms(ns: list[int]) -> float:
    return statistics.median(ns) / 1e6 if ns else float("nan")


def run_cpu(n: int, ticks: int, warmup: int, seed: int) -> dict[str, Any]:
    world = filled_world(n, seed)
    systems = world.systems()
    tick: list[int] = []
    per: dict[str, list[int]] = {name: [] for name, _ in systems}
    for t in range(warmup + ticks):
        t0 = time.perf_counter_ns()
        for name, fn in systems:
            s0 = time.perf_counter_ns()
            fn(DT)
            if t >= warmup:
                per[name].append(time.perf_counter_ns() - s0)
        if t >= warmup:
            tick.append(time.perf_counter_ns() - t0)
    horde = [sum(per[name][i] for name in HORDE_CPU) for i in range(ticks)]
    # The exact capped separation of engine.data (Neighbours.separation), over the grid the
    # last tick built: what the CPU would pay for the GPU path's work.
    force = np.zeros((world.enemies.capacity, 2), np.float32)
    near = Neighbours(world.grid)
    radius = min(2.0 * world.tiers.max_radius, world.config.cell_size)
    exact: list[int] = []
    for i in range(1 + max(2, ticks // 4)):  # the first call warms the pass's scratch up
        t0 = time.perf_counter_ns()
        near.separation(radius, EXACT_CAP, force)
        if i:
            exact.append(time.perf_counter_ns() - t0)
    return {"n": world.enemies.count, "tick_ms": ms(tick), "horde_ms": ms(horde),
            "exact_separation_ms": ms(exact),
            "systems_ms": {name: ms(v) for name, v in per.items()}}


def run_gpu(gfx: Any, n: int, ticks: int, warmup: int, seed: int) -> dict[str, Any]:
    from engine.horde.gpu import GPU_SYSTEMS, GpuHorde

    world = filled_world(n, seed)
    horde = GpuHorde(world, gfx)
    out: dict[str, Any] = {}
    try:
        systems = horde.systems()
        tick: list[int] = []
        hordes: list[int] = []
        passes: list[list[int]] = [[] for _ in GPU_SYSTEMS]
        readback_bytes = 0
        for t in range(warmup + ticks):
            t0 = time.perf_counter_ns()
            grid_ns = 0
            for name, fn in systems:
                s0 = time.perf_counter_ns()
                fn(DT)
                if name == "spatial_hash":
                    grid_ns = time.perf_counter_ns() - s0
            if t >= warmup:
                tick.append(time.perf_counter_ns() - t0)
                hordes.append(int(horde.pass_ns.sum()) + grid_ns)
                for i in range(len(GPU_SYSTEMS)):
                    passes[i].append(int(horde.pass_ns[i]))
                readback_bytes = horde.readback_bytes
        horde.finish_each_pass = False
        overlap: list[int] = []
        for _ in range(ticks):
            t0 = time.perf_counter_ns()
            horde.step(DT)
            overlap.append(time.perf_counter_ns() - t0)
        gfx.ctx.finish()
        out = {"n": world.enemies.count, "tick_ms": ms(tick), "horde_ms": ms(hordes),
               "overlap_ms": ms(overlap), "readback_ms": ms(passes[2]),
               "readback_bytes": readback_bytes, "buffer_mb": horde.buffer_bytes / 2**20,
               "passes_ms": {name: ms(passes[i]) for i, name in enumerate(GPU_SYSTEMS)}}
    finally:
        horde.release()
    return out


def open_gl() -> Any:
    """A GraphicsContext over a standalone GL >= 4.3 context, or None (the reason printed)."""
    import moderngl

    from engine.render import GraphicsContext

    try:
        ctx = moderngl.create_standalone_context(backend="egl", require=430)
    except Exception as exc:  # no EGL, or no 4.3 driver: the CPU path only
        print(f"bench_gpu: no GL 4.3 context ({exc}); the GPU path needs compute shaders",
              file=sys.stderr)
        return None
    return GraphicsContext(ctx)


def main(argv: list[str] | None = None) -> int:
    ap = tool_parser("bench_gpu", __doc__)
    ap.add_argument("--sizes", type=parse_count, nargs="+", default=None, metavar="N",
                    help="enemy counts, 'k' = 1000 (default: 10k 100k 300k 1M)")
    ap.add_argument("--ticks", type=int, default=20, help="timed ticks per size and path "
                    "(default: %(default)s)")
    add_warmup(ap, 5 / 30, "simulated seconds of untimed ticks first, 30 ticks a second")
    ap.add_argument("--seed", type=int, default=1, help="world seed (default: %(default)s)")
    add_report(ap, None, "also write the results here as JSON")
    args = ap.parse_args(argv)
    check_report(ap, args.report)
    sizes = sorted({n for group in args.sizes for n in group}) if args.sizes else \
        list(DEFAULT_SIZES)
    if args.ticks < 1 or not args.warmup >= 0:
        ap.error(f"--ticks must be >= 1 and --warmup >= 0, got {args.ticks} and {args.warmup}")
    warmup = round(args.warmup * 30)
    gfx = open_gl()
    if gfx is None:
        return 2
    info = machine_info()
    print(machine_line(info))
    print(f"GL: {gfx.ctx.info['GL_RENDERER']} ({gfx.ctx.version_code})")
    rows = []
    for n in sizes:
        cpu = run_cpu(n, args.ticks, warmup, args.seed)
        gpu = run_gpu(gfx, n, args.ticks, warmup, args.seed)
        rows.append({"size": n, "cpu": cpu, "gpu": gpu})
        ratio = cpu["tick_ms"] / gpu["tick_ms"]
        print(f"\n{n:>9,} enemies  tick: cpu {cpu['tick_ms']:7.2f} ms  gpu {gpu['tick_ms']:7.2f}"
              f" ms (overlap {gpu['overlap_ms']:.2f})  cpu/gpu {ratio:.2f}x")
        print(f"{'':>9}          horde: cpu {cpu['horde_ms']:7.2f} ms  gpu {gpu['horde_ms']:7.2f}"
              f" ms  cpu/gpu {cpu['horde_ms'] / gpu['horde_ms']:.2f}x")
        print(f"{'':>9}          readback {gpu['readback_ms']:.2f} ms, "
              f"{gpu['readback_bytes'] / 2**20:.2f} MiB/tick; GPU buffers "
              f"{gpu['buffer_mb']:.1f} MiB")
        print(f"{'':>9}          gpu passes: " + ", ".join(
            f"{k} {v:.2f}" for k, v in gpu["passes_ms"].items()) + " ms")
        print(f"{'':>9}          cpu horde systems: " + ", ".join(
            f"{k} {cpu['systems_ms'][k]:.2f}" for k in HORDE_CPU) + " ms; exact separation "
            f"on the CPU (SpatialHash.separation, cap {EXACT_CAP}) "
            f"{cpu['exact_separation_ms']:.2f} ms")
    print()
    for r in rows:
        if r["size"] == 1_000_000:
            t = r["gpu"]["tick_ms"]
            print(f"target: GPU tick at 1M within {TARGET_1M_MS:.0f} ms: {t:.1f} ms "
                  f"{'met' if t <= TARGET_1M_MS else 'MISSED'}")
        if r["size"] == 100_000:
            q = r["cpu"]["tick_ms"] / r["gpu"]["tick_ms"]
            print(f"target: at 100k GPU >= {TARGET_RATIO_100K:.0f}x faster than CPU: {q:.2f}x "
                  f"{'met' if q >= TARGET_RATIO_100K else 'MISSED'}")
    if args.report:
        write_json_report(args.report, {"machine": info, "results": rows})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
