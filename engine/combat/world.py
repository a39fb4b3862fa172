"""World: the combat state of a config and a seed, and the systems that run over it, in order.

``World`` builds a :class:`~engine.combat.state.WorldState` (stores, ring, grid, player,
bosses, clock, rng, stats, config) and one system per entry of ``SYSTEM_ORDER``, each given
that state and nothing else. ``world.step(dt)`` runs every system once (tests, benchmarks);
``world.systems()`` lists ``(name, fn)`` in run order and ``install(scheduler)`` registers them
with a fixed-step scheduler (``scheduler.add(name, fn)``); ``world.system(name)`` is one of
them. The order::

    waves, player, movement, quarantine, spatial_hash, separation, contact, melee,
    projectiles, bosses, damage, deaths, animation, particles

``waves`` advances the clock first; ``movement`` copies ``prev_pos``; ``quarantine`` makes
every enemy row with a NaN or infinite number inert and marks it for despawn (so the grid
never sees one); ``spatial_hash`` rebuilds the grid from the moved positions, and every
query of the tick (separation, contact, melee, projectiles) reads that grid; rows do not
move until ``deaths`` flushes the enemy store, its one flush point.

``step(dt)`` takes a dt in ``[0, MAX_STEP]`` seconds (a fixed step, or a frame delta already
clamped by the scheduler); anything else is a ValueError.

Determinism: every random draw comes from ``world.rng`` (one ``numpy.random.Generator`` seeded
with ``seed``), so a seed and a number of steps determine the state (:meth:`World.digest`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any, Literal, Protocol, overload

import numpy as np

from engine.data import PoolStats, RingBuffer

from .bosses import Boss
from .config import WorldConfig
from .scene import BossScene, load_boss_scene
from .state import WorldState
from .systems import (
    BossSystem,
    ContactDamageSystem,
    DamageSystem,
    DeathSystem,
    EnemyAnimationSystem,
    GridRebuildSystem,
    MeleeSystem,
    MovementSystem,
    ParticleSystem,
    PlayerControlSystem,
    ProjectileSystem,
    QuarantineSystem,
    SeparationSystem,
    WaveSystem,
)

__all__ = ["World", "SystemFn", "SYSTEM_ORDER", "MAX_STEP"]

_HANDLE_COLUMNS = frozenset({"last_hit"})

MAX_STEP = 0.25
"""The longest step ``World.step`` takes, in seconds: the core scheduler's frame clamp
(``AppConfig.max_frame_ns``, 250 ms); a longer step would tunnel enemies through the player."""

SystemFn = Callable[[float], None]
"""A system: called once per fixed step with dt in seconds."""

SYSTEM_ORDER: tuple[tuple[str, Callable[[WorldState], SystemFn]], ...] = (
    ("waves", WaveSystem),
    ("player", PlayerControlSystem),
    ("movement", MovementSystem),
    ("quarantine", QuarantineSystem),
    ("spatial_hash", GridRebuildSystem),
    ("separation", SeparationSystem),
    ("contact", ContactDamageSystem),
    ("melee", MeleeSystem),
    ("projectiles", ProjectileSystem),
    ("bosses", BossSystem),
    ("damage", DamageSystem),
    ("deaths", DeathSystem),
    ("animation", EnemyAnimationSystem),
    ("particles", ParticleSystem),
)
"""``(scheduler name, system class)`` in run order; each class is built from the state."""


class _Scheduler(Protocol):
    def add(self, name: str, fn: SystemFn) -> Any: ...


class World:
    """The horde kit: a WorldState and the systems that run over it.

    Attributes:
        state: the WorldState the systems share.
        config, seed, rng, tiers, stats, enemies, projectiles, particles, damage_ring, grid,
        player, bosses, scenes, arena_min, arena_max: the state's own objects, named here for
        the renderer, the profiler and tests (see WorldState).
    """

    def __init__(self, config: WorldConfig | None = None, seed: int = 0) -> None:
        """Build the state and the systems (all memory of the hot path is allocated here).

        Raises:
            ConfigError: a bad configuration value (names the attribute).
            TierError: a bad tier.
            SceneError: a boss scene file of ``config.bosses`` is unreadable or malformed.
        """
        self.state = st = WorldState.build(config if config is not None else WorldConfig(), seed)
        self.config = st.config
        self.seed = st.seed
        self.rng = st.rng
        self.tiers = st.tiers
        self.stats = st.stats
        self.enemies = st.enemies
        self.projectiles = st.projectiles
        self.particles = st.particles
        self.damage_ring = st.damage_ring
        self.grid = st.grid
        self.player = st.player
        self.bosses = st.bosses
        self.scenes = st.scenes
        self.arena_min = st.arena_min
        self.arena_max = st.arena_max
        self._systems: list[tuple[str, SystemFn]] = [(name, make(st))
                                                     for name, make in SYSTEM_ORDER]
        self._by_name = dict(self._systems)
        self._waves = self.system("waves")

    # ------------------------------------------------------------------ running
    def systems(self) -> list[tuple[str, SystemFn]]:
        """``(name, fn)`` of every system, in run order (a new list each call)."""
        return list(self._systems)

    def install(self, scheduler: _Scheduler) -> None:
        """Register every system with a scheduler, in order (``scheduler.add(name, fn)``)."""
        for name, fn in self._systems:
            scheduler.add(name, fn)

    @overload
    def system(self, name: Literal["waves"]) -> WaveSystem: ...
    @overload
    def system(self, name: Literal["player"]) -> PlayerControlSystem: ...
    @overload
    def system(self, name: Literal["movement"]) -> MovementSystem: ...
    @overload
    def system(self, name: Literal["quarantine"]) -> QuarantineSystem: ...
    @overload
    def system(self, name: Literal["spatial_hash"]) -> GridRebuildSystem: ...
    @overload
    def system(self, name: Literal["separation"]) -> SeparationSystem: ...
    @overload
    def system(self, name: Literal["contact"]) -> ContactDamageSystem: ...
    @overload
    def system(self, name: Literal["melee"]) -> MeleeSystem: ...
    @overload
    def system(self, name: Literal["projectiles"]) -> ProjectileSystem: ...
    @overload
    def system(self, name: Literal["bosses"]) -> BossSystem: ...
    @overload
    def system(self, name: Literal["damage"]) -> DamageSystem: ...
    @overload
    def system(self, name: Literal["deaths"]) -> DeathSystem: ...
    @overload
    def system(self, name: Literal["animation"]) -> EnemyAnimationSystem: ...
    @overload
    def system(self, name: Literal["particles"]) -> ParticleSystem: ...
    @overload
    def system(self, name: str) -> SystemFn: ...

    def system(self, name: str) -> SystemFn:
        """The system registered under ``name`` (a name of ``SYSTEM_ORDER``).

        Raises:
            KeyError: no system of that name (the message lists them).
        """
        try:
            return self._by_name[name]
        except KeyError:
            raise KeyError(f"system: expected one of {', '.join(self._by_name)}, "
                           f"got {name!r}") from None

    def step(self, dt: float) -> None:
        """Run every system once, in order, for ``dt`` simulated seconds.

        Raises:
            ValueError: dt is not a finite number in ``[0, MAX_STEP]`` (NaN, infinite,
                negative, or longer than the scheduler's frame clamp); nothing ran.

        Allocation contract: the sum of the systems' contracts: allocates no array data and
        retains nothing after warm-up (held by tests/test_combat_alloc.py at 500 and 10,000
        enemies).
        """
        if not 0.0 <= dt <= MAX_STEP:  # NaN fails both comparisons
            raise ValueError(f"World.step: expected dt in seconds in [0, {MAX_STEP}] "
                             f"(finite, not negative, at most the frame clamp), got {dt!r}")
        for _, fn in self._systems:
            fn(dt)
        self.stats.ticks += 1
        self.stats.time = self.state.clock.time

    @property
    def time(self) -> float:
        """Simulated seconds (``state.clock.time``)."""
        return self.state.clock.time

    # ------------------------------------------------------------------ helpers
    def spawn_enemy(self, x: float, y: float, tier: int = 0) -> int:
        """Place one enemy (tests, scripted events). Returns its handle or -1 (refused)."""
        return self._waves.place(x, y, tier)

    def spawn_boss(self, scene: BossScene | str, x: float, y: float) -> Boss | None:
        """Bring in a boss now; ``scene`` is a BossScene or a scene file path.

        Raises:
            SceneError: the path names a malformed scene file.
        """
        if isinstance(scene, str):
            if scene not in self.scenes:
                self.scenes[scene] = load_boss_scene(scene)
            scene = self.scenes[scene]
        return self.bosses.spawn(scene, x, y)

    def live_bosses(self) -> list[Boss]:
        """The active bosses (a new list: for tools; per-frame code iterates
        ``bosses.slots`` and checks ``active``)."""
        return [b for b in self.bosses.slots if b.active]

    def pools(self) -> list[PoolStats]:
        """The PoolStats of every pool: enemies, projectiles, particles, bosses."""
        return [self.enemies.stats, self.projectiles.stats, self.particles.stats,
                self.bosses.pool.stats]

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
        for b in self.bosses.slots:
            if b.active:
                h.update(repr((b.handle, b.state, b.anim, b.anim_frame, b.x, b.y,
                               b.hp)).encode())
        return h.hexdigest()
