"""The combat systems share a WorldState and nothing else: each one is built from a state
alone, and World only builds that state and the systems in SYSTEM_ORDER over it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from engine.combat import SYSTEM_ORDER, MeleeConfig, WaveSchedule, World, WorldConfig, WorldState
from engine.combat.systems import (
    DamageSystem,
    DeathSystem,
    GridRebuildSystem,
    MeleeSystem,
    WaveSystem,
)

DT = 1.0 / 30.0
SYSTEMS = Path(__file__).resolve().parent.parent / "engine" / "combat" / "systems"


def test_systems_build_and_run_on_a_bare_state():
    """Grid, melee, damage and deaths on a state with no World: the swing hits what the grid
    finds, the kills reach the deaths step through ``state.casualties`` and leave bursts."""
    cfg = WorldConfig(enemy_capacity=64, particle_capacity=256, projectile_capacity=16,
                      ring_capacity=64, waves=WaveSchedule(start_rate=0.0, max_rate=0.0),
                      melee=MeleeConfig(radius=50.0, damage=1000.0))
    state = WorldState.build(cfg, seed=3)
    waves = WaveSystem(state)
    for x in (10.0, 30.0, 200.0):
        assert waves.place(x, 0.0, tier=0) >= 0
    GridRebuildSystem(state)(DT)
    melee = MeleeSystem(state)
    melee.timer = 0.0
    melee(DT)
    assert melee.last_hits == 2 and state.damage_ring.size == 2
    DamageSystem(state)(DT)
    assert state.casualties.death_count == 2
    DeathSystem(state)(DT)
    assert state.casualties.death_count == 0
    assert state.enemies.count == 1 and state.player.kills == 2
    assert state.particles.count == 2 * cfg.particles.per_death


def test_world_runs_the_systems_of_system_order_over_its_state():
    world = World(WorldConfig(enemy_capacity=64, particle_capacity=64, projectile_capacity=64,
                              ring_capacity=64), seed=1)
    assert [n for n, _ in world.systems()] == [n for n, _ in SYSTEM_ORDER]
    for name, make in SYSTEM_ORDER:
        fn = world.system(name)
        assert type(fn) is make and fn.state is world.state  # type: ignore[attr-defined]
    st = world.state
    assert (world.grid, world.bosses, world.enemies, world.player) == \
        (st.grid, st.bosses, st.enemies, st.player)
    world.step(DT)
    assert world.time == st.clock.time == world.stats.time == pytest.approx(DT)


def test_an_unknown_system_name_is_refused_with_the_names():
    world = World(WorldConfig(enemy_capacity=8, particle_capacity=8, projectile_capacity=8,
                              ring_capacity=8))
    with pytest.raises(KeyError, match=r"expected one of waves, player, .*got 'meele'"):
        world.system("meele")


def test_no_system_imports_world_or_another_system():
    """A system module imports the state and data-side modules only (``..x``), never a
    sibling system (``.x``) nor ``engine.combat.world``."""
    bad = []
    for path in sorted(SYSTEMS.glob("*.py")):
        if path.name == "__init__.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                where = "." * node.level + (node.module or "")
                if node.level == 1 or where in ("..world", "engine.combat.world") or \
                        where.startswith("engine.combat.systems"):
                    bad.append(f"{path.name}: from {where} import ...")
    assert not bad, bad
