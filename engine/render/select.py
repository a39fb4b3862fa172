"""RowGrouper: "rows whose column == value", for several values at once, allocating nothing.

All enemies of every tier live in one store with a ``tier`` column; each tier is drawn by its
own batch. ``group(column, n)`` computes, for each of the K grouped values, the list of rows of
``[0, n)`` holding that value, in row order, into one preallocated int64 array: the rows of
value k are ``rows[offsets[k] : offsets[k] + counts[k]]``. Rows holding none of the values are
left out.

How (a stable counting sort by value, with numpy ``out=`` calls only): ``dest`` starts at -1;
for each value, ``mask = column == value`` (``np.equal(out=)``), ``m = mask`` as int64,
``cum = cumsum(m)`` (the 1-based rank of each matching row among its group; computed with
``np.add.accumulate(out=)``: the ``np.cumsum`` wrapper kept a few hundred bytes alive over
hundreds of calls), ``dest += (cum + offset) * m``. Each matching row gets ``offset + rank``,
every other row keeps -1, which lands in a dump slot at the end of ``rows``; then one scatter
``rows[dest] = arange`` writes the permutation. Measured on 100k rows and 3 values (2 cores,
numpy 2.4): about 0.6 ms, against ~1.2 ms for three independent mask + compaction passes;
``np.flatnonzero`` would be faster but allocates its result (~270 KB a tier), which the
allocation contract forbids.
Index arrays are int64 (intp): int32 indices make numpy cast them into a temporary.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["RowGrouper"]


class RowGrouper:
    """Group rows of an integer column by value into preallocated row lists.

    Attributes:
        values: the grouped values, in group order.
        capacity: rows the scratch arrays hold; grows (doubling, counted in ``growths``) when a
            column longer than that is grouped.
        rows: int64 (capacity + 1,): the grouped row indices (+1 dump slot).
        counts: int64 (K,): rows per value after the last ``group``.
        offsets: int64 (K,): start of each value's rows in ``rows``.
        growths: scratch reallocations (a store that grew past our capacity).
    """

    def __init__(self, values: Sequence[int], capacity: int = 1024) -> None:
        """Prepare scratch for ``capacity`` rows.

        Raises:
            ValueError: no values, duplicate values, or capacity < 1.
            TypeError: a value is not an int.
        """
        vals = list(values)
        if not vals:
            raise ValueError("expected at least one value to group by, got none")
        for v in vals:
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
                raise TypeError(f"expected int values, got {v!r} ({type(v).__name__})")
        if len(set(int(v) for v in vals)) != len(vals):
            raise ValueError(f"expected distinct values, got {vals}")
        if int(capacity) < 1:
            raise ValueError(f"expected capacity >= 1, got {capacity}")
        self.values = tuple(int(v) for v in vals)
        self._value_arrays: dict[np.dtype, list[np.ndarray]] = {}
        self.counts = np.zeros(len(vals), dtype=np.int64)
        self.offsets = np.zeros(len(vals), dtype=np.int64)
        self.growths = 0
        self.capacity = 0
        self._n = 0
        self._offset0 = np.zeros((), dtype=np.int64)
        self._allocate(int(capacity))

    def _allocate(self, capacity: int) -> None:
        self.capacity = capacity
        self.rows = np.zeros(capacity + 1, dtype=np.int64)
        self._mask = np.zeros(capacity, dtype=np.bool_)
        self._m = np.zeros(capacity, dtype=np.int64)
        self._cum = np.zeros(capacity, dtype=np.int64)
        self._dest = np.zeros(capacity, dtype=np.int64)
        self._arange = np.arange(capacity, dtype=np.int64)

    def _values_for(self, dtype: np.dtype) -> list[np.ndarray]:
        # 0-d operands of the column's own dtype: np.equal then needs no casting and makes no
        # temporary (a Python int operand costs one small allocation per call).
        arrs = self._value_arrays.get(dtype)
        if arrs is None:
            arrs = [np.array(v, dtype=dtype) for v in self.values]
            self._value_arrays[dtype] = arrs
        return arrs

    def group(self, column: np.ndarray, n: int) -> int:
        """Group rows ``[0, n)`` of ``column`` by value; returns the rows grouped (sum of counts).

        Allocates nothing after warm-up (the first call per column dtype makes K 0-d arrays;
        a column longer than ``capacity`` grows the scratch, counted in ``growths``).

        Raises:
            ValueError: ``column`` is not 1-D or shorter than ``n``, or ``n`` < 0.
            TypeError: ``column`` is not of an integer dtype.
        """
        if column.ndim != 1 or n < 0 or n > column.shape[0]:
            raise ValueError(f"expected a 1-D column with at least n={n} >= 0 rows, got shape "
                             f"{column.shape}")
        if column.dtype.kind not in "iu":
            raise TypeError(f"expected an integer column to group by, got dtype {column.dtype}")
        if n > self.capacity:
            cap = self.capacity
            while cap < n:
                cap *= 2
            self._allocate(cap)
            self.growths += 1
        self._n = n
        counts = self.counts
        offsets = self.offsets
        if n == 0:
            counts.fill(0)
            offsets.fill(0)
            return 0
        col = column[:n]
        mask = self._mask[:n]
        m = self._m[:n]
        cum = self._cum[:n]
        dest = self._dest[:n]
        dest.fill(-1)
        offset = self._offset0
        offset.fill(0)
        for k, value in enumerate(self._values_for(column.dtype)):
            np.equal(col, value, out=mask)
            np.copyto(m, mask)
            np.add.accumulate(m, out=cum)
            c = cum[n - 1]
            counts[k] = c
            offsets[k] = offset
            if c:
                np.add(cum, offset, out=cum)
                np.multiply(cum, m, out=cum)
                np.add(dest, cum, out=dest)
                np.add(offset, c, out=offset)
        # Rows of no group keep -1: they land in rows[-1], the dump slot.
        self.rows[dest] = self._arange[:n]
        return int(offset)

    def rows_of(self, k: int) -> np.ndarray:
        """The rows of group ``k`` from the last ``group`` (a view: valid until the next call).

        Allocates one small view object (transient).

        Raises:
            IndexError: no group ``k``.
        """
        if not 0 <= k < len(self.values):
            raise IndexError(f"expected a group index in [0, {len(self.values)}), got {k}")
        start = int(self.offsets[k])
        return self.rows[start:start + int(self.counts[k])]
