"""Preallocated history rings: the storage behind every plotted signal of the profiler.

A ``HistoryRing`` holds the last ``capacity`` samples of one signal (or one row of ``width``
signals) in a numpy array allocated once. ``push`` writes one sample in place; when the ring is
full the oldest sample is overwritten. Plotting needs the samples oldest-first and contiguous,
so ``ordered_into`` copies them into a buffer the caller owns (allocated once by the caller).

Allocation contract: ``push``, ``push_row``, ``last`` and ``ordered_into`` allocate no array
data and retain nothing; like any Python code, they make short-lived ints and views that are
freed before they return (measured by tests/test_profiler_meter.py with
``measure_steady_state``).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import DTypeLike

__all__ = ["HistoryRing"]


class HistoryRing:
    """A fixed-capacity ring of samples, newest overwriting oldest.

    Args:
        capacity: samples kept (>= 1).
        dtype: numpy dtype of a sample; float64 for plotted signals, int64 for exact counts.
        width: 0 for a ring of scalars (shape ``(capacity,)``), or the row width for a ring of
            rows (shape ``(capacity, width)``), e.g. one column per scheduler system.
        name: label shown by the dashboard.

    Raises:
        ValueError: capacity < 1 or width < 0.
        TypeError: capacity or width is not an int.
    """

    __slots__ = ("name", "capacity", "width", "data", "_count", "pushed")

    def __init__(self, capacity: int, dtype: DTypeLike = np.float64, *, width: int = 0,
                 name: str = "") -> None:
        if not isinstance(capacity, int) or isinstance(capacity, bool):
            raise TypeError(f"capacity must be an int, got {type(capacity).__name__}")
        if capacity < 1:
            raise ValueError(f"capacity must be >= 1, got {capacity}")
        if not isinstance(width, int) or isinstance(width, bool):
            raise TypeError(f"width must be an int, got {type(width).__name__}")
        if width < 0:
            raise ValueError(f"width must be >= 0, got {width}")
        self.name = name
        self.capacity = capacity
        self.width = width
        shape: tuple[int, ...] = (capacity, width) if width else (capacity,)
        self.data = np.zeros(shape, dtype=dtype)
        """The storage, in ring order (index ``pushed % capacity`` is the next write)."""
        # The write position is derived from the monotonic ``pushed`` rather than kept as a
        # wrapping index: a stored index would move in and out of CPython's small-int cache
        # (-5..256) every cycle, and with ~30 rings in lockstep that showed as a +-30 blip in
        # sys.getallocatedblocks(), the very signal the meter measures.
        self._count = 0
        self.pushed = 0
        """Samples pushed since construction or ``clear()``."""

    def __len__(self) -> int:
        return self._count

    @property
    def full(self) -> bool:
        return self._count == self.capacity

    def push(self, value: float) -> None:
        """Append one sample, overwriting the oldest when full. Allocates nothing retained.

        For a ring of rows, ``value`` is broadcast over the row (use ``push_row`` for a row).
        """
        self.data[self.pushed % self.capacity] = value
        self.pushed += 1
        if self._count < self.capacity:
            self._count += 1

    def push_row(self, row: np.ndarray) -> None:
        """Append one row (rings of rows only), copying it in place. Allocates no array data.

        Raises:
            ValueError: the ring holds scalars, or ``row`` does not have ``width`` entries.
        """
        if not self.width:
            raise ValueError(f"ring {self.name!r} holds scalars; use push(), not push_row()")
        if row.shape[0] != self.width:
            raise ValueError(f"ring {self.name!r} expects rows of {self.width}, "
                             f"got {row.shape[0]}")
        np.copyto(self.data[self.pushed % self.capacity], row, casting="unsafe")
        self.pushed += 1
        if self._count < self.capacity:
            self._count += 1

    def last(self, default: float = 0.0) -> float:
        """The newest sample (scalar rings), or ``default`` when empty."""
        if not self._count:
            return default
        return float(self.data[(self.pushed - 1) % self.capacity])

    def clear(self) -> None:
        """Forget all samples (the storage is kept)."""
        self._count = 0
        self.pushed = 0

    def ordered_into(self, out: np.ndarray, column: int = -1) -> np.ndarray:
        """Copy the samples oldest-first into ``out`` and return the filled view ``out[:n]``.

        Args:
            out: caller-owned buffer with at least ``capacity`` entries (and ``width`` columns
                when copying whole rows). Casting is unsafe, so a float64 buffer can take an
                int64 ring.
            column: for a ring of rows, the column to copy into a 1-D ``out``; -1 copies rows.

        Returns:
            A view of ``out`` holding ``len(self)`` samples, oldest first.

        Raises:
            ValueError: ``out`` is shorter than the ring's capacity.
        """
        if out.shape[0] < self.capacity:
            raise ValueError(f"ring {self.name!r}: out must hold >= {self.capacity} samples, "
                             f"got {out.shape[0]}")
        n = self._count
        head = self.pushed % self.capacity
        data = self.data if column < 0 else self.data[:, column]
        if n < self.capacity:
            np.copyto(out[:n], data[:n], casting="unsafe")
        else:
            tail = self.capacity - head
            np.copyto(out[:tail], data[head:], casting="unsafe")
            np.copyto(out[tail:n], data[:head], casting="unsafe")
        return out[:n]

    def window_sum(self, n: int) -> float:
        """Sum of the newest ``min(n, len)`` samples (scalar rings). Allocates a numpy scalar.

        For dashboards and reports, not for per-frame bookkeeping.
        """
        n = min(n, self._count)
        if n <= 0:
            return 0.0
        head = self.pushed % self.capacity
        if n <= head:
            return float(self.data[head - n:head].sum())
        return float(self.data[:head].sum() + self.data[self.capacity - (n - head):].sum())

    def newest(self, n: int) -> np.ndarray:
        """A fresh array of the newest ``min(n, len)`` samples, oldest first (allocates; for
        reports)."""
        out = np.empty((self.capacity,) + self.data.shape[1:], dtype=self.data.dtype)
        view = self.ordered_into(out)
        n = min(n, self._count)
        return view[len(view) - n:].copy()
