"""Bad numbers stay contained in the combat kit: non-finite enemy rows are quarantined before the
grid sees them, damage amounts are validated where they enter the damage step, any number of
events per tick is applied, and ``World.step`` refuses a dt it cannot simulate. Counts only."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from engine.combat import (
    KIND_BOSS,
    KIND_ENEMY,
    KIND_PLAYER,
    MAX_STEP,
    SOURCE_OTHER,
    MeleeConfig,
    PlayerConfig,
    WaveSchedule,
    WeaponConfig,
    World,
    WorldConfig,
)
from engine.profiler.steady_state import measure_steady_state

SCENES = Path(__file__).resolve().parent.parent / "demos" / "scenes"
DT = 1.0 / 30.0


def quiet(**kw) -> WorldConfig:
    """Nothing happens unless the test makes it: no spawning, no weapons, no contact."""
    base = dict(enemy_capacity=2048,
                waves=WaveSchedule(start_rate=0.0, max_rate=0.0, max_enemies=2048),
                melee=MeleeConfig(enabled=False), weapon=WeaponConfig(enabled=False),
                contact_damage=False)
    base.update(kw)
    return WorldConfig(**base)


def horde(n: int) -> World:
    """A fighting horde at its cap: waves respawn, melee and projectiles kill."""
    cfg = WorldConfig(enemy_capacity=n + n // 4,
                      waves=WaveSchedule(start_rate=1e5, max_rate=1e5, max_enemies=n),
                      player=PlayerConfig(autopilot=True, immortal=True))
    world = World(cfg, seed=3)
    for _ in range(90):
        world.step(DT)
    assert world.enemies.count > 0.95 * n
    return world


def all_finite(world: World) -> bool:
    n = world.enemies.count
    cols = world.enemies.columns
    return all(bool(np.isfinite(cols[c][:n]).all()) for c in ("pos", "prev_pos", "sep", "hp"))


def poison(world: World, k: int) -> list[int]:
    """Write NaN / inf into the position or separation velocity of k spread-out enemies."""
    store = world.enemies
    cols = store.columns
    rows = np.linspace(0, store.count - 1, k).astype(int)
    bad = [(cols["pos"], 0, math.nan), (cols["pos"], 1, math.inf), (cols["pos"], 0, -math.inf),
           (cols["sep"], 0, math.nan), (cols["sep"], 1, math.inf)]
    for i, row in enumerate(rows):
        col, axis, value = bad[i % len(bad)]
        col[row, axis] = value
    return [int(store.handles[r]) for r in rows]


# ---------------------------------------------------------------------- quarantine
def test_one_percent_nonfinite_enemies_never_reach_the_rest_of_the_horde():
    world = horde(2000)
    n0 = world.enemies.count
    handles = poison(world, n0 // 100)
    assert len(handles) == 20 and not all_finite(world)
    kills0 = int(world.stats.kills_by_tier.sum())
    released0 = world.enemies.stats.releases
    # The first tick system by system: after quarantine every row the grid rebuild reads
    # (and separation after it) is finite.
    for name, fn in world.systems():
        fn(DT)
        if name == "quarantine":
            assert all_finite(world)
            assert world.enemies.pending == 20
    assert world.stats.nonfinite_quarantined == 20
    assert all(world.enemies.row_of(h) == -1 for h in handles)
    # Removed at the flush with no kill credited: releases = kills + quarantined.
    kills = int(world.stats.kills_by_tier.sum()) - kills0
    assert world.enemies.stats.releases - released0 == kills + 20
    # Twenty simulated seconds later the rest is finite, fighting, and drawn inside the arena.
    for _ in range(600):
        world.step(DT)
        assert all_finite(world)
    n = world.enemies.count
    pos = world.enemies.columns["pos"][:n]
    assert n > 0.95 * 2000
    assert (pos >= world.arena_min).all() and (pos <= world.arena_max).all()
    assert world.stats.nonfinite_quarantined == 20
    assert int(world.stats.kills_by_tier.sum()) - kills0 > 1000


def test_nonfinite_hp_is_quarantined_and_a_quarantined_enemy_takes_no_hit():
    world = World(quiet(), seed=0)
    a = world.spawn_enemy(50.0, 0.0)
    b = world.spawn_enemy(-50.0, 0.0)
    world.enemies.columns["hp"][world.enemies.row_of(a)] = math.nan
    for h in (a, b):
        world.damage_ring.push(h, 100.0, SOURCE_OTHER, KIND_ENEMY)
    world.step(DT)
    # a: quarantined, its hit dropped as stale (no kill); b: killed by its hit.
    assert world.stats.nonfinite_quarantined == 1 and world.stats.stale_damage_events == 1
    assert int(world.stats.kills_by_tier.sum()) == 1 and world.player.kills == 1
    assert world.enemies.count == 0


def test_bad_positions_from_outside_the_kit_are_refused_at_the_door():
    world = World(quiet(), seed=0)
    with pytest.raises(ValueError, match=r"spawn_enemy: expected a finite position, got "
                                         r"\(nan, 0.0\)"):
        world.spawn_enemy(math.nan, 0.0)
    with pytest.raises(ValueError, match="player.teleport: expected a finite position"):
        world.player.teleport(0.0, math.inf)
    assert world.enemies.count == 0 and np.isfinite(world.player.pos).all()
    world.player.input_x = math.nan
    world.player.input_y = math.inf
    world.step(DT)
    assert np.isfinite(world.player.pos).all()


def test_a_nonfinite_player_position_goes_back_and_the_horde_is_untouched():
    world = World(quiet(), seed=0)
    for i in range(50):
        world.spawn_enemy(100.0 + i, 50.0)
    world.player.teleport(30.0, -20.0)
    world.step(DT)
    world.player.pos[0] = math.nan               # game code writing the array directly
    world.step(DT)
    assert world.player.pos.tolist() == [30.0, -20.0]
    assert world.stats.nonfinite_quarantined == 1
    assert world.enemies.count == 50 and all_finite(world)


def test_the_quarantine_step_allocates_nothing_even_while_quarantining():
    world = horde(500)
    pos = world.enemies.columns["pos"]
    nan = math.nan

    def poisoned_step() -> None:
        pos[7, 0] = nan                       # one bad row every tick (a Python float store)
        world.step(DT)

    before = world.stats.nonfinite_quarantined
    report = measure_steady_state(poisoned_step, warmup=50, window=200)
    assert report.ok, str(report)
    assert world.stats.nonfinite_quarantined - before == 50 + 2 * 200


# ---------------------------------------------------------------------- damage
def test_more_events_in_one_tick_than_the_store_has_rows_are_all_applied():
    world = World(quiet(enemy_capacity=100, ring_capacity=16384), seed=0)
    handles = np.array([world.spawn_enemy(float(i), 0.0) for i in range(100)], np.int64)
    hp = world.enemies.columns["hp"]
    hp[:100] = 1e6
    hp[:5] = 10.0                                 # these five die, once each
    n = 16384
    idx = np.arange(n) % 100
    amount = (np.arange(n) % 7 + 1).astype(np.float32)
    ring = world.damage_ring
    assert ring.push_batch(n, handles[idx], amount, np.full(n, SOURCE_OTHER, np.int16),
                           np.full(n, KIND_ENEMY, np.uint8)) == n
    expect = np.full(100, 1e6, np.float64)
    expect[:5] = 10.0
    np.subtract.at(expect, idx, amount.astype(np.float64))
    world.system("damage")(DT)
    assert world.stats.damage_events_last_tick == n and world.stats.stale_damage_events == 0
    assert world.system("damage").events_applied == n
    np.testing.assert_array_equal(hp[:100], expect.astype(np.float32))
    assert world.state.casualties.death_count == 5 and world.enemies.pending == 5
    world.system("deaths")(DT)
    assert world.player.kills == 5 and world.enemies.count == 95


def test_bad_amounts_are_refused_and_counted_and_hp_stays_finite():
    world = World(quiet(player=PlayerConfig(hp=100.0)), seed=0)
    boss = world.spawn_boss(str(SCENES / "brute.toml"), 300.0, 300.0)
    assert boss is not None
    boss_hp = boss.hp
    h = world.spawn_enemy(50.0, 0.0)
    enemy_hp = float(world.enemies.columns["hp"][0])
    bad = (math.nan, -1e9, math.inf, -math.inf, -1.0)
    ring = world.damage_ring
    for amount in bad:
        ring.push(h, amount, SOURCE_OTHER, KIND_ENEMY)
        ring.push(boss.handle, amount, SOURCE_OTHER, KIND_BOSS)
        ring.push(0, amount, SOURCE_OTHER, KIND_PLAYER)
    world.system("damage")(DT)
    assert world.stats.damage_refused == 3 * len(bad)
    assert world.stats.stale_damage_events == 0 and world.stats.player_hits == 0
    assert float(world.enemies.columns["hp"][0]) == enemy_hp
    assert boss.hp == boss_hp and world.player.hp == 100.0
    # A good amount next to bad ones still lands.
    ring.push(0, math.nan, SOURCE_OTHER, KIND_PLAYER)
    ring.push(0, 30.0, SOURCE_OTHER, KIND_PLAYER)
    ring.push(h, 0.5, SOURCE_OTHER, KIND_ENEMY)
    world.system("damage")(DT)
    assert world.stats.damage_refused == 3 * len(bad) + 1
    assert world.player.hp == 70.0 and world.stats.player_hits == 1
    assert float(world.enemies.columns["hp"][0]) == enemy_hp - 0.5
    # The direct entry points refuse them too.
    world.player.invuln = 0.0
    assert not world.player.take_damage(math.nan) and not world.player.take_damage(-5.0)
    assert not world.bosses.apply_damage(boss.handle, math.nan)
    assert not world.bosses.apply_damage(boss.handle, -1e9)
    assert world.player.hp == 70.0 and boss.hp == boss_hp


# ---------------------------------------------------------------------- World.step
@pytest.mark.parametrize("dt", [math.nan, math.inf, -math.inf, -1.0, 1e9, MAX_STEP + 1e-3])
def test_step_refuses_a_dt_it_cannot_simulate(dt):
    world = World(quiet(), seed=0)
    world.spawn_enemy(10.0, 0.0)
    digest = world.digest()
    with pytest.raises(ValueError, match=rf"World.step: expected dt in seconds in \[0, "
                                         rf"{MAX_STEP}\] .*got {dt!r}"):
        world.step(dt)
    assert world.time == 0.0 and world.stats.ticks == 0 and world.digest() == digest


def test_step_takes_zero_and_the_clamp():
    world = World(quiet(), seed=0)
    world.step(0.0)
    world.step(MAX_STEP)
    assert world.stats.ticks == 2 and world.time == MAX_STEP
