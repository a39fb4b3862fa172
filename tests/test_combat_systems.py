"""Combat kit systems, one behaviour at a time, on a real World (real stores, ring, hash)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from engine.combat import (
    KIND_ENEMY,
    SOURCE_OTHER,
    ConfigError,
    MeleeConfig,
    ParticleConfig,
    PlayerConfig,
    SeparationConfig,
    WaveSchedule,
    WeaponConfig,
    World,
    WorldConfig,
)

DT = 1.0 / 30.0


def quiet(**kw) -> WorldConfig:
    """A world where nothing happens unless the test makes it: no spawning, no weapons."""
    base = dict(
        enemy_capacity=2048,
        waves=WaveSchedule(start_rate=0.0, max_rate=0.0, max_enemies=2048),
        melee=MeleeConfig(enabled=False),
        weapon=WeaponConfig(enabled=False),
        contact_damage=False,
    )
    base.update(kw)
    return WorldConfig(**base)


def run(world: World, names: list[str], dt: float = DT) -> None:
    """Run the named systems once, in the world's order."""
    for name, fn in world.systems():
        if name in names:
            fn(dt)


def live_handles(world: World) -> set[int]:
    return set(world.enemies.handles[:world.enemies.count].tolist())


# ---------------------------------------------------------------------- wiring
def test_systems_run_in_the_documented_order_and_install_into_a_scheduler():
    from engine.core.scheduler import Scheduler

    world = World(quiet(), seed=1)
    names = [n for n, _ in world.systems()]
    assert names == ["waves", "player", "movement", "quarantine", "spatial_hash", "separation",
                     "contact", "melee", "projectiles", "bosses", "damage", "deaths",
                     "animation", "particles"]
    sched = Scheduler(step_hz=30)
    world.install(sched)
    assert sched.system_names == names
    world.config.waves.start_rate = 300.0
    world.config.waves.max_rate = 300.0
    steps = sched.advance(10 * sched.step_ns)
    assert steps >= 5
    assert world.enemies.count > 0


def test_config_errors_name_the_attribute_expected_and_found():
    with pytest.raises(ConfigError, match=r"melee\.radius: expected a number > 0, got -5"):
        World(WorldConfig(melee=MeleeConfig(radius=-5)))
    with pytest.raises(ConfigError, match=r"waves\.tier_mix\[0\] weights: expected 3 weights"):
        World(WorldConfig(waves=WaveSchedule(tier_mix=((0.0, (1.0, 0.0)),))))
    with pytest.raises(ConfigError, match=r"enemy_capacity: expected an int >= 1, got 0"):
        World(WorldConfig(enemy_capacity=0))


# ---------------------------------------------------------------------- waves
def test_wave_ramp_spawns_the_integral_of_the_rate_outside_the_view():
    cfg = quiet(waves=WaveSchedule(start_rate=10.0, max_rate=70.0, ramp_seconds=6.0,
                                   max_enemies=10_000), enemy_capacity=10_000)
    world = World(cfg, seed=3)
    seconds = 6.0
    spawned_at_check = []
    for i in range(int(seconds * 30)):
        run(world, ["waves"])
        if i == 29:
            spawned_at_check.append(world.enemies.count)
    # Linear ramp 10 -> 70 over 6 s: 10 t + 5 t^2; after 1 s: 15, after 6 s: 240.
    assert abs(spawned_at_check[0] - 15) <= 1
    assert abs(world.enemies.count - 240) <= 1
    # Every spawn on the ring outside the view around the player (at the origin).
    pos = world.enemies.columns["pos"][:world.enemies.count]
    dist = np.hypot(pos[:, 0], pos[:, 1])
    inner = math.hypot(*cfg.view_half_extent) + cfg.waves.spawn_margin
    assert dist.min() >= inner - 1e-3
    assert dist.max() <= inner + cfg.waves.spawn_ring_width + 1e-3
    assert world.stats.spawns_total == world.enemies.count


