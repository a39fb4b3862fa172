"""System ``movement``: every enemy seeks the player, plus its separation push.

``movement`` copies ``pos`` to ``prev_pos`` (render interpolation), then moves every enemy
toward the player at its speed (stopping when it touches the player) plus its separation
velocity ``sep`` (written by the previous tick's ``separation``), clamped inside the arena.
"""

from __future__ import annotations

import numpy as np

from .._kernels import f32
from ..state import WorldState

__all__ = ["MovementSystem"]


class MovementSystem:
    """System ``movement``: seek + separation, clamped to the arena."""

    def __init__(self, state: WorldState) -> None:
        self.state = state
        cap = state.enemies.capacity
        self._dx = np.zeros(cap, np.float32)
        self._dy = np.zeros(cap, np.float32)
        self._d = np.zeros(cap, np.float32)
        self._g = np.zeros(cap, np.float32)
        self._step = np.zeros(cap, np.float32)
        self._dt = f32(0.0)
        self._max_step = f32(0.0)
        self._one = f32(1.0)
        self._push = state.config.separation.max_push_factor
        self._pr = f32(state.player.radius)
        self._eps = f32(1e-4)
        self._zero = f32(0.0)
        lo, hi = state.arena_min, state.arena_max
        self._xmin, self._xmax = lo[0:1].reshape(()), hi[0:1].reshape(())
        self._ymin, self._ymax = lo[1:2].reshape(()), hi[1:2].reshape(())
        self._px = state.player.pos[0:1]
        self._py = state.player.pos[1:2]

    def __call__(self, dt: float) -> None:
        """Move every enemy one step.

        Allocation contract: allocates no array data; transient views and the errstate
        context only.
        """
        store = self.state.enemies
        n = store.count
        if n == 0:
            return
        # A row made non-finite from outside the kit gives inf * 0 here; the quarantine step
        # right after this one removes it, so numpy's warning would only be noise.
        with np.errstate(invalid="ignore", over="ignore"):
            self._move(n, dt)

    def _move(self, n: int, dt: float) -> None:
        store = self.state.enemies
        self._dt[...] = dt
        self._max_step[...] = self._push * dt
        cols = store.columns
        pos = cols["pos"][:n]
        np.copyto(cols["prev_pos"][:n], pos)
        x = pos[:, 0]
        y = pos[:, 1]
        dx = self._dx[:n]
        dy = self._dy[:n]
        d = self._d[:n]
        g = self._g[:n]
        step = self._step[:n]
        np.subtract(self._px, x, out=dx)
        np.subtract(self._py, y, out=dy)
        np.multiply(dx, dx, out=d)
        np.multiply(dy, dy, out=g)
        np.add(d, g, out=d)
        np.sqrt(d, out=d)
        # Go speed * dt, but no further than touching the player.
        np.multiply(cols["speed"][:n], self._dt, out=step)
        np.subtract(d, cols["radius"][:n], out=g)
        np.subtract(g, self._pr, out=g)
        np.maximum(g, self._zero, out=g)
        np.minimum(step, g, out=step)
        np.maximum(d, self._eps, out=d)
        np.divide(step, d, out=step)
        np.multiply(dx, step, out=dx)
        np.multiply(dy, step, out=dy)
        # Plus the separation push; the sum is limited to max_push_factor * speed * dt so
        # that pushes in a crowd do not overshoot (jitter).
        sep = cols["sep"][:n]
        np.multiply(sep[:, 0], self._dt, out=d)
        np.add(dx, d, out=dx)
        np.multiply(sep[:, 1], self._dt, out=d)
        np.add(dy, d, out=dy)
        np.multiply(dx, dx, out=d)
        np.multiply(dy, dy, out=g)
        np.add(d, g, out=d)
        np.sqrt(d, out=d)
        np.maximum(d, self._eps, out=d)
        np.multiply(cols["speed"][:n], self._max_step, out=step)
        np.divide(step, d, out=step)
        np.minimum(step, self._one, out=step)
        np.multiply(dx, step, out=dx)
        np.multiply(dy, step, out=dy)
        np.add(x, dx, out=x)
        np.add(y, dy, out=y)
        x.clip(self._xmin, self._xmax, out=x)
        y.clip(self._ymin, self._ymax, out=y)
