"""Neighbour passes over a ``SpatialHash``: every pair of rows closer than a radius, with a cap
on pairs per row, as a pair list (``neighbour_pairs``) or as push-apart forces (``separation``).

The passes scan the two band orderings of bands.py: for each shift ``d = 1, 2, ...`` up to the
largest window, the pairs ``(q, q + d)`` of an ordering are tested with whole-array operations
on contiguous views, and forces are accumulated with contiguous adds (no pair list, no
scatter-add).

The cap. A pair is accepted while both its rows are below the cap, and counts for both; once
most rows have reached it, the scan moves to the subsequence still below it (compaction.py).

Of the grid (same package, not public) it reads, beyond what bands.py lists, ``_ar`` (an
arange), ``_sorted_rows`` (to return forces in row order) and ``_nonfinite`` (non-finite rows in
the last rebuild: the passes then run with NaN/inf warnings off).

Allocation contract: both passes allocate no array data after warm-up (the techniques of
grid.py: ``out=`` into the scratch made here, ``take(mode='clip')``, fancy assignment, 0-d
scalar operands).
"""

from __future__ import annotations

import math

import numpy as np

from . import checks
from .bands import BandGrid, Bands, Level
from .compaction import _MAX_DEPTH, CompactedLevels
from .grid import SpatialHash
from .queries import compact_into

__all__ = ["Neighbours"]


