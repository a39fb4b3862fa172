"""System ``deaths``: the enemy store's one flush point, and what the tick's deaths cause.

It reads what the ``damage`` step left in ``state.casualties``: flushes the enemy store (the
killed rows return to the pool), counts kills by tier, gives the player kills and xp, spawns
death bursts and hit sparks through ``state.particle_emitter``, and counts the live enemies
by tier.
"""

from __future__ import annotations

import numpy as np

from .._kernels import i64
from ..state import WorldState

__all__ = ["DeathSystem"]


class DeathSystem:
    """System ``deaths``: the enemy store's one flush point per tick, and what deaths cause."""

    def __init__(self, state: WorldState) -> None:
        self.state = state
        n_tiers = len(state.tiers)
        self._tier_consts = [np.array(t, np.uint8) for t in range(n_tiers)]
        self._tier_consts_i = [i64(t) for t in range(n_tiers)]
        cap = max(state.enemies.capacity, state.damage_ring.capacity)
        self._mask = np.zeros(cap, np.bool_)
        self._xp = np.zeros(state.damage_ring.capacity, np.int64)

    def __call__(self, dt: float) -> None:
        """Flush the enemy store, count kills, give xp, spawn death and hit particles.

        Allocation contract: allocates no array data after warm-up; transient views and
        Python scalars only.
        """
        w = self.state
        cas = w.casualties
        k = cas.death_count
        cas.death_count = 0
        w.enemies.flush()
        st = w.stats
        if k:
            tiers = cas.death_tier[:k]
            m = self._mask[:k]
            for t, c in enumerate(self._tier_consts_i):
                st.kills_by_tier[t] += np.count_nonzero(np.equal(tiers, c, out=m))
            xp = self._xp[:k]
            w.tiers.xp.take(tiers, out=xp, mode="clip")
            gained = int(xp.sum())
            w.player.kills += k
            w.player.xp += gained
            w.particle_emitter.burst_by_tier(cas.death_pos[:k], tiers, k)
        hits = cas.hit_count
        if hits:
            w.particle_emitter.burst_hits(cas.hit_pos[:hits], hits)
            cas.hit_count = 0
        n = w.enemies.count
        st.enemies_live = n
        tier_col = w.enemies.columns["tier"][:n]
        m = self._mask[:n]
        for t, c in enumerate(self._tier_consts):
            st.enemies_by_tier[t] = np.count_nonzero(np.equal(tier_col, c, out=m))
