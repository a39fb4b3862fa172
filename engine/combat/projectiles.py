"""Spawning projectiles: the one place that writes new rows of the projectile store.

The player's weapon (the ``projectiles`` system) and the bosses' radial bursts (the boss roster)
both fire through a :class:`ProjectileEmitter`; what a projectile does once it flies is the
``projectiles`` system's job. The store's columns are ``PROJECTILE_COLUMNS`` (engine.combat.state).
"""

from __future__ import annotations

import math

import numpy as np

from engine.data import EntityStore

__all__ = ["ProjectileEmitter"]


class ProjectileEmitter:
    """Writes new projectiles into a store (single shots and evenly spread bursts)."""

    def __init__(self, store: EntityStore) -> None:
        self.store = store
        cap = store.capacity
        self._ang = np.zeros(cap, np.float32)
        self._iota_f = np.arange(cap, dtype=np.float32)

    def fire(self, x: float, y: float, vx: float, vy: float, *, damage: float, life: float,
             radius: float, pierce: int = 0, hostile: bool = False) -> int:
        """Spawn one projectile. Returns its handle, or -1 when the store is full (counted).

        Allocation contract: transient Python objects only.
        """
        store = self.store
        start, got = store.spawn_batch(1)
        if got == 0:
            return -1
        c = store.columns
        c["pos"][start] = (x, y)
        c["prev_pos"][start] = (x, y)
        c["vel"][start] = (vx, vy)
        c["life"][start] = life
        c["damage"][start] = damage
        c["radius"][start] = radius
        c["pierce"][start] = pierce
        c["hostile"][start] = hostile
        return int(store.handles[start])

    def fire_radial(self, x: float, y: float, count: int, speed: float, *, damage: float,
                    life: float, radius: float, phase: float = 0.0,
                    hostile: bool = True) -> int:
        """Spawn ``count`` projectiles evenly spread around (x, y), vectorised.

        Returns:
            Projectiles spawned (fewer when the store is full: refusals are counted).

        Allocation contract: allocates no array data; transient views only.
        """
        store = self.store
        start, got = store.spawn_batch(count)
        if got == 0:
            return 0
        end = start + got
        c = store.columns
        ang = self._ang[:got]
        np.multiply(self._iota_f[:got], math.tau / count, out=ang)
        np.add(ang, phase, out=ang)
        vel = c["vel"][start:end]
        np.cos(ang, out=vel[:, 0])
        np.sin(ang, out=vel[:, 1])
        np.multiply(vel, speed, out=vel)
        c["pos"][start:end] = (x, y)
        c["prev_pos"][start:end] = (x, y)
        c["life"][start:end] = life
        c["damage"][start:end] = damage
        c["radius"][start:end] = radius
        c["hostile"][start:end] = hostile
        return got
