"""Uniform-grid spatial hash over fixed world bounds, rebuilt every tick, allocation-free.

Layout
------
The world rectangle ``[world_min, world_max)`` is cut into ``grid_w x grid_h`` square cells of
``cell_size``; positions outside it clamp to the edge cells (NaN clamps to the low edge), so every
row lands in some cell. Cell ``(cx, cy)`` has id ``cy * grid_w + cx``.

Internally each cell is split into ``sub`` (a power of two, normally 4) columns of *fine cells*.
``rebuild`` sorts rows by fine cell (row-major), so rows of one cell are contiguous in
``sorted_rows`` (ordered inside the cell by fine column, then row index), and ``cell_start`` /
``cell_count`` index that order.

Why a sort and not a scatter: the counting-sort scatter needs each row's rank inside its cell,
which numpy cannot compute without ``argsort`` (85 KB per 10k rows). Instead the packed keys
``fine_cell << 32 | row`` are laid out *in the previous tick's sorted order* and sorted in place
with ``kind='stable'`` (timsort): rows that stayed in their fine cell are already in order, so the
sort costs ~1.1 ms for 100k rows moving 3.3 units a tick through 8-unit fine columns, against
3.7 ms for a cold quicksort (this numpy build has no SIMD sort on this CPU). Rows removed since
the last rebuild get a sentinel key and sort last. Cell starts come from the sorted keys by two
"last write wins" scatters and a prefix sum (``np.add.at`` leaves a 5 KB transient, over the 4 KB
contract).

Neighbour passes (``separation``, ``neighbour_pairs``)
------------------------------------------------------
Numpy is fast on contiguous arrays and slow on gathers and scatters (~1 ns against ~0.1 ns per
element), so the neighbour passes test the pairs ``(q, q + d)`` of an ordering for each shift
``d = 1, 2, ...`` with whole-array operations on contiguous views, and accumulate forces with
contiguous adds. For that, neighbours must be close in the ordering. Two orderings ("band
grids") are derived from the fine-cell counts without sorting (one 16-byte record scatter each):
grid C groups cell rows ``(2j, 2j+1)`` into bands, grid B groups rows ``(2j+1, 2j+2)``; inside a
band the order is (fine column, row, sorted order). With ``radius <= cell_size``, a pair closer
than ``radius`` lies in equal or adjacent cell rows, hence in one band of C or of B. Grid C
accepts pairs within one of its bands; grid B only pairs that straddle the two rows of one of its
bands (the others were C's), so each unordered pair is tested and found exactly once. A row's
partners ahead lie within ``ceil(radius / fine width)`` fine columns, so the shifts run up to
the largest such window (~33 for the default scene's mean of 14 rows), ~200 us each at 100k rows.

The cap. A pair is accepted while both its rows are below the cap, and counts for both. A row at
``cap - 1`` accepted in the same shift as left partner of ``(q, q+d)`` and right partner of
``(q-d, q)`` drops the second pair, so the cap holds exactly. Once half the rows of the ordering
have reached the cap (checked every other shift), the rest of the scan moves to the subsequence
of rows still below it (a *compacted level*, at most two deep): order is kept, so the shift scan
goes on over fewer rows and shorter windows, masking the pairs a parent level had already
tested. In a crowd of ~20 neighbours per row and a cap of 8 this halves the pass; without a cap
(or one no row reaches) every shift runs over every row. Grid B starts from the counts grid C
left, usually two thirds capped already, so it goes straight to a compacted level: its full-size
columns are cut from the records only if its full order is scanned.

Allocation contract
-------------------
Everything is preallocated at construction for ``capacity`` rows. ``rebuild``, the queries and the
neighbour passes allocate no array data after warm-up: they use ``out=`` into scratch buffers,
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

__all__ = ["SpatialHash"]

_LOW32 = np.int64(0xFFFFFFFF)
_MAX_FINE_CELLS = 1 << 21
_MAX_SUB = 4
_MAX_DEPTH = 3  # full order + up to two compacted subsequences


def _as_pair(value: object, name: str) -> tuple[float, float]:
    try:
        items = list(value)  # type: ignore[call-overload]
        if len(items) != 2:
            raise ValueError
        fx, fy = float(items[0]), float(items[1])
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a pair of numbers (x, y), got {value!r}") from None
    if not (math.isfinite(fx) and math.isfinite(fy)):
        raise ValueError(f"{name} must be finite, got ({fx}, {fy})")
    return fx, fy


def _check_index_out(out: object, name: str) -> np.ndarray:
    if not isinstance(out, np.ndarray):
        raise TypeError(f"{name} must be a numpy array of int32 or int64, got {type(out).__name__}")
    if out.dtype not in (np.dtype(np.int32), np.dtype(np.int64)):
        raise TypeError(f"{name} must have dtype int32 or int64, got {out.dtype}")
    if out.ndim != 1:
        raise ValueError(f"{name} must be 1-D, got shape {out.shape}")
    if not out.flags.writeable:
        raise ValueError(f"{name} must be writeable")
    return out


class _Level:
    """One ordering being scanned: a band grid's full order (depth 0) or the still-uncapped
    subsequence of its parent (depth >= 1), with that ordering's columns."""

    def __init__(self, depth: int, capacity: int, code_dtype: type) -> None:
        self.depth = depth
        self.n = 0
        self.xs = np.zeros(capacity, np.float32)
        self.ys = np.zeros(capacity, np.float32)
        self.code: np.ndarray = np.zeros(capacity, code_dtype)
        self.cnt: dict[int, np.ndarray] = {
            1: np.zeros(capacity, np.int8), 2: np.zeros(capacity, np.int16),
            4: np.zeros(capacity, np.int32)}
        self.fx = np.zeros(capacity, np.float32)
        self.fy = np.zeros(capacity, np.float32)
        self.rows = np.zeros(capacity, np.int64)
        self.wend = np.zeros(capacity, np.int64)  # exclusive end of each slot's window
        # Index of each slot in every ancestor level (anc[-1] is the index in the parent).
        self.anc = [np.zeros(capacity, np.int64) for _ in range(depth)]
        self.done = [np.array(0, np.int64) for _ in range(depth)]


