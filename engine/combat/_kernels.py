"""Small allocation-free numpy helpers shared by the combat systems.

Everything here writes into caller-owned buffers; nothing allocates array data.
"""

from __future__ import annotations

import numpy as np

__all__ = ["f32", "i64", "Compactor", "as_complex_rows"]


def f32(value: float) -> np.ndarray:
    """A 0-d float32 array: a ufunc operand that allocates nothing (a Python float does)."""
    return np.array(value, dtype=np.float32)


def i64(value: int) -> np.ndarray:
    """A 0-d int64 array (see :func:`f32`)."""
    return np.array(value, dtype=np.int64)


def as_complex_rows(arr: np.ndarray) -> np.ndarray:
    """View a C-contiguous ``(n, 2)`` float32 array as ``n`` complex64 items.

    One item per row lets a whole 2-vector move with one ``take``/``put`` on a 1-D array
    (``np.put`` needs a contiguous 1-D target to write in place).
    """
    return arr.view(np.complex64).reshape(arr.shape[0])


class Compactor:
    """Stream compaction ``out[:k] = values[mask]`` without allocating.

    The usual ``values[mask]`` and ``np.nonzero`` allocate; this writes each kept item to its
    rank (an in-place running sum of the mask) and sends the rest to a dump slot, the last item
    of ``out``, so ``out`` needs one item more than the most that can be kept.

    Allocation contract: allocates no array data (scratch made at construction).
    """

    def __init__(self, capacity: int) -> None:
        """Scratch for masks of up to ``capacity`` items."""
        self.capacity = capacity
        self._pos = np.zeros(capacity, np.int64)
        self._not = np.zeros(capacity, np.bool_)
        self._one = i64(1)

    def __call__(self, mask: np.ndarray, values: np.ndarray, out: np.ndarray) -> int:
        """Write the items of ``values`` where ``mask`` is true to ``out[:k]``, in order.

        Args:
            mask: bool, n items (n <= capacity).
            values: n items to pick from.
            out: 1-D, at least ``k + 1`` items; its last item is overwritten (dump slot).

        Returns:
            k, the number of items kept.
        """
        n = mask.shape[0]
        if n == 0:
            return 0
        pos = self._pos[:n]
        np.copyto(pos, mask, casting="unsafe")
        np.add.accumulate(pos, out=pos)
        k = int(pos[n - 1])
        if k == 0:
            return 0
        np.subtract(pos, self._one, out=pos)
        np.copyto(pos, out.shape[0] - 1, where=np.logical_not(mask, out=self._not[:n]))
        np.put(out, pos, values, mode="clip")
        return k
