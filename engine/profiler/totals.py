"""Frame totals: what the meter sums over the frames since the warm-up mark and in the current
second, the maxima and time histograms since the mark, and the values taken at the mark.

Why int64 arrays and not int attributes: the meter measures ``sys.getallocatedblocks()``, so
its own bookkeeping must not move that number in steady state. Two things would: a Python int
that leaves CPython's small-int cache (-5..256) becomes one heap object from then on (a sum
that restarts at 0 at the warm-up mark and passes 256 during the measured window is +1 block),
and a value kept at the mark that *aliases* a counter's live int (``warmup_frame = frame``)
keeps that object alive after the counter moves on (+1 block). So the sums, counts and maxima
live in small int64 arrays, and the values taken at the mark are copied into one, never
aliased.
"""

from __future__ import annotations

import numpy as np

__all__ = ["FrameTotals"]

# Columns of the per-frame sums (``_sums``: row 0 since the warm-up mark, row 1 the current
# second) and of the maxima since the mark (``_since_maxes``: frame ns, CPU ns).
F_FRAMES, F_BLOCKS, F_GEN0, F_GC, F_FRAME_NS, F_CPU_NS = range(6)
# Values taken at the warm-up mark (``_at_mark``).
_M_FRAME, _M_RSS, _M_TRACED, _M_T_NS = range(4)


