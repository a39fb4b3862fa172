"""WorldState: what the combat systems share, and nothing else.

Every system is built from a :class:`WorldState` and reads and writes only through it: the
stores, the damage ring, the grid over the enemies, the player, the bosses, the clock, the
random generator, the statistics and the config. No system holds another system: where one
step hands something to a later one (the enemies the ``damage`` step killed, for the
``deaths`` step) the hand-over is a buffer of the state (:class:`Casualties`), and what
several systems spawn (projectiles, particles, bosses) is spawned by a data-side object of
the state (:class:`ProjectileEmitter`, :class:`ParticleEmitter`, :class:`BossRoster`).

:meth:`WorldState.build` makes one from a config and a seed; ``World`` (engine.combat.world)
adds the systems and their order.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.data import Counter, CounterCells, EntityStore, RingBuffer, SpatialHash

from .bosses import BossRoster
from .clock import SimClock
from .config import WorldConfig
from .damage import DAMAGE_COLUMNS
from .particles import ParticleEmitter
from .player import Player
from .projectiles import ProjectileEmitter
from .scene import BossScene, load_boss_scene
from .stats import CombatStats
from .tiers import TierTable

__all__ = ["WorldState", "Casualties", "ENEMY_COLUMNS", "PROJECTILE_COLUMNS",
           "PARTICLE_COLUMNS"]

ENEMY_COLUMNS = {
    "pos": ((2,), np.float32),
    "prev_pos": ((2,), np.float32),
    "sep": ((2,), np.float32),
    "hp": ((), np.float32, 1.0),
    "tier": ((), np.uint8),
    "speed": ((), np.float32),
    "radius": ((), np.float32, 1.0),
    "damage": ((), np.float32),
    "anim_frame": ((), np.float32),
    "anim_fps": ((), np.float32),
    "anim_frames": ((), np.float32, 1.0),
}
"""Enemy store columns. ``pos``/``prev_pos`` (render interpolation), ``tier`` (index into the
tier table), ``anim_frame`` (float frame index) are what the renderer reads; ``sep`` is the
separation velocity computed after the grid rebuild and applied by the next movement;
``speed``, ``radius``, ``damage``, ``anim_fps``, ``anim_frames`` are per-row copies of tier
numbers (speed with a per-enemy jitter)."""

PROJECTILE_COLUMNS = {
    "pos": ((2,), np.float32),
    "prev_pos": ((2,), np.float32),
    "vel": ((2,), np.float32),
    "life": ((), np.float32),
    "damage": ((), np.float32),
    "radius": ((), np.float32, 1.0),
    "pierce": ((), np.int16),
    "hostile": ((), np.bool_),
    "last_hit": ((), np.int64, -1),
}
"""Projectile store columns: ``pos``, ``prev_pos`` (what the renderer reads), ``vel``,
``life``, ``damage``, ``radius``, ``pierce`` (hits left after the next one), ``hostile`` (fired
by a boss: hurts the player, not the horde), ``last_hit`` (handle of the last enemy hit, so a
piercing shot does not hit the same enemy on consecutive ticks)."""

PARTICLE_COLUMNS = {
    "pos": ((2,), np.float32),
    "prev_pos": ((2,), np.float32),
    "vel": ((2,), np.float32),
    "life": ((), np.float32),
    "max_life": ((), np.float32, 1.0),
    "color": ((4,), np.float32, 1.0),
    "size": ((), np.float32, 1.0),
}
"""Particle store columns (what the renderer reads): ``pos``, ``prev_pos``; ``life``,
``max_life``; ``color`` RGBA (alpha fades with life); ``size``; plus ``vel``."""


class Casualties(CounterCells):
    """The enemies the ``damage`` step killed or hurt this tick, for the ``deaths`` step.

    ``damage`` writes the first ``death_count`` rows of ``death_pos``/``death_tier`` and the
    first ``hit_count`` rows of ``hit_pos``; ``deaths`` reads them (kills, xp, particle bursts)
    and sets both counts back to 0.

    Attributes:
        death_pos: ``(ring capacity, 2)`` float32 positions of the enemies killed.
        death_tier: their tier indices (int64).
        hit_pos: ``(ring capacity, 2)`` float32 positions of enemies hit and not killed.

    The counts are int64 cells (``engine.data.counters``): they exceed 256 in a big horde.
    """

    death_count = Counter()
    hit_count = Counter()

    def __init__(self, capacity: int) -> None:
        self.death_pos = np.zeros((capacity, 2), np.float32)
        self.death_tier = np.zeros(capacity, np.int64)
        self.hit_pos = np.zeros((capacity, 2), np.float32)


@dataclass(eq=False)
class WorldState:
    """What the combat systems share (one object per world; its fields are never rebound).

    Attributes:
        config: the WorldConfig it was built from.
        tiers: the TierTable.
        seed: the seed of ``rng``.
        rng: the one random generator (every draw of the simulation comes from it).
        stats: CombatStats (the profiler reads it).
        clock: the simulated clock.
        arena_min, arena_max: ``(2,)`` float32 arena bounds.
        scenes: boss scene path -> BossScene.
        enemies, projectiles, particles: the EntityStores (the renderer reads them).
        damage_ring: the RingBuffer of damage events.
        grid: the SpatialHash over the enemies, rebuilt once per tick.
        player: the Player.
        bosses: the BossRoster.
        projectile_emitter, particle_emitter: spawn projectiles and particle bursts.
        casualties: the ``damage`` -> ``deaths`` hand-over.
    """

    config: WorldConfig
    tiers: TierTable
    seed: int
    rng: np.random.Generator
    stats: CombatStats
    clock: SimClock
    arena_min: np.ndarray
    arena_max: np.ndarray
    scenes: dict[str, BossScene]
    enemies: EntityStore
    projectiles: EntityStore
    particles: EntityStore
    damage_ring: RingBuffer
    grid: SpatialHash
    player: Player
    bosses: BossRoster
    projectile_emitter: ProjectileEmitter
    particle_emitter: ParticleEmitter
    casualties: Casualties

    @classmethod
    def build(cls, config: WorldConfig, seed: int = 0) -> WorldState:
        """Validate ``config`` and allocate everything it asks for.

        Raises:
            ConfigError: a bad configuration value (names the attribute).
            TierError: a bad tier.
            SceneError: a boss scene file of ``config.bosses`` is unreadable or malformed.
        """
        tiers = config.validate()
        rng = np.random.default_rng(seed)
        stats = CombatStats(tiers.names)
        clock = SimClock()
        hx = config.arena_size[0] / 2.0
        hy = config.arena_size[1] / 2.0
        scenes: dict[str, BossScene] = {}
        for wave in config.bosses:
            if wave.scene not in scenes:
                scenes[wave.scene] = load_boss_scene(wave.scene)
        enemies = EntityStore("enemies", config.enemy_capacity, ENEMY_COLUMNS)
        projectiles = EntityStore("projectiles", config.projectile_capacity,
                                  PROJECTILE_COLUMNS)
        particles = EntityStore("particles", config.particle_capacity, PARTICLE_COLUMNS)
        ring = RingBuffer("damage", config.ring_capacity, DAMAGE_COLUMNS)
        # The grid covers the arena plus one cell, so border cells are not crowded by clamping.
        cs = config.cell_size
        grid = SpatialHash(config.enemy_capacity, cs, (-hx - cs, -hy - cs), (hx + cs, hy + cs))
        player = Player(config.player)
        projectile_emitter = ProjectileEmitter(projectiles)
        bosses = BossRoster(config.boss_capacity, clock, stats, player, rng, projectile_emitter)
        particle_emitter = ParticleEmitter(particles, config.particles, tiers.tint, rng, stats)
        return cls(config=config, tiers=tiers, seed=seed, rng=rng, stats=stats, clock=clock,
                   arena_min=np.array([-hx, -hy], np.float32),
                   arena_max=np.array([hx, hy], np.float32), scenes=scenes,
                   enemies=enemies, projectiles=projectiles, particles=particles,
                   damage_ring=ring, grid=grid, player=player, bosses=bosses,
                   projectile_emitter=projectile_emitter, particle_emitter=particle_emitter,
                   casualties=Casualties(config.ring_capacity))
