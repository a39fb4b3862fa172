"""Uniform-grid spatial hash over fixed world bounds, rebuilt every tick, allocation-free.

Layout
------
The world rectangle ``[world_min, world_max)`` is cut into ``grid_w x grid_h`` square cells of
``cell_size``; positions outside it clamp to the edge cells (NaN clamps to the low edge), so every
row lands in some cell. Cell ``(cx, cy)`` has id ``cy * grid_w + cx``; ``cells_of`` gives the id
of any point with exactly the clamping of ``rebuild``.

Non-finite rows
---------------
A row whose x or y is NaN or infinite is kept where it clamps (so ``sorted_rows``,
``cell_count`` and ``row_cell`` still account for every row) but is inert: no query returns it
(its distance to anything is NaN or inf, which fails ``< r * r``), no neighbour pass pairs it,
and ``Neighbours.separation`` gives it a zero force and none to others. ``rebuild`` counts such
rows in ``nonfinite_rows`` (one ``isfinite`` over the positions; per-row work only when one is
found). The point queries refuse a non-finite point or radius with ``ValueError``.

Internally each cell is split into ``sub`` (a power of two, normally 4) columns of *fine cells*.
``rebuild`` sorts rows by fine cell (row-major), so rows of one cell are contiguous in
``sorted_rows`` (ordered inside the cell by fine column, then row index), and ``cell_start`` /
``cell_count`` index that order. The fine order is what lets ``Neighbours`` (neighbours.py)
build its orderings without sorting again.

Why a sort and not a scatter: the counting-sort scatter needs each row's rank inside its cell,
which numpy cannot compute without ``argsort`` (85 KB per 10k rows). Instead the packed keys
``fine_cell << 32 | row`` are laid out *in the previous tick's sorted order* and sorted in place
with ``kind='stable'`` (timsort): rows that stayed in their fine cell are already in order, so
the sort is a few times cheaper than a cold quicksort (figures in docs/BENCHMARKS.md). Rows
removed since the last rebuild get a sentinel key and sort last. Cell starts come from the
sorted keys by two "last write wins" scatters and a prefix sum (``np.add.at`` leaves a 5 KB
transient, over the 4 KB contract).

Allocation contract
-------------------
Everything is preallocated at construction for ``capacity`` rows. ``rebuild``, ``cells_of`` and
the queries allocate no array data after warm-up: they use ``out=`` into scratch buffers,
``take(..., mode='clip')`` for gathers, fancy *assignment* for scatters, 0-d arrays for scalar
operands, and ``np.add.accumulate`` / ``argmin`` rather than ``np.cumsum`` / ``min`` (which keep
small per-shape caches growing for thousands of calls in numpy 2.4). What remains is transient
Python objects (a view or numpy scalar here and there, freed at once) and, inside ``rebuild``,
timsort's merge buffer, which numpy takes with C ``malloc`` and frees before returning (no Python
object, no GC pressure, invisible to tracemalloc).
"""

from __future__ import annotations

import math

import numpy as np

from . import checks
from .queries import PointQueries

__all__ = ["SpatialHash"]

_LOW32 = np.int64(0xFFFFFFFF)
_MAX_FINE_CELLS = 1 << 21
_MAX_SUB = 4