class FrameTotals:
    """The since-warm-up and per-second totals of a ``FrameMeter`` (its base class).

    Args:
        hist_bin_ns: resolution of the since-warm-up time histograms (percentiles).
        hist_max_ns: frames longer than this land in the last bin (the max is kept exactly).

    Raises:
        ValueError: a histogram parameter <= 0, or ``hist_max_ns <= hist_bin_ns``.
    """

    def __init__(self, hist_bin_ns: int, hist_max_ns: int) -> None:
        if hist_bin_ns <= 0 or hist_max_ns <= hist_bin_ns:
            raise ValueError(f"need 0 < hist_bin_ns < hist_max_ns, got {hist_bin_ns} and "
                             f"{hist_max_ns}")
        n_bins = hist_max_ns // hist_bin_ns + 1
        self._hist_bin_ns = hist_bin_ns
        self._hist_last = n_bins - 1
        self.frame_hist = np.zeros(n_bins, dtype=np.int64)
        """Frame intervals since the warm-up mark, by ``hist_bin_ns`` bin."""
        self.cpu_hist = np.zeros(n_bins, dtype=np.int64)
        """CPU frame times since the warm-up mark, by ``hist_bin_ns`` bin."""
        self._row = np.zeros(6, dtype=np.int64)
        """This frame's frames (1), blocks delta, gen0 delta, collections, frame ns, CPU ns."""
        self._row[F_FRAMES] = 1
        self._row_ns = self._row[F_FRAME_NS:]
        self._sums = np.zeros((2, 6), dtype=np.int64)
        self._since_sums = self._sums[0]
        self._sec_sums = self._sums[1]
        self._since_maxes = np.zeros(2, dtype=np.int64)
        self._at_mark = np.zeros(4, dtype=np.int64)

    def _mark_totals(self, frame: int, rss: int, traced: int, t_ns: int) -> None:
        """Restart the since-warm-up totals and take the values at the mark. Allocates
        nothing retained."""
        self._since_sums.fill(0)
        self._since_maxes.fill(0)
        self.frame_hist.fill(0)
        self.cpu_hist.fill(0)
        at = self._at_mark
        at[_M_FRAME] = frame
        at[_M_RSS] = rss
        at[_M_TRACED] = traced
        at[_M_T_NS] = t_ns

    def _mark_traced(self, traced: int) -> None:
        self._at_mark[_M_TRACED] = traced

    def _add_frame(self, d_blocks: int, d_gen0: int, gc_n: int, frame_ns: int,
                   cpu_ns: int) -> None:
        """Add one frame to both rows of sums, the maxima and the histograms (one add, one
        maximum). Allocates nothing retained."""
        row = self._row
        row[F_BLOCKS] = d_blocks
        row[F_GEN0] = d_gen0
        row[F_GC] = gc_n
        row[F_FRAME_NS] = frame_ns
        row[F_CPU_NS] = cpu_ns
        np.add(self._sums, row, out=self._sums)
        np.maximum(self._since_maxes, self._row_ns, out=self._since_maxes)
        last = self._hist_last
        i = frame_ns // self._hist_bin_ns
        self.frame_hist[i if i < last else last] += 1
        i = cpu_ns // self._hist_bin_ns
        self.cpu_hist[i if i < last else last] += 1

    # ----------------------------------------------------------------- readings

    @property
    def warmup_frame(self) -> int:
        """``frame`` at the warm-up mark."""
        return int(self._at_mark[_M_FRAME])

    @property
    def rss_at_warmup(self) -> int:
        """RSS in bytes read at the warm-up mark."""
        return int(self._at_mark[_M_RSS])

    @property
    def traced_at_warmup(self) -> int:
        """Traced bytes at the later of the warm-up mark and the start of tracing."""
        return int(self._at_mark[_M_TRACED])

    @property
    def warmup_t_ns(self) -> int:
        """The frame clock at the warm-up mark."""
        return int(self._at_mark[_M_T_NS])

    @property
    def frames_since_warmup(self) -> int:
        """Frames ended since the warm-up mark."""
        return int(self._since_sums[F_FRAMES])

    @property
    def blocks_since_warmup(self) -> int:
        """Sum of per-frame blocks deltas since the warm-up mark."""
        return int(self._since_sums[F_BLOCKS])

    @property
    def gen0_since_warmup(self) -> int:
        """Sum of per-frame gen0 deltas since the warm-up mark."""
        return int(self._since_sums[F_GEN0])

    @property
    def frame_ns_sum_since_warmup(self) -> int:
        """Sum of frame intervals since the warm-up mark, ns."""
        return int(self._since_sums[F_FRAME_NS])

    @property
    def cpu_ns_sum_since_warmup(self) -> int:
        """Sum of CPU frame times since the warm-up mark, ns."""
        return int(self._since_sums[F_CPU_NS])

    @property
    def frame_ns_max_since_warmup(self) -> int:
        """Longest frame interval since the warm-up mark, ns."""
        return int(self._since_maxes[0])

    @property
    def cpu_ns_max_since_warmup(self) -> int:
        """Longest CPU frame time since the warm-up mark, ns."""
        return int(self._since_maxes[1])

    def percentiles_since_warmup(self, which: str = "cpu",
                                 qs: tuple[float, ...] = (50.0, 90.0, 95.0, 99.0)
                                 ) -> dict[str, float]:
        """Percentiles (ms) of the CPU frame time or the frame interval since the warm-up
        mark, from the histogram (resolution ``hist_bin_ns``; each value is its bin's upper
        edge). Allocates.

        Args:
            which: "cpu" (the CPU frame time) or "frame" (the frame interval).
            qs: the percentiles wanted.

        Raises:
            ValueError: ``which`` is not "cpu" or "frame".
        """
        if which == "cpu":
            hist, top = self.cpu_hist, self.cpu_ns_max_since_warmup
            total = self.cpu_ns_sum_since_warmup
        elif which == "frame":
            hist, top = self.frame_hist, self.frame_ns_max_since_warmup
            total = self.frame_ns_sum_since_warmup
        else:
            raise ValueError(f"which must be 'cpu' or 'frame', got {which!r}")
        n = int(hist.sum())
        out: dict[str, float] = {"frames": float(n)}
        if not n:
            return out
        cum = np.cumsum(hist)
        for q in qs:
            idx = int(np.searchsorted(cum, q / 100.0 * n))
            edge_ns = (idx + 1) * self._hist_bin_ns
            out[f"p{q:g}"] = min(edge_ns, top) * 1e-6
        out["max"] = top * 1e-6
        out["mean"] = total * 1e-6 / n
        return out
