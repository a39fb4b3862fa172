"""The horde kit's separation against the spatial hash's exact one: time and quality.

The kit's ``separation`` system (engine.combat) pairs each enemy with the next ``neighbours``
(3) enemies of the hash's cell-sorted order and pushes each pair apart by its overlap, with
the pair's own contact distance ``r_i + r_j``. ``Neighbours.separation`` (engine.data) finds
every pair closer than one radius (capped per row) and pushes by ``radius - distance``. Both
run here on the same horde: ``tools.bench_combat.bench_config(N)`` after ``--warmup``
simulated seconds (the horde has closed in on the player).

Figures, per N:

* time: median of ``--repeat`` calls of each pass on that snapshot (the hash rebuilt before
  each, not counted), thread CPU time beside the wall time;
* quality, on a fixed random sample of 2,000 enemies whose overlapping partners (distance <
  r_i + r_j) are found exactly (``query_radius``): coverage, the share of those partners each
  pass pushes against; force error, ``|f - f_true| / |f_true|`` summed over the sample, where
  ``f_true`` is the kit's force law over every overlapping partner (float64);
* relaxation: ``--steps`` steps of separation alone from the snapshot (each step moves an
  enemy by ``strength * force * dt``, at most ``max_push_factor * speed * dt``, as the kit's
  movement does), then the overlap left per sampled enemy: the sum of ``r_i + r_j - distance``
  over its overlapping partners, and how many partners.

The exact pass runs with radius = 2 * the largest radius in the horde (every overlapping pair
is within it) and cap ``--cap``; with mixed tiers it pushes small enemies apart
farther than their contact distance, which is part of what the force error shows.

Usage:
    python -m tools.bench_separation                  # N = 10k and 100k, ~6 minutes
    python -m tools.bench_separation --n 10000 --one-tier   # swarm only: one force law
"""

from __future__ import annotations

import statistics
import sys
import time
from dataclasses import replace

import numpy as np

from engine.combat import World, WorldConfig
from engine.data import Neighbours, SpatialHash
from tools.bench_combat import bench_config
from tools.common import add_sizes, add_warmup, tool_parser


class _Sample:
    """A fixed random sample of enemies, and their overlapping partners at given positions
    (exact: ``query_radius`` over every enemy within 2 * the largest radius)."""

    def __init__(self, m: int, size: int, seed: int = 3) -> None:
        rng = np.random.default_rng(seed)
        self.rows = np.sort(rng.choice(m, size=min(m, size), replace=False))
        self._buf = np.zeros(m, np.int64)

    def partners(self, grid: SpatialHash, pos: np.ndarray, radius: np.ndarray,
                 reach: float) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """Per sampled row: (partner rows, overlaps r_s + r_c - d, vectors p_s - p_c)."""
        grid.rebuild(pos)
        p = pos.astype(np.float64)
        out = []
        for s in self.rows.tolist():
            k = grid.query_radius(float(pos[s, 0]), float(pos[s, 1]), reach, self._buf)
            c = self._buf[:k]
            c = c[c != s]
            v = p[s] - p[c]
            over = radius[s] + radius[c].astype(np.float64) - np.hypot(v[:, 0], v[:, 1])
            keep = over > 0.0
            out.append((c[keep], over[keep], v[keep]))
        return out


def _true_force(parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]]) -> np.ndarray:
    """The kit's law on each sampled row over all its overlapping partners (float64)."""
    f = np.zeros((len(parts), 2))
    for n, (_, over, v) in enumerate(parts):
        d = np.maximum(np.hypot(v[:, 0], v[:, 1]), 1e-3)
        f[n] = (v * (over / d)[:, None]).sum(axis=0)
    return f


def _kit_partners(sorted_rows: np.ndarray, rows: np.ndarray, k: int) -> list[set[int]]:
    """The rows the kit pairs each of ``rows`` with: k ahead and k behind in sorted order."""
    rank = np.empty(sorted_rows.shape[0], np.int64)
    rank[sorted_rows] = np.arange(sorted_rows.shape[0])
    order = sorted_rows.tolist()
    out = []
    for s in rows.tolist():
        q = int(rank[s])
        out.append({order[t] for t in range(max(0, q - k), min(len(order), q + k + 1))
                    if t != q})
    return out