class _BandGrid:
    """One banded ordering (C: offset 0, B: offset 1): per-fine-cell tables and its full order.

    Tables are built at construction; the ordering once per rebuild (see the module docstring).
    """

    def __init__(self, offset: int, gh: int, fgw: int, capacity: int, code_dtype: type) -> None:
        self.offset = offset
        nb = (gh + offset + 1) // 2
        self.nb = nb
        nf = gh * fgw
        cy = np.repeat(np.arange(gh, dtype=np.int64), fgw)
        fx = np.tile(np.arange(fgw, dtype=np.int64), gh)
        band = (cy + offset) >> 1
        par = (cy + offset) & 1
        # Layout index of each fine cell: (band, fine column, row parity), flattened.
        self.map = (band * fgw + fx) * 2 + par
        self.base = band * fgw * 2
        self.fx = fx
        # C accepts pairs with equal codes (same band); B accepts codes that differ by the row
        # parity bit only (same band, different row).
        self.code_tab: np.ndarray = (band * 2 + par if offset else band).astype(code_dtype)
        # Rows of each parity: (first row, its band) for the two strided count copies.
        self.rows_of_par = [((par_ - offset) % 2, ((par_ - offset) % 2 + offset) >> 1)
                            for par_ in (0, 1)]
        self.counts = np.zeros(nb * fgw * 2, np.int64)
        self.start = np.zeros(nb * fgw * 2 + 1, np.int64)
        self.off = np.zeros(nf, np.int64)
        self.seg = np.zeros(nf, np.int64)  # first slot of each fine cell
        self.win_idx = np.zeros(nf, np.int64)
        self.win_end = np.zeros(nf, np.int64)
        self.win_m = -1  # fine-column reach the window ends were computed for
        self.win_idx_m = -1
        self.dmax_bound = 0
        self.cols_ready = False  # level 0's xs, ys, code, fc (and rows) from the records
        self.rows_ready = False
        self.wend_m = -1  # reach level 0's per-slot window ends were computed for
        self.pos = np.zeros(capacity, np.int64)  # public position -> slot
        self.fc = np.zeros(capacity, np.int64)  # fine cell of each slot
        # (x, y, fine cell, row) of each slot as one 16-byte record: one scatter.
        self.rec = np.zeros((capacity, 4), np.float32)
        self.rec_c = self.rec.view(np.complex128).reshape(capacity)
        self.level = _Level(0, capacity, code_dtype)
        self.force = np.zeros(capacity, np.complex64)