def test_tier_mix_follows_the_schedule():
    waves = WaveSchedule(start_rate=3000.0, max_rate=3000.0, max_enemies=100_000,
                         tier_mix=((0.0, (1.0, 0.0, 0.0)), (10.0, (0.0, 0.0, 1.0))))
    world = World(quiet(waves=waves, enemy_capacity=100_000), seed=5)
    run(world, ["waves"])
    tiers = world.enemies.columns["tier"][:world.enemies.count]
    assert world.enemies.count == 100 and (tiers == 0).all()
    world.state.clock.time = 20.0
    start = world.enemies.count
    run(world, ["waves"])
    late = world.enemies.columns["tier"][start:world.enemies.count]
    assert late.size == 100 and (late == 2).all()
    # Halfway: about half and half, drawn from the seeded rng.
    world.state.clock.time = 5.0 - DT
    start = world.enemies.count
    for _ in range(10):
        run(world, ["waves"])
        world.state.clock.time -= DT
    mid = world.enemies.columns["tier"][start:world.enemies.count]
    assert 0.4 < (mid == 2).mean() < 0.6
    assert not (mid == 1).any()
    # Per-row copies of the tier numbers.
    n = world.enemies.count
    cols = world.enemies.columns
    assert np.array_equal(cols["hp"][:n], world.tiers.hp[cols["tier"][:n]])
    assert np.array_equal(cols["radius"][:n], world.tiers.radius[cols["tier"][:n]])


def test_cap_holds_spawns_back_and_spawning_resumes_as_enemies_die():
    waves = WaveSchedule(start_rate=600.0, max_rate=600.0, max_enemies=100)
    world = World(quiet(waves=waves), seed=2)
    for _ in range(20):
        run(world, ["waves"])
    assert world.enemies.count == 100
    assert world.stats.spawns_capped > 0
    assert world.stats.spawn_refusals == 0            # the cap is not a refusal
    world.enemies.kill_rows(np.arange(100) < 30)
    world.enemies.flush()
    run(world, ["waves"])
    assert world.enemies.count == 100


def test_pool_exhaustion_refuses_counts_and_resumes():
    waves = WaveSchedule(start_rate=300.0, max_rate=300.0, max_enemies=1000)
    world = World(quiet(waves=waves, enemy_capacity=50), seed=2)
    for _ in range(10):
        run(world, ["waves"])
    assert world.enemies.count == 50
    assert world.stats.spawn_refusals == 10 * 10 - 50
    assert world.enemies.stats.refusals == world.stats.spawn_refusals
    world.enemies.kill_rows(np.arange(50) < 20)
    world.enemies.flush()
    run(world, ["waves"])
    assert world.enemies.count == 40                  # 10 per tick, none lost
    run(world, ["waves"])
    run(world, ["waves"])
    assert world.enemies.count == 50
    assert world.stats.spawn_refusals == 50 + 10


# ---------------------------------------------------------------------- movement
def test_enemies_approach_the_player_and_stop_at_contact():
    world = World(quiet(separation=SeparationConfig(enabled=False)), seed=4)
    for i in range(200):
        a = i / 200 * math.tau
        world.spawn_enemy(400 * math.cos(a), 400 * math.sin(a), tier=i % 3)
    def dist() -> np.ndarray:
        pos = world.enemies.columns["pos"][:world.enemies.count]
        return np.hypot(pos[:, 0], pos[:, 1])
    d0 = dist()
    run(world, ["movement"])
    d1 = dist()
    speed = world.enemies.columns["speed"][:200]
    assert np.allclose(d0 - d1, speed * DT, atol=1e-3)
    assert np.array_equal(world.enemies.columns["prev_pos"][:200, 0] ** 2
                          + world.enemies.columns["prev_pos"][:200, 1] ** 2 > 0, d0 > 0)
    for _ in range(300):
        run(world, ["movement"])
    touch = world.enemies.columns["radius"][:200] + world.player.radius
    assert np.allclose(dist(), touch, atol=1e-2)


def close_pairs(world: World, limit: float) -> int:
    pos = world.enemies.columns["pos"][:world.enemies.count].astype(np.float64)
    d = np.hypot(pos[:, None, 0] - pos[None, :, 0], pos[:, None, 1] - pos[None, :, 1])
    return int((d[np.triu_indices(len(pos), 1)] < limit).sum())


@pytest.mark.parametrize("tier", [0, 2])
def test_separation_keeps_neighbours_apart(tier):
    def crowd(enabled: bool) -> int:
        world = World(quiet(separation=SeparationConfig(enabled=enabled)), seed=7)
        rng = np.random.default_rng(0)
        for x, y in rng.uniform(-300, 300, size=(300, 2)):
            world.spawn_enemy(float(x), float(y), tier=tier)
        for _ in range(240):
            run(world, ["movement", "spatial_hash", "separation"])
        return close_pairs(world, world.tiers.radius[tier])  # overlapping by half or more
    with_sep = crowd(True)
    without = crowd(False)
    assert without > 200
    assert with_sep < without / 3, (with_sep, without)


