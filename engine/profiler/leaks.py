"""The leak detector: one ``Trend`` (``trend.py``) per memory signal and per watched pool,
sampled once a second of the App's frame clock, measured from the warm-up mark.

The time base is the frame clock (``App.frame_ns_last`` summed; the meter's frame interval
without an App): simulated seconds in benchmark mode (a ``FixedClock`` frame is 1/60 s
whatever the wall time), so detection times are the same on a fast and a slow machine.

Signals and their default thresholds (slope per minute in each third of a window, and growth
since the mark; see ``trend.py`` for the rule):

==========  =================================================  ==============  ============
signal      reading                                            slope / min     growth
==========  =================================================  ==============  ============
blocks      ``sys.getallocatedblocks()``                       60 blocks       64 blocks
tracked     net GC-tracked allocations (the meter's gen0 sum)  60 objects      64 objects
            minus what the collector freed since the mark:
            containers retained, cycle garbage not counted
rss         resident set size                                  1 MB            1 MB
traced      tracemalloc's traced bytes (tracing only)          240 KB          128 KB
pool NAME   the pool's ``in_use``                              max(30, 6 % of  max(16, 2 %
                                                               capacity)       of capacity)
==========  =================================================  ==============  ============

Why these: a clean hold reads -3..0 blocks since the mark, so 64 blocks are far above the floor
and reached by the slowest leak the issue names (one object every 4th tick, 7.5 blocks/s) in
~9 s; traced bytes are exact, so 128 KB catches 10 KB/s of array data in ~13 s. RSS also holds
the GL driver's memory: a clean 5,000-enemy hold on llvmpipe drifted +0.3 MB in 20 s, which
flagged at 128 KB, so RSS waits for 1 MB (1 MB/s of array data still flags in ~9 s). A clean
horde's pools swing with the fights (particles most) but do not climb in every third of a
window: 6 % of the capacity a minute is a pool filling within ~17 minutes.

Allocation contract: ``tick``/``sample`` allocate nothing retained (ints read, the trends'
own contract); ``mark`` neither. A pool's trend is made when the pool is watched
(``add_pool``), not at the mark: objects made at the mark would empty CPython's free lists,
and the hold would refill them with fresh containers (gen0 growth the acceptance run fails).
"""

from __future__ import annotations

import sys
import tracemalloc
from typing import Any

import numpy as np

from .trend import Trend

__all__ = ["LeakDetector", "LEAK_SIGNALS"]

LEAK_SIGNALS = ("blocks", "tracked", "rss", "traced")
"""The memory signals, in ``LeakDetector.trends`` order (the pools' trends follow them)."""