class Neighbours(CompactedLevels):
    """Pairs and push-apart forces between the rows of a ``SpatialHash``'s last rebuild.

    Make one per hash (its buffers are sized for the hash's capacity, about 0.5 KB a row) and
    call a pass after each ``rebuild``::

        grid = SpatialHash(capacity, cell_size, world_min, world_max)
        near = Neighbours(grid)
        grid.rebuild(pos)
        near.separation(radius, max_neighbours, out_force)

    The first pass after a rebuild derives the orderings; further passes on the same rebuild
    (other radii or caps) reuse them.

    Public state: ``truncated`` / ``dropped`` (``neighbour_pairs`` calls whose buffers were too
    short, and pairs they could not write; cumulative), ``last_shifts`` / ``last_compactions``
    (work done by the last pass).

    Args:
        grid: the hash whose rows are paired; its ``cell_size`` bounds the radius.

    Raises:
        TypeError: grid is not a SpatialHash.
    """

    def __init__(self, grid: SpatialHash) -> None:
        if not isinstance(grid, SpatialHash):
            raise TypeError(f"grid must be a SpatialHash, got {type(grid).__name__}")
        self._grid = grid
        capacity = grid.capacity
        self._bands = Bands(grid)
        self._grids = self._bands.grids
        code_dtype = self._bands.code_dtype
        self._ar = grid._ar  # arange(capacity + 1), read only
        self.truncated = 0
        self.dropped = 0
        # Compacted levels are shared by the two grids (C is finished before B starts).
        self._levels = [Level(depth, capacity, code_dtype) for depth in range(1, _MAX_DEPTH)]
        self._rec_tmp = np.zeros(capacity, np.complex128)
        self._fc_tmp = np.zeros(capacity, np.int64)
        self._code_tmp: np.ndarray = np.zeros(capacity, code_dtype)
        self._code_one: np.ndarray = np.array(1, code_dtype)
        self._one_i = np.array(1, np.int64)
        self._force_pub = np.zeros(capacity, np.complex64)
        self._force_tmp = np.zeros(capacity, np.complex64)
        self._dx = np.zeros(capacity, np.float32)
        self._dy = np.zeros(capacity, np.float32)
        self._d2 = np.zeros(capacity, np.float32)
        self._tmp = np.zeros(capacity, np.float32)
        self._w = np.zeros(capacity, np.float32)
        self._maskf = np.zeros(capacity, np.float32)
        self._rej = np.zeros(capacity, bool)
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
        self._zero_f = np.array(0.0, np.float32)
        self._dshift = np.array(0, np.int64)
        self._capv: dict[int, np.ndarray] = {
            1: np.array(0, np.int8), 2: np.array(0, np.int16), 4: np.array(0, np.int32)}
        self._lost = 0
        self._sink = ""
        self._grid_offset = 0
        self._cap_size = 0
        self._nonfinite = False  # the last rebuild had non-finite rows (see _accumulate_force)
        self._out_i: np.ndarray | None = None
        self._out_j: np.ndarray | None = None
        self._written = 0
        self.last_shifts = 0
        """Shift passes (whole-array steps) the last neighbour pass ran, all levels together."""
        self.last_compactions = 0
        """Times the last neighbour pass moved to the subsequence of rows still below the cap."""

    # ------------------------------------------------------------------ the passes

    @property
    def grid(self) -> SpatialHash:
        """The hash whose rows are paired."""
        return self._grid

    def neighbour_pairs(self, radius: float, max_per_entity: int, out_i: np.ndarray,
                        out_j: np.ndarray) -> int:
        """Write each unordered pair of rows closer than ``radius`` once, as ``i < j``.

        Pair ``k`` is ``(out_i[k], out_j[k])``; the test is float32 ``dx*dx + dy*dy < r*r`` on
        the positions of the last rebuild. A pair counts toward the cap of both its rows and is
        taken only while both are below ``max_per_entity``, so no row is in more than
        ``max_per_entity`` pairs; when the cap binds, which pairs win depends on the scan order
        (roughly nearest in x first). When the buffers are too short the first ``len(out_i)``
        pairs are kept, ``truncated`` grows by one and ``dropped`` by the rest (the cap still
        counts the dropped pairs). A row with a non-finite coordinate is in no pair.

        Allocation contract: allocates no array data after warm-up.

        Raises:
            TypeError: buffers not int32/int64 numpy arrays, or max_per_entity not an int.
            ValueError: buffers of different lengths, radius outside (0, cell_size], or
                max_per_entity negative.
        """
        checks.pair_outs(out_i, out_j)
        m, cap = self._pass_args(radius, max_per_entity, "max_per_entity")
        if self._grid.count < 2 or cap == 0:
            return 0
        self._lost = 0
        self._written = 0
        self._sink = "pairs"
        self._out_i = out_i
        self._out_j = out_j
        try:
            self._run_pass_of(radius, m, cap)
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
        Uses the positions of the last rebuild. A row with a non-finite coordinate is in no
        pair: its force is 0 and it adds nothing to the others'.

        Allocation contract: allocates no array data after warm-up.

        Raises:
            TypeError: out_force not a float32 numpy array, or max_neighbours not an int.
            ValueError: out_force not C-contiguous (m, 2) with m >= count, radius outside
                (0, cell_size], or max_neighbours negative.
        """
        n = self._grid.count
        checks.force_out(out_force, n)
        m, cap = self._pass_args(radius, max_neighbours, "max_neighbours")
        if n < 2 or cap == 0:
            out_force[:n] = 0.0
            return
        self._sink = "force"
        self._run_pass_of(radius, m, cap)
        # Each grid's forces as (x, y) pairs, gathered into public order and summed.
        total = self._force_pub[:n]
        tmp = self._force_tmp[:n]
        for g in self._grids:
            lv = g.level
            np.copyto(g.force[:n].real, lv.fx[:n])
            np.copyto(g.force[:n].imag, lv.fy[:n])
            g.force.take(g.pos[:n], out=tmp if g.offset else total, mode="clip")
        np.add(total, tmp, out=total)
        out_force[:n].view(np.complex64).reshape(n)[self._grid._sorted_rows[:n]] = total

    def _pass_args(self, radius: float, cap: int, name: str) -> tuple[int, int]:
        """Validate a pass's arguments; return (fine columns a neighbour can be ahead, cap)."""
        g = self._grid
        c = checks.pass_args(radius, cap, name, g.cell_size)
        return max(1, math.ceil(radius * g.sub / g.cell_size)), c

    # ------------------------------------------------------------------ the scan

    def _run_pass_of(self, radius: float, m: int, cap: int) -> None:
        """``_run_pass``; with non-finite rows in the rebuild, in their (masked, quiet) mode."""
        self._nonfinite = bool(self._grid._nonfinite)
        if not self._nonfinite:
            self._run_pass(radius, m, cap)
            return
        # NaN and inf differences of the inert rows are expected: no warning per tick.
        with np.errstate(invalid="ignore", over="ignore"):
            self._run_pass(radius, m, cap)

    def _run_pass(self, radius: float, m: int, cap: int) -> None:
        """Scan grid C, then grid B, feeding accepted pairs to ``self._sink``."""
        n = self._grid.count
        self._bands.update(self._grid)
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
            dmax = min(g.prepare_window(m), n - 1)
            if self._sink == "force":
                lv.fx[:n].fill(0)
                lv.fy[:n].fill(0)
            self._scan(g, lv, dmax)

    def _scan(self, g: BandGrid, lv: Level, dmax: int) -> None:
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
                # The bound becomes exact.
                dmax = min(g.materialize(n, self._sink == "pairs", self._ar, self._gap), n - 1)
                if d > dmax:
                    return
            acc = self._shift_mask(lv, d)
            self.last_shifts += 1
            if self._sink == "force":
                self._accumulate_force(lv, d, acc)
            else:
                self._emit_pairs(lv, d, acc)
            d += 1

    def _shift_mask(self, lv: Level, d: int) -> np.ndarray:
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

    def _accumulate_force(self, lv: Level, d: int, acc: np.ndarray) -> None:
        if not acc.any():
            return
        n = lv.n
        k = n - d
        d2 = self._d2[:k]
        w = self._w[:k]
        dx = self._dx[:k]
        dy = self._dy[:k]
        # (r / dist - 1) * (dx, dy) on accepted pairs, 0 elsewhere; eps keeps coincident
        # pairs at 0.
        np.add(d2, self._eps, out=d2)
        np.sqrt(d2, out=d2)
        np.divide(self._rr, d2, out=w)
        np.subtract(w, self._one_f, out=w)
        if self._nonfinite:
            # A pair with a non-finite row has dx or w NaN or inf, and NaN * 0 is NaN: set the
            # rejected pairs to 0 (a masked copy, slower than the 0/1 product of the clean path).
            np.multiply(dx, w, out=dx)
            np.multiply(dy, w, out=dy)
            rej = self._rej[:k]
            np.logical_not(acc, out=rej)
            np.copyto(dx, self._zero_f, where=rej)
            np.copyto(dy, self._zero_f, where=rej)
        else:
            mf = self._maskf[:k]
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

    def _emit_pairs(self, lv: Level, d: int, acc: np.ndarray) -> None:
        k = lv.n - d
        found = compact_into(acc, self._ar[:k], self._ci[:k], self._cj[:k], self._stage)
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
