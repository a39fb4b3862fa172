"""What the acceptance run records: per-frame samples, and the census of the world's int counters.

``Recorder`` keeps one row per frame (columns ``C_*``, then one per enemy tier and one per
pool) in a float64 array allocated before the run. ``IntCensus`` finds every plain int
attribute of the world's objects and, over a hold, names those that left CPython's small-int
cache (each one a heap int of its own: a block the hold's raw reading counts).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from engine.profiler import SMALL_INT_MAX

__all__ = ["Recorder", "IntCensus", "N_FIXED", "C_FRAME", "C_WALL", "C_SIM", "C_PHASE",
           "C_LEVEL", "C_CPU", "C_FULL", "C_RSS", "C_BLOCKS", "C_LIVE", "C_STEP"]

# Columns of the per-frame record (the tier and pool columns follow these).
(C_FRAME, C_WALL, C_SIM, C_PHASE, C_LEVEL, C_CPU, C_FULL, C_RSS, C_BLOCKS, C_LIVE,
 C_STEP) = range(11)
N_FIXED = 11


class Recorder:
    """Per-frame samples in one float64 array allocated before the run.

    When the array is full, every other row is dropped and the stride doubles (a uniform
    subsample). Allocation contract of ``take`` (with the caller's writes into ``data``):
    allocates nothing, except a compaction's copy of half the array (transient; once per
    doubling, so at most a handful of times in any run).
    """

    def __init__(self, capacity: int, n_tiers: int, n_pools: int) -> None:
        if capacity < 2:
            raise ValueError(f"expected a capacity >= 2 rows, got {capacity}")
        self.n_tiers = n_tiers
        self.n_pools = n_pools
        self.data = np.full((capacity, N_FIXED + n_tiers + n_pools), np.nan)
        self.capacity = capacity
        self.n = 0
        self.stride = 1
        self._skip = 0

    def take(self) -> int:
        """The row to write this frame, or -1 when this frame is skipped by the stride."""
        if self._skip:
            self._skip -= 1
            return -1
        self._skip = self.stride - 1
        if self.n == self.capacity:
            half = self.capacity // 2
            self.data[:half] = self.data[0:self.capacity:2].copy()
            self.data[half:] = np.nan
            self.n = half
            self.stride *= 2
            self._skip = self.stride - 1
        i = self.n
        self.n += 1
        return i

    def rows(self) -> np.ndarray:
        return self.data[:self.n]


class IntCensus:
    """The plain int attributes of some objects, read into int64 arrays at two moments.

    Args:
        objects: ``(label, object)`` pairs; every instance attribute (``__dict__`` and
            ``__slots__``) holding exactly an ``int`` is watched, except ``high_water`` (a
            maximum, not a counter).

    The engine keeps its counters in int64 cells (``engine.data.counters``: descriptors, not
    instance attributes), so this finds only constants (a capacity, a config value, a slot
    index); a plain-int counter added back is found and named by ``crossings``.
    """

    def __init__(self, objects: Iterable[tuple[str, Any]]) -> None:
        watched: list[tuple[str, Any, str]] = []
        for label, obj in objects:
            names = list(getattr(obj, "__dict__", {}))
            names += [n for cls in type(obj).__mro__ for n in getattr(cls, "__slots__", ())]
            for attr in names:
                if attr != "high_water" and type(getattr(obj, attr, None)) is int:
                    watched.append((label, obj, attr))
        self.watched = watched
        self.start = np.zeros(len(watched), dtype=np.int64)
        self.end = np.zeros(len(watched), dtype=np.int64)

    def read(self, out: np.ndarray) -> None:
        """The watched ints into ``out`` (``start`` or ``end``; no int outlives the reading)."""
        for j, (_, obj, attr) in enumerate(self.watched):
            out[j] = getattr(obj, attr)

    def crossings(self) -> tuple[int, list[str]]:
        """Watched ints that left (or re-entered) CPython's small-int cache between ``start``
        and ``end``: the net count of int objects (a counter falling back below 257 frees its
        int) and the names of those that left. Call it right after the end reading, while
        the attributes still hold the objects it read.
        """
        start, end = self.start, self.end
        cached_start = (start >= -5) & (start <= SMALL_INT_MAX)
        cached_end = (end >= -5) & (end <= SMALL_INT_MAX)
        left = cached_start & ~cached_end
        names = []
        owned: set[int] = set()
        for j, (label, obj, attr) in enumerate(self.watched):
            if left[j]:
                names.append(f"{label}.{attr}")
                # Counters that share one int object (a ring's pushed, drained and head move
                # together and may be one object) hold one block between them.
                owned.add(id(getattr(obj, attr)))
        net = len(owned) - int((cached_end & ~cached_start).sum())
        return net, names