# ---------------------------------------------------------------------- melee
def melee_world(arc: float = 360.0) -> World:
    cfg = quiet(melee=MeleeConfig(radius=90.0, damage=5.0, period=0.5, arc_degrees=arc))
    world = World(cfg, seed=11)
    rng = np.random.default_rng(1)
    for x, y in rng.uniform(-200, 200, size=(600, 2)):
        world.spawn_enemy(float(x), float(y), tier=int(rng.integers(0, 3)))
    world.player.teleport(13.0, -7.0)
    world.player.facing[:] = (0.6, 0.8)
    return world


def drained_targets(world: World) -> list[int]:
    out = {"target": np.zeros(4096, np.int64), "amount": np.zeros(4096, np.float32),
           "source": np.zeros(4096, np.int16), "kind": np.zeros(4096, np.uint8)}
    n = world.damage_ring.drain(out)
    assert (out["kind"][:n] == KIND_ENEMY).all()
    return out["target"][:n].tolist()


@pytest.mark.parametrize("arc", [360.0, 120.0])
def test_melee_hits_exactly_the_enemies_in_range(arc):
    world = melee_world(arc)
    run(world, ["spatial_hash"])
    world.system("melee").timer = 0.0
    run(world, ["melee"])
    got = drained_targets(world)
    assert len(got) == len(set(got)), "an enemy was hit twice by one swing"
    pos = world.enemies.columns["pos"][:world.enemies.count]
    off = pos - world.player.pos
    dist = np.hypot(off[:, 0], off[:, 1])
    inside = dist < 90.0
    if arc < 360:
        cosang = (off @ world.player.facing) / np.maximum(dist, 1e-9)
        inside &= cosang >= math.cos(math.radians(arc / 2))
    want = set(world.enemies.handles[:world.enemies.count][inside].tolist())
    assert len(want) > 10
    assert set(got) == want
    assert world.stats.melee_hits_total == len(want)


def test_melee_swings_once_per_period():
    world = melee_world()
    world.system("melee").timer = 0.5
    for _ in range(90):          # 3 s
        run(world, ["spatial_hash", "melee"])
        world.damage_ring.clear()
    assert world.system("melee").swings == 6


# ---------------------------------------------------------------------- projectiles
def test_projectile_hits_the_nearest_enemy():
    cfg = quiet(weapon=WeaponConfig(fire_rate=1.0, speed=300.0, damage=7.0, lifetime=2.0,
                                    aim_range=500.0))
    world = World(cfg, seed=1)
    far = world.spawn_enemy(0.0, 200.0, tier=1)
    near = world.spawn_enemy(-130.0, -20.0, tier=1)
    other = world.spawn_enemy(150.0, 90.0, tier=1)
    for _ in range(30):
        run(world, ["spatial_hash", "projectiles"])
        if world.damage_ring.size:
            break
    targets = drained_targets(world)
    assert targets == [near]
    assert world.stats.projectiles_fired == 1
    assert world.projectiles.count == 0               # spent on the hit (pierce 0)
    assert far != other


def test_piercing_projectile_moves_on_and_expires():
    cfg = quiet(weapon=WeaponConfig(fire_rate=0.5, speed=300.0, damage=1.0, lifetime=1.0,
                                    pierce=1, aim_range=500.0))
    world = World(cfg, seed=1)
    a = world.spawn_enemy(60.0, 0.0, tier=2)
    b = world.spawn_enemy(120.0, 0.0, tier=2)
    c = world.spawn_enemy(180.0, 0.0, tier=2)
    hits: list[int] = []
    for _ in range(40):
        run(world, ["spatial_hash", "projectiles"])
        hits += drained_targets(world)
    assert hits == [a, b]                             # two hits: the first and one pierce
    assert world.projectiles.count == 0
    assert c not in hits


def test_no_target_no_shot():
    world = World(quiet(weapon=WeaponConfig(aim_range=100.0)), seed=1)
    world.spawn_enemy(300.0, 0.0)
    for _ in range(30):
        run(world, ["spatial_hash", "projectiles"])
    assert world.stats.projectiles_fired == 0


