"""Benchmark of engine.data.SpatialHash and Neighbours: rebuild, point queries, neighbour passes.

Scene: n rows uniformly in a square world at a fixed density (default 100k rows per
4000 x 4000 units: ~20 neighbours within 32 units), cell_size = radius = 32 (twice an enemy
radius of 16), every row moving 3.3 units per tick in its own direction (100 units/s at 30 Hz),
wrapping at the edges. ``--density 4`` packs the same rows in half the side (~80 neighbours).

Each figure is the median (and min) over ``--ticks`` ticks after a warm-up; a tick is
``rebuild`` then the pass being timed. Times are wall clock (``perf_counter_ns``), with this
thread's CPU time (``thread_time_ns``) beside them: on a shared machine the CPU time is the
steadier of the two. Compare numbers from the same run.

Usage:
    python -m tools.bench_spatial                     # N = 1k, 10k, 100k, both densities
    python -m tools.bench_spatial --sizes 100000 --ticks 30 --density 1
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import time

import numpy as np

from engine.data.spatial import Neighbours, SpatialHash
from tools.common import add_sizes, check_memory, tool_parser

RADIUS = 32.0
BASE_DENSITY = 100_000 / (4000.0 * 4000.0)


def _stats(samples: list[int]) -> tuple[float, float]:
    """(median, min) in milliseconds."""
    return statistics.median(samples) / 1e6, min(samples) / 1e6


def _clock() -> tuple[int, int]:
    return time.perf_counter_ns(), time.thread_time_ns()


def bench(n: int, *, density: float = 1.0, ticks: int = 20, cap: int = 8,
          seed: int = 1) -> dict[str, float]:
    """Time one scene of n rows; return figures in ms (``*_ms``) and ns per row (``*_ns``).

    Keys: world, neighbours (mean rows within RADIUS), rebuild_cold_ms, rebuild_ms,
    separation_ms (cap), separation_nocap_ms, pairs_ms (cap), query_us, nearest_us,
    tick_ms (rebuild + capped separation), their ``_min_ms`` and ``_cpu_ms`` (median thread
    CPU time) variants, ``*_ns`` per row (wall median), and shifts / compactions of the capped
    pass.
    """
    side = math.sqrt(n / (BASE_DENSITY * density))
    rng = np.random.default_rng(seed)
    pos = rng.uniform(0.0, side, (n, 2)).astype(np.float32)
    angle = rng.uniform(0.0, 2.0 * math.pi, n)
    vel = (np.stack([np.cos(angle), np.sin(angle)], axis=1) * 3.3).astype(np.float32)
    side32 = np.array(side, np.float32)
    h = SpatialHash(n, RADIUS, (0.0, 0.0), (side, side))
    near = Neighbours(h)
    force = np.zeros((n, 2), np.float32)
    out_i = np.zeros(n * cap, np.int64)
    out_j = np.zeros(n * cap, np.int64)
    rows = np.zeros(4096, np.int64)

    def move() -> None:
        np.add(pos, vel, out=pos)
        np.remainder(pos, side32, out=pos)

    t0 = time.perf_counter_ns()
    h.rebuild(pos)
    cold = time.perf_counter_ns() - t0
    result: dict[str, float] = {"n": n, "world": side, "rebuild_cold_ms": cold / 1e6}

    passes = {
        "separation": lambda: near.separation(RADIUS, cap, force),
        "separation_nocap": lambda: near.separation(RADIUS, 1 << 30, force),
        "pairs": lambda: near.neighbour_pairs(RADIUS, cap, out_i, out_j),
    }
    wall: dict[str, list[int]] = {"rebuild": [], "tick": []}
    cpu: dict[str, list[int]] = {"rebuild": [], "tick": []}
    for name, fn in passes.items():
        wall[name] = []
        cpu[name] = []
        for i in range(ticks + 3):
            move()
            w0, c0 = _clock()
            h.rebuild(pos)
            w1, c1 = _clock()
            fn()
            w2, c2 = _clock()
            if i >= 3:
                for key, a, b in (("rebuild", 0, 1), (name, 1, 2)):
                    wall[key].append((w0, w1, w2)[b] - (w0, w1, w2)[a])
                    cpu[key].append((c0, c1, c2)[b] - (c0, c1, c2)[a])
                if name == "separation":
                    wall["tick"].append(w2 - w0)
                    cpu["tick"].append(c2 - c0)
        if name == "separation":
            result["shifts"] = near.last_shifts
            result["compactions"] = near.last_compactions
    for key in wall:
        result[f"{key}_ms"], result[f"{key}_min_ms"] = _stats(wall[key])
        result[f"{key}_cpu_ms"] = _stats(cpu[key])[0]

    k = near.neighbour_pairs(RADIUS, 1 << 30, np.zeros(n * 64, np.int64),
                             np.zeros(n * 64, np.int64))
    result["neighbours"] = 2.0 * k / n

    centres = rng.uniform(0.0, side, (200, 2))
    t0 = time.perf_counter_ns()
    for x, y in centres.tolist():
        h.query_radius(x, y, RADIUS, rows)
    result["query_us"] = (time.perf_counter_ns() - t0) / len(centres) / 1e3
    t0 = time.perf_counter_ns()
    for x, y in centres.tolist():
        h.nearest(x, y, RADIUS)
    result["nearest_us"] = (time.perf_counter_ns() - t0) / len(centres) / 1e3

    for key in ("rebuild", "separation", "separation_nocap", "pairs", "tick"):
        result[f"{key}_ns"] = result[f"{key}_ms"] * 1e6 / n
    return result


def _print(r: dict[str, float], density: float) -> None:
    print(f"N={int(r['n']):>7,}  density x{density:g}  world {r['world']:.0f}^2  "
          f"~{r['neighbours']:.1f} neighbours/row within {RADIUS:g}")
    for key, label in (("rebuild", "rebuild (coherent)"), ("separation", "separation cap 8"),
                       ("separation_nocap", "separation no cap"), ("pairs", "pairs cap 8"),
                       ("tick", "rebuild + separation")):
        print(f"  {label:22s} {r[key + '_ms']:8.2f} ms (min {r[key + '_min_ms']:7.2f}, "
              f"cpu {r[key + '_cpu_ms']:7.2f})  {r[key + '_ns']:7.1f} ns/row")
    print(f"  {'rebuild (cold)':22s} {r['rebuild_cold_ms']:8.2f} ms")
    print(f"  {'query_radius':22s} {r['query_us']:8.1f} us/query    nearest {r['nearest_us']:.1f} "
          f"us/query    capped pass: {int(r['shifts'])} shifts, {int(r['compactions'])} "
          f"compactions")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Parse and validate; bad input exits with one line on stderr and code 2."""
    parser = tool_parser("bench_spatial", __doc__)
    add_sizes(parser, (1_000, 10_000, 100_000), "row counts")
    parser.add_argument("--density", type=float, nargs="+", default=[1.0, 4.0], metavar="D",
                        help="density multipliers of 100k per 4000^2 (default: 1 4)")
    parser.add_argument("--ticks", type=int, default=20, metavar="N",
                        help="timed ticks per figure (default: %(default)s)")
    args = parser.parse_args(argv)
    if (any(n < 2 for n in args.sizes) or args.ticks < 1
            or not all(math.isfinite(d) and 0 < d <= 1e6 for d in args.density)):
        parser.error(f"expected --sizes >= 2, --ticks >= 1 and --density within (0, 1e6], got "
                     f"--sizes {args.sizes} --ticks {args.ticks} --density {args.density}")
    why = check_memory(max(args.sizes) * 128, f"--sizes {max(args.sizes)}")
    if why is not None:
        parser.error(why)
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    for density in args.density:
        for n in args.sizes:
            _print(bench(n, density=density, ticks=args.ticks), density)
    return 0


if __name__ == "__main__":
    sys.exit(main())
