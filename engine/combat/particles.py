"""Particles: a pooled struct-of-arrays store of short-lived sparks, for hits and deaths.

Columns (what the renderer reads): ``pos``, ``prev_pos`` ``(2,)``; ``life``, ``max_life``;
``color`` ``(4,)`` RGBA (alpha fades with life); ``size``; plus ``vel`` ``(2,)``.
Bursts are spawned in batches (``spawn_batch``) and filled column by column; a full store
refuses and counts (``PoolStats.refusals``). The ``particles`` system moves, fades and expires
them (``kill_rows`` + ``flush``: the particle store's one flush point).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from ._kernels import f32

if TYPE_CHECKING:
    from .world import World

__all__ = ["PARTICLE_COLUMNS", "ParticleSystem", "HIT_COLOR"]

PARTICLE_COLUMNS = {
    "pos": ((2,), np.float32),
    "prev_pos": ((2,), np.float32),
    "vel": ((2,), np.float32),
    "life": ((), np.float32),
    "max_life": ((), np.float32, 1.0),
    "color": ((4,), np.float32, 1.0),
    "size": ((), np.float32, 1.0),
}

HIT_COLOR = (1.0, 0.95, 0.7, 1.0)
"""Colour of hit sparks."""


class ParticleSystem:
    """System ``particles``, and the burst emitters other systems call."""

    def __init__(self, world: World) -> None:
        self.world = world
        cfg = world.config.particles
        self.cfg = cfg
        store = world.particles
        cap = store.capacity
        self._u = np.zeros(cap, np.float32)
        self._v = np.zeros(cap, np.float32)
        self._mask = np.zeros(cap, np.bool_)
        self._tmp = np.zeros(cap, np.float32)
        # Source index of each new particle (particle i of a burst of p: source i // p);
        # one table per burst size, made once.
        self._src = {p: np.arange(cap, dtype=np.int64) // p
                     for p in {max(cfg.per_death, 1), max(cfg.per_hit, 1), 1}}
        self._colors = np.zeros((cap, 4), np.float32)
        self._step = np.zeros((cap, 2), np.float32)
        self._hit_color = np.array(HIT_COLOR, np.float32)
        self._tint = world.tiers.tint
        self._dt = f32(0.0)
        self._zero = f32(0.0)
        self._one = f32(1.0)
        self._tau = f32(math.tau)
        self._speed = f32(cfg.speed)
        self._life = f32(cfg.life)
        self._half = f32(0.5)
        self._size = f32(cfg.size)
        self._decay = f32(1.0)

    def _spawn(self, centers: np.ndarray, k: int, per: int) -> tuple[int, int, np.ndarray]:
        """Spawn ``k * per`` particles around ``centers[:k]``; return (start, got, src)."""
        store = self.world.particles
        start, got = store.spawn_batch(k * per)
        src = self._src[per][:got]
        if got == 0:
            return start, 0, src
        end = start + got
        cols = store.columns
        pos = cols["pos"][start:end]
        centers.take(src, axis=0, out=pos, mode="clip")
        np.copyto(cols["prev_pos"][start:end], pos)
        rng = self.world.rng
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
        self.world.stats.particles_live = store.count
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
            colors.take(src, axis=0, out=self.world.particles.columns["color"][start:start + got],
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
            self.world.particles.columns["color"][start:start + got] = self._hit_color
        return got

    def __call__(self, dt: float) -> None:
        """Move, slow, fade and expire the particles; flush the expired ones.

        Allocation contract: allocates no array data after warm-up; transient views only.
        """
        store = self.world.particles
        n = store.count
        if n == 0:
            self.world.stats.particles_live = 0
            return
        self._dt[...] = dt
        cols = store.columns
        pos = cols["pos"][:n]
        np.copyto(cols["prev_pos"][:n], pos)
        vel = cols["vel"][:n]
        step = self._step[:n]
        np.multiply(vel, self._dt, out=step)
        np.add(pos, step, out=pos)
        # Exponential-ish drag: v *= max(0, 1 - drag * dt).
        self._decay[...] = max(0.0, 1.0 - self.cfg.drag * dt)
        np.multiply(vel, self._decay, out=vel)
        life = cols["life"][:n]
        np.subtract(life, self._dt, out=life)
        # Alpha and size follow the remaining life.
        frac = self._tmp[:n]
        np.divide(life, cols["max_life"][:n], out=frac)
        frac.clip(self._zero, self._one, out=frac)
        np.copyto(cols["color"][:n, 3], frac)
        np.multiply(frac, self._size, out=cols["size"][:n])
        dead = np.less_equal(life, self._zero, out=self._mask[:n])
        if store.kill_rows(dead):
            store.flush()
        self.world.stats.particles_live = store.count
