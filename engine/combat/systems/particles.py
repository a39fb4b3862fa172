"""System ``particles``: moves, slows, fades and expires the short-lived sparks.

The sparks are spawned by the ``deaths`` step through ``state.particle_emitter``
(engine.combat.particles); expired ones leave through ``kill_rows`` + ``flush``, the particle
store's one flush point.
"""

from __future__ import annotations

import numpy as np

from .._kernels import f32
from ..state import WorldState

__all__ = ["ParticleSystem"]

class ParticleSystem:
    """System ``particles``."""

    def __init__(self, state: WorldState) -> None:
        self.state = state
        cfg = state.config.particles
        self.cfg = cfg
        cap = state.particles.capacity
        self._mask = np.zeros(cap, np.bool_)
        self._tmp = np.zeros(cap, np.float32)
        self._step = np.zeros((cap, 2), np.float32)
        self._dt = f32(0.0)
        self._zero = f32(0.0)
        self._one = f32(1.0)
        self._size = f32(cfg.size)
        self._decay = f32(1.0)

    def __call__(self, dt: float) -> None:
        """Move, slow, fade and expire the particles; flush the expired ones.

        Allocation contract: allocates no array data after warm-up; transient views only.
        """
        store = self.state.particles
        n = store.count
        if n == 0:
            self.state.stats.particles_live = 0
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
        self.state.stats.particles_live = store.count