# ---------------------------------------------------------------------- damage
def test_damage_applies_each_event_once_sums_per_target_and_counts_stale():
    world = World(quiet(), seed=1)
    h = [world.spawn_enemy(float(i * 20), 0.0, tier=2) for i in range(6)]   # hp 120 each
    ring = world.damage_ring
    ring.push(h[0], 10.0, SOURCE_OTHER, KIND_ENEMY)
    ring.push(h[0], 15.0, SOURCE_OTHER, KIND_ENEMY)
    ring.push(h[0], 20.0, SOURCE_OTHER, KIND_ENEMY)
    ring.push(h[3], 5.0, SOURCE_OTHER, KIND_ENEMY)
    ring.push(h[0], 1.0, SOURCE_OTHER, KIND_ENEMY)
    world.enemies.despawn(h[5])
    world.enemies.flush()                               # h[5] is now stale
    ring.push(h[5], 50.0, SOURCE_OTHER, KIND_ENEMY)
    run(world, ["damage"])
    assert world.system("damage").last_rounds == 4      # h[0] was hit 4 times
    hp = {x: float(world.enemies.columns["hp"][world.enemies.row_of(x)]) for x in h[:5]}
    assert hp == {h[0]: 74.0, h[1]: 120.0, h[2]: 120.0, h[3]: 115.0, h[4]: 120.0}
    assert world.stats.stale_damage_events == 1
    assert world.stats.damage_events_last_tick == 6
    assert world.system("damage").events_applied == 5
    run(world, ["damage"])                             # nothing left: nothing applied twice
    assert world.enemies.columns["hp"][world.enemies.row_of(h[0])] == 74.0


def test_the_dead_return_to_the_pool_and_are_counted_by_tier():
    world = World(quiet(particles=ParticleConfig(per_death=4, per_hit=0)), seed=1)
    h = [world.spawn_enemy(float(i * 30), 0.0, tier=i % 3) for i in range(9)]
    for x in h[:5]:                                     # tiers 0, 1, 2, 0, 1
        world.damage_ring.push(x, 500.0, SOURCE_OTHER, KIND_ENEMY)
    world.damage_ring.push(h[5], 1.0, SOURCE_OTHER, KIND_ENEMY)
    run(world, ["damage"])
    assert world.enemies.pending == 5 and world.enemies.count == 9   # deferred
    run(world, ["deaths"])
    assert world.enemies.count == 4
    assert world.enemies.stats.releases == 5
    assert all(world.enemies.row_of(x) == -1 for x in h[:5])
    assert world.stats.kills_by_tier.tolist() == [2, 2, 1]
    assert world.stats.enemies_by_tier.tolist() == [1, 1, 2]
    assert world.player.kills == 5
    assert world.player.xp == 2 * 1 + 2 * 3 + 10
    assert world.particles.count == 5 * 4
    # Their slots are reused by the next spawns.
    before = world.enemies.stats.reuses
    for _ in range(5):
        world.spawn_enemy(0.0, 0.0)
    assert world.enemies.stats.reuses == before + 5


def test_ring_overflow_is_counted_and_the_rest_applied():
    cfg = quiet(ring_capacity=8, melee=MeleeConfig(radius=500.0, damage=1.0))
    world = World(cfg, seed=1)
    for i in range(20):
        world.spawn_enemy(float(i * 5), 0.0, tier=2)
    run(world, ["spatial_hash"])
    world.system("melee").timer = 0.0
    run(world, ["melee", "damage"])
    assert world.damage_ring.overflows == 12
    assert world.stats.damage_events_last_tick == 8
    hp = world.enemies.columns["hp"][:20]
    assert int((hp == 119.0).sum()) == 8 and int((hp == 120.0).sum()) == 12


# ---------------------------------------------------------------------- player
def test_contact_damage_then_invulnerability():
    cfg = quiet(contact_damage=True, player=PlayerConfig(hp=100.0, invuln_seconds=0.5))
    world = World(cfg, seed=1)
    world.spawn_enemy(5.0, 0.0, tier=2)                 # damage 16
    world.spawn_enemy(-5.0, 0.0, tier=0)                # damage 4
    hp = []
    for _ in range(30):
        run(world, ["player", "spatial_hash", "contact", "damage"])
        hp.append(world.player.hp)
    # The strongest contact hits, then 0.5 s (15 ticks) of invulnerability.
    assert hp[0] == 84.0
    assert hp[1:15] == [84.0] * 14
    assert hp[16] == 68.0
    assert world.stats.player_hits == 2