class SpatialHash(PointQueries):
    """Uniform grid over fixed world bounds; rebuilt each tick; queries into caller buffers.

    Public read-only state after ``rebuild`` (arrays are read-only views; the ``[:count]``
    properties create a view object per access, nothing else):

    * ``count`` - rows in the last rebuild; ``grid_w``, ``grid_h`` - cells per axis.
    * ``cell_start``, ``cell_count`` - per cell id ``cy * grid_w + cx``, into ``sorted_rows``.
    * ``sorted_rows`` - row indices (int64) grouped by cell, ``count`` long.
    * ``row_cell`` - cell id (int64) of each row, ``count`` long.
    * ``truncated`` / ``dropped`` - queries whose output buffer was too small, and results
      those calls could not write (cumulative counters).
    * ``nonfinite_rows`` - rows of the last rebuild with a NaN or infinite coordinate (kept,
      never paired or returned; see the module docstring).

    The point queries (``cell_of``, ``query_radius``, ``nearest``) are ``queries.PointQueries``.
    Pairs and push-apart forces between rows come from a ``Neighbours`` over this hash.

    Args:
        capacity: the most rows a rebuild may hold.
        cell_size: side of a cell in world units; neighbour passes need ``radius <= cell_size``.
        world_min: ``(x0, y0)``, the low corner of the world.
        world_max: ``(x1, y1)``, the high corner; must exceed ``world_min`` on both axes.

    Raises:
        ValueError: capacity or cell_size not positive, world_max not above world_min, or a grid
            too large (more than 2**21 cells).
        TypeError: capacity not an int, or a corner not a pair of numbers.
    """

    def __init__(
        self,
        capacity: int,
        cell_size: float,
        world_min: tuple[float, float] = (0.0, 0.0),
        world_max: tuple[float, float] = (4096.0, 4096.0),
    ) -> None:
        capacity, cell, (x0, y0), (x1, y1) = checks.grid_args(capacity, cell_size, world_min,
                                                              world_max)
        gw = max(1, math.ceil((x1 - x0) / cell))
        gh = max(1, math.ceil((y1 - y0) / cell))
        if gw * gh > _MAX_FINE_CELLS:
            raise ValueError(
                f"grid of {gw} x {gh} = {gw * gh} cells exceeds the limit of {_MAX_FINE_CELLS}; "
                f"raise cell_size (got {cell}) or shrink the world")
        sub = _MAX_SUB
        while sub > 1 and gw * gh * sub > _MAX_FINE_CELLS:
            sub //= 2

        self.capacity = capacity
        self.cell_size = cell
        self.world_min = (x0, y0)
        self.world_max = (x1, y1)
        self.grid_w = gw
        self.grid_h = gh
        self.sub = sub
        """Fine columns per cell (a power of two): the x resolution of the sorted order."""
        self.count = 0
        self.truncated = 0
        self.dropped = 0

        fgw = gw * sub
        nf = gh * fgw
        ncells = gw * gh
        self._fgw = fgw
        self._nf = nf
        self._x0 = np.array(x0, np.float64)
        self._y0 = np.array(y0, np.float64)
        self._inv_fine_f = sub / cell
        self._inv_cell_f = 1.0 / cell
        self._inv_fine = np.array(self._inv_fine_f, np.float64)
        self._inv_cell = np.array(self._inv_cell_f, np.float64)
        self._sub_shift = sub.bit_length() - 1
        self._zero_f64 = np.array(0.0, np.float64)
        self._fx_hi = np.array(fgw - 1, np.float64)
        self._cy_hi = np.array(gh - 1, np.float64)
        self._fgw_i = np.array(fgw, np.int64)
        self._gw_i = np.array(gw, np.int64)
        self._shift32 = np.array(32, np.int64)
        self._sub_shift_i = np.array(self._sub_shift, np.int64)
        self._one_i = np.array(1, np.int64)
        # Rebuilds so far, in a cell (a plain int past 256 keeps a heap int alive): lets a
        # Neighbours tell whether its orderings are from the last rebuild.
        self._builds = np.zeros((), np.int64)
        self._nonfinite = np.zeros((), np.int64)  # in a cell for the same reason

        # Per-row and per-sorted-position buffers. _f64, _fx and _frow are scratch of rebuild
        # and cells_of only; the others hold the last rebuild (Neighbours reads _sf, _pos_c).
        self._ar = np.arange(capacity + 1, dtype=np.int64)
        self._revar = np.arange(capacity - 1, -1, -1, dtype=np.int64)
        self._f64 = np.zeros(capacity, np.float64)
        self._fx = np.zeros(capacity, np.int64)
        self._frow = np.zeros(capacity, np.int64)
        self._row_cell = np.zeros(capacity, np.int64)
        self._keys = np.zeros(capacity, np.int64)
        self._sorted_rows = np.zeros(capacity, np.int64)
        self._sf = np.zeros(capacity, np.int64)  # fine cell of each sorted position
        self._rev = np.zeros(capacity, np.int64)
        self._pos_c = np.zeros(capacity, np.complex64)  # (x, y) in sorted order
        self._fin2 = np.zeros((capacity, 2), bool)  # isfinite of each coordinate
        self._fin = np.zeros(capacity, bool)

        # Per-fine-cell and per-cell buffers (Neighbours reads _fcount and _fstart).
        self._fend = np.zeros(nf, np.int64)
        self._fbeg = np.zeros(nf, np.int64)
        self._fcount = np.zeros(nf, np.int64)
        self._fstart = np.zeros(nf + 1, np.int64)
        self._cell_count = np.zeros(ncells, np.int64)

        self._cell_start_ro = self._fstart[0:nf:sub]
        self._cell_start_ro.flags.writeable = False
        self._cell_count_ro = self._cell_count.view()
        self._cell_count_ro.flags.writeable = False
        self._sorted_rows_ro = self._sorted_rows.view()
        self._sorted_rows_ro.flags.writeable = False
        self._row_cell_ro = self._row_cell.view()
        self._row_cell_ro.flags.writeable = False

        self._init_query_scratch(capacity)

    # ------------------------------------------------------------------ public views

    @property
    def cell_start(self) -> np.ndarray:
        """Start of each cell's rows in ``sorted_rows`` (read-only, ``grid_w * grid_h`` long)."""
        return self._cell_start_ro

    @property
    def cell_count(self) -> np.ndarray:
        """Rows in each cell (read-only, ``grid_w * grid_h`` long)."""
        return self._cell_count_ro

    @property
    def sorted_rows(self) -> np.ndarray:
        """Row indices grouped by cell (read-only view, ``count`` long)."""
        return self._sorted_rows_ro[: self.count]

    @property
    def row_cell(self) -> np.ndarray:
        """Cell id of each row (read-only view, ``count`` long)."""
        return self._row_cell_ro[: self.count]

    @property
    def nonfinite_rows(self) -> int:
        """Rows of the last rebuild with a NaN or infinite x or y."""
        return int(self._nonfinite.item())

    # ------------------------------------------------------------------ cell index

    def cells_of(self, x: np.ndarray, y: np.ndarray, out: np.ndarray) -> None:
        """Write the cell id of each point ``(x[i], y[i])`` into ``out[i]``.

        The same float64 arithmetic and clamping as ``rebuild`` (outside the world: the edge
        cell; NaN: the low edge), so for the positions of a rebuild ``out`` equals
        ``row_cell``; ids can index per-cell arrays of ``grid_w * grid_h`` without a check.
        Needs no rebuild. Any number of points (worked through in chunks of ``capacity``).

        Args:
            x, y: 1-D float32 or float64 arrays of one length (strided views such as
                ``pos[:, 0]`` are fine).
            out: writeable 1-D int32 or int64 array, at least ``len(x)`` long.

        Allocation contract: allocates no array data (views only).

        Raises:
            TypeError: x or y not a float32/float64 numpy array, out not int32/int64.
            ValueError: x, y not 1-D of one length, or out shorter.
        """
        n = checks.points(x, y, out)
        cap = self.capacity
        for a in range(0, n, cap):
            b = min(n, a + cap)
            k = b - a
            f64 = self._f64[:k]
            cx = self._fx[:k]
            cy = self._frow[:k]
            self._axis_index(x[a:b], self._x0, self._inv_fine, self._fx_hi, f64, cx)
            np.right_shift(cx, self._sub_shift_i, out=cx)
            self._axis_index(y[a:b], self._y0, self._inv_cell, self._cy_hi, f64, cy)
            np.multiply(cy, self._gw_i, out=cy)
            np.add(cy, cx, out=cy)
            np.copyto(out[a:b], cy, casting="same_kind")

    def _axis_index(self, src: np.ndarray, origin: np.ndarray, scale: np.ndarray,
                    hi: np.ndarray, f64: np.ndarray, out: np.ndarray) -> None:
        """``out = trunc(clamp((src - origin) * scale, 0, hi))``, in float64 so that a pair
        closer than cell_size never lands two cell rows apart through rounding."""
        np.copyto(f64, src)
        np.subtract(f64, origin, out=f64)
        np.multiply(f64, scale, out=f64)
        np.fmax(f64, self._zero_f64, out=f64)  # NaN and -inf -> 0
        f64.clip(self._zero_f64, hi, out=f64)
        np.copyto(out, f64, casting="unsafe")

    # ------------------------------------------------------------------ rebuild

    def rebuild(self, pos: np.ndarray) -> None:
        """Rebuild the grid from ``pos``, a C-contiguous ``(n, 2)`` float32 array, n <= capacity.

        Allocation contract: allocates no array data after warm-up. Transients: a view object or
        two, and timsort's C merge buffer (malloc'ed and freed inside ``ndarray.sort``, not a
        Python object; see the module docstring).

        Rows with a NaN or infinite coordinate are counted in ``nonfinite_rows`` and made inert
        (module docstring); the rebuild itself does not fail on them.

        Raises:
            TypeError: pos is not a float32 numpy array.
            ValueError: pos is not C-contiguous with shape (n, 2), or n > capacity.
        """
        n = checks.positions(pos, self.capacity)
        n_prev = self.count
        np.add(self._builds, self._one_i, out=self._builds)
        self._nonfinite.fill(0)
        if n == 0:
            self.count = 0
            self._fstart.fill(0)
            self._cell_count.fill(0)
            return

        # Fine column and cell row of each row, then the cell and fine cell ids.
        f64 = self._f64[:n]
        fx = self._fx[:n]
        frow = self._frow[:n]
        self._axis_index(pos[:, 0], self._x0, self._inv_fine, self._fx_hi, f64, fx)
        self._axis_index(pos[:, 1], self._y0, self._inv_cell, self._cy_hi, f64, frow)
        row_cell = self._row_cell[:n]
        np.multiply(frow, self._gw_i, out=row_cell)
        np.multiply(frow, self._fgw_i, out=frow)
        np.add(frow, fx, out=frow)  # fine cell id
        np.right_shift(fx, self._sub_shift_i, out=fx)
        np.add(row_cell, fx, out=row_cell)

        # Keys in the previous sorted order; rows gone since then sort last.
        keys = self._keys
        if n_prev > n:
            self._frow[n:n_prev] = self._nf
        m = max(n, n_prev)
        kp = keys[:n_prev]
        prev_rows = self._sorted_rows[:n_prev]
        self._frow.take(prev_rows, out=kp, mode="clip")
        np.left_shift(kp, self._shift32, out=kp)
        np.bitwise_or(kp, prev_rows, out=kp)
        if n > n_prev:
            kn = keys[n_prev:n]
            np.left_shift(self._frow[n_prev:n], self._shift32, out=kn)
            np.bitwise_or(kn, self._ar[n_prev:n], out=kn)
        keys[:m].sort(kind="stable")
        kv = keys[:n]
        sorted_rows = self._sorted_rows[:n]
        sf = self._sf[:n]
        np.bitwise_and(kv, _LOW32, out=sorted_rows)
        np.right_shift(kv, self._shift32, out=sf)
        self.count = n

        # Fine-cell starts: "last write wins" scatters give each fine cell's last position + 1
        # and (over the reversed order) its first position; empty cells get 0 - 0.
        self._fend.fill(0)
        self._fbeg.fill(0)
        self._fend[sf] = self._ar[1 : n + 1]
        rev = self._rev[:n]
        np.copyto(rev, sf[::-1])
        self._fbeg[rev] = self._revar[self.capacity - n :]
        np.subtract(self._fend, self._fbeg, out=self._fcount)
        np.add.accumulate(self._fcount, out=self._fstart[1:])
        sub = self.sub
        nf = self._nf
        np.subtract(self._fstart[sub::sub], self._fstart[0:nf:sub], out=self._cell_count)

        # Sorted positions snapshot (the queries and passes read these, not pos): one gather of
        # (x, y) pairs viewed as complex64.
        pos.view(np.complex64).reshape(n).take(sorted_rows, out=self._pos_c[:n], mode="clip")
        self._count_nonfinite(pos, n)

    def _count_nonfinite(self, pos: np.ndarray, n: int) -> None:
        """``nonfinite_rows`` of ``pos[:n]``: one isfinite and a count on the clean path."""
        fin2 = self._fin2[:n]
        np.isfinite(pos, out=fin2)
        if np.count_nonzero(fin2) == 2 * n:
            return
        fin = self._fin[:n]
        np.logical_and(fin2[:, 0], fin2[:, 1], out=fin)
        self._nonfinite.fill(n - np.count_nonzero(fin))
