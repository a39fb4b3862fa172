"""System ``separation``: each enemy's push away from its neighbours, from the fresh grid.

The push is stored in the ``sep`` column, which moves with the row in a flush; the next
tick's movement applies it. Neighbours are found in the grid's cell-sorted order: each enemy
is compared with the next ``neighbours`` enemies of that order (enemies of one cell are
consecutive there, and the last ones of a cell meet the first ones of the next cell, which
is usually adjacent). Each pair pushes both apart, linearly stronger as they overlap. The
work is K contiguous-slice passes over the sorted positions: no pair list and no scatter-add.
"""

from __future__ import annotations

import numpy as np

from .._kernels import as_complex_rows, f32
from ..state import WorldState

__all__ = ["SeparationSystem"]


class SeparationSystem:
    """System ``separation``: neighbour pushes from the fresh grid into the ``sep`` column."""

    def __init__(self, state: WorldState) -> None:
        self.state = state
        cfg = state.config.separation
        self.enabled = cfg.enabled and cfg.neighbours > 0 and cfg.strength > 0
        self.neighbours = cfg.neighbours
        cap = state.enemies.capacity
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
        store = self.state.enemies
        n = store.count
        cols = store.columns
        sep = cols["sep"]
        if not self.enabled or n < 2:
            sep[:n] = 0.0
            return
        rows = self._rows[:n]
        np.copyto(rows, self.state.grid.sorted_rows[:n])
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
