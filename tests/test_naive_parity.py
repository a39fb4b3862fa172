"""The naive reference (tools/naive_horde.py) does the same work as engine.combat.

tools/bench_combat.py and tools/bench_scale.py divide the naive tick by the engine's tick; that
ratio is honest only when both sides kill, refill, shoot and spawn particles at the same rate.
Same config, same seed, a small N held steady; per-tick counts over whole melee periods after
the horde has closed in. Counts only, no timings. The RNGs differ (numpy vs ``random``), so
the sides agree in distribution, not bit for bit. Two bands: bench_combat's ``PARITY_BAND``
(0.5x-2x, what the benchmark prints "parity ok" on) and a tighter ``TIGHT`` (0.8x-1.25x) for
kills, spawns, melee and projectile hits, particles. Recorded: this test's run (N = 1500,
seed 3) 0.97-1.07 over the six counts (kills 1.06); kills at N = 2000, seeds 1-5, 480 ticks,
0.97-1.06; at N = 10,000 (bench_combat, 120 ticks) 0.90.

The check can fail: ``test_parity_check_catches_a_planted_difference`` plants a rule change on
the naive side only. Separation off (the crowd packs around the player: 3.1x the kills) leaves
``PARITY_BAND``; a melee radius of 140 instead of 70 (1.9x) or half the melee damage (0.69x)
stays inside it but leaves ``TIGHT``. (Before the fix that introduced this test, the naive
separation paired enemies only inside one grid cell, in list order: 2.6x the engine's kills
at N = 2000.)
"""

from __future__ import annotations

import dataclasses

import pytest

from engine.combat import World
from tools.bench_combat import (
    DT,
    PARITY_BAND,
    bench_config,
    engine_counts,
    parity,
    per_tick,
)
from tools.naive_horde import NaiveHorde

N = 1500
WARMUP = 180        # the spawn ring is ~340 px out: the horde reaches the player in ~150 ticks
COUNTED = 240       # ten melee periods of 24 ticks
SEED = 3
TIGHT = (0.8, 1.25)
CHECKED = ("kills", "spawns", "fired", "particles", "melee_hits", "projectile_hits")


def _engine_rates(cfg) -> dict[str, float]:
    world = World(cfg, seed=SEED)
    for _ in range(WARMUP):
        world.step(DT)
    before = engine_counts(world)
    for _ in range(COUNTED):
        world.step(DT)
    return per_tick(before, engine_counts(world), COUNTED)


def _naive_rates(cfg) -> dict[str, float]:
    horde = NaiveHorde(cfg, seed=SEED)
    for _ in range(WARMUP):
        horde.step(DT)
    before = horde.counts()
    for _ in range(COUNTED):
        horde.step(DT)
    return per_tick(before, horde.counts(), COUNTED)


@pytest.fixture(scope="module")
def engine_rates() -> dict[str, float]:
    return _engine_rates(bench_config(N))


def _tight_misses(engine: dict[str, float], naive: dict[str, float]) -> list[str]:
    lo, hi = TIGHT
    return [f"{k}: {naive[k] / engine[k]:.2f}" for k in CHECKED
            if not lo <= naive[k] / engine[k] <= hi]


def test_naive_and_engine_do_the_same_work(engine_rates):
    naive = _naive_rates(bench_config(N))
    ok, ratios = parity(engine_rates, naive)
    detail = f"engine {engine_rates}\nnaive {naive}\nnaive/engine {ratios}"
    # Not a trivial agreement: the horde is being killed and refilled on both sides.
    assert engine_rates["kills"] > 0.5 and naive["kills"] > 0.5, detail
    assert ok, detail
    assert _tight_misses(engine_rates, naive) == [], detail
    # Schedules read from the same config tick alike (whole swings and volleys).
    assert naive["melee_swings"] == engine_rates["melee_swings"] > 0, detail
    assert naive["fired"] == engine_rates["fired"] > 0, detail
    assert naive["spawn_refusals"] == engine_rates["spawn_refusals"] == 0, detail


def _planted(**changes: object):
    cfg = bench_config(N)
    sep = changes.pop("separation_enabled", None)
    if sep is not None:
        cfg = dataclasses.replace(cfg, separation=dataclasses.replace(cfg.separation,
                                                                      enabled=sep))
    if changes:
        cfg = dataclasses.replace(cfg, melee=dataclasses.replace(cfg.melee, **changes))
    return cfg


def test_parity_check_catches_a_planted_difference(engine_rates):
    naive = _naive_rates(_planted(separation_enabled=False))
    ok, ratios = parity(engine_rates, naive)
    assert not ok and ratios["kills"] > PARITY_BAND[1], f"separation off unnoticed: {ratios}"
    for change in ({"radius": 140.0}, {"damage": 6.0}):
        naive = _naive_rates(_planted(**change))
        ok, ratios = parity(engine_rates, naive)
        assert ok, f"{change}: expected inside the wide band, got {ratios}"
        assert "kills: " in " ".join(_tight_misses(engine_rates, naive)), \
            f"{change} unnoticed by the tight band: {ratios}"
