"""The two band orderings of a ``SpatialHash``'s rows that the neighbour passes scan.

Numpy is fast on contiguous arrays and slow on gathers and scatters (~1 ns against ~0.1 ns per
element), so the neighbour passes (neighbours.py) test the pairs ``(q, q + d)`` of an ordering
for each shift ``d = 1, 2, ...`` with whole-array operations on contiguous views. For that,
neighbours must be close in the ordering. Two orderings ("band grids") are derived from the
grid's fine-cell counts without sorting (one 16-byte record scatter each): grid C groups cell
rows ``(2j, 2j+1)`` into bands, grid B groups rows ``(2j+1, 2j+2)``; inside a band the order is
(fine column, row, sorted order). With ``radius <= cell_size``, a pair closer than ``radius``
lies in equal or adjacent cell rows, hence in one band of C or of B. Grid C accepts pairs within
one of its bands; grid B only pairs that straddle the two rows of one of its bands (the others
were C's), so each unordered pair is tested and found exactly once. A row's partners ahead lie
within ``ceil(radius / fine width)`` fine columns of its own: that is its *window*, and the
shifts run up to the largest window.

What this module reads of the grid after a rebuild (same package, not public): ``_builds``,
``_sf`` (fine cell per sorted position), ``_pos_c`` (positions in sorted order),
``_sorted_rows``, ``_fcount`` / ``_fstart`` (rows and first position per fine cell).

Allocation contract: ``Bands.update`` and ``BandGrid.prepare_window`` / ``materialize``
allocate no array data after warm-up (``out=`` into the buffers made here).
"""

from __future__ import annotations

import numpy as np

from .grid import SpatialHash

__all__ = ["Bands", "BandGrid", "Level"]


class Level:
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


class BandGrid:
    """One banded ordering (C: offset 0, B: offset 1): per-fine-cell tables and its full order.

    Tables are built at construction; the ordering once per rebuild (``Bands.update``).
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
        self.level = Level(0, capacity, code_dtype)
        self.force = np.zeros(capacity, np.complex64)
        self._fgw_i = np.array(fgw, np.int64)
        self._one_i = np.array(1, np.int64)

    def prepare_window(self, m: int) -> int:
        """Window ends of the fine cells for m fine columns ahead; return a bound on the largest
        window (slots ahead of one slot): a slot's window is at most its fine cell's."""
        if self.win_m != m:
            if self.win_idx_m != m:  # layout index of each fine cell's window end: static
                np.add(self.fx, np.int64(m + 1), out=self.win_idx)
                np.minimum(self.win_idx, self._fgw_i, out=self.win_idx)
                np.left_shift(self.win_idx, self._one_i, out=self.win_idx)
                np.add(self.win_idx, self.base, out=self.win_idx)
                self.win_idx_m = m
            self.start.take(self.win_idx, out=self.win_end, mode="clip")
            span = self.off  # free until the next rebuild
            np.subtract(self.win_end, self.seg, out=span)
            # span.item(i), not span[i].item(): a numpy scalar's .item() keeps a fluctuating few
            # blocks alive (numpy 2.4); int .max() keeps per-shape caches.
            self.dmax_bound = span.item(int(span.argmax())) - 1
            self.win_m = m
        return self.dmax_bound

    def materialize(self, n: int, with_rows: bool, ar: np.ndarray, lim: np.ndarray) -> int:
        """Cut level 0's columns (and rows, ``with_rows``) from the records and its window ends;
        return the exact largest window. ``ar`` is ``arange(n + 1)``, ``lim`` int64 scratch."""
        lv = self.level
        if not self.cols_ready:
            np.copyto(lv.xs[:n], self.rec[:n, 0])
            np.copyto(lv.ys[:n], self.rec[:n, 1])
            fc = self.fc[:n]
            np.copyto(fc, self.rec[:n].view(np.int32)[:, 2])
            self.code_tab.take(fc, out=lv.code[:n], mode="clip")
            self.cols_ready = True
        if with_rows and not self.rows_ready:
            np.copyto(lv.rows[:n], self.rec[:n].view(np.int32)[:, 3])
            self.rows_ready = True
        wend = lv.wend[:n]
        self.win_end.take(self.fc[:n], out=wend, mode="clip")
        lim = lim[:n]
        np.subtract(wend, ar[1 : n + 1], out=lim)
        self.wend_m = self.win_m
        return int(lim.item(int(lim.argmax())))  # as in prepare_window


class Bands:
    """Grid C and grid B over one ``SpatialHash``, re-derived after each of its rebuilds."""

    def __init__(self, grid: SpatialHash) -> None:
        gh = grid.grid_h
        capacity = grid.capacity
        nb_max = (gh + 2) // 2
        self.code_dtype: type = (np.int16 if 2 * nb_max + 2 < np.iinfo(np.int16).max
                                 else np.int32)
        self.grids = (BandGrid(0, gh, grid._fgw, capacity, self.code_dtype),
                      BandGrid(1, gh, grid._fgw, capacity, self.code_dtype))
        self._rec = np.zeros((capacity, 4), np.float32)  # public-order records (see BandGrid)
        self._rec_c = self._rec.view(np.complex128).reshape(capacity)
        self._stamp = np.full((), -1, np.int64)  # the grid's rebuild these orderings are of

    def update(self, grid: SpatialHash) -> None:
        """Derive both band orderings from the fine-cell counts, unless already done for the
        grid's last rebuild.

        Each band grid gets its slot of every row and the rows' records in slot order; the
        columns the shifts read are cut from the records only if that grid's full order is
        scanned (grid B usually goes straight to a compacted level).

        Allocation contract: allocates no array data after warm-up.
        """
        if self._stamp == grid._builds:
            return
        np.copyto(self._stamp, grid._builds)
        n = grid.count
        fgw = grid._fgw
        sf = grid._sf[:n]
        ar = grid._ar[:n]
        rec = self._rec[:n]
        np.copyto(rec.view(np.complex64)[:, 0], grid._pos_c[:n])
        np.copyto(rec.view(np.int32)[:, 2], sf, casting="unsafe")
        np.copyto(rec.view(np.int32)[:, 3], grid._sorted_rows[:n], casting="unsafe")
        fc2 = grid._fcount.reshape(grid.grid_h, fgw)
        for g in self.grids:
            counts = g.counts.reshape(g.nb, fgw, 2)
            for par, (row0, band0) in enumerate(g.rows_of_par):
                rows = fc2[row0::2]
                np.copyto(counts[band0 : band0 + rows.shape[0], :, par], rows)
            np.add.accumulate(g.counts, out=g.start[1:])
            g.start.take(g.map, out=g.seg, mode="clip")
            np.subtract(g.seg, grid._fstart[:-1], out=g.off)
            pos = g.pos[:n]
            g.off.take(sf, out=pos, mode="clip")
            np.add(pos, ar, out=pos)
            g.rec_c[pos] = self._rec_c[:n]
            g.level.n = n
            g.win_m = -1
            g.cols_ready = False
            g.rows_ready = False
            g.wend_m = -1
