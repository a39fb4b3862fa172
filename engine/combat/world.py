"""World: builds the horde kit from a WorldConfig and a seed, and runs its systems in order.

``world.step(dt)`` runs every system once (tests, benchmarks); ``world.systems()`` lists
``(name, fn)`` in run order and ``install(scheduler)`` registers them with a fixed-step
scheduler (``scheduler.add(name, fn)``). The order::

    waves, player, movement, spatial_hash, separation, contact, melee, projectiles, bosses,
    damage, deaths, animation, particles

``movement`` copies ``prev_pos`` first; ``spatial_hash`` rebuilds the hash from the moved
positions, and every query of the tick (separation, contact, melee, projectiles) reads that
hash; rows do not move until ``deaths`` flushes the enemy store, its one flush point.

Determinism: every random draw comes from ``world.rng`` (one ``numpy.random.Generator`` seeded
with ``seed``), so a seed and a number of steps determine the state (:meth:`World.digest`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any, Protocol

import numpy as np

from engine.data import EntityStore, PoolStats, RingBuffer
from engine.data.spatial import SpatialHash

from .animation import EnemyAnimation
from .bosses import Boss, BossSystem
from .config import WorldConfig
from .damage import DAMAGE_COLUMNS, DamageSystem, DeathSystem
from .melee import Melee
from .movement import Movement, Separation, SpatialHashSystem
from .particles import PARTICLE_COLUMNS, ParticleSystem
from .player import ContactDamage, Player, PlayerControl
from .projectiles import PROJECTILE_COLUMNS, ProjectileSystem
from .scene import BossScene, load_boss_scene
from .stats import CombatStats
from .waves import ENEMY_COLUMNS, WaveDirector

__all__ = ["World", "SystemFn"]

_HANDLE_COLUMNS = frozenset({"last_hit"})

SystemFn = Callable[[float], None]
"""A system: called once per fixed step with dt in seconds."""


class _Scheduler(Protocol):
    def add(self, name: str, fn: SystemFn) -> Any: ...


class World:
    """The horde kit: stores, ring, hash, player, bosses, and the systems that run them.

    Attributes:
        config: the WorldConfig it was built from.
        rng: the one random generator.
        tiers: the TierTable.
        stats: CombatStats (the profiler reads it).
        enemies, projectiles, particles: the EntityStores (the renderer reads them).
        damage_ring: the RingBuffer of damage events.
        hash: the spatial hash over the enemies.
        player: the Player.
        scenes: boss scene path -> BossScene (loaded at construction).
        arena_min, arena_max: ``(2,)`` float32 arena bounds.
        wave_director, player_control, movement, spatial, separation, contact, melee,
        projectile_system, boss_system, damage, deaths, animation, particle_fx: the systems.
    """

    def __init__(self, config: WorldConfig | None = None, seed: int = 0) -> None:
        """Build everything (all memory of the hot path is allocated here).

        Raises:
            ConfigError: a bad configuration value (names the attribute).
            TierError: a bad tier.
            SceneError: a boss scene file of ``config.bosses`` is unreadable or malformed.
        """
        self.config = config = config if config is not None else WorldConfig()
        self.tiers = config.validate()
        self.seed = seed
        self.rng = np.random.default_rng(seed)
        self.stats = CombatStats(self.tiers.names)
        hx = config.arena_size[0] / 2.0
        hy = config.arena_size[1] / 2.0
        self.arena_min = np.array([-hx, -hy], np.float32)
        self.arena_max = np.array([hx, hy], np.float32)
        self.scenes: dict[str, BossScene] = {}
        for wave in config.bosses:
            if wave.scene not in self.scenes:
                self.scenes[wave.scene] = load_boss_scene(wave.scene)
        self.enemies = EntityStore("enemies", config.enemy_capacity, ENEMY_COLUMNS)
        self.projectiles = EntityStore("projectiles", config.projectile_capacity,
                                       PROJECTILE_COLUMNS)
        self.particles = EntityStore("particles", config.particle_capacity, PARTICLE_COLUMNS)
        self.damage_ring = RingBuffer("damage", config.ring_capacity, DAMAGE_COLUMNS)
        # The hash covers the arena plus one cell, so border cells are not crowded by clamping.
        cs = config.cell_size
        self.hash = SpatialHash(config.enemy_capacity, cs, (-hx - cs, -hy - cs),
                                (hx + cs, hy + cs))
        self.player = Player(config.player)

        self.wave_director = WaveDirector(self)
        self.player_control = PlayerControl(self)
        self.movement = Movement(self)
        self.spatial = SpatialHashSystem(self)
        self.separation = Separation(self)
        self.contact = ContactDamage(self)
        self.melee = Melee(self)
        self.projectile_system = ProjectileSystem(self)
        self.boss_system = BossSystem(self)
        self.damage = DamageSystem(self)
        self.deaths = DeathSystem(self)
        self.animation = EnemyAnimation(self)
        self.particle_fx = ParticleSystem(self)
        self._systems: list[tuple[str, SystemFn]] = [
            ("waves", self.wave_director),
            ("player", self.player_control),
            ("movement", self.movement),
            ("spatial_hash", self.spatial),
            ("separation", self.separation),
            ("contact", self.contact),
            ("melee", self.melee),
            ("projectiles", self.projectile_system),
            ("bosses", self.boss_system),
            ("damage", self.damage),
            ("deaths", self.deaths),
            ("animation", self.animation),
            ("particles", self.particle_fx),
        ]

    # ------------------------------------------------------------------ running
    def systems(self) -> list[tuple[str, SystemFn]]:
        """``(name, fn)`` of every system, in run order (a new list each call)."""
        return list(self._systems)

    def install(self, scheduler: _Scheduler) -> None:
        """Register every system with a scheduler, in order (``scheduler.add(name, fn)``)."""
        for name, fn in self._systems:
            scheduler.add(name, fn)

    def step(self, dt: float) -> None:
        """Run every system once, in order.

        Allocation contract: the sum of the systems' contracts: allocates no array data and
        retains nothing after warm-up (held by tests/test_combat_alloc.py at 500 and 10,000
        enemies).
        """
        for _, fn in self._systems:
            fn(dt)
        self.stats.ticks += 1
        self.stats.time = self.wave_director.time

    @property
    def time(self) -> float:
        """Simulated seconds."""
        return self.wave_director.time

    # ------------------------------------------------------------------ helpers
    def spawn_enemy(self, x: float, y: float, tier: int = 0) -> int:
        """Place one enemy (tests, scripted events). Returns its handle or -1 (refused)."""
        return self.wave_director.place(x, y, tier)

    def spawn_boss(self, scene: BossScene | str, x: float, y: float) -> Boss | None:
        """Bring in a boss now; ``scene`` is a BossScene or a scene file path.

        Raises:
            SceneError: the path names a malformed scene file.
        """
        if isinstance(scene, str):
            if scene not in self.scenes:
                self.scenes[scene] = load_boss_scene(scene)
            scene = self.scenes[scene]
        return self.boss_system.spawn(scene, x, y)

    def live_bosses(self) -> list[Boss]:
        """The active bosses (a new list: for tools; per-frame code iterates
        ``boss_system.slots`` and checks ``active``)."""
        return [b for b in self.boss_system.slots if b.active]

    def pools(self) -> list[PoolStats]:
        """The PoolStats of every pool: enemies, projectiles, particles, bosses."""
        return [self.enemies.stats, self.projectiles.stats, self.particles.stats,
                self.boss_system.pool.stats]

    def rings(self) -> list[RingBuffer]:
        """Every ring buffer (the damage ring); overflows are counted on each."""
        return [self.damage_ring]

    def digest(self) -> str:
        """SHA-256 over every live column of every store, the player and the bosses.

        Two worlds with the same config, seed and number of steps have the same digest.
        """
        h = hashlib.sha256()
        # Handles carry a per-process store tag in their top byte (two worlds in one process
        # differ there): hash generation and slot only.
        untag = np.int64((1 << 56) - 1)
        for store in (self.enemies, self.projectiles, self.particles):
            n = store.count
            h.update(f"{store.name}:{n}".encode())
            for name, col in store.columns.items():
                h.update(name.encode())
                live = col[:n]
                if name in _HANDLE_COLUMNS:
                    live = np.where(live >= 0, live & untag, live)
                h.update(np.ascontiguousarray(live).tobytes())
            h.update((store.handles[:n] & untag).tobytes())
        p = self.player
        h.update(p.pos.tobytes())
        h.update(repr((p.hp, p.kills, p.xp, p.invuln)).encode())
        for b in self.boss_system.slots:
            if b.active:
                h.update(repr((b.handle, b.state, b.anim, b.anim_frame, b.x, b.y,
                               b.hp)).encode())
        return h.hexdigest()
