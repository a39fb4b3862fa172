"""Tick cost of the full combat step (engine.combat) at 500 to 100k enemies, next to the naive
object-per-enemy reference (tools/naive_horde.py) with the same rules, and the ratio.

Each size holds N steady: ``max_enemies = N``, the wave director refills instantly (the dead
are replaced the next tick), the player kites on autopilot, melee and the weapon kill all the
time, particles churn; no bosses (the naive reference has none). After a warm-up, every tick is
timed with ``perf_counter_ns``; the per-system split comes from timing each system of the same
ticks. The naive reference runs only up to ``--naive-max`` enemies (it takes seconds per tick
beyond that).

Parity. A ratio means something only if both sides do the same work, so each side also
reports what it did per tick: enemies killed, enemies spawned, projectiles fired, particles
spawned, counted over the last ``--count-ticks`` ticks (the timed ticks and the end of the
warm-up: several melee periods, since melee kills come in one burst per swing). The naive
side's kills and spawns per tick must be within 0.5x-2x of the engine's ("parity ok"), or the
line says "PARITY OFF" and the ratio is not to be trusted (tests/test_naive_parity.py holds it
at a small N).

Targets (ARCHITECTURE / issue 5): 500 enemies under 0.5 ms per tick, 100k under 16 ms per tick,
at least 20x faster than the naive reference at 10k. Timings are wall-clock on whatever machine
runs this; run it on a quiet machine.

Usage: .venv/bin/python -m tools.bench_combat [--sizes 500 5000 10000 50000 100000]
       [--ticks 96] [--warmup 10] [--naive-max 10000] [--naive-ticks 48] [--count-ticks 120]
       [--systems] [--report out.json]
"""

from __future__ import annotations

import argparse
import math
import statistics
import time

from engine.combat import PlayerConfig, WaveSchedule, World, WorldConfig
from tools.common import (
    add_report,
    add_sizes,
    add_warmup,
    check_memory,
    check_report,
    enemy_row_bytes,
    percentile,
    tool_parser,
    write_json_report,
)
from tools.naive_horde import NaiveHorde

DT = 1.0 / 30.0
TARGETS_MS = {500: 0.5, 100_000: 16.0}
TARGET_RATIO_AT = (10_000, 20.0)
PARITY_BAND = (0.5, 2.0)
"""Naive / engine per-tick kills and spawns must fall in this band for the ratio to count."""
COUNTED = ("kills", "spawns", "fired", "particles")
"""The per-tick counts each side reports (see ``engine_counts`` and ``NaiveHorde.counts``)."""


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
            "p95": percentile(ms, 95), "min": ms[0]}


def engine_counts(world: World) -> dict[str, int]:
    """The engine's cumulative counters under the names ``NaiveHorde.counts`` uses."""
    st = world.stats
    return {"kills": int(st.kills_by_tier.sum()), "spawns": st.spawns_total,
            "spawn_refusals": st.spawn_refusals, "fired": st.projectiles_fired,
            "projectile_hits": st.projectile_hits_total, "melee_swings": st.melee_swings,
            "melee_hits": st.melee_hits_total, "particles": world.particles.stats.acquires,
            "particle_refusals": world.particles.stats.refusals,
            "player_hits": st.player_hits}


def per_tick(before: dict[str, int], after: dict[str, int], ticks: int) -> dict[str, float]:
    return {k: (after[k] - before[k]) / ticks for k in after}


def run_combat(n: int, ticks: int, warmup: int, count_ticks: int) -> dict[str, object]:
    world = World(bench_config(n), seed=1)
    lead = max(0, min(warmup, count_ticks - ticks))  # counted warm-up ticks
    for _ in range(warmup - lead):
        world.step(DT)
    counts0 = engine_counts(world)
    for _ in range(lead):
        world.step(DT)
    systems = world.systems()
    per_system = dict.fromkeys((name for name, _ in systems), 0)
    samples = []
    clock = time.perf_counter_ns
    for _ in range(ticks):
        t0 = clock()
        for name, fn in systems:
            s0 = clock()
            fn(DT)
            per_system[name] += clock() - s0
        samples.append(clock() - t0)
        # What World.step does after its systems (the tick counter, the clock).
        world.stats.ticks += 1
        world.stats.time = world.time
    return {
        "n": n, "ticks": ticks, "tick_ms": stats_ms(samples),
        "systems_ms": {k: v / ticks / 1e6 for k, v in per_system.items()},
        "live": world.enemies.count, "counted_ticks": lead + ticks,
        "per_tick": per_tick(counts0, engine_counts(world), lead + ticks),
        "particles_live": world.particles.count, "refusals": world.stats.spawn_refusals,
    }


def run_naive(n: int, ticks: int, warmup: int, count_ticks: int) -> dict[str, object]:
    horde = NaiveHorde(bench_config(n), seed=1)
    lead = max(0, min(warmup, count_ticks - ticks))
    for _ in range(warmup - lead):
        horde.step(DT)
    counts0 = horde.counts()
    for _ in range(lead):
        horde.step(DT)
    samples = []
    clock = time.perf_counter_ns
    for _ in range(ticks):
        t0 = clock()
        horde.step(DT)
        samples.append(clock() - t0)
    return {"n": n, "ticks": ticks, "tick_ms": stats_ms(samples), "live": len(horde.enemies),
            "counted_ticks": lead + ticks,
            "per_tick": per_tick(counts0, horde.counts(), lead + ticks)}


