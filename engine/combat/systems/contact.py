"""System ``contact``: the enemies touching the player hurt it (one damage event a tick)."""

from __future__ import annotations

import numpy as np

from .._kernels import f32
from ..damage import KIND_PLAYER, SOURCE_CONTACT
from ..state import WorldState

__all__ = ["ContactDamageSystem"]


class ContactDamageSystem:
    """System ``contact``: enemies touching the player push one damage event.

    Runs after the grid rebuild; one event per tick at most (the strongest enemy in
    contact), and none while the player is invulnerable.
    """

    def __init__(self, state: WorldState) -> None:
        self.state = state
        cap = state.enemies.capacity
        self._rows = np.zeros(cap + 1, np.int64)
        self._d = np.zeros(cap, np.float32)
        self._xy = np.zeros((cap, 2), np.float32)
        self._r = np.zeros(cap, np.float32)
        self._dmg = np.zeros(cap, np.float32)
        self._hit = np.zeros(cap, np.bool_)
        self._pr = f32(state.player.radius)
        self._zero = f32(0.0)
        self.enabled = state.config.contact_damage

    def __call__(self, dt: float) -> None:
        """Find enemies overlapping the player; push the largest contact damage.

        Allocation contract: allocates no array data; transient views and Python scalars only.
        """
        p = self.state.player
        if not self.enabled or p.invuln > 0.0 or not p.alive:
            return
        w = self.state
        if w.enemies.count == 0:
            return
        reach = p.radius + w.tiers.max_radius
        n = w.grid.query_radius(float(p.pos[0]), float(p.pos[1]), reach, self._rows)
        if n == 0:
            return
        rows = self._rows[:n]
        cols = w.enemies.columns
        xy = self._xy[:n]
        cols["pos"].take(rows, axis=0, out=xy, mode="clip")
        np.subtract(xy[:, 0], p.pos[0:1], out=xy[:, 0])
        np.subtract(xy[:, 1], p.pos[1:2], out=xy[:, 1])
        np.multiply(xy, xy, out=xy)
        d = self._d[:n]
        np.add(xy[:, 0], xy[:, 1], out=d)
        # In contact: squared distance <= (player radius + enemy radius)^2.
        r = self._r[:n]
        cols["radius"].take(rows, out=r, mode="clip")
        np.add(r, self._pr, out=r)
        np.multiply(r, r, out=r)
        hit = np.less_equal(d, r, out=self._hit[:n])
        if not hit.any():
            return
        dmg = self._dmg[:n]
        cols["damage"].take(rows, out=dmg, mode="clip")
        np.copyto(dmg, self._zero, where=np.logical_not(hit, out=hit))
        amount = float(dmg.max())
        if amount > 0.0:
            w.damage_ring.push(0, amount, SOURCE_CONTACT, KIND_PLAYER)
