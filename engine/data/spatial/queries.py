"""Point queries of the spatial hash: the cell of a point, rows within a radius, the nearest.

``PointQueries`` is a mixin of ``SpatialHash`` (grid.py): it reads the layout the last
``rebuild`` left (``_fstart`` per fine cell, ``_sorted_rows`` and ``_pos_c`` in sorted order)
and owns only its scratch. A point's cell is found with the float64 arithmetic and clamps of
the rebuild, so a query visits exactly the cells the rows were put in.

Allocation contract: the queries allocate no array data (scratch made once by
``_init_query_scratch``; a few Python numbers and views, freed at once).
"""

from __future__ import annotations

import numpy as np

from . import checks

__all__ = ["PointQueries", "compact_into"]


def compact_into(mask: np.ndarray, values: np.ndarray, ci: np.ndarray, cj: np.ndarray,
                 stage: np.ndarray) -> int:
    """Write ``values[mask]`` to ``stage[1:]`` in order; return how many.

    Slot compaction: the running count of the mask, times the mask, is each kept item's
    destination (1-based) and 0 for the others, so ``stage[0]`` is the dump slot. ``ci`` and
    ``cj`` are int64 scratch views of ``len(mask)``; allocates no array data.
    """
    k = mask.shape[0]
    np.copyto(ci, mask)
    np.add.accumulate(ci, out=cj)
    total: int = cj.item(k - 1)
    if total:
        np.multiply(ci, cj, out=ci)
        stage[ci] = values
    return total