class LeakDetector:
    """Trends of blocks, tracked objects, RSS, traced bytes and every watched pool's in_use.

    Args:
        blocks_per_min, blocks_min: the blocks trend's thresholds.
        tracked_per_min, tracked_min: the tracked objects trend's thresholds.
        bytes_per_min, bytes_min: the traced bytes trend's thresholds.
        rss_per_min, rss_min: the RSS trend's thresholds.
        pool_fraction_per_min, pool_min_fraction: a pool's thresholds as fractions of its
            capacity (at least 30 slots a minute and 16 slots).
    """

    def __init__(self, *, blocks_per_min: float = 60.0, blocks_min: float = 64.0,
                 tracked_per_min: float = 60.0, tracked_min: float = 64.0,
                 bytes_per_min: float = 240e3, bytes_min: float = 128e3,
                 rss_per_min: float = 1e6, rss_min: float = 1e6,
                 pool_fraction_per_min: float = 0.06, pool_min_fraction: float = 0.02) -> None:
        self.blocks = Trend("blocks", "blocks", slope_per_min=blocks_per_min,
                            min_growth=blocks_min)
        self.tracked = Trend("tracked", "objects", slope_per_min=tracked_per_min,
                             min_growth=tracked_min)
        self.rss = Trend("rss", "bytes", slope_per_min=rss_per_min, min_growth=rss_min)
        self.traced = Trend("traced", "bytes", slope_per_min=bytes_per_min,
                            min_growth=bytes_min)
        self.trends: list[Trend] = [self.blocks, self.tracked, self.rss, self.traced]
        """Memory trends (``LEAK_SIGNALS`` order), then one per pool (``add_pool`` order)."""
        self.pool_fraction_per_min = pool_fraction_per_min
        self.pool_min_fraction = pool_min_fraction
        self._pools: list[Any] = []
        self._clock = np.zeros(2, dtype=np.int64)
        """Frame-clock ns since the mark, and the ns of the next sample."""

    @staticmethod
    def _tracked(meter: Any) -> int:
        return meter.gen0_since_warmup - int(meter.gc_collected_since_warmup.sum())

    def add_pool(self, watch: Any) -> None:
        """A trend of ``watch.stats.in_use`` (a ``PoolWatch``; pools in ``meter.pools``
        order). Allocates: call when the pool is watched."""
        cap = max(1, int(watch.stats.capacity))
        self.trends.append(Trend(f"pool {watch.name}", "slots",
                                 slope_per_min=max(30.0, self.pool_fraction_per_min * cap),
                                 min_growth=max(16.0, self.pool_min_fraction * cap)))
        self._pools.append(watch)

    def mark(self, meter: Any) -> None:
        """Restart every trend at the warm-up mark (after ``meter.mark_warmup_end``)."""
        t = 0.0
        self._clock[0] = 0
        self._clock[1] = 1_000_000_000
        self.blocks.mark(t, sys.getallocatedblocks())
        self.tracked.mark(t, 0)
        self.rss.mark(t, meter.rss_at_warmup)
        self.traced.mark(t, meter.traced_at_warmup)
        base = len(LEAK_SIGNALS)
        for k, w in enumerate(self._pools):
            self.trends[base + k].mark(t, w.stats.in_use)

    @property
    def seconds(self) -> float:
        """Frame-clock seconds since the mark."""
        return int(self._clock[0]) * 1e-9

    def tick(self, meter: Any, frame_ns: int) -> int:
        """One frame of ``frame_ns`` (after the mark); samples once a frame-clock second.

        Returns:
            0, or on a sample a bit set of the trends that flagged (bit k: ``trends[k]``).

        Allocation contract: allocates nothing retained; a sample reads RSS (transients).
        """
        clock = self._clock
        clock[0] += frame_ns
        if clock[0] < clock[1]:
            return 0
        clock[1] += 1_000_000_000
        return self.sample(meter, int(clock[0]) * 1e-9)

    def sample(self, meter: Any, t: float) -> int:
        """One sample at ``t`` seconds since the mark (``tick`` calls it once a second).

        Returns:
            A bit set of the trends that flagged on this sample (bit k: ``trends[k]``).
        """
        raised = 0
        # Cycle garbage is growth until a collection frees it: a blocks or tracked flag whose
        # growth a collection took back (below the floor again) is withdrawn, not a leak.
        for tr in (self.blocks, self.tracked):
            if tr.flagged and tr.growth < tr.min_growth:
                tr.retract()
        if self.blocks.push(t, sys.getallocatedblocks()):
            raised |= 1
        if self.tracked.push(t, self._tracked(meter)):
            raised |= 2
        if self.rss.push(t, meter.rss.read()):
            raised |= 4
        if meter.tracing and self.traced.push(t, tracemalloc.get_traced_memory()[0]):
            raised |= 8
        base = len(LEAK_SIGNALS)
        for k, w in enumerate(self._pools):
            if self.trends[base + k].push(t, w.stats.in_use):
                raised |= 1 << (base + k)
        return raised

    def as_dict(self) -> list[dict[str, object]]:
        """Every trend's growth, slope, flag and detection time (allocates; for reports)."""
        return [tr.as_dict() for tr in self.trends]