class SpatialHash:
    """Uniform grid over fixed world bounds; rebuilt each tick; queries into caller buffers.

    Public read-only state after ``rebuild`` (arrays are read-only views; the ``[:count]``
    properties create a view object per access, nothing else):

    * ``count`` - rows in the last rebuild; ``grid_w``, ``grid_h`` - cells per axis.
    * ``cell_start``, ``cell_count`` - per cell id ``cy * grid_w + cx``, into ``sorted_rows``.
    * ``sorted_rows`` - row indices (int64) grouped by cell, ``count`` long.
    * ``row_cell`` - cell id (int64) of each row, ``count`` long.
    * ``truncated`` / ``dropped`` - calls whose output buffer was too small, and results those
      calls could not write (cumulative counters).
    * ``last_shifts`` / ``last_compactions`` - work done by the last neighbour pass.

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
        if isinstance(capacity, bool) or not isinstance(capacity, (int, np.integer)):
            raise TypeError(f"capacity must be an int, got {type(capacity).__name__}")
        capacity = int(capacity)
        if capacity <= 0 or capacity >= 1 << 31:
            raise ValueError(f"capacity must be in [1, 2**31), got {capacity}")
        try:
            cell = float(cell_size)
        except (TypeError, ValueError):
            raise TypeError(f"cell_size must be a number, got {cell_size!r}") from None
        if not (math.isfinite(cell) and cell > 0.0):
            raise ValueError(f"cell_size must be a finite number > 0, got {cell_size!r}")
        x0, y0 = _as_pair(world_min, "world_min")
        x1, y1 = _as_pair(world_max, "world_max")
        if not (x1 > x0 and y1 > y0):
            raise ValueError(
                f"world_max must exceed world_min on both axes, got world_min=({x0}, {y0}) "
                f"world_max=({x1}, {y1})")
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
        """Fine columns per cell (a power of two): the x resolution of the neighbour orderings."""
        self.count = 0
        self.truncated = 0
        self.dropped = 0

        fgw = gw * sub
        nf = gh * fgw
        ncells = gw * gh
        self._fgw = fgw
        self._nf = nf
        self._sub_shift = sub.bit_length() - 1
        self._x0 = np.array(x0, np.float64)
        self._y0 = np.array(y0, np.float64)
        self._inv_fine = np.array(sub / cell, np.float64)
        self._inv_cell = np.array(1.0 / cell, np.float64)
        self._zero_f64 = np.array(0.0, np.float64)
        self._fx_hi = np.array(fgw - 1, np.float64)
        self._cy_hi = np.array(gh - 1, np.float64)
        self._fgw_i = np.array(fgw, np.int64)
        self._gw_i = np.array(gw, np.int64)
        self._shift32 = np.array(32, np.int64)
        self._sub_shift_i = np.array(self._sub_shift, np.int64)
        self._one_i = np.array(1, np.int64)

        # Per-row and per-sorted-position buffers.
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
        self._cand_pos = np.zeros(capacity, np.complex64)  # point-query candidates
        self._cand_rows = np.zeros(capacity, np.int64)

        # Per-fine-cell and per-cell buffers.
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

        # Neighbour-pass machinery.
        nb_max = (gh + 2) // 2
        code_dtype = np.int16 if 2 * nb_max + 2 < np.iinfo(np.int16).max else np.int32
        self._grids = (_BandGrid(0, gh, fgw, capacity, code_dtype),
                       _BandGrid(1, gh, fgw, capacity, code_dtype))
        # Compacted levels are shared by the two grids (C is finished before B starts).
        self._levels = [_Level(depth, capacity, code_dtype) for depth in range(1, _MAX_DEPTH)]
        self._bands_ready = False
        self._rec = np.zeros((capacity, 4), np.float32)  # public-order records (see _BandGrid)
        self._rec_c = self._rec.view(np.complex128).reshape(capacity)
        self._rec_tmp = np.zeros(capacity, np.complex128)
        self._fc_tmp = np.zeros(capacity, np.int64)
        self._code_tmp = np.zeros(capacity, code_dtype)
        self._code_one = np.array(1, code_dtype)
        self._force_pub = np.zeros(capacity, np.complex64)
        self._force_tmp = np.zeros(capacity, np.complex64)
        self._dx = np.zeros(capacity, np.float32)
        self._dy = np.zeros(capacity, np.float32)
        self._d2 = np.zeros(capacity, np.float32)
        self._tmp = np.zeros(capacity, np.float32)
        self._w = np.zeros(capacity, np.float32)
        self._maskf = np.zeros(capacity, np.float32)
        self._acc = np.zeros(capacity, bool)
        self._b1 = np.zeros(capacity, bool)
        self._over = np.zeros(capacity, bool)
        self._cmask: dict[int, np.ndarray] = {
            2: np.zeros(capacity, np.int16), 4: np.zeros(capacity, np.int32)}
        self._ci = np.zeros(capacity, np.int64)
        self._cj = np.zeros(capacity, np.int64)
        self._gap = np.zeros(capacity, np.int64)
        self._stage = np.zeros(capacity + 1, np.int64)  # slot 0 is the dump slot
        self._stage2 = np.zeros(capacity + 1, np.int64)
        self._r2 = np.array(0.0, np.float32)
        self._rr = np.array(0.0, np.float32)
        self._eps = np.array(1e-12, np.float32)
        self._one_f = np.array(1.0, np.float32)
        self._qx = np.array(0.0, np.float32)
        self._qy = np.array(0.0, np.float32)
        self._dshift = np.array(0, np.int64)
        self._inf32 = np.array(np.inf, np.float32)
        self._capv: dict[int, np.ndarray] = {
            1: np.array(0, np.int8), 2: np.array(0, np.int16), 4: np.array(0, np.int32)}
        self._lost = 0
        self._sink = ""
        self._grid_offset = 0
        self._cap_size = 0
        self._out_i: np.ndarray | None = None
        self._out_j: np.ndarray | None = None
        self._written = 0
        self.last_shifts = 0
        """Shift passes (whole-array steps) the last neighbour pass ran, all levels together."""
        self.last_compactions = 0
        """Times the last neighbour pass moved to the subsequence of rows still below the cap."""

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

    def cell_of(self, x: float, y: float) -> int:
        """Cell id of a point, clamped to the grid like ``rebuild`` does."""
        return self._cy_of(y) * self.grid_w + self._cx_of(x)

    # ------------------------------------------------------------------ rebuild

    def rebuild(self, pos: np.ndarray) -> None:
        """Rebuild the grid from ``pos``, a C-contiguous ``(n, 2)`` float32 array, n <= capacity.

        Allocation contract: allocates no array data after warm-up. Transients: a view object or
        two, and timsort's C merge buffer (malloc'ed and freed inside ``ndarray.sort``, not a
        Python object; see the module docstring).

        Raises:
            TypeError: pos is not a float32 numpy array.
            ValueError: pos is not C-contiguous with shape (n, 2), or n > capacity.
        """
        if not isinstance(pos, np.ndarray):
            raise TypeError(f"pos must be a numpy float32 array of shape (n, 2), got "
                            f"{type(pos).__name__}")
        if pos.dtype != np.float32:
            raise TypeError(f"pos must have dtype float32, got {pos.dtype}")
        if pos.ndim != 2 or pos.shape[1] != 2:
            raise ValueError(f"pos must have shape (n, 2), got {pos.shape}")
        n = pos.shape[0]
        if n > self.capacity:
            raise ValueError(f"pos has {n} rows, more than the capacity of {self.capacity}")
        if not pos.flags.c_contiguous:
            raise ValueError("pos must be C-contiguous (a row slice of an (N, 2) column is)")
        n_prev = self.count
        self._bands_ready = False
        if n == 0:
            self.count = 0
            self._fstart.fill(0)
            self._cell_count.fill(0)
            return

        # Fine column and cell row of each row, in float64 so that a pair closer than
        # cell_size never lands two cell rows apart through rounding.
        f64 = self._f64[:n]
        fx = self._fx[:n]
        frow = self._frow[:n]
        np.copyto(f64, pos[:, 0])
        np.subtract(f64, self._x0, out=f64)
        np.multiply(f64, self._inv_fine, out=f64)
        np.fmax(f64, self._zero_f64, out=f64)  # NaN and -inf -> 0
        f64.clip(self._zero_f64, self._fx_hi, out=f64)
        np.copyto(fx, f64, casting="unsafe")
        np.copyto(f64, pos[:, 1])
        np.subtract(f64, self._y0, out=f64)
        np.multiply(f64, self._inv_cell, out=f64)
        np.fmax(f64, self._zero_f64, out=f64)
        f64.clip(self._zero_f64, self._cy_hi, out=f64)
        np.copyto(frow, f64, casting="unsafe")  # cell row for now
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

    # ------------------------------------------------------------------ point queries

    def _cx_of(self, x: float) -> int:
        v = (x - self.world_min[0]) / self.cell_size
        if not v >= 0.0:  # also NaN
            return 0
        return min(int(v), self.grid_w - 1)

    def _cy_of(self, y: float) -> int:
        v = (y - self.world_min[1]) / self.cell_size
        if not v >= 0.0:
            return 0
        return min(int(v), self.grid_h - 1)

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
            ValueError: out not 1-D or not writeable, or r negative or NaN.
        """
        _check_index_out(out, "out")
        if not r >= 0.0:
            raise ValueError(f"r must be >= 0, got {r}")
        if self.count == 0 or not (x == x and y == y):
            return 0
        self._set_query(x, y, r)
        k = self._gather_candidates(x, y, r)
        if k == 0:
            return 0
        acc = self._acc[:k]
        np.less(self._d2[:k], self._r2, out=acc)
        found = self._compact(acc, self._cand_rows[:k])
        written = found if found <= out.shape[0] else out.shape[0]
        if written:
            np.copyto(out[:written], self._stage[1 : written + 1], casting="same_kind")
        if written < found:
            self.truncated += 1
            self.dropped += found - written
        return written

    def _compact(self, mask: np.ndarray, values: np.ndarray) -> int:
        """Write ``values[mask]`` to ``self._stage[1:]`` in order; return how many.

        Slot compaction: the running count of the mask, times the mask, is each kept item's
        destination (1-based) and 0 for the others, so ``stage[0]`` is the dump slot.
        """
        k = mask.shape[0]
        ci = self._ci[:k]
        cj = self._cj[:k]
        np.copyto(ci, mask)
        np.add.accumulate(ci, out=cj)
        total: int = cj.item(k - 1)
        if total:
            np.multiply(ci, cj, out=ci)
            self._stage[ci] = values
        return total

    def nearest(self, x: float, y: float, max_r: float) -> int:
        """The row closest to ``(x, y)`` and closer than ``max_r``, or -1 if there is none.

        Ties (equal float32 squared distance) go to the lowest row index.

        Allocation contract: allocates no array data (Python numbers and views, freed at once).

        Raises:
            ValueError: max_r negative or NaN.
        """
        if not max_r >= 0.0:
            raise ValueError(f"max_r must be >= 0, got {max_r}")
        if self.count == 0 or not (x == x and y == y):
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

    # ------------------------------------------------------------------ neighbour passes

    def _prepare_bands(self) -> None:
        """Derive both band orderings from the fine-cell counts (once per rebuild).

        Each grid gets its slot of every row and the rows' records in slot order; the columns
        the shifts read are cut from the records only if that grid's full order is scanned
        (grid B usually goes straight to a compacted level).
        """
        n = self.count
        gh = self.grid_h
        fgw = self._fgw
        sf = self._sf[:n]
        ar = self._ar[:n]
        rec = self._rec[:n]
        np.copyto(rec.view(np.complex64)[:, 0], self._pos_c[:n])
        np.copyto(rec.view(np.int32)[:, 2], sf, casting="unsafe")
        np.copyto(rec.view(np.int32)[:, 3], self._sorted_rows[:n], casting="unsafe")
        fc2 = self._fcount.reshape(gh, fgw)
        for g in self._grids:
            counts = g.counts.reshape(g.nb, fgw, 2)
            for par, (row0, band0) in enumerate(g.rows_of_par):
                rows = fc2[row0::2]
                np.copyto(counts[band0 : band0 + rows.shape[0], :, par], rows)
            np.add.accumulate(g.counts, out=g.start[1:])
            g.start.take(g.map, out=g.seg, mode="clip")
            np.subtract(g.seg, self._fstart[:-1], out=g.off)
            pos = g.pos[:n]
            g.off.take(sf, out=pos, mode="clip")
            np.add(pos, ar, out=pos)
            g.rec_c[pos] = self._rec_c[:n]
            g.level.n = n
            g.win_m = -1
            g.cols_ready = False
            g.rows_ready = False
            g.wend_m = -1
        self._bands_ready = True

    def _prepare_window(self, g: _BandGrid, m: int) -> int:
        """Window ends of the fine cells for m fine columns ahead; return a bound on the largest
        window (slots ahead of one slot): a slot's window is at most its fine cell's."""
        if g.win_m != m:
            if g.win_idx_m != m:  # layout index of each fine cell's window end: static
                np.add(g.fx, np.int64(m + 1), out=g.win_idx)
                np.minimum(g.win_idx, self._fgw_i, out=g.win_idx)
                np.left_shift(g.win_idx, self._one_i, out=g.win_idx)
                np.add(g.win_idx, g.base, out=g.win_idx)
                g.win_idx_m = m
            g.start.take(g.win_idx, out=g.win_end, mode="clip")
            span = g.off  # free until the next rebuild
            np.subtract(g.win_end, g.seg, out=span)
            # span.item(i), not span[i].item(): a numpy scalar's .item() keeps a fluctuating few
            # blocks alive (numpy 2.4); int .max() keeps per-shape caches.
            g.dmax_bound = span.item(int(span.argmax())) - 1
            g.win_m = m
        return g.dmax_bound

    def _materialize(self, g: _BandGrid) -> int:
        """Cut level 0's columns from the records and its window ends; return the exact
        largest window."""
        n = self.count
        lv = g.level
        if not g.cols_ready:
            np.copyto(lv.xs[:n], g.rec[:n, 0])
            np.copyto(lv.ys[:n], g.rec[:n, 1])
            fc = g.fc[:n]
            np.copyto(fc, g.rec[:n].view(np.int32)[:, 2])
            g.code_tab.take(fc, out=lv.code[:n], mode="clip")
            g.cols_ready = True
        if self._sink == "pairs" and not g.rows_ready:
            np.copyto(lv.rows[:n], g.rec[:n].view(np.int32)[:, 3])
            g.rows_ready = True
        wend = lv.wend[:n]
        g.win_end.take(g.fc[:n], out=wend, mode="clip")
        lim = self._gap[:n]
        np.subtract(wend, self._ar[1 : n + 1], out=lim)
        g.wend_m = g.win_m
        return int(lim.item(int(lim.argmax())))  # as in _prepare_window

    def _check_radius(self, radius: float) -> int:
        if not (radius > 0.0 and radius <= self.cell_size):
            raise ValueError(
                f"radius must be in (0, cell_size={self.cell_size}], got {radius}")
        # Fine columns a neighbour can be ahead: ceil(radius / fine width).
        return max(1, math.ceil(radius * self.sub / self.cell_size))

    def _pass_args(self, radius: float, max_per_entity: int, name: str) -> tuple[int, int]:
        """Validate a neighbour pass's arguments; return (fine columns ahead, cap)."""
        if isinstance(max_per_entity, bool) or not isinstance(max_per_entity, (int, np.integer)):
            raise TypeError(f"{name} must be an int, got {type(max_per_entity).__name__}")
        cap = int(max_per_entity)
        if cap < 0:
            raise ValueError(f"{name} must be >= 0, got {cap}")
        return self._check_radius(radius), cap

    def _run_pass(self, radius: float, m: int, cap: int) -> None:
        """Scan grid C, then grid B, feeding accepted pairs to ``self._sink``."""
        n = self.count
        if not self._bands_ready:
            self._prepare_bands()
        self._r2.fill(np.float32(radius) * np.float32(radius))
        self._rr.fill(radius)
        # Below n - 1 the cap can bind: count per slot (int8 while it fits: cheapest ops).
        size = 0
        if cap < n - 1:
            size = 1 if cap < 127 else 2 if cap < 32767 else 4
            self._capv[size].fill(cap)
        self._cap_size = size
        self.last_shifts = 0
        self.last_compactions = 0
        gc, gb = self._grids
        if size:
            gc.level.cnt[size][:n].fill(0)
        for g in (gc, gb):
            lv = g.level
            self._grid_offset = g.offset
            if size and g is gb:
                # Carry the counts of grid C's pass over to B's slots.
                lv.cnt[size][gb.pos[:n]] = self._carry_counts(gc.level.cnt[size][:n], size)
            dmax = min(self._prepare_window(g, m), n - 1)
            if self._sink == "force":
                lv.fx[:n].fill(0)
                lv.fy[:n].fill(0)
            self._scan(g, lv, dmax)

    def _carry_counts(self, cnt_c: np.ndarray, size: int) -> np.ndarray:
        """Counts of grid C's slots in public order (a view of a scratch buffer)."""
        n = cnt_c.shape[0]
        out = self._levels[0].cnt[size][:n]  # level 1 is free between the two grids
        cnt_c.take(self._grids[0].pos[:n], out=out, mode="clip")
        return out

    def _scan(self, g: _BandGrid, lv: _Level, dmax: int) -> None:
        """Shifts d = 1..dmax over level lv; hands over to a compacted level when few slots
        remain below the cap (every pair not yet tested then lies in that subsequence)."""
        n = lv.n
        size = self._cap_size
        d = 1
        while d <= dmax:
            if size and d & 1:
                keep = self._b1[:n]
                np.less(lv.cnt[size][:n], self._capv[size], out=keep)
                live = np.count_nonzero(keep)
                if live <= 1:
                    return  # no pair can be accepted any more
                # Compacting costs a few full shifts: worth it once two thirds are capped.
                if (lv.depth + 1 < _MAX_DEPTH and n >= 256
                        and live * 3 <= n and dmax - d >= 2):
                    child = self._levels[lv.depth]
                    child_dmax = self._compact_level(g, lv, child, keep, d - 1)
                    self._scan(g, child, child_dmax)
                    self._write_back(child, lv)
                    return
            if lv.depth == 0 and (g.wend_m != g.win_m
                                  or (self._sink == "pairs" and not g.rows_ready)):
                dmax = min(self._materialize(g), n - 1)  # the bound becomes exact
                if d > dmax:
                    return
            acc = self._shift_mask(lv, d)
            self.last_shifts += 1
            if self._sink == "force":
                self._accumulate_force(lv, d, acc)
            else:
                self._emit_pairs(lv, d, acc)
            d += 1

    def _compact_level(self, g: _BandGrid, lv: _Level, child: _Level, keep: np.ndarray,
                       done: int) -> int:
        """Fill ``child`` with lv's slots where ``keep``; return the child's largest window."""
        n = lv.n
        size = self._cap_size
        ci = self._ci[:n]
        cj = self._cj[:n]
        np.copyto(ci, keep)
        np.add.accumulate(ci, out=cj)
        m = cj.item(n - 1)
        np.multiply(ci, cj, out=ci)
        self._stage[ci] = self._ar[:n]
        sel = child.anc[-1][:m]
        np.copyto(sel, self._stage[1 : m + 1])
        for j in range(lv.depth):
            lv.anc[j].take(sel, out=child.anc[j][:m], mode="clip")
            child.done[j].fill(lv.done[j])
        child.done[lv.depth].fill(done)
        child.n = m
        we = self._gap[:m]
        if lv.depth == 0:
            # From the records: level 0's columns may never have been cut.
            rec = self._rec_tmp[:m]
            g.rec_c.take(sel, out=rec, mode="clip")
            recf = rec.view(np.float32).reshape(m, 4)
            np.copyto(child.xs[:m], recf[:, 0])
            np.copyto(child.ys[:m], recf[:, 1])
            fc = self._fc_tmp[:m]
            np.copyto(fc, recf.view(np.int32)[:, 2])
            g.code_tab.take(fc, out=child.code[:m], mode="clip")
            if self._sink == "pairs":
                np.copyto(child.rows[:m], recf.view(np.int32)[:, 3])
            g.win_end.take(fc, out=we, mode="clip")
        else:
            lv.xs.take(sel, out=child.xs[:m], mode="clip")
            lv.ys.take(sel, out=child.ys[:m], mode="clip")
            lv.code.take(sel, out=child.code[:m], mode="clip")
            if self._sink == "pairs":
                lv.rows.take(sel, out=child.rows[:m], mode="clip")
            lv.wend.take(sel, out=we, mode="clip")
        lv.cnt[size].take(sel, out=child.cnt[size][:m], mode="clip")
        if self._sink == "force":
            child.fx[:m].fill(0)
            child.fy[:m].fill(0)
        # Window end in the child's index: kept slots before the parent's window end.
        np.subtract(we, self._one_i, out=we)
        cj.take(we, out=child.wend[:m], mode="clip")
        np.subtract(child.wend[:m], self._ar[1 : m + 1], out=we)
        self.last_compactions += 1
        return min(int(we.item(int(we.argmax()))), m - 1) if m > 1 else 0  # as above

    def _write_back(self, child: _Level, lv: _Level) -> None:
        """Return the child's counts and forces to the parent's slots."""
        m = child.n
        sel = child.anc[-1][:m]
        size = self._cap_size
        lv.cnt[size][sel] = child.cnt[size][:m]
        if self._sink == "force":
            tmp = self._tmp[:m]
            lv.fx.take(sel, out=tmp, mode="clip")
            np.add(tmp, child.fx[:m], out=tmp)
            lv.fx[sel] = tmp
            lv.fy.take(sel, out=tmp, mode="clip")
            np.add(tmp, child.fy[:m], out=tmp)
            lv.fy[sel] = tmp

    def _shift_mask(self, lv: _Level, d: int) -> np.ndarray:
        """Accepted pairs ``(q, q + d)`` of level lv as a bool mask over q in [0, n - d).

        Leaves dx, dy (slot q+d minus slot q) and d2 in the scratch buffers. With a cap, also
        counts the accepted pairs per slot so that no slot exceeds the cap.
        """
        n = lv.n
        k = n - d
        dx = self._dx[:k]
        dy = self._dy[:k]
        d2 = self._d2[:k]
        t = self._tmp[:k]
        acc = self._acc[:k]
        b1 = self._b1[:k]
        np.subtract(lv.xs[d:n], lv.xs[:k], out=dx)
        np.subtract(lv.ys[d:n], lv.ys[:k], out=dy)
        np.multiply(dx, dx, out=d2)
        np.multiply(dy, dy, out=t)
        np.add(d2, t, out=d2)
        np.less(d2, self._r2, out=acc)
        code = lv.code
        if self._grid_offset == 0:
            np.equal(code[d:n], code[:k], out=b1)
        else:
            ct = self._code_tmp[:k]
            np.bitwise_xor(code[d:n], code[:k], out=ct)
            np.equal(ct, self._code_one, out=b1)
        np.logical_and(acc, b1, out=acc)
        # In a compacted level, skip the pairs an ancestor level has already tested.
        gap = self._gap[:k]
        for j in range(lv.depth):
            if d <= lv.done[j]:
                idx = lv.anc[j]
                np.subtract(idx[d:n], idx[:k], out=gap)
                np.greater(gap, lv.done[j], out=b1)
                np.logical_and(acc, b1, out=acc)
        size = self._cap_size
        if not size:
            return acc
        capv = self._capv[size]
        cnt = lv.cnt[size]
        lo = cnt[:k]
        hi = cnt[d:n]
        np.less(lo, capv, out=b1)
        np.logical_and(acc, b1, out=acc)
        np.less(hi, capv, out=b1)
        np.logical_and(acc, b1, out=acc)
        inc = self._mask_as_counts(acc, size)
        np.add(lo, inc, out=lo)
        np.add(hi, inc, out=hi)
        over = self._over[:n]
        np.greater(cnt[:n], capv, out=over)
        if over.any():
            # A slot at cap - 1 accepted both as left (q, q+d) and as right (q-d, q) partner
            # went over: drop every accepted pair whose right slot went over.
            np.logical_and(acc, over[d:n], out=b1)
            np.logical_xor(acc, b1, out=acc)
            dec = self._mask_as_counts(b1, size)
            np.subtract(lo, dec, out=lo)
            np.subtract(hi, dec, out=hi)
        return acc

    def _mask_as_counts(self, mask: np.ndarray, size: int) -> np.ndarray:
        """``mask`` as 0/1 in the count dtype of ``size`` bytes: a view for int8, else a copy
        into the matching scratch (which the next call reuses)."""
        if size == 1:
            return mask.view(np.int8)
        out = self._cmask[size][:mask.shape[0]]
        np.copyto(out, mask)
        return out

    def _accumulate_force(self, lv: _Level, d: int, acc: np.ndarray) -> None:
        if not acc.any():
            return
        n = lv.n
        k = n - d
        d2 = self._d2[:k]
        w = self._w[:k]
        mf = self._maskf[:k]
        dx = self._dx[:k]
        dy = self._dy[:k]
        # w = (r / dist - 1) on accepted pairs, 0 elsewhere; eps keeps coincident pairs at 0.
        np.add(d2, self._eps, out=d2)
        np.sqrt(d2, out=d2)
        np.divide(self._rr, d2, out=w)
        np.subtract(w, self._one_f, out=w)
        np.copyto(mf, acc)
        np.multiply(w, mf, out=w)
        np.multiply(dx, w, out=dx)
        np.multiply(dy, w, out=dy)
        fxl = lv.fx[:k]
        fxh = lv.fx[d:n]
        fyl = lv.fy[:k]
        fyh = lv.fy[d:n]
        np.subtract(fxl, dx, out=fxl)
        np.add(fxh, dx, out=fxh)
        np.subtract(fyl, dy, out=fyl)
        np.add(fyh, dy, out=fyh)

    def _emit_pairs(self, lv: _Level, d: int, acc: np.ndarray) -> None:
        k = lv.n - d
        found = self._compact(acc, self._ar[:k])
        if not found:
            return
        out_i = self._out_i
        out_j = self._out_j
        assert out_i is not None and out_j is not None
        slots = self._stage[1 : found + 1]
        ri = self._stage2[:found]
        rj = self._ci[:found]
        lv.rows.take(slots, out=ri, mode="clip")
        self._dshift.fill(d)
        np.add(slots, self._dshift, out=slots)
        lv.rows.take(slots, out=rj, mode="clip")
        lo = self._cj[:found]
        np.minimum(ri, rj, out=lo)
        np.maximum(ri, rj, out=rj)
        written = self._written
        room = out_i.shape[0] - written
        put = found if found <= room else room
        if put > 0:
            np.copyto(out_i[written : written + put], lo[:put], casting="same_kind")
            np.copyto(out_j[written : written + put], rj[:put], casting="same_kind")
            self._written = written + put
        if put < found:
            self._lost += found - put

    def neighbour_pairs(self, radius: float, max_per_entity: int, out_i: np.ndarray,
                        out_j: np.ndarray) -> int:
        """Write each unordered pair of rows closer than ``radius`` once, as ``i < j``.

        Pair ``k`` is ``(out_i[k], out_j[k])``; the test is float32 ``dx*dx + dy*dy < r*r`` on
        the positions of the last rebuild. A pair counts toward the cap of both its rows and is
        taken only while both are below ``max_per_entity``, so no row is in more than
        ``max_per_entity`` pairs; when the cap binds, which pairs win depends on the scan order
        (roughly nearest in x first). When the buffers are too short the first ``len(out_i)``
        pairs are kept, ``truncated`` grows by one and ``dropped`` by the rest (the cap still
        counts the dropped pairs).

        Allocation contract: allocates no array data after warm-up.

        Raises:
            TypeError: buffers not int32/int64 numpy arrays, or max_per_entity not an int.
            ValueError: buffers of different lengths, radius outside (0, cell_size], or
                max_per_entity negative.
        """
        _check_index_out(out_i, "out_i")
        _check_index_out(out_j, "out_j")
        if out_i.shape != out_j.shape:
            raise ValueError(f"out_i and out_j must have the same length, got {out_i.shape[0]} "
                             f"and {out_j.shape[0]}")
        m, cap = self._pass_args(radius, max_per_entity, "max_per_entity")
        if self.count < 2 or cap == 0:
            return 0
        self._lost = 0
        self._written = 0
        self._sink = "pairs"
        self._out_i = out_i
        self._out_j = out_j
        try:
            self._run_pass(radius, m, cap)
        finally:
            self._out_i = None
            self._out_j = None
        if self._lost:
            self.truncated += 1
            self.dropped += self._lost
        return self._written

    def separation(self, radius: float, max_neighbours: int, out_force: np.ndarray) -> None:
        """Write each row's push-apart vector from its neighbours into ``out_force[:count]``.

        For every pair closer than ``radius`` that the cap admits (exactly the pairs
        ``neighbour_pairs`` returns with the same arguments), row i gets
        ``(p_i - p_j) * (radius / |p_i - p_j| - 1)``: away from j, as long as the overlap
        ``radius - |p_i - p_j|`` (0 for coincident rows). Forces are equal and opposite.
        Uses the positions of the last rebuild.

        Allocation contract: allocates no array data after warm-up.

        Raises:
            TypeError: out_force not a float32 numpy array, or max_neighbours not an int.
            ValueError: out_force not C-contiguous (m, 2) with m >= count, radius outside
                (0, cell_size], or max_neighbours negative.
        """
        if not isinstance(out_force, np.ndarray):
            raise TypeError(f"out_force must be a float32 numpy array of shape (count, 2), got "
                            f"{type(out_force).__name__}")
        if out_force.dtype != np.float32:
            raise TypeError(f"out_force must have dtype float32, got {out_force.dtype}")
        n = self.count
        if out_force.ndim != 2 or out_force.shape[1] != 2 or out_force.shape[0] < n:
            raise ValueError(f"out_force must have shape ({n}, 2) or more rows, got "
                             f"{out_force.shape}")
        if not (out_force.flags.c_contiguous and out_force.flags.writeable):
            raise ValueError("out_force must be C-contiguous and writeable")
        m, cap = self._pass_args(radius, max_neighbours, "max_neighbours")
        if n < 2 or cap == 0:
            out_force[:n] = 0.0
            return
        self._sink = "force"
        self._run_pass(radius, m, cap)
        # Each grid's forces as (x, y) pairs, gathered into public order and summed.
        total = self._force_pub[:n]
        tmp = self._force_tmp[:n]
        for g in self._grids:
            lv = g.level
            np.copyto(g.force[:n].real, lv.fx[:n])
            np.copyto(g.force[:n].imag, lv.fy[:n])
            g.force.take(g.pos[:n], out=tmp if g.offset else total, mode="clip")
        np.add(total, tmp, out=total)
        out_force[:n].view(np.complex64).reshape(n)[self._sorted_rows[:n]] = total