def _clamped_step(pos: np.ndarray, vel: np.ndarray, speed: np.ndarray, dt: float,
                  push: float) -> None:
    step = vel * dt
    length = np.hypot(step[:, 0], step[:, 1])
    limit = speed * push * dt
    scale = np.minimum(1.0, limit / np.maximum(length, 1e-6))
    pos += (step * scale[:, None]).astype(np.float32)


def _median_ms(fn, before, repeat: int) -> tuple[float, float]:
    wall, cpu = [], []
    for _ in range(repeat):
        before()
        w0, c0 = time.perf_counter_ns(), time.thread_time_ns()
        fn()
        wall.append(time.perf_counter_ns() - w0)
        cpu.append(time.thread_time_ns() - c0)
    return statistics.median(wall) / 1e6, statistics.median(cpu) / 1e6


def _config(n: int, one_tier: bool) -> WorldConfig:
    cfg = bench_config(n)
    if one_tier:  # every enemy a swarm enemy: both passes then have the same force law
        cfg = replace(cfg, waves=replace(cfg.waves, tier_mix=((0.0, (1.0, 0.0, 0.0)),)))
    return cfg


def bench(n: int, *, warmup: int, steps: int, repeat: int, cap: int,
          one_tier: bool = False, sample_size: int = 2000) -> dict[str, float]:
    """Figures for one horde of n enemies (see the module docstring): ``{variant}_{figure}``
    for the variants ``kit``, ``exact`` (capped) and ``exact_nocap``."""
    world = World(_config(n, one_tier), seed=1)
    for _ in range(warmup):
        world.step(1.0 / 30.0)
    systems = dict(world.systems())
    rebuild, kit = systems["spatial_hash"], systems["separation"]
    cfg = world.config
    m = world.enemies.count
    cols = world.enemies.columns
    pos0 = cols["pos"][:m].copy()
    radius = cols["radius"][:m].copy()
    speed = cols["speed"][:m].astype(np.float64)
    reach = 2.0 * float(radius.max())  # every overlapping pair is closer than this
    hx, hy = cfg.arena_size[0] / 2.0, cfg.arena_size[1] / 2.0
    cs = cfg.cell_size
    grid = SpatialHash(m, cs, (-hx - cs, -hy - cs), (hx + cs, hy + cs))
    near = Neighbours(grid)
    force = np.zeros((m, 2), np.float32)
    strength = cfg.separation.strength
    dt = 1.0 / 30.0
    push = cfg.separation.max_push_factor
    r: dict[str, float] = {"n": m, "reach": reach}

    def kit_force(p: np.ndarray) -> np.ndarray:
        cols["pos"][:m] = p
        rebuild(dt)
        kit(dt)
        return cols["sep"][:m].astype(np.float64) / strength

    def exact_force(c: int):
        def run(p: np.ndarray) -> np.ndarray:
            grid.rebuild(p)
            near.separation(reach, c, force)
            return force.astype(np.float64)
        return run

    sample = _Sample(m, sample_size)
    srows = sample.rows

    def kit_pairs() -> list[set[int]]:
        # The kit's hash has these bounds and cell size, and a rebuild's order is
        # (fine cell, row) whatever came before: this grid's order is the kit's.
        grid.rebuild(pos0)
        return _kit_partners(grid.sorted_rows, srows, cfg.separation.neighbours)

    def exact_pairs(c: int):
        def run() -> list[set[int]] | None:
            if c >= 1 << 30:
                return None  # every pair within the radius: all overlapping ones
            grid.rebuild(pos0)
            size = m * c
            oi, oj = np.zeros(size, np.int64), np.zeros(size, np.int64)
            k = near.neighbour_pairs(reach, c, oi, oj)
            oi, oj = oi[:k], oj[:k]
            out: list[set[int]] = []
            for s in srows.tolist():
                out.append(set(oj[oi == s].tolist()) | set(oi[oj == s].tolist()))
            return out
        return run

    def kit_before() -> None:
        cols["pos"][:m] = pos0
        rebuild(dt)

    variants = {
        "kit": (lambda: kit(dt), kit_before, kit_force, kit_pairs),
        "exact": (lambda: near.separation(reach, cap, force), lambda: grid.rebuild(pos0),
                  exact_force(cap), exact_pairs(cap)),
        "exact_nocap": (lambda: near.separation(reach, 1 << 30, force),
                        lambda: grid.rebuild(pos0), exact_force(1 << 30), exact_pairs(1 << 30)),
    }
    parts = sample.partners(grid, pos0, radius, reach)
    truth = _true_force(parts)
    norm = np.hypot(truth[:, 0], truth[:, 1]).sum()
    total = sum(len(c) for c, _, _ in parts)
    r["overlapping_pairs_per_enemy"] = total / len(srows)
    r["start_overlap"] = float(sum(o.sum() for _, o, _ in parts) / len(srows))
    for name, (timed, before, force_of, pairs_of) in variants.items():
        r[f"{name}_ms"], r[f"{name}_cpu_ms"] = _median_ms(timed, before, repeat)
        got = pairs_of()
        found = total if got is None else sum(
            len(set(c.tolist()) & g) for (c, _, _), g in zip(parts, got))
        r[f"{name}_coverage"] = found / max(1, total)
        f = force_of(pos0)[srows]
        r[f"{name}_force_error"] = float(np.hypot(*(f - truth).T).sum() / norm)
        p = pos0.copy()
        for _ in range(steps):  # separation alone, clamped like the kit's movement
            _clamped_step(p, force_of(p) * strength, speed, dt, push)
        left = sample.partners(grid, p, radius, reach)
        r[f"{name}_overlap"] = float(sum(o.sum() for _, o, _ in left) / len(srows))
        r[f"{name}_pairs_left"] = sum(len(c) for c, _, _ in left) / len(srows)
    return r


