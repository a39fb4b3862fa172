"""Enemy movement: seek the player, plus separation between neighbours through the spatial hash.

Three systems:

* ``movement`` copies ``pos`` to ``prev_pos`` (render interpolation), then moves every enemy
  toward the player at its speed (stopping when it touches the player) plus its separation
  velocity ``sep``, clamped inside the arena.
* ``spatial_hash`` rebuilds the hash from the moved positions (rows are stable until the
  ``deaths`` flush, so queries in the same tick see valid rows).
* ``separation`` computes each enemy's push away from its neighbours from the fresh hash and
  stores it in the ``sep`` column, which moves with the row in a flush; the next tick's
  movement applies it. Neighbours are found in the hash's cell-sorted order: each enemy is
  compared with the next ``neighbours`` enemies of that order (enemies of one cell are
  consecutive there, and the last ones of a cell meet the first ones of the next cell, which
  is usually adjacent). Each pair pushes both apart, linearly stronger as they overlap. The
  work is K contiguous-slice passes over the sorted positions: no pair list and no scatter-add.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ._kernels import as_complex_rows, f32

if TYPE_CHECKING:
    from .world import World

__all__ = ["Movement", "SpatialHashSystem", "Separation"]


class Movement:
    """System ``movement``: seek + separation, clamped to the arena."""

    def __init__(self, world: World) -> None:
        self.world = world
        cap = world.enemies.capacity
        self._dx = np.zeros(cap, np.float32)
        self._dy = np.zeros(cap, np.float32)
        self._d = np.zeros(cap, np.float32)
        self._g = np.zeros(cap, np.float32)
        self._step = np.zeros(cap, np.float32)
        self._dt = f32(0.0)
        self._max_step = f32(0.0)
        self._one = f32(1.0)
        self._push = world.config.separation.max_push_factor
        self._pr = f32(world.player.radius)
        self._eps = f32(1e-4)
        self._zero = f32(0.0)
        lo, hi = world.arena_min, world.arena_max
        self._xmin, self._xmax = lo[0:1].reshape(()), hi[0:1].reshape(())
        self._ymin, self._ymax = lo[1:2].reshape(()), hi[1:2].reshape(())
        self._px = world.player.pos[0:1]
        self._py = world.player.pos[1:2]

    def __call__(self, dt: float) -> None:
        """Move every enemy one step.

        Allocation contract: allocates no array data; transient views only.
        """
        store = self.world.enemies
        n = store.count
        if n == 0:
            return
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


class SpatialHashSystem:
    """System ``spatial_hash``: rebuild the hash from the enemies' positions."""

    def __init__(self, world: World) -> None:
        self.world = world

    def __call__(self, dt: float) -> None:
        """Rebuild.

        Allocation contract: that of ``SpatialHash.rebuild`` (none after warm-up).
        """
        w = self.world
        w.hash.rebuild(w.enemies.columns["pos"][:w.enemies.count])


class Separation:
    """System ``separation``: neighbour pushes from the fresh hash into the ``sep`` column."""

    def __init__(self, world: World) -> None:
        self.world = world
        cfg = world.config.separation
        self.enabled = cfg.enabled and cfg.neighbours > 0 and cfg.strength > 0
        self.neighbours = cfg.neighbours
        cap = world.enemies.capacity
        self._rows = np.zeros(cap, np.int64)
        self._ps = np.zeros(cap, np.complex64)
        # Sorted positions, radii and accumulated pushes as contiguous float32 arrays:
        # contiguous ufuncs are several times faster than strided or complex ones.
        self._xs = np.zeros(cap, np.float32)
        self._ys = np.zeros(cap, np.float32)
        self._rs = np.zeros(cap, np.float32)
        self._ax = np.zeros(cap, np.float32)
        self._ay = np.zeros(cap, np.float32)
        self._dx = np.zeros(cap, np.float32)
        self._dy = np.zeros(cap, np.float32)
        self._dist = np.zeros(cap, np.float32)
        self._g = np.zeros(cap, np.float32)
        self._eps = f32(1e-3)
        self._zero = f32(0.0)
        self._strength = f32(cfg.strength)

    def __call__(self, dt: float) -> None:
        """Compute every enemy's separation velocity.

        Allocation contract: allocates no array data; transient views only.
        """
        store = self.world.enemies
        n = store.count
        cols = store.columns
        sep = cols["sep"]
        if not self.enabled or n < 2:
            sep[:n] = 0.0
            return
        rows = self._rows[:n]
        np.copyto(rows, self.world.hash.sorted_rows[:n])
        ps = self._ps[:n]
        as_complex_rows(cols["pos"]).take(rows, out=ps, mode="clip")
        np.copyto(self._xs[:n], ps.real)
        np.copyto(self._ys[:n], ps.imag)
        del ps
        cols["radius"].take(rows, out=self._rs[:n], mode="clip")
        self._ax[:n].fill(0)
        self._ay[:n].fill(0)
        for o in range(1, self.neighbours + 1):
            if n - o <= 0:
                break
            self._pass(n, o)
        # Back to row order: (ax, ay) -> complex -> the sep column.
        acc = self._ps[:n]
        np.multiply(self._ax[:n], self._strength, out=acc.real)
        np.multiply(self._ay[:n], self._strength, out=acc.imag)
        np.put(as_complex_rows(sep), rows, acc, mode="clip")

    def _pass(self, n: int, o: int) -> None:
        """Pairs (q, q + o) of the sorted order: push both apart by their overlap."""
        m = n - o
        xs = self._xs
        ys = self._ys
        dx = self._dx[:m]
        dy = self._dy[:m]
        dist = self._dist[:m]
        g = self._g[:m]
        np.subtract(xs[:m], xs[o:n], out=dx)
        np.subtract(ys[:m], ys[o:n], out=dy)
        np.multiply(dx, dx, out=dist)
        np.multiply(dy, dy, out=g)
        np.add(dist, g, out=dist)
        np.sqrt(dist, out=dist)
        # g = max(0, R - dist) / dist: the unit push times the overlap in pixels.
        np.add(self._rs[:m], self._rs[o:n], out=g)
        np.subtract(g, dist, out=g)
        np.maximum(g, self._zero, out=g)
        np.maximum(dist, self._eps, out=dist)
        np.divide(g, dist, out=g)
        np.multiply(dx, g, out=dx)
        np.multiply(dy, g, out=dy)
        np.add(self._ax[:m], dx, out=self._ax[:m])
        np.add(self._ay[:m], dy, out=self._ay[:m])
        np.subtract(self._ax[o:n], dx, out=self._ax[o:n])
        np.subtract(self._ay[o:n], dy, out=self._ay[o:n])