def test_keyboard_input_and_autopilot_move_the_player():
    world = World(quiet(player=PlayerConfig(speed=150.0)), seed=1)
    world.player.input_x = 1.0
    run(world, ["player"])
    assert world.player.pos.tolist() == pytest.approx([5.0, 0.0])
    assert world.player.prev_pos.tolist() == [0.0, 0.0]
    world.player.input_x = 1.0
    world.player.input_y = 1.0                          # diagonal: not faster
    run(world, ["player"])
    step = world.player.pos - world.player.prev_pos
    assert float(np.hypot(*step)) == pytest.approx(5.0, rel=1e-5)
    world.player.autopilot = True
    radii = []
    for _ in range(600):
        run(world, ["player"])
        radii.append(float(np.hypot(*world.player.pos)))
    assert min(radii[300:]) > 0.9 * world.config.player.autopilot_radius
    assert max(radii[300:]) < 1.1 * world.config.player.autopilot_radius


# ---------------------------------------------------------------------- animation, particles
def test_animation_advances_by_tier_fps_with_random_phase():
    waves = WaveSchedule(start_rate=3000.0, max_rate=3000.0, max_enemies=1000)
    world = World(quiet(waves=waves), seed=9)
    for _ in range(5):
        run(world, ["waves"])
    n = world.enemies.count
    cols = world.enemies.columns
    f0 = cols["anim_frame"][:n].copy()
    assert len(np.unique(np.floor(f0[cols["tier"][:n] == 0]))) == 4   # phases spread
    run(world, ["animation"])
    f1 = cols["anim_frame"][:n]
    expect = np.fmod(f0 + world.tiers.anim_fps[cols["tier"][:n]] * np.float32(DT),
                     world.tiers.frames[cols["tier"][:n]])
    assert np.allclose(f1, expect, atol=1e-5)
    assert (f1 < world.tiers.frames[cols["tier"][:n]]).all()


def test_particles_fade_expire_and_refuse_when_full():
    cfg = quiet(particle_capacity=10, particles=ParticleConfig(per_death=4, per_hit=0,
                                                               life=0.3))
    world = World(cfg, seed=1)
    h = [world.spawn_enemy(float(i * 30), 0.0) for i in range(3)]
    for x in h:
        world.damage_ring.push(x, 100.0, SOURCE_OTHER, KIND_ENEMY)
    run(world, ["damage", "deaths"])
    assert world.particles.count == 10
    assert world.particles.stats.refusals == 2
    alpha0 = world.particles.columns["color"][:10, 3].copy()
    run(world, ["particles"])
    assert (world.particles.columns["color"][:world.particles.count, 3] <= alpha0).all()
    for _ in range(10):                                   # 0.33 s > life
        run(world, ["particles"])
    assert world.particles.count == 0
    assert world.particles.stats.releases == 10
    assert world.stats.particles_live == 0


@pytest.mark.parametrize("immortal", [False, True])
def test_player_death_is_counted_and_immortal_refills(immortal):
    cfg = quiet(contact_damage=True, melee=MeleeConfig(radius=10.0),
                player=PlayerConfig(hp=20.0, invuln_seconds=0.1, immortal=immortal))
    world = World(cfg, seed=1)
    world.spawn_enemy(5.0, 0.0, tier=2)                 # 16 per hit
    for _ in range(30):
        world.step(DT)
    assert world.stats.player_deaths == world.player.deaths >= 1
    if immortal:
        assert world.player.alive and world.player.hp > 0
    else:
        assert not world.player.alive and world.player.hp == 0.0
        assert world.player.deaths == 1 and world.system("melee").swings == 0


def test_spawn_ring_follows_the_view_extent_set_at_run_time():
    waves = WaveSchedule(start_rate=600.0, max_rate=600.0, max_enemies=1000)
    world = World(quiet(waves=waves), seed=2)
    world.config.view_half_extent = (1200.0, 900.0)
    world.player.teleport(100.0, -50.0)
    run(world, ["waves"])
    pos = world.enemies.columns["pos"][:world.enemies.count]
    dist = np.hypot(pos[:, 0] - 100.0, pos[:, 1] + 50.0)
    assert world.enemies.count == 20
    assert dist.min() >= 1500.0 + world.config.waves.spawn_margin - 1e-2
