"""Spawning particles: the bursts of sparks that deaths and hits leave.

The ``deaths`` system spawns them through the :class:`ParticleEmitter` of the world state;
the ``particles`` system moves, fades and expires them. Bursts are spawned in batches
(``spawn_batch``) and filled column by column; a full store refuses and counts
(``PoolStats.refusals``). The store's columns are ``PARTICLE_COLUMNS`` (engine.combat.state).
"""

from __future__ import annotations

import math

import numpy as np

from engine.data import EntityStore

from ._kernels import f32
from .config import ParticleConfig
from .stats import CombatStats

__all__ = ["ParticleEmitter", "HIT_COLOR"]

HIT_COLOR = (1.0, 0.95, 0.7, 1.0)
"""Colour of hit sparks."""


class ParticleEmitter:
    """Writes bursts of new particles into a store: death bursts tinted by tier, hit sparks."""

    def __init__(self, store: EntityStore, cfg: ParticleConfig, tint: np.ndarray,
                 rng: np.random.Generator, stats: CombatStats) -> None:
        """
        Args:
            store: the particle store.
            cfg: sizes, speeds and counts of the bursts.
            tint: ``(n_tiers, 4)`` float32 death-burst colours (``TierTable.tint``).
            rng: the world's random generator (directions, speeds, lifetimes).
            stats: where ``particles_live`` is kept.
        """
        self.store = store
        self.cfg = cfg
        self.rng = rng
        self.stats = stats
        cap = store.capacity
        self._u = np.zeros(cap, np.float32)
        self._v = np.zeros(cap, np.float32)
        # Source index of each new particle (particle i of a burst of p: source i // p);
        # one table per burst size, made once.
        self._src = {p: np.arange(cap, dtype=np.int64) // p
                     for p in {max(cfg.per_death, 1), max(cfg.per_hit, 1), 1}}
        self._colors = np.zeros((cap, 4), np.float32)
        self._hit_color = np.array(HIT_COLOR, np.float32)
        self._tint = tint
        self._tau = f32(math.tau)
        self._speed = f32(cfg.speed)
        self._life = f32(cfg.life)
        self._half = f32(0.5)
        self._size = f32(cfg.size)

    def _spawn(self, centers: np.ndarray, k: int, per: int) -> tuple[int, int, np.ndarray]:
        """Spawn ``k * per`` particles around ``centers[:k]``; return (start, got, src)."""
        store = self.store
        start, got = store.spawn_batch(k * per)
        src = self._src[per][:got]
        if got == 0:
            return start, 0, src
        end = start + got
        cols = store.columns
        pos = cols["pos"][start:end]
        centers.take(src, axis=0, out=pos, mode="clip")
        np.copyto(cols["prev_pos"][start:end], pos)
        rng = self.rng
        u = self._u[:got]
        v = self._v[:got]
        # Direction: uniform angle; speed: uniform in [0, speed].
        rng.random(out=u, dtype=np.float32)
        np.multiply(u, self._tau, out=u)
        rng.random(out=v, dtype=np.float32)
        np.multiply(v, self._speed, out=v)
        vel = cols["vel"][start:end]
        np.cos(u, out=vel[:, 0])
        np.sin(u, out=vel[:, 1])
        np.multiply(vel[:, 0], v, out=vel[:, 0])
        np.multiply(vel[:, 1], v, out=vel[:, 1])
        # Life: 50-100 % of the configured life.
        life = cols["life"][start:end]
        rng.random(out=life, dtype=np.float32)
        np.multiply(life, self._half, out=life)
        np.add(life, self._half, out=life)
        np.multiply(life, self._life, out=life)
        np.copyto(cols["max_life"][start:end], life)
        cols["size"][start:end] = self._size
        self.stats.particles_live = store.count
        return start, got, src

    def burst_by_tier(self, centers: np.ndarray, tiers: np.ndarray, k: int) -> int:
        """Death bursts: ``per_death`` particles per center, tinted by the tier.

        Args:
            centers: ``(k, 2)`` float32 positions.
            tiers: int64 tier indices, k items.
            k: bursts.

        Returns:
            Particles spawned (fewer when the store is full: refusals are counted).

        Allocation contract: allocates no array data; transient views only.
        """
        per = self.cfg.per_death
        if per == 0 or k == 0:
            return 0
        start, got, src = self._spawn(centers, k, per)
        if got:
            colors = self._colors[:k]
            self._tint.take(tiers, axis=0, out=colors, mode="clip")
            colors.take(src, axis=0, out=self.store.columns["color"][start:start + got],
                        mode="clip")
        return got

    def burst_hits(self, centers: np.ndarray, k: int) -> int:
        """Hit sparks: ``per_hit`` particles per center, in ``HIT_COLOR``.

        Allocation contract: allocates no array data; transient views only.
        """
        per = self.cfg.per_hit
        if per == 0 or k == 0:
            return 0
        start, got, _ = self._spawn(centers, k, per)
        if got:
            self.store.columns["color"][start:start + got] = self._hit_color
        return got