def parity(combat: dict[str, float], naive: dict[str, float]) -> tuple[bool, dict[str, float]]:
    """Naive / engine per-tick counts; ok when kills and spawns are within ``PARITY_BAND``."""
    ratios = {k: (naive[k] / combat[k] if combat[k] else math.inf if naive[k] else 1.0)
              for k in COUNTED}
    lo, hi = PARITY_BAND
    return all(lo <= ratios[k] <= hi for k in ("kills", "spawns")), ratios


def counts_line(label: str, pt: dict[str, float], counted: object) -> str:
    return (f"{'':>7} {label:<7}" + "".join(f"{pt[k]:>10.2f}" for k in COUNTED)
            + f"   per tick over {counted} ticks")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Parse and validate; bad input exits with one line on stderr and code 2."""
    ap = tool_parser("bench_combat", __doc__)
    add_sizes(ap, (500, 5000, 10000, 50000, 100000), "enemy counts")
    ap.add_argument("--ticks", type=int, default=96,
                    help="timed ticks per size; big sizes use fewer (default: %(default)s: "
                         "four melee periods)")
    add_warmup(ap, 10.0, "untimed simulated seconds first, on both sides (30 ticks a second)")
    ap.add_argument("--naive-max", type=int, default=10_000,
                    help="largest size the naive reference runs at (default: %(default)s)")
    ap.add_argument("--naive-ticks", type=int, default=48,
                    help="timed naive ticks (default: %(default)s: two melee periods, so its "
                         "mean holds whole swings like the engine's)")
    ap.add_argument("--count-ticks", type=int, default=120,
                    help="ticks the per-tick counts are taken over, the timed ones last "
                         "(default: %(default)s: five melee periods)")
    ap.add_argument("--systems", action="store_true",
                    help="print the per-system split (default: off)")
    add_report(ap, None, "also write the results here as JSON")
    args = ap.parse_args(argv)
    sizes = args.sizes
    if (args.ticks <= 0 or args.naive_ticks <= 0 or not math.isfinite(args.warmup)
            or args.warmup < 0 or args.count_ticks <= 0):
        ap.error(f"expected positive --ticks, --naive-ticks, --count-ticks and --warmup >= 0 "
                 f"seconds, got {args.ticks}, {args.naive_ticks}, {args.count_ticks}, "
                 f"{args.warmup}")
    why = check_memory(max(sizes) * enemy_row_bytes(), f"--sizes {max(sizes)}")
    if why is not None:
        ap.error(why)
    check_report(ap, args.report)
    args.warmup_ticks = round(min(args.warmup, 3600.0) / DT)
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    sizes, warmup = args.sizes, args.warmup_ticks
    results = []
    print(f"{'N':>7} {'combat ms/tick':>26} {'naive ms/tick':>14} {'ratio':>7}  target")
    print(f"{'':>7} {'mean':>8} {'median':>8} {'p95':>8} {'mean':>14}")
    print(f"{'':>7} {'':<7}" + "".join(f"{k:>10}" for k in COUNTED))
    for n in sizes:
        ticks = max(30, min(args.ticks, int(args.ticks * 10_000 / n))) if n > 10_000 \
            else args.ticks
        combat = run_combat(n, ticks, warmup, args.count_ticks)
        naive = None
        if n <= args.naive_max:
            naive = run_naive(n, args.naive_ticks, warmup, args.count_ticks)
        c = combat["tick_ms"]
        assert isinstance(c, dict)
        line = f"{n:>7} {c['mean']:>8.3f} {c['median']:>8.3f} {c['p95']:>8.3f}"
        ratio = None
        ok_parity = None
        ratios: dict[str, float] = {}
        if naive is not None:
            nm = naive["tick_ms"]
            assert isinstance(nm, dict)
            ratio = nm["mean"] / c["mean"]
            line += f" {nm['mean']:>14.2f} {ratio:>6.1f}x"
            cpt, npt = combat["per_tick"], naive["per_tick"]
            assert isinstance(cpt, dict) and isinstance(npt, dict)
            ok_parity, ratios = parity(cpt, npt)
        else:
            line += f" {'-':>14} {'-':>7}"
        notes = []
        if n in TARGETS_MS:
            ok = c["median"] < TARGETS_MS[n]
            notes.append(f"< {TARGETS_MS[n]} ms: {'met' if ok else 'MISSED'}")
        if n == TARGET_RATIO_AT[0] and ratio is not None:
            ok = ratio >= TARGET_RATIO_AT[1] and bool(ok_parity)
            notes.append(f">= {TARGET_RATIO_AT[1]:g}x naive: {'met' if ok else 'MISSED'}")
        if ok_parity is not None:
            notes.append("parity ok" if ok_parity else "PARITY OFF: the ratio does not count")
        print(line + "  " + "; ".join(notes), flush=True)
        cpt = combat["per_tick"]
        assert isinstance(cpt, dict)
        print(counts_line("combat", cpt, combat["counted_ticks"]))
        if naive is not None:
            npt = naive["per_tick"]
            assert isinstance(npt, dict)
            print(counts_line("naive", npt, naive["counted_ticks"])
                  + "; naive/combat " + " ".join(f"{ratios[k]:.2f}" for k in COUNTED),
                  flush=True)
        if args.systems:
            split = combat["systems_ms"]
            assert isinstance(split, dict)
            print("        " + "  ".join(f"{k}={v:.3f}" for k, v in split.items()))
        results.append({"combat": combat, "naive": naive, "ratio": ratio,
                        "parity_ok": ok_parity, "parity_ratios": ratios or None})
    if args.report:
        write_json_report(args.report, results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
