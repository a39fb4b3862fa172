"""Tick cost of the full combat step (engine.combat) at 500 to 100k enemies, next to the naive
object-per-enemy reference (tools/naive_horde.py) with the same rules, and the ratio.

Each size holds N steady: ``max_enemies = N``, the wave director refills instantly (the dead
are replaced the next tick), the player kites on autopilot, melee and the weapon kill all the
time, particles churn; no bosses (the naive reference has none). After a warm-up, every tick is
timed with ``perf_counter_ns``; the per-system split comes from timing each system of the same
ticks. The naive reference runs only up to ``--naive-max`` enemies (it takes seconds per tick
beyond that).

Targets (ARCHITECTURE / issue 5): 500 enemies under 0.5 ms per tick, 100k under 16 ms per tick,
at least 20x faster than the naive reference at 10k. Timings are wall-clock on whatever machine
runs this; run it on a quiet machine.

Usage: .venv/bin/python tools/bench_combat.py [--sizes 500,5000,10000,50000,100000]
       [--ticks 100] [--naive-max 10000] [--naive-ticks 10] [--systems] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engine.combat import PlayerConfig, WaveSchedule, World, WorldConfig  # noqa: E402
from tools.naive_horde import NaiveHorde  # noqa: E402

DT = 1.0 / 30.0
TARGETS_MS = {500: 0.5, 100_000: 16.0}
TARGET_RATIO_AT = (10_000, 20.0)


def bench_config(n: int) -> WorldConfig:
    """N enemies held steady in an arena of at least ~160 px^2 per enemy (2048 px at least),
    spawning on a ring ~340 px from the player so that the horde is on it after the warm-up."""
    side = max(2048.0, math.sqrt(n * 160.0))
    return WorldConfig(
        enemy_capacity=n,
        particle_capacity=max(8192, n // 2),
        ring_capacity=max(16384, n // 4),
        arena_size=(side, side),
        view_half_extent=(240.0, 160.0),
        waves=WaveSchedule(start_rate=1e9, max_rate=1e9, max_enemies=n,
                           tier_mix=((0.0, (0.6, 0.3, 0.1)),)),
        # Slower than the horde, so that it is caught and the dead are replaced all the time.
        player=PlayerConfig(autopilot=True, immortal=True, speed=50.0),
    )


def stats_ms(samples_ns: list[int]) -> dict[str, float]:
    ms = sorted(s / 1e6 for s in samples_ns)
    return {"mean": statistics.fmean(ms), "median": statistics.median(ms),
            "p95": ms[min(len(ms) - 1, int(0.95 * len(ms)))], "min": ms[0]}


def run_combat(n: int, ticks: int, warmup: int) -> dict[str, object]:
    world = World(bench_config(n), seed=1)
    for _ in range(warmup):
        world.step(DT)
    systems = world.systems()
    per_system = dict.fromkeys((name for name, _ in systems), 0)
    samples = []
    clock = time.perf_counter_ns
    kills0 = int(world.stats.kills_by_tier.sum())
    for _ in range(ticks):
        t0 = clock()
        for name, fn in systems:
            s0 = clock()
            fn(DT)
            per_system[name] += clock() - s0
        samples.append(clock() - t0)
    return {
        "n": n, "ticks": ticks, "tick_ms": stats_ms(samples),
        "systems_ms": {k: v / ticks / 1e6 for k, v in per_system.items()},
        "live": world.enemies.count,
        "kills_per_tick": (int(world.stats.kills_by_tier.sum()) - kills0) / ticks,
        "particles": world.particles.count, "refusals": world.stats.spawn_refusals,
    }


def run_naive(n: int, ticks: int, warmup: int) -> dict[str, object]:
    horde = NaiveHorde(bench_config(n), seed=1)
    for _ in range(warmup):
        horde.step(DT)
    samples = []
    kills0 = horde.kills
    for _ in range(ticks):
        t0 = time.perf_counter_ns()
        horde.step(DT)
        samples.append(time.perf_counter_ns() - t0)
    return {"n": n, "ticks": ticks, "tick_ms": stats_ms(samples), "live": len(horde.enemies),
            "kills_per_tick": (horde.kills - kills0) / ticks}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="500,5000,10000,50000,100000",
                    help="enemy counts, comma-separated (default: %(default)s)")
    ap.add_argument("--ticks", type=int, default=100,
                    help="timed ticks per size; big sizes use fewer (default: %(default)s)")
    ap.add_argument("--warmup", type=int, default=300,
                    help="untimed ticks first, on both sides (default: %(default)s)")
    ap.add_argument("--naive-max", type=int, default=10_000,
                    help="largest size the naive reference runs at (default: %(default)s)")
    ap.add_argument("--naive-ticks", type=int, default=30,
                    help="timed naive ticks (default: %(default)s: one melee swing or more)")
    ap.add_argument("--systems", action="store_true", help="print the per-system split")
    ap.add_argument("--json", type=Path, help="also write the results here")
    args = ap.parse_args(argv)
    try:
        sizes = [int(s) for s in args.sizes.split(",") if s]
    except ValueError:
        print(f"bench_combat: --sizes: expected comma-separated ints, got {args.sizes!r}",
              file=sys.stderr)
        return 2
    if not sizes or min(sizes) <= 0 or args.ticks <= 0:
        print("bench_combat: expected positive --sizes and --ticks", file=sys.stderr)
        return 2
    results = []
    print(f"{'N':>7} {'combat ms/tick':>26} {'naive ms/tick':>14} {'ratio':>7}  "
          f"{'kills/tick':>16}  target")
    print(f"{'':>7} {'mean':>8} {'median':>8} {'p95':>8} {'mean':>14} {'':>7}  "
          f"{'combat':>8}{'naive':>8}")
    for n in sizes:
        ticks = max(30, min(args.ticks, int(args.ticks * 10_000 / n))) if n > 10_000 \
            else args.ticks
        combat = run_combat(n, ticks, args.warmup)
        naive = None
        if n <= args.naive_max:
            naive = run_naive(n, args.naive_ticks, args.warmup)
        c = combat["tick_ms"]
        assert isinstance(c, dict)
        line = f"{n:>7} {c['mean']:>8.3f} {c['median']:>8.3f} {c['p95']:>8.3f}"
        ratio = None
        if naive is not None:
            nm = naive["tick_ms"]
            assert isinstance(nm, dict)
            ratio = nm["mean"] / c["mean"]
            line += f" {nm['mean']:>14.2f} {ratio:>6.1f}x"
        else:
            line += f" {'-':>14} {'-':>7}"
        naive_kills = f"{naive['kills_per_tick']:>8.1f}" if naive else f"{'-':>8}"
        line += f"  {combat['kills_per_tick']:>8.1f}{naive_kills}"
        notes = []
        if n in TARGETS_MS:
            ok = c["median"] < TARGETS_MS[n]
            notes.append(f"< {TARGETS_MS[n]} ms: {'met' if ok else 'MISSED'}")
        if n == TARGET_RATIO_AT[0] and ratio is not None:
            ok = ratio >= TARGET_RATIO_AT[1]
            notes.append(f">= {TARGET_RATIO_AT[1]:g}x naive: {'met' if ok else 'MISSED'}")
        print(line + "  " + "; ".join(notes), flush=True)
        if args.systems:
            split = combat["systems_ms"]
            assert isinstance(split, dict)
            print("        " + "  ".join(f"{k}={v:.3f}" for k, v in split.items()))
        results.append({"combat": combat, "naive": naive, "ratio": ratio})
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
