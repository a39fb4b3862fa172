"""The allocation contract of the full combat step at 500 and 10,000 enemies, in steady state:
ramped up, enemies dying and respawning every tick, both bosses alive and attacking,
projectiles and particles churning. Plus the same check failing on a planted temporary and on
a planted retained object, and a per-system breakdown of the transients.
"""

from __future__ import annotations

import gc
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

from engine.combat import BossWave, PlayerConfig, WaveSchedule, WeaponConfig, World, WorldConfig
from engine.profiler.steady_state import measure_steady_state

SCENES = Path(__file__).resolve().parent.parent / "demos" / "scenes"
DT = 1.0 / 30.0


def steady_world(n: int) -> World:
    cfg = WorldConfig(
        enemy_capacity=n + n // 4,
        particle_capacity=max(4096, n),
        waves=WaveSchedule(start_rate=1e6, max_rate=1e6, max_enemies=n,
                           tier_mix=((0.0, (0.6, 0.3, 0.1)),)),
        weapon=WeaponConfig(multishot=3, pierce=1, fire_rate=6.0),
        player=PlayerConfig(autopilot=True, immortal=True),
        bosses=(BossWave(0.0, str(SCENES / "spitter.toml")),
                BossWave(0.0, str(SCENES / "brute.toml"))),
    )
    world = World(cfg, seed=1)
    for _ in range(150):                      # ramp up: the horde is at the cap and dying
        world.step(DT)
    assert world.enemies.count > 0.98 * n   # the cap, less this tick's dead
    return world


@pytest.mark.parametrize("n", [500, 10_000])
def test_full_combat_step_meets_the_steady_state_contract(n):
    world = steady_world(n)
    kills0 = int(world.stats.kills_by_tier.sum())
    reuses0 = world.enemies.stats.reuses
    particles0 = world.particles.stats.acquires
    shots0 = world.projectiles.stats.acquires
    report = measure_steady_state(lambda: world.step(DT))
    assert report.ok, str(report)
    # It was a steady state with churn, not an idle world.
    assert int(world.stats.kills_by_tier.sum()) - kills0 > 500
    assert world.enemies.stats.reuses - reuses0 > 500
    assert world.particles.stats.acquires - particles0 > 1000
    assert world.projectiles.stats.acquires - shots0 > 100
    assert world.stats.bosses_live == 2
    assert world.stats.spawn_refusals == 0 and world.damage_ring.overflows == 0


def test_planted_temporary_fails_the_same_check():
    world = steady_world(500)

    def leaky_step() -> None:
        world.step(DT)
        # The classic: a distance without out= (two temporaries of 500 rows).
        pos = world.enemies.columns["pos"][:world.enemies.count]
        np.linalg.norm(pos - world.player.pos, axis=1)

    report = measure_steady_state(leaky_step, warmup=50, window=100)
    assert not report.ok
    assert "max_transient" in [f.split(":")[0] for f in report.failures()], str(report)
    assert report.max_transient > 8000          # two 500-row temporaries


def test_planted_retained_object_fails_the_same_check():
    world = steady_world(500)
    kept: list[float] = []

    def retaining_step() -> None:
        world.step(DT)
        kept.append(world.time)               # e.g. a history that grows every tick

    report = measure_steady_state(retaining_step, warmup=50, window=100)
    assert not report.ok
    assert "blocks_growth" in str(report) or "traced_growth" in str(report), str(report)


def test_each_system_stays_within_the_per_tick_transient_budget():
    """Per-system breakdown (the full-step check says whether, this one says where)."""
    world = steady_world(10_000)
    systems = world.systems()
    peak = dict.fromkeys((name for name, _ in systems), 0)
    net = dict.fromkeys(peak, 0)
    gc.collect()
    tracemalloc.start(1)
    try:
        for i in range(200):
            for name, fn in systems:
                start = tracemalloc.get_traced_memory()[0]
                tracemalloc.reset_peak()
                fn(DT)
                now, top = tracemalloc.get_traced_memory()
                peak[name] = max(peak[name], top - start)
                if i >= 50:                        # after warm-up
                    net[name] += now - start
    finally:
        tracemalloc.stop()
    table = ", ".join(f"{k}={peak[k]}B/{net[k]:+d}B" for k in peak)
    assert max(peak.values()) <= 4096, table
    assert sum(net.values()) <= 1024, table
