"""The neighbour passes' cap: compacted levels, the subsequence of rows still below it.

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

``CompactedLevels`` is a mixin of ``Neighbours`` (neighbours.py): the shift scan there decides
when to compact; here a level is cut from its parent (from the band records at depth 0, whose
columns may never have been cut) and its counts and forces are written back after its scan.

Allocation contract: allocates no array data (scratch owned by the ``Neighbours``).
"""

from __future__ import annotations

import numpy as np

from .bands import BandGrid, Level

__all__ = ["CompactedLevels"]

_MAX_DEPTH = 3  # full order + up to two compacted subsequences


class CompactedLevels:
    """Counts carried between the two grids and the compacted levels of a neighbour pass."""

    _grids: tuple[BandGrid, BandGrid]
    _levels: list[Level]
    _cap_size: int
    _sink: str
    _ar: np.ndarray
    _ci: np.ndarray
    _cj: np.ndarray
    _gap: np.ndarray
    _stage: np.ndarray
    _tmp: np.ndarray
    _rec_tmp: np.ndarray
    _fc_tmp: np.ndarray
    _one_i: np.ndarray
    _cmask: dict[int, np.ndarray]
    last_compactions: int

    def _carry_counts(self, cnt_c: np.ndarray, size: int) -> np.ndarray:
        """Counts of grid C's slots in public order (a view of a scratch buffer)."""
        n = cnt_c.shape[0]
        out = self._levels[0].cnt[size][:n]  # level 1 is free between the two grids
        cnt_c.take(self._grids[0].pos[:n], out=out, mode="clip")
        return out

    def _compact_level(self, g: BandGrid, lv: Level, child: Level, keep: np.ndarray,
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

    def _write_back(self, child: Level, lv: Level) -> None:
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

    def _mask_as_counts(self, mask: np.ndarray, size: int) -> np.ndarray:
        """``mask`` as 0/1 in the count dtype of ``size`` bytes: a view for int8, else a copy
        into the matching scratch (which the next call reuses)."""
        if size == 1:
            return mask.view(np.int8)
        out = self._cmask[size][:mask.shape[0]]
        np.copyto(out, mask)
        return out