class PointQueries:
    """``cell_of``, ``query_radius`` and ``nearest`` over a rebuilt ``SpatialHash``."""

    capacity: int
    count: int
    grid_w: int
    grid_h: int
    sub: int
    world_min: tuple[float, float]
    truncated: int
    dropped: int
    _fgw: int
    _inv_fine_f: float
    _inv_cell_f: float
    _sub_shift: int
    _fstart: np.ndarray
    _pos_c: np.ndarray
    _sorted_rows: np.ndarray

    def _init_query_scratch(self, capacity: int) -> None:
        """Make the point queries' scratch for ``capacity`` rows (once, at construction)."""
        self._cand_pos = np.zeros(capacity, np.complex64)
        self._cand_rows = np.zeros(capacity, np.int64)
        self._dx = np.zeros(capacity, np.float32)
        self._dy = np.zeros(capacity, np.float32)
        self._d2 = np.zeros(capacity, np.float32)
        self._acc = np.zeros(capacity, bool)
        self._ci = np.zeros(capacity, np.int64)
        self._cj = np.zeros(capacity, np.int64)
        self._stage = np.zeros(capacity + 1, np.int64)  # slot 0 is the dump slot
        self._r2 = np.array(0.0, np.float32)
        self._qx = np.array(0.0, np.float32)
        self._qy = np.array(0.0, np.float32)
        self._inf32 = np.array(np.inf, np.float32)

    def cell_of(self, x: float, y: float) -> int:
        """Cell id of one point, clamped to the grid like ``rebuild`` does (for tests and tools;
        per-tick code uses ``cells_of``).

        Raises:
            ValueError: x or y not finite.
        """
        checks.finite_point("cell_of", x, y)
        return self._cy_of(y) * self.grid_w + self._cx_of(x)

    # One point's cell along each axis: the float64 arithmetic and clamps of _axis_index, so
    # that the queries visit exactly the cells rebuild put the rows in.
    def _cx_of(self, x: float) -> int:
        v = (x - self.world_min[0]) * self._inv_fine_f
        if not v > 0.0:  # also NaN
            return 0
        if v >= self._fgw - 1:  # also inf
            return self.grid_w - 1
        return int(v) >> self._sub_shift

    def _cy_of(self, y: float) -> int:
        v = (y - self.world_min[1]) * self._inv_cell_f
        if not v > 0.0:
            return 0
        if v >= self.grid_h - 1:
            return self.grid_h - 1
        return int(v)

    def _set_query(self, x: float, y: float, r: float) -> None:
        self._qx.fill(x)
        self._qy.fill(y)
        self._r2.fill(np.float32(r) * np.float32(r))

    def _gather_candidates(self, x: float, y: float, r: float) -> int:
        """Copy the rows of the cells within r of (x, y) (one slice per cell row) and their
        positions into scratch; leave their float32 squared distances in ``self._d2``."""
        cx0, cx1 = self._cx_of(x - r), self._cx_of(x + r)
        cy0, cy1 = self._cy_of(y - r), self._cy_of(y + r)
        sub = self.sub
        gw = self.grid_w
        fstart = self._fstart
        k = 0
        for cy in range(cy0, cy1 + 1):
            lo = fstart.item((cy * gw + cx0) * sub)
            hi = fstart.item((cy * gw + cx1 + 1) * sub)
            if hi > lo:
                np.copyto(self._cand_pos[k : k + hi - lo], self._pos_c[lo:hi])
                np.copyto(self._cand_rows[k : k + hi - lo], self._sorted_rows[lo:hi])
                k += hi - lo
        if k:
            cand = self._cand_pos[:k]
            dx = self._dx[:k]
            dy = self._dy[:k]
            d2 = self._d2[:k]
            np.subtract(cand.real, self._qx, out=dx)
            np.subtract(cand.imag, self._qy, out=dy)
            np.multiply(dx, dx, out=d2)
            np.multiply(dy, dy, out=dy)
            np.add(d2, dy, out=d2)
        return k

    def query_radius(self, x: float, y: float, r: float, out: np.ndarray) -> int:
        """Write the rows closer than ``r`` to ``(x, y)`` into ``out``; return how many.

        The test is float32 ``dx*dx + dy*dy < r*r`` on the positions of the last rebuild. Rows
        come in cell order. When ``out`` is too short, the first ``len(out)`` are written,
        ``truncated`` grows by one and ``dropped`` by the rest.

        Allocation contract: allocates no array data (a few Python numbers and views, freed at
        once).

        Raises:
            TypeError: out is not an int32/int64 numpy array.
            ValueError: out not 1-D or not writeable, x or y not finite, or r not a finite
                number >= 0.
        """
        checks.index_out(out, "out")
        checks.query_args("query_radius", x, y, r, "r")
        if self.count == 0:
            return 0
        self._set_query(x, y, r)
        k = self._gather_candidates(x, y, r)
        if k == 0:
            return 0
        acc = self._acc[:k]
        np.less(self._d2[:k], self._r2, out=acc)
        found = compact_into(acc, self._cand_rows[:k], self._ci[:k], self._cj[:k], self._stage)
        written = found if found <= out.shape[0] else out.shape[0]
        if written:
            np.copyto(out[:written], self._stage[1 : written + 1], casting="same_kind")
        if written < found:
            self.truncated += 1
            self.dropped += found - written
        return written

    def nearest(self, x: float, y: float, max_r: float) -> int:
        """The row closest to ``(x, y)`` and closer than ``max_r``, or -1 if there is none.

        Ties (equal float32 squared distance) go to the lowest row index.

        Allocation contract: allocates no array data (Python numbers and views, freed at once).

        Raises:
            ValueError: x or y not finite, or max_r not a finite number >= 0.
        """
        checks.query_args("nearest", x, y, max_r, "max_r")
        if self.count == 0:
            return -1
        self._set_query(x, y, max_r)
        k = self._gather_candidates(x, y, max_r)
        if k == 0:
            return -1
        d2 = self._d2[:k]
        np.fmin(d2, self._inf32, out=d2)  # NaN (a NaN position) -> inf
        i = int(d2.argmin())
        if not d2.item(i) < self._r2.item():
            return -1
        eq = self._acc[:k]
        np.equal(d2, d2[i], out=eq)
        rows = self._ci[:k]
        rows.fill(self.capacity)
        np.copyto(rows, self._cand_rows[:k], where=eq)
        return rows.item(int(rows.argmin()))