def _print(r: dict[str, float], steps: int, cap: int) -> None:
    print(f"N={int(r['n']):,}: {r['overlapping_pairs_per_enemy']:.2f} overlapping partners "
          f"per enemy, overlap {r['start_overlap']:.2f} px per enemy; exact radius "
          f"{r['reach']:g}")
    for key, label in (("kit", "kit (3 sorted neighbours)"), ("exact", f"exact, cap {cap}"),
                       ("exact_nocap", "exact, no cap")):
        print(f"  {label:26s} {r[key + '_ms']:7.2f} ms (cpu {r[key + '_cpu_ms']:6.2f})  "
              f"coverage {r[key + '_coverage']:6.1%}  force error {r[key + '_force_error']:5.2f}"
              f"  after {steps} steps: overlap {r[key + '_overlap']:.2f} px, "
              f"{r[key + '_pairs_left']:.2f} partners")


def main(argv: list[str] | None = None) -> int:
    parser = tool_parser("bench_separation", __doc__)
    add_sizes(parser, (10_000, 100_000), "horde sizes")
    add_warmup(parser, 10.0, "simulated seconds of ticks before the snapshot, 30 a second")
    parser.add_argument("--steps", type=int, default=30,
                        help="relaxation steps, 30 = 1 s (default: %(default)s)")
    parser.add_argument("--repeat", type=int, default=5,
                        help="timed calls per pass (default: %(default)s)")
    parser.add_argument("--cap", type=int, default=8,
                        help="the exact pass's cap per enemy (default: %(default)s)")
    parser.add_argument("--one-tier", action="store_true",
                        help="swarm enemies only, one radius: the same force law for both "
                             "(default: off, the three tiers)")
    args = parser.parse_args(argv)
    warmup = round(args.warmup * 30) if args.warmup >= 0 else -1
    if any(n < 2 for n in args.sizes) or warmup < 0 or args.steps < 0 or args.repeat < 1 \
            or args.cap < 1:
        print("bench_separation: --sizes >= 2, --warmup >= 0, --steps >= 0, --repeat >= 1, "
              "--cap >= 1", file=sys.stderr)
        return 2
    for n in args.sizes:
        _print(bench(n, warmup=warmup, steps=args.steps, repeat=args.repeat,
                     cap=args.cap, one_tier=args.one_tier), args.steps, args.cap)
    return 0


if __name__ == "__main__":
    sys.exit(main())
